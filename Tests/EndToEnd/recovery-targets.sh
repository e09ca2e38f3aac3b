#!/usr/bin/env bash
# Point-in-time recovery of a real PostgreSQL 15 base backup to each kind of recovery target,
# beside walkit gaps' answer for the same target. A primary archives a workload of numbered
# transactions (one aborted, one prepared and committed), a restore point named twice, and
# pauses of a second between commits; then, for each target, a copy of the base backup recovers
# with recovery_target_action = 'pause'.
# The Swift test RecoveryTargetTests compares the two.
#
# Usage: recovery-targets.sh WORK_DIR WALKIT   (run as root; servers run as the postgres user)
# Writes WORK_DIR/cases/<case>/{walkit.json,stop,replay-lsn,server.log}, WORK_DIR/targets.
set -euo pipefail

WORK=${1:?usage: recovery-targets.sh WORK_DIR WALKIT}
WALKIT=${2:?usage: recovery-targets.sh WORK_DIR WALKIT}
. "$(dirname "$0")/servers.sh"
prepare_work "$WORK" cases

as_pg "$PGBIN/initdb" -D "$WORK/primary" -U postgres --auth=trust --no-locale -E UTF8 --wal-segsize=1 >/dev/null
cat >>"$WORK/primary/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$WORK/sockets'
port = 5531
fsync = off
wal_level = replica
max_prepared_transactions = 5
timezone = 'UTC'
log_timezone = 'UTC'
archive_mode = on
archive_command = 'test ! -f $WORK/archive/%f && cp %p $WORK/archive/%f.tmp && mv $WORK/archive/%f.tmp $WORK/archive/%f'
EOF
start "$WORK/primary"
sql 5531 "create table t (i int)"
as_pg "$PGBIN/pg_basebackup" -h "$WORK/sockets" -p 5531 -U postgres -D "$WORK/base" -X stream

# The workload: each commit a second apart, its xid and commit time noted.
commit() {  # number: one transaction inserting it; prints "xid time"
  sql 5531 "begin; insert into t values ($1); select txid_current(); commit;" >/dev/null
  sleep 1.1
}
for n in 1 2 3; do commit "$n"; done
sql 5531 "select pg_create_restore_point('before_four')" >/dev/null
xid_abort=$(sql 5531 "begin; insert into t values (-1); select txid_current(); rollback;" | head -1)
xid_four=$(sql 5531 "begin; insert into t values (4); select txid_current(); commit;" | head -1)
lsn_target=$(sql 5531 "select pg_current_wal_insert_lsn()")
lsn_inside=$(sql 5531 "select '$lsn_target'::pg_lsn + 4")  # inside the record that starts at lsn_target
sleep 1.1
time_between=$(sql 5531 "select to_char(now() at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'")
sleep 1.1
sql 5531 "begin; insert into t values (5); prepare transaction 'five';" >/dev/null
xid_five=$(sql 5531 "select transaction from pg_prepared_xacts where gid = 'five'")
sql 5531 "commit prepared 'five'"
sql 5531 "select pg_create_restore_point('before_four')" >/dev/null
for n in 6 7; do commit "$n"; done
sql 5531 "select pg_switch_wal()" >/dev/null
sql 5531 "checkpoint"
last=$(sql 5531 "select pg_walfile_name(pg_switch_wal())")
for _ in $(seq 1 300); do [[ -f "$WORK/archive/$last" ]] && break; sleep 0.1; done
echo "xid_abort=$xid_abort xid_four=$xid_four xid_five=$xid_five time_between=$time_between lsn=$lsn_target lsn_inside=$lsn_inside" >"$WORK/targets"

# One case: a copy of the base backup recovers to a target; walkit answers for the same one.
recover() {  # case, walkit's target options…, then -- and the recovery settings
  local name=$1; shift
  local options=()
  while [[ $1 != -- ]]; do options+=("$1"); shift; done
  shift
  local data="$WORK/cases/$name/data"
  mkdir -p "$WORK/cases/$name"
  cp -a "$WORK/base" "$data"
  chown -R postgres: "$WORK/cases/$name"
  "$WALKIT" gaps --json --from "$data" "${options[@]}" "$WORK/archive" >"$WORK/cases/$name/walkit.json" || true
  sed -i "/^port =\|^archive_mode\|^archive_command/d" "$data/postgresql.conf"
  {
    echo "port = 5532"
    echo "restore_command = 'cp $WORK/archive/%f %p'"
    echo "recovery_target_action = 'pause'"
    printf '%s\n' "$@"
  } >>"$data/postgresql.conf"
  : >"$data/recovery.signal"
  start "$data" || true  # a target PostgreSQL cannot reach ends its startup with FATAL
  for _ in $(seq 1 300); do
    grep -q "pausing at the end of recovery\|FATAL" "$data/server.log" && break
    sleep 0.1
  done
  grep -o "recovery stopping.*\|FATAL: .*" "$data/server.log" | head -1 >"$WORK/cases/$name/stop" || true
  sql 5532 "select pg_last_wal_replay_lsn()" >"$WORK/cases/$name/replay-lsn" 2>/dev/null || : >"$WORK/cases/$name/replay-lsn"
  cp "$data/server.log" "$WORK/cases/$name/server.log"
  stop_now "$data"
  rm -rf "$data"
}

recover immediate --to immediate -- "recovery_target = 'immediate'"
recover xid --to-xid "$xid_four" -- "recovery_target_xid = '$xid_four'"
recover xid-exclusive --to-xid "$xid_four" --exclusive -- "recovery_target_xid = '$xid_four'" "recovery_target_inclusive = off"
recover xid-abort --to-xid "$xid_abort" -- "recovery_target_xid = '$xid_abort'"
recover xid-prepared --to-xid "$xid_five" -- "recovery_target_xid = '$xid_five'"
recover time --to-time "$time_between" -- "recovery_target_time = '$time_between'"
recover name --to-name before_four -- "recovery_target_name = 'before_four'"
recover lsn --to "$lsn_target" -- "recovery_target_lsn = '$lsn_target'"
recover lsn-exclusive --to "$lsn_target" --exclusive -- "recovery_target_lsn = '$lsn_target'" "recovery_target_inclusive = off"
recover lsn-inside --to "$lsn_inside" -- "recovery_target_lsn = '$lsn_inside'"
recover lsn-inside-exclusive --to "$lsn_inside" --exclusive -- "recovery_target_lsn = '$lsn_inside'" "recovery_target_inclusive = off"
recover time-early --to-time '2000-01-01 00:00:00+00' -- "recovery_target_time = '2000-01-01 00:00:00+00'"
recover unreached --to-name no_such_point -- "recovery_target_name = 'no_such_point'"
