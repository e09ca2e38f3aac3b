#!/usr/bin/env bash
# Follows a live PostgreSQL 15 server's pg_wal with `walkit inspect --follow` while pgbench
# writes several segments and checkpoints recycle old segments ahead of the insert point, then
# lists the same range with pg_waldump 15 from the archived copies. The Swift test
# FollowLiveTests compares the two listings.
#
# Usage: follow-live.sh WORK_DIR WALKIT   (run as root; the server runs as the postgres user)
# Writes WORK_DIR/{follow.txt,follow.stderr,waldump.txt,waldump.stderr,range,recycled-seen}.
set -euo pipefail

WORK=${1:?usage: follow-live.sh WORK_DIR WALKIT}
WALKIT=${2:?usage: follow-live.sh WORK_DIR WALKIT}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
rm -rf "${WORK:?}"/*
mkdir -p "$WORK/archive" "$WORK/sockets" "$WORK/truth"
chown -R postgres: "$WORK"
chmod 755 "$WORK"

as_pg() { runuser -u postgres -- "$@"; }
follower=""
cleanup() {
  [[ -n "$follower" ]] && kill "$follower" 2>/dev/null || true
  as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

as_pg "$PGBIN/initdb" -D "$WORK/data" -U postgres --auth=trust --no-locale -E UTF8 --wal-segsize=1 >/dev/null
cat >>"$WORK/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$WORK/sockets'
port = 5491
fsync = off
autovacuum = off
wal_level = replica
max_wal_size = 6MB
min_wal_size = 6MB
# Four segments of slack for a follower on a loaded machine; older segments are still recycled ahead.
wal_keep_size = 4MB
checkpoint_timeout = 1h
archive_mode = on
archive_command = 'test ! -f $WORK/archive/%f && cp %p $WORK/archive/%f.tmp && mv $WORK/archive/%f.tmp $WORK/archive/%f'
EOF
as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w -t 60 start >/dev/null
sql() { as_pg "$PGBIN/psql" -X -A -t -q -h "$WORK/sockets" -p 5491 -U postgres -d postgres -c "$1"; }
bench() { as_pg "$PGBIN/pgbench" -h "$WORK/sockets" -p 5491 -U postgres "$@" postgres >/dev/null 2>&1; }

bench -i -s 1 -q
# Fill and recycle a few segments first, so that pg_wal holds recycled files ahead.
for _ in 1 2 3; do bench -n -c 2 -t 400; sql "checkpoint"; done

start=$(sql "select pg_current_wal_insert_lsn()")
"$WALKIT" inspect --follow -p "$WORK/data/pg_wal" -s "$start" >"$WORK/follow.txt" 2>"$WORK/follow.stderr" &
follower=$!

# Several segments of OLTP WAL at a rate a reader can follow, with a checkpoint (and so
# recycling) every two seconds; meanwhile, note the recycled files ahead of the insert point.
: >"$WORK/recycled-seen"
bench -n -c 2 -R 100 -T 14 &
bench_pid=$!
for _ in $(seq 1 7); do
  sleep 2
  sql "checkpoint"
  current=$(sql "select pg_walfile_name(pg_current_wal_insert_lsn())")
  (cd "$WORK/data/pg_wal" && ls | grep -E '^[0-9A-F]{24}$' | awk -v c="$current" '$0 > c') >>"$WORK/recycled-seen"
done
wait "$bench_pid"
end=$(sql "select pg_current_wal_insert_lsn()")
last_segment=$(sql "select pg_walfile_name(pg_current_wal_insert_lsn())")
cp "$WORK/data/pg_wal/$last_segment" "$WORK/truth/"
echo "$start $end" >"$WORK/range"

# walkit reads again every second: wait until its listing stops growing.
size=-1
for _ in $(seq 1 60); do
  sleep 1.5
  now=$(stat -c %s "$WORK/follow.txt")
  [[ "$now" == "$size" ]] && break
  size=$now
done
kill -INT "$follower" 2>/dev/null || true
wait "$follower" || true
follower=""
as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null

for f in "$WORK"/archive/*; do
  name=$(basename "$f")
  [[ -f "$WORK/truth/$name" ]] || cp "$f" "$WORK/truth/"
done
"$PGBIN/pg_waldump" -p "$WORK/truth" -s "$start" -e "$end" >"$WORK/waldump.txt" 2>"$WORK/waldump.stderr" || true
echo "done"
