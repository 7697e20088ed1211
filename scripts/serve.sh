#!/usr/bin/env bash
# Serve the portal over ASGI, with the background task worker, the customs
# outbox worker and the customs simulator beside it, all under supervisor
# (scripts/supervisord.conf): a process that crashes is reported here and
# restarted while the others keep running.  Ctrl-C stops everything.
# Logs: $PORTAL_VAR/log/ (default var/log/).  Status while it runs:
#   .venv/bin/supervisorctl -c scripts/supervisord.conf status
set -euo pipefail
cd "$(dirname "$0")/.."
export UV_PYTHON_DOWNLOADS=never
# Keep the bytecode cache (some shells set PYTHONDONTWRITEBYTECODE): each of the five
# Python processes would otherwise compile some 3,000 modules again on every start.
unset PYTHONDONTWRITEBYTECODE
# manage.py defaults to production settings; the laptop portal asks for dev explicitly.
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-portal.settings.dev}"
export PORT="${PORT:-8000}"
export CUSTOMS_PORT="${CUSTOMS_PORT:-8001}"
export PORTAL_VAR="$(realpath -m "${PORTAL_VAR:-var}")"
export PORTAL_VENV="$(realpath -m "${UV_PROJECT_ENVIRONMENT:-.venv}")"
export PORTAL_BASE_URL="${PORTAL_BASE_URL:-http://127.0.0.1:$PORT}"
export PORTAL_CUSTOMS_ENDPOINT="${PORTAL_CUSTOMS_ENDPOINT:-http://127.0.0.1:$CUSTOMS_PORT/customs/messages/}"
mkdir -p "$PORTAL_VAR/log" "$PORTAL_VAR/run"

# Migrate, reference and demo data (manage.py setup_portal, one Django boot) only when
# something changed: the fingerprint check reads the settings, not the apps (0.2 s).
if ! "$PORTAL_VENV/bin/python" -m portal.setup_fingerprint; then
  "$PORTAL_VENV/bin/python" manage.py setup_portal
fi

echo "Portal: http://127.0.0.1:$PORT/  (back office: /admin/)"
echo "Customs simulator: http://127.0.0.1:$CUSTOMS_PORT/  Ctrl-C stops everything."
echo "Logs: $PORTAL_VAR/log/  Status: $PORTAL_VENV/bin/supervisorctl -c scripts/supervisord.conf status"
exec "$PORTAL_VENV/bin/supervisord" -c scripts/supervisord.conf
