#!/usr/bin/env bash
# Two real PostgreSQL 15 standbys fall behind a primary that archives and recycles its WAL:
# standby A has no replication slot, standby B has one. While both are stopped, walkit gaps
# answers from their data directories (--from, --primary, with and without the archive); then
# each standby is started as it would be and what PostgreSQL does is recorded. The Swift test
# LaggingStandbyTests compares the two.
#
# Usage: lagging-standby.sh WORK_DIR WALKIT   (run as root; servers run as the postgres user)
# Writes WORK_DIR/cases/<case>/{walkit.json,outcome,server.log} for a-no-archive, a-archive
# and b-slot, and WORK_DIR/a-controldata.txt, WORK_DIR/b-controldata.txt.
set -euo pipefail

WORK=${1:?usage: lagging-standby.sh WORK_DIR WALKIT}
WALKIT=${2:?usage: lagging-standby.sh WORK_DIR WALKIT}
. "$(dirname "$0")/servers.sh"
prepare_work "$WORK" cases/a-no-archive cases/a-archive cases/b-slot

# The primary: 1 MB segments, archiving, and little WAL kept, so checkpoints recycle soon.
as_pg "$PGBIN/initdb" -D "$WORK/primary" -U postgres --auth=trust --no-locale -E UTF8 --wal-segsize=1 >/dev/null
cat >>"$WORK/primary/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$WORK/sockets'
port = 5521
fsync = off
wal_level = replica
max_wal_senders = 5
max_wal_size = 4MB
min_wal_size = 2MB
wal_keep_size = 0
archive_mode = on
archive_command = 'test ! -f $WORK/archive/%f && cp %p $WORK/archive/%f.tmp && mv $WORK/archive/%f.tmp $WORK/archive/%f'
EOF
start "$WORK/primary"
sql 5521 "create table t (i int, filler text)"

# Standby A without a slot, standby B with one; both stream until they are stopped.
as_pg "$PGBIN/pg_basebackup" -h "$WORK/sockets" -p 5521 -U postgres -D "$WORK/a" -R -X stream
as_pg "$PGBIN/pg_basebackup" -h "$WORK/sockets" -p 5521 -U postgres -D "$WORK/b" -R -X stream -C -S standby_b
for pair in a:5522 b:5523; do
  dir=$WORK/${pair%:*}
  sed -i "/^archive_mode\|^archive_command\|^port =/d" "$dir/postgresql.conf"
  echo "port = ${pair#*:}" >>"$dir/postgresql.conf"
  echo "wal_retrieve_retry_interval = '200ms'" >>"$dir/postgresql.conf"
  start "$dir"
done
catch_up() {  # port: waits until that standby has replayed all the primary wrote
  local target
  target=$(sql 5521 "select pg_current_wal_insert_lsn()")
  for _ in $(seq 1 300); do
    [[ $(sql "$1" "select pg_last_wal_replay_lsn() >= '$target'") == t ]] && return 0
    sleep 0.1
  done
  echo "standby on port $1 did not catch up" >&2
  return 1
}
write_segments() {  # about five segments, each batch followed by a checkpoint that recycles
  for _ in 1 2; do
    sql 5521 "insert into t select i, repeat('y', 100) from generate_series(1, 20000) i"
    sql 5521 "checkpoint"
  done
}
sql 5521 "insert into t select i, repeat('x', 100) from generate_series(1, 5000) i"
catch_up 5522
catch_up 5523
# A stops first; while B still streams (its slot following it), the primary removes what A needs.
stop "$WORK/a"
as_pg "$PGBIN/pg_controldata" "$WORK/a" >"$WORK/a-controldata.txt"
write_segments
catch_up 5523
stop "$WORK/b"
as_pg "$PGBIN/pg_controldata" "$WORK/b" >"$WORK/b-controldata.txt"
# Then the primary writes on past B too; B's slot keeps B's WAL.
write_segments
last=$(sql 5521 "select pg_walfile_name(pg_switch_wal())")
for _ in $(seq 1 300); do [[ -f "$WORK/archive/$last" ]] && break; sleep 0.1; done
sql 5521 "checkpoint"
final=$(sql 5521 "select pg_current_wal_insert_lsn()")

# walkit's answers, while the standbys are stopped.
"$WALKIT" gaps --json --from "$WORK/a" --primary "$WORK/primary" >"$WORK/cases/a-no-archive/walkit.json" || true
"$WALKIT" gaps --json --from "$WORK/a" --primary "$WORK/primary" "$WORK/archive" >"$WORK/cases/a-archive/walkit.json" || true
"$WALKIT" gaps --json --from "$WORK/b" --primary "$WORK/primary" >"$WORK/cases/b-slot/walkit.json" || true
# The primary stays up for the standbys to stream from, and its background writer may log a
# snapshot (Standby/RUNNING_XACTS) at any time: where its WAL ended before and after walkit read it.
echo "$final $(sql 5521 "select pg_current_wal_insert_lsn()")" >"$WORK/primary-wal-end"

# What PostgreSQL does. A streams only: the primary has removed what it needs.
: >"$WORK/a/server.log"
start "$WORK/a"
outcome="still waiting"
for _ in $(seq 1 150); do
  if grep -q "has already been removed" "$WORK/a/server.log"; then outcome="removed"; break; fi
  if [[ $(sql 5522 "select pg_last_wal_replay_lsn() >= '$final'") == t ]]; then outcome="caught up"; break; fi
  sleep 0.1
done
echo "$outcome" >"$WORK/cases/a-no-archive/outcome"
cp "$WORK/a/server.log" "$WORK/cases/a-no-archive/server.log"
stop "$WORK/a"

# Starts a standby again and records whether it replays all the primary wrote, and where it got.
replay() {  # data-dir port case
  : >"$1/server.log"
  start "$1"
  local outcome="not caught up"
  for _ in $(seq 1 300); do
    if [[ $(sql "$2" "select pg_last_wal_replay_lsn() >= '$final'") == t ]]; then outcome="caught up"; break; fi
    sleep 0.1
  done
  echo "$outcome $(sql "$2" "select pg_last_wal_replay_lsn()")" >"$WORK/cases/$3/outcome"
  cp "$1/server.log" "$WORK/cases/$3/server.log"
  stop "$1"
}

# A with restore_command from the archive, then streaming.
echo "restore_command = 'cp $WORK/archive/%f %p'" >>"$WORK/a/postgresql.conf"
replay "$WORK/a" 5522 a-archive

# B streams from its slot.
replay "$WORK/b" 5523 b-slot
