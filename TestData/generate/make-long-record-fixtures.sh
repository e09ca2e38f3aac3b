#!/usr/bin/env bash
# Regenerates TestData/pg15-long/: real PostgreSQL 15 WAL with records longer than a segment.
#
#   bash TestData/generate/make-long-record-fixtures.sh
#
# Must run as root (servers run as the "postgres" OS user via runuser). Needs PostgreSQL 15
# (Debian postgresql-15; override with PG15_BIN). Deletes and rebuilds TestData/pg15-long/ only.
#
# Two clusters, each writing one logical message several segments long between two switches:
#   1mb/   1 MiB segments, a 3.5 MB message (it starts in one segment, fills the next three and ends in a fifth)
#   16mb/  16 MiB segments, a 40 MB message (the message spans three or four segments)
# The messages are runs of one letter, so the segments are stored gzip -9 -n (a few kB each);
# pg_waldump ran on the plain files.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$(dirname "$HERE")/pg15-long
BIN=${PG15_BIN:-/usr/lib/postgresql/15/bin}

[ "$(id -u)" = 0 ] || { echo "make-long-record-fixtures.sh: run as root" >&2; exit 1; }
id postgres >/dev/null

WORK=$(mktemp -d /tmp/walkit-long.XXXXXX)
chmod 755 "$WORK"
RUNNING=()
pgrun() { runuser -u postgres -- "$@"; }
cleanup() {
  local rc=$? d
  set +e
  for d in "${RUNNING[@]}"; do
    [ -f "$d/postmaster.pid" ] && pgrun "$BIN/pg_ctl" -D "$d" -m immediate -w stop >/dev/null 2>&1
  done
  [ "${KEEP_WORK:-0}" = 1 ] && echo "scratch directory kept: $WORK" >&2 || rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT

wait_for_file() {
  local i
  for i in $(seq 1 1200); do [ -f "$1" ] && return 0; sleep 0.1; done
  echo "timeout waiting for $1" >&2
  return 1
}

# make_set NAME SEGMB PORT PAYLOAD_BYTES
make_set() {
  local name=$1 segmb=$2 port=$3 payload=$4
  local base=$WORK/$name out=$OUT/$name
  mkdir -p "$base/sock" "$base/arch"
  chown -R postgres: "$base"
  chmod 700 "$base/sock"
  pgrun "$BIN/initdb" -D "$base/data" -U postgres --auth=trust --no-locale -E UTF8 --wal-segsize="$segmb" >/dev/null
  cat >>"$base/data/postgresql.conf" <<EOF
listen_addresses = ''
port = $port
unix_socket_directories = '$base/sock'
wal_level = replica
archive_mode = on
archive_command = 'test ! -f $base/arch/%f && cp %p $base/arch/%f.tmp && mv $base/arch/%f.tmp $base/arch/%f'
fsync = off
autovacuum = off
checkpoint_timeout = 1h
max_wal_size = 1GB
EOF
  pgrun "$BIN/pg_ctl" -D "$base/data" -l "$base/server.log" -w -t 60 start >/dev/null
  RUNNING+=("$base/data")
  local q=("$BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$base/sock" -p "$port" -d postgres)
  pgrun "${q[@]}" -c "SELECT pg_switch_wal()" >/dev/null
  pgrun "${q[@]}" -c "CHECKPOINT"
  local first
  first=$(pgrun "${q[@]}" -c "SELECT pg_walfile_name(pg_current_wal_insert_lsn())")
  pgrun "${q[@]}" -c "CREATE TABLE t (id int); INSERT INTO t VALUES (1)"
  pgrun "${q[@]}" -c "SELECT pg_logical_emit_message(false, 'walkit-long', repeat('w', $payload))" >/dev/null
  pgrun "${q[@]}" -c "INSERT INTO t VALUES (2)"
  local last
  last=$(pgrun "${q[@]}" -c "SELECT pg_walfile_name(pg_switch_wal())")
  wait_for_file "$base/arch/$last"
  pgrun "${q[@]}" -At -c "SELECT version()" >"$base/VERSION"
  pgrun "$BIN/pg_ctl" -D "$base/data" -m fast -w -t 120 stop >/dev/null

  mkdir -p "$out/archive"
  cp "$base/VERSION" "$out/VERSION"
  local plain=$base/plain
  mkdir -p "$plain"
  local f
  for f in $(cd "$base/arch" && ls | grep -E '^[0-9A-F]{24}$' | sort); do
    [[ "$f" < "$first" || "$f" > "$last" ]] && continue
    cp "$base/arch/$f" "$plain/$f"
    gzip -9 -n -c "$base/arch/$f" >"$out/archive/$f.gz"
  done
  # pg_waldump prints a message's whole payload: lines are cut to their first 200 characters.
  (cd "$plain" && "$BIN/pg_waldump" -p . "$first" "$last") 2>"$out/waldump.stderr" | cut -c1-200 >"$out/waldump.txt"
  (cd "$plain" && "$BIN/pg_waldump" --stats=record -p . "$first" "$last") >"$out/stats-record.txt"
  echo "$first $last" >"$out/RANGE"
}

rm -rf "$OUT"
mkdir -p "$OUT"
make_set 1mb 1 5481 3500000
make_set 16mb 16 5482 40000000
echo "done: $OUT" >&2
