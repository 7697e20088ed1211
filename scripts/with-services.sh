#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL and Redis on loopback:
# installs the Debian packages when missing (as root), starts both servers on
# private ports, exports DATABASE_URL and REDIS_URL, and stops them after.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh postgresql redis-server

work=$(mktemp -d /tmp/portal-services.XXXXXX)
pg_port=${PG_PORT:-55432}
redis_port=${REDIS_PORT:-56379}
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
chown postgres "$work" 2>/dev/null || true
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

cleanup() {
  as_pg "$pg_bin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
  redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

as_pg "$pg_bin/initdb" -D "$work/pg" -U portal --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $work -c fsync=off" start >/dev/null
redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no \
  --daemonize yes --dir "$work" --logfile "$work/redis.log"
for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done

export DATABASE_URL="postgres://portal@127.0.0.1:$pg_port/postgres"
export REDIS_URL="redis://127.0.0.1:$redis_port/0"
echo "PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port"
"$@"
