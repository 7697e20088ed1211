#!/usr/bin/env bash
# Serve the portal over ASGI, with the background task worker, the customs
# outbox worker and the customs simulator beside it; Ctrl-C stops them all.
set -uo pipefail
cd "$(dirname "$0")/.."
export UV_PYTHON_DOWNLOADS=never
port="${PORT:-8000}"
customs_port="${CUSTOMS_PORT:-8001}"
export PORTAL_BASE_URL="${PORTAL_BASE_URL:-http://127.0.0.1:$port}"
export PORTAL_CUSTOMS_ENDPOINT="${PORTAL_CUSTOMS_ENDPOINT:-http://127.0.0.1:$customs_port/customs/messages/}"

uv run --frozen daphne -b 127.0.0.1 -p "$port" portal.asgi:application &
server=$!
uv run --frozen python manage.py db_worker --queue-name "*" --no-reload &
worker=$!
uv run --frozen python manage.py outbox &
outbox=$!
uv run --frozen python manage.py customs_simulator --port "$customs_port" \
  --portal "$PORTAL_BASE_URL/customs/inbound/" &
simulator=$!

stop() {
  trap - INT TERM EXIT
  kill -TERM "$server" "$worker" "$outbox" "$simulator" 2>/dev/null
  wait "$server" "$worker" "$outbox" "$simulator" 2>/dev/null
  echo "Stopped the portal, the workers and the customs simulator."
}
trap stop INT TERM EXIT
echo "Portal: http://127.0.0.1:$port/  (back office: /admin/)"
echo "Customs simulator: http://127.0.0.1:$customs_port/  Ctrl-C stops everything."
wait -n "$server" "$worker" "$outbox" "$simulator"
