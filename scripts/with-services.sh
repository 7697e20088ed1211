#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL, Redis and S3-compatible object
# store (moto's server mode, from the dev dependencies) on loopback: installs the
# Debian packages when missing (as root), starts the servers on private ports,
# exports DATABASE_URL, REDIS_URL and PORTAL_S3_*, and stops them after.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh postgresql redis-server

work=$(mktemp -d /tmp/portal-services.XXXXXX)
# Ports the kernel says are free now (fixed ports collide with whatever else runs here).
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pg_port=${PG_PORT:-$(free_port)}
redis_port=${REDIS_PORT:-$(free_port)}
s3_port=${S3_PORT:-$(free_port)}
s3_pid=
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
chown postgres "$work" 2>/dev/null || true
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

cleanup() {
  as_pg "$pg_bin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
  redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  if [ -n "$s3_pid" ]; then kill "$s3_pid" 2>/dev/null || true; wait "$s3_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

as_pg "$pg_bin/initdb" -D "$work/pg" -U portal --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
start_pg() {
  as_pg "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w -t 120 \
    -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $work -c fsync=off" start >/dev/null
}
# A start that fails says why (the log is removed with the directory on exit), and is
# tried again on another port: a port taken between choosing and binding, or a slow disk.
for attempt in 1 2 3; do
  if start_pg; then break; fi
  echo "PostgreSQL did not start (attempt $attempt); its log:" >&2
  cat "$work/pg.log" >&2 || true
  [ "$attempt" -eq 3 ] && exit 1
  as_pg "$pg_bin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
  pg_port=$(free_port)
  sleep 2
done
redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no \
  --daemonize yes --dir "$work" --logfile "$work/redis.log"
for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done

# The object store: moto keeps buckets in memory; media go there through django-storages.
uv run --frozen moto_server -H 127.0.0.1 -p "$s3_port" >"$work/s3.log" 2>&1 &
s3_pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$s3_port/" >/dev/null 2>&1 && break; sleep 0.1; done
if ! curl -fs "http://127.0.0.1:$s3_port/" >/dev/null 2>&1; then
  echo "The S3 server did not start; its log:" >&2; cat "$work/s3.log" >&2; exit 1
fi
export PORTAL_S3_BUCKET=portal-test
curl -fs -X PUT "http://127.0.0.1:$s3_port/$PORTAL_S3_BUCKET" >/dev/null
export PORTAL_S3_ENDPOINT_URL="http://127.0.0.1:$s3_port"
export PORTAL_S3_REGION=us-east-1
export PORTAL_S3_ACCESS_KEY_ID=testing
export PORTAL_S3_SECRET_ACCESS_KEY=testing

export DATABASE_URL="postgres://portal@127.0.0.1:$pg_port/postgres"
export REDIS_URL="redis://127.0.0.1:$redis_port/0"
echo "PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port, S3 on 127.0.0.1:$s3_port"
"$@"
