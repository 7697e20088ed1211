#!/usr/bin/env bash
# Serve the portal over ASGI and run the background task worker beside it;
# Ctrl-C stops both.
set -uo pipefail
cd "$(dirname "$0")/.."
export UV_PYTHON_DOWNLOADS=never
port="${PORT:-8000}"

uv run --frozen daphne -b 127.0.0.1 -p "$port" portal.asgi:application &
server=$!
uv run --frozen python manage.py db_worker --queue-name "*" --no-reload &
worker=$!

stop() {
  trap - INT TERM EXIT
  kill -TERM "$server" "$worker" 2>/dev/null
  wait "$server" "$worker" 2>/dev/null
  echo "Stopped the portal and the task worker."
}
trap stop INT TERM EXIT
echo "Portal: http://127.0.0.1:$port/  (back office: /admin/)  Ctrl-C stops."
wait -n "$server" "$worker"
