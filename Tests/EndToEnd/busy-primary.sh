#!/usr/bin/env bash
# A PostgreSQL 15 primary under pgbench with a small max_wal_size, so that it writes, removes
# and recycles pg_wal segments many times a second. Writes WORK_DIR/pg_wal-path once pgbench
# runs, WORK_DIR/done when it has finished, then stops the server.
#
# Usage: busy-primary.sh WORK_DIR SECONDS   (run as root; the server runs as the postgres user)
set -euo pipefail

WORK=${1:?usage: busy-primary.sh WORK_DIR SECONDS}
SECONDS_OF_LOAD=${2:?usage: busy-primary.sh WORK_DIR SECONDS}
. "$(dirname "$0")/servers.sh"
prepare_work "$WORK"

as_pg "$PGBIN/initdb" -D "$WORK/primary" -U postgres --auth=trust --no-locale -E UTF8 --wal-segsize=1 >/dev/null
cat >>"$WORK/primary/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$WORK/sockets'
port = 5498
fsync = off
synchronous_commit = off
autovacuum = off
max_wal_size = 32MB
min_wal_size = 8MB
CONF
start "$WORK/primary"
as_pg "$PGBIN/pgbench" -h "$WORK/sockets" -p 5498 -i -s 5 postgres >/dev/null 2>&1
echo "$WORK/primary/pg_wal" >"$WORK/pg_wal-path"
# Ended by timeout's SIGKILL, not by -T: pgbench's timer is SIGALRM, which a test runner's
# thread may hand down blocked.
timeout -s KILL "$SECONDS_OF_LOAD" runuser -u postgres -- "$PGBIN/pgbench" -h "$WORK/sockets" -p 5498 -c 8 -j 2 -T 3600 postgres \
  >/dev/null 2>&1 || true
touch "$WORK/done"
stop "$WORK/primary"
