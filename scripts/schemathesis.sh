#!/usr/bin/env bash
# schemathesis against the machine API (`make api-fuzz`; .ci/run runs it).
#
# Starts the portal as `make run` does (scripts/serve.sh: setup, demo data, supervisor) on
# its own SQLite database, media and ports, waits for 200, takes API tokens of the demo
# owner, each system's approver, a regulator and a second enterprise's owner (manage.py
# api_token), reads the demo's real ids through the API, then runs `schemathesis run` on
# /api/schema/ with scripts/schemathesis.toml and its hooks (real ids, the submits' second
# factor, the object-level check): every default check, a bounded number of examples, the
# run's summary printed, then the operations that never answered 2xx.  Stops supervisord
# and exits non-zero on any failure (a 5xx, a response the schema does not describe, ...).
# See docs/api.md.
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
  "$WORK"/*.json "$WORK/schemathesis.toml" "$WORK"/db.sqlite3*
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

# Tokens (one Django boot): the demo owner (every enterprise operation), a first-level
# approver of each system's authority (its review operations), the Beijing regulator with
# the archive read right, and the owner of a second enterprise registered here for the
# object-level check (it must never read the demo owner's applications).
mapfile -t TOKENS < <("$PY" manage.py shell --no-imports <<'PYTHON'
from django.core.management import call_command

from portal.accounts import services
from portal.accounts.models import Enterprise
from portal.accounts.validators import uscc_check_character

first17 = "91110108MA01FQ2K7"
if not Enterprise.objects.filter(uscc__startswith=first17).exists():
    services.register_enterprise(
        username="fuzz-other-owner", password="demo-pass-2026", name_zh="另一示范企业",
        name_en="Another Demo Co.", uscc=first17 + uscc_check_character(first17),
        address="北京市海淀区", contact_name="赵经理", contact_phone="010-87654321",
        contact_email="other@demo.example.cn",
    )
users = ["demo-owner", "drug-l1", "av-reviewer", "licence-l1", "regulator", "fuzz-other-owner"]
call_command("api_token", "--name", "schemathesis", "--replace",
             *[arg for user in users for arg in ("--user", user)])
PYTHON
)
if [ "${#TOKENS[@]}" -ne 6 ]; then
  echo "api-fuzz: expected 6 tokens, got ${#TOKENS[@]}" >&2
  exit 1
fi
export API_FUZZ_OWNER_TOKEN="${TOKENS[0]}"
export API_FUZZ_DRUG_APPROVER_TOKEN="${TOKENS[1]}"
export API_FUZZ_AV_APPROVER_TOKEN="${TOKENS[2]}"
export API_FUZZ_LICENCE_APPROVER_TOKEN="${TOKENS[3]}"
export API_FUZZ_REGULATOR_TOKEN="${TOKENS[4]}"
export API_FUZZ_INTRUDER_TOKEN="${TOKENS[5]}"
# An approver of another system's authority for each system's review reads.
export API_FUZZ_PEER_DRUG_PERMITS="$API_FUZZ_AV_APPROVER_TOKEN"
export API_FUZZ_PEER_AV_IMPORTS="$API_FUZZ_DRUG_APPROVER_TOKEN"
export API_FUZZ_PEER_AUTO_LICENCES="$API_FUZZ_DRUG_APPROVER_TOKEN"
# The submits' second factor: the demo owner's authenticator (README's fixed secret).
export API_FUZZ_TOTP_USER=demo-owner
export API_FUZZ_TOTP_SECRET=VGRWIGYTZEAABERW52TT5WPHALGZGEF7
export API_FUZZ_IDS="$WORK/ids.json" API_FUZZ_REACH="$WORK/reach.json"
ids_started=$SECONDS

# The demo's real ids per path template, listed through the API with the token each
# operation runs with (the config's headers): for `{number}` the list at the path before
# it, for `{…_id}` the `id`s of the list before it, each record consistent (a line id
# with its own application's number).  The hooks send them half the time.
CONFIG=scripts/schemathesis.toml
"$PY" - "$BASE" "$CONFIG" "$API_FUZZ_IDS" <<'PYTHON'
import json
import os
import re
import sys
import tomllib
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

base, config_path, out = sys.argv[1:]
schema = json.load(urllib.request.urlopen(f"{base}/api/schema/"))
with open(config_path, "rb") as f:
    config = tomllib.load(f)


def expand(value):
    return re.sub(r"\$\{(\w+)\}", lambda m: os.environ[m.group(1)], value)


def token_for(path):
    for entry in config.get("operations", []):
        if re.search(entry["include-path-regex"], path):
            return expand(entry["headers"]["Authorization"])
    return expand(config["headers"]["Authorization"])


listed = {}


def read(path, auth):
    request = urllib.request.Request(f"{base}{path}?page_size=100", headers={"Authorization": auth})
    try:
        return path, json.load(urllib.request.urlopen(request, timeout=60))
    except (urllib.error.HTTPError, ValueError):  # an error, or not JSON
        return path, None


def fetch(path, auth):
    """A list's items (None when it answered an error)."""
    path, body = read(path, auth)
    return path, body.get("results", []) if isinstance(body, dict) else body


def key_of(param, item):
    if not isinstance(item, dict):
        return None
    return item.get("number") if param == "number" else item.get("id", item.get(param))


ids = {}
with ThreadPoolExecutor(4) as pool:
    for template, methods in schema["paths"].items():
        params = re.findall(r"\{(\w+)\}", template)
        records = [{}] if params else []
        auth = token_for(template)
        for param in params:
            collection = template[: template.index("{%s}" % param) - 1]
            if "get" not in schema["paths"].get(collection, {}):
                records = []
                break
            todo = {collection.format(**r) for r in records} - set(listed)
            listed.update(pool.map(lambda p: fetch(p, auth), sorted(todo)))
            records = [
                {**r, param: key_of(param, item)}
                for r in records
                for item in listed[collection.format(**r)] or []
                if key_of(param, item) is not None
            ]
        if records:
            ids[template] = records


# Some sub-resources exist on a few applications only (a certificate, the licence's
# contract table): a GET with one `{number}` that other operations extend (…/certificate
# → …/certificate/send) or share (GET/PUT …/contract) is read for each number, and it and
# its extensions get the numbers that answered 200.  A decision goes to the numbers whose
# review lists a decision the approver may take now.
def narrow(template, keep):
    auth = token_for(template)
    todo = {template.format(**r) for r in ids[template]} - set(listed)
    answers = {**listed, **dict(pool.map(lambda p: read(p, auth), sorted(todo)))}
    found = [r for r in ids[template] if keep(answers[template.format(**r)])]
    return found or ids[template]


paths = schema["paths"]
with ThreadPoolExecutor(4) as pool:
    for template in [t for t in ids if re.findall(r"\{(\w+)\}", t) == ["number"]]:
        if "get" not in paths[template] or template.endswith(("}", "/pdf")):
            continue
        if set(paths[template]) == {"get"} and not any(
            t.startswith(template + "/") for t in paths
        ):
            continue
        found = narrow(template, lambda body: body is not None)
        for other in ids:
            if other.startswith(template + "/") and ids[other][0].keys() == {"number"}:
                ids[other] = found
        ids[template] = found
    for template in [t for t in ids if t.endswith("/review/applications/{number}")]:
        if template + "/decide" in ids:
            ids[template + "/decide"] = narrow(template, lambda body: body and body.get("decisions"))

# The enterprise's changes (header, lines, attachments, submit, delete) go to its drafts
# (the lists' `editable`), keyed "METHOD template": withdraw and copy keep every number.
drafts = {
    item["number"]
    for path, items in listed.items()
    if path.endswith("/applications") and "/review/" not in path and "/regulated/" not in path
    for item in items or []
    if item.get("editable")
}
for template in list(ids):
    if "/applications/{number}" not in template or re.search("/(review|regulated)/", template):
        continue
    if template.endswith(("/withdraw", "/copy")):
        continue
    editable = [r for r in ids[template] if r.get("number") in drafts]
    for method in paths[template]:
        if method != "get" and editable:
            ids[f"{method.upper()} {template}"] = editable
with open(out, "w") as f:
    json.dump(ids, f)
count = sum(len(r) for r in ids.values())
print(f"api-fuzz: {count} real path parameters for {len(ids)} paths and operations "
      f"({len(listed)} lists read, {len(drafts)} drafts)")
PYTHON
echo "api-fuzz: ids read in $((SECONDS - ids_started)) s"

args=(--config-file "$CONFIG" run "$BASE/api/schema/" --url "$BASE"
  --no-color --report junit --report-dir "$WORK/report")
[ -n "${API_FUZZ_MAX_EXAMPLES:-}" ] && args+=(--max-examples "$API_FUZZ_MAX_EXAMPLES")
[ -n "${API_FUZZ_SEED:-}" ] && args+=(--seed "$API_FUZZ_SEED")
fuzz_started=$SECONDS
status=0
"$VENV/bin/schemathesis" "${args[@]}" || status=$?
# Which operations answered 2xx at least once (the hooks' record of every status).
"$PY" - "$API_FUZZ_REACH" <<'PYTHON' || true
import json
import sys

recorded = json.load(open(sys.argv[1]))
reach = recorded["statuses"]
print(f"api-fuzz: {recorded['probes']} reads sent again with another party's token (404 expected)")
never = [op for op, codes in reach.items() if not any(200 <= c < 300 for c in codes)]
print(f"api-fuzz: {len(reach) - len(never)} of {len(reach)} operations answered 2xx at least once;"
      f" never: {len(never)}")
for op in never:
    print(f"  {op}: {', '.join(map(str, reach[op]))}")
PYTHON
echo "api-fuzz: schemathesis took $((SECONDS - fuzz_started)) s (whole run $((SECONDS - started)) s);" \
  "exit $status; logs in $PORTAL_VAR/log/, JUnit in $WORK/report/"
stop_portal
trap - EXIT
exit "$status"
