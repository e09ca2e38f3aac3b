#!/usr/bin/env bash
# TestData/pg15-failover: the pg_wal of an old primary (A, timeline 1) and of the standby
# promoted from it (B, timeline 2, with 00000002.history), both written on after the
# promotion, each cut to the first segment both still hold. The segment holding the switch
# point is gone from both, so the two copies of that first shared segment already differ in
# the record continued into it. pg_rewind.txt is what PostgreSQL's pg_rewind --dry-run says of
# the two data directories. 1 MB segments. Run as root; PG15_BIN names PostgreSQL 15's bin
# directory (default Debian's); the servers run as the postgres user on unix sockets.
set -euo pipefail
bin=${PG15_BIN:-/usr/lib/postgresql/15/bin}
out=$(cd "$(dirname "$0")/.." && pwd)/pg15-failover
work=$(mktemp -d)
trap 'for d in a b; do runuser -u postgres -- "$bin/pg_ctl" -D "$work/$d" -m immediate stop >/dev/null 2>&1 || true; done; rm -rf "$work"' EXIT
chown postgres "$work"
runuser -u postgres -- bash -s "$bin" "$work" <<'SCRIPT'
set -euo pipefail
bin=$1 work=$2
mkdir -p "$work/sock"
"$bin/initdb" -D "$work/a" --wal-segsize=1 -A trust -U postgres >/dev/null
cat >>"$work/a/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$work/sock'
port = 5601
wal_log_hints = on
min_wal_size = 2MB
max_wal_size = 4MB
autovacuum = off
CONF
"$bin/pg_ctl" -D "$work/a" -l "$work/a.log" -w start >/dev/null
psql() { local port=$1; shift; "$bin/psql" -h "$work/sock" -p "$port" -U postgres -qAt "$@"; }
psql 5601 -c "create table t(id int, pad text); insert into t select g, repeat('x', 100) from generate_series(1, 20000) g"
"$bin/pg_basebackup" -h "$work/sock" -p 5601 -U postgres -D "$work/b" -R -X stream
sed -i 's/^port = 5601$/port = 5602/' "$work/b/postgresql.conf"
"$bin/pg_ctl" -D "$work/b" -l "$work/b.log" -w start >/dev/null
psql 5601 -c "insert into t select g, repeat('y', 100) from generate_series(1, 10000) g"
until [ "$(psql 5602 -c "select pg_last_wal_replay_lsn() = '$(psql 5601 -c 'select pg_current_wal_lsn()')'")" = t ]; do sleep 0.2; done
"$bin/pg_ctl" -D "$work/b" -w promote >/dev/null
# Both go on writing: the new primary, and the old one that was not stopped (what pg_rewind undoes).
psql 5602 -c "insert into t select g, repeat('n', 100) from generate_series(1, 30000) g" -c checkpoint
psql 5601 -c "insert into t select g, repeat('o', 100) from generate_series(1, 30000) g" -c checkpoint
"$bin/pg_ctl" -D "$work/a" -m fast -w stop >/dev/null
"$bin/pg_ctl" -D "$work/b" -m fast -w stop >/dev/null
"$bin/pg_rewind" --dry-run -D "$work/a" --source-pgdata "$work/b" >"$work/pg_rewind.txt" 2>&1 || true
for d in a b; do "$bin/pg_controldata" "$work/$d" | sed -n 's/^Latest checkpoint location: *//p' >"$work/$d.end"; done
SCRIPT
# The first segment both still hold with WAL of their own: from the newer of the two oldest
# files up to the older of the two shutdown checkpoints (files past it are recycled ones).
segment_of() { local lsn=$1; printf '%016X' $(( (0x${lsn%/*} << 32 | 0x${lsn#*/}) >> 20 )); }
oldest() { ls "$work/$1/pg_wal" | grep -E '^[0-9A-F]{24}$' | head -1 | cut -c9-; }
first_shared=$(printf '%s\n' "$(oldest a)" "$(oldest b)" | sort | tail -1)
last_shared=$(printf '%s\n' "$(segment_of "$(cat "$work/a.end")")" "$(segment_of "$(cat "$work/b.end")")" | sort | head -1)
[[ "$first_shared" < "$last_shared" || "$first_shared" == "$last_shared" ]] || { echo "no segment holds WAL on both sides" >&2; exit 1; }
rm -rf "$out"; mkdir -p "$out/a" "$out/b"
cp "$work/a/pg_wal/00000001$first_shared" "$out/a/"
cp "$work/b/pg_wal/00000002$first_shared" "$work/b/pg_wal/00000002.history" "$out/b/"
grep 'servers diverged' "$work/pg_rewind.txt" >"$out/pg_rewind.txt"
cat "$out/pg_rewind.txt" "$out/b/00000002.history"
ls -l "$out/a" "$out/b"
