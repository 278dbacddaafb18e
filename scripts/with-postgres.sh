#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL server: a fresh cluster in a temp directory on a
# free loopback port, started as the postgres user (PostgreSQL refuses to run as root) and
# removed when the command ends, however it ends. The command finds the server in
#   HOMEPORT_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:PORT/postgres
#
#   scripts/with-postgres.sh [--durable] COMMAND [ARGS...]
#
# The test cluster skips fsync (tests restart homeport, never PostgreSQL); --durable keeps
# PostgreSQL's defaults, which the benchmarks use so that commits cost what they cost in
# production.
set -euo pipefail

durable=0
if [ "${1:-}" = "--durable" ]; then durable=1; shift; fi
[ $# -gt 0 ] || { echo "usage: $0 [--durable] COMMAND [ARGS...]" >&2; exit 2; }

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bindir/initdb" ] || { echo "with-postgres: PostgreSQL server not installed (apt package postgresql)" >&2; exit 1; }

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi
}

dir=$(mktemp -d /tmp/homeport-pg.XXXXXX)
chmod 755 "$dir"
chown postgres: "$dir" 2>/dev/null || true
cleanup() {
  as_postgres "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

as_postgres "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
  >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }

opts="-c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c max_connections=400"
opts+=" -c shared_buffers=256MB"
if [ $durable -eq 0 ]; then opts+=" -c fsync=off -c full_page_writes=off"; fi

# A free port: ask the kernel for one, then start on it; retry if another process took it.
started=0
for _ in 1 2 3 4 5; do
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  if as_postgres "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "$opts -c port=$port" start >/dev/null 2>&1; then
    started=1
    break
  fi
done
if [ $started -eq 0 ]; then
  echo "with-postgres: PostgreSQL did not start:" >&2
  cat "$dir/server.log" >&2 || true
  exit 1
fi

export HOMEPORT_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$port/postgres"
export HOMEPORT_TEST_POSTGRES_DATA="$dir/data"
echo "with-postgres: PostgreSQL on 127.0.0.1:$port (data in $dir, removed at the end)" >&2
set +e
"$@"
status=$?
set -e
exit $status
