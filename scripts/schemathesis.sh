#!/usr/bin/env bash
# schemathesis against the machine API (`make api-fuzz`; .ci/run runs it).
#
# Starts the portal as `make run` does (scripts/serve.sh: setup, demo data, supervisor) on
# its own SQLite database, media and ports, waits for 200, takes API tokens of the demo
# owner, an approver (drug-l1) and a regulator (manage.py api_token), then runs
# `schemathesis run` on /api/schema/ with scripts/schemathesis.toml: every default check,
# a bounded number of examples, the run's summary printed.  Stops supervisord and exits
# non-zero on any failure (a 5xx, a response the schema does not describe, ...).
#
# Environment: PORT and CUSTOMS_PORT (default: free ones); API_FUZZ_DIR (default
# var/api-fuzz) holds the run's db.sqlite3, var/ (logs, supervisor) and media/, removed
# first so every run starts from the demo data alone: PORTAL_SQLITE_PATH, PORTAL_VAR and
# PORTAL_MEDIA_ROOT are set there whatever the environment says (never the laptop's own
# portal); API_FUZZ_MAX_EXAMPLES (default: the config's), API_FUZZ_SEED.
set -euo pipefail
cd "$(dirname "$0")/.."
export UV_PYTHON_DOWNLOADS=never
unset PYTHONDONTWRITEBYTECODE
export DJANGO_SETTINGS_MODULE=portal.settings.dev
VENV="$(realpath -m "${UV_PROJECT_ENVIRONMENT:-.venv}")"
PY="$VENV/bin/python"

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

WORK="$(realpath -m "${API_FUZZ_DIR:-var/api-fuzz}")"
export PORT="${PORT:-$(free_port)}"
export CUSTOMS_PORT="${CUSTOMS_PORT:-$(free_port)}"
export PORTAL_VAR="$WORK/var"
export PORTAL_SQLITE_PATH="$WORK/db.sqlite3"
export PORTAL_MEDIA_ROOT="$WORK/media"
# Never the laptop's services or addresses: the embedded portal on this run's own files
# (serve.sh derives the base URL and the customs endpoint from the ports).
unset DATABASE_URL REDIS_URL PORTAL_BASE_URL PORTAL_CUSTOMS_ENDPOINT
# The fuzzer sends thousands of requests a minute with one token: the throttle (600/min,
# tested in tests/api/test_tokens.py) would answer most of them 429 and test nothing.
export PORTAL_API_THROTTLE_RATE=1000000/min
# Every run from the demo data alone (the previous run's drafts, decisions and uploads
# would otherwise change what this one meets).
export API_FUZZ_CACHE_DIR="$WORK/cache"
rm -rf "$PORTAL_VAR" "$PORTAL_MEDIA_ROOT" "$API_FUZZ_CACHE_DIR" "$WORK/report" \
  "$WORK/schemathesis.toml" "$WORK"/db.sqlite3*
mkdir -p "$PORTAL_VAR"
BASE="http://127.0.0.1:$PORT"
started=$SECONDS

# serve.sh execs supervisord: this pid is supervisord's; its own session, so a stop
# reaches every process it started.
setsid bash scripts/serve.sh >"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
stop_portal() {
  if kill -0 "$SERVE_PID" 2>/dev/null; then
    kill -TERM "$SERVE_PID" 2>/dev/null || true
    for _ in $(seq 1 600); do
      kill -0 "$SERVE_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL -- "-$SERVE_PID" 2>/dev/null || true
  fi
}
trap stop_portal EXIT

echo "api-fuzz: starting the portal on $BASE (setup and demo data: about a minute)"
deadline=$((SECONDS + 600))
answers_200() {
  "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)' \
    "$BASE/" 2>/dev/null
}
until answers_200; do
  if ! kill -0 "$SERVE_PID" 2>/dev/null; then
    tail -n 40 "$WORK/serve.log"
    echo "api-fuzz: serve.sh exited before answering" >&2
    exit 1
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    tail -n 40 "$WORK/serve.log"
    echo "api-fuzz: no 200 from $BASE/ within 600 s" >&2
    exit 1
  fi
  sleep 0.5
done
echo "api-fuzz: portal up after $((SECONDS - started)) s"

# The demo owner (every enterprise operation), an approver of the drug authority (the
# review operations) and the Beijing regulator with the archive read right.
mapfile -t TOKENS < <("$PY" manage.py api_token --name schemathesis --replace \
  --user demo-owner --user drug-l1 --user regulator)
export API_FUZZ_OWNER_TOKEN="${TOKENS[0]}"
export API_FUZZ_APPROVER_TOKEN="${TOKENS[1]}"
export API_FUZZ_REGULATOR_TOKEN="${TOKENS[2]}"

# The run's config: scripts/schemathesis.toml and the dictionary of the demo's
# application numbers, read from the owner's own lists through the API.
CONFIG="$WORK/schemathesis.toml"
"$PY" - "$BASE" scripts/schemathesis.toml "$CONFIG" <<'PYTHON'
import json
import os
import sys
import urllib.request

base, template, out = sys.argv[1:]
token = os.environ["API_FUZZ_OWNER_TOKEN"]
schema = json.load(urllib.request.urlopen(f"{base}/api/schema/"))
numbers = []
for path in schema["paths"]:
    if path.endswith("/applications") and "/review/" not in path and "/regulated/" not in path:
        request = urllib.request.Request(
            f"{base}{path}?page_size=100", headers={"Authorization": f"Bearer {token}"}
        )
        numbers += [item["number"] for item in json.load(urllib.request.urlopen(request))["results"]]
with open(template) as f:
    config = f.read()
with open(out, "w") as f:
    f.write(config + f"\n[dictionaries.numbers]\nvalues = {json.dumps(numbers)}\n")
print(f"api-fuzz: {len(numbers)} demo application numbers")
PYTHON

args=(--config-file "$CONFIG" run "$BASE/api/schema/" --url "$BASE"
  --no-color --report junit --report-dir "$WORK/report")
[ -n "${API_FUZZ_MAX_EXAMPLES:-}" ] && args+=(--max-examples "$API_FUZZ_MAX_EXAMPLES")
[ -n "${API_FUZZ_SEED:-}" ] && args+=(--seed "$API_FUZZ_SEED")
fuzz_started=$SECONDS
status=0
"$VENV/bin/schemathesis" "${args[@]}" || status=$?
echo "api-fuzz: schemathesis took $((SECONDS - fuzz_started)) s (whole run $((SECONDS - started)) s);" \
  "exit $status; logs in $PORTAL_VAR/log/, JUnit in $WORK/report/"
stop_portal
trap - EXIT
exit "$status"
