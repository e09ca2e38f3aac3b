#!/usr/bin/env bash
# Builds a real PostgreSQL 15 history — a primary with archiving, a base backup, a standby
# promoted to timeline 2 — then, for several damaged copies of the archive, starts a real
# standby from the base backup with restore_command reading that copy, and records how far it
# replayed (pg_last_wal_replay_lsn()). The Swift test StandbyEndToEndTests compares walkit gaps
# with these results.
#
# Usage: standby-scenarios.sh WORK_DIR   (run as root; servers run as the postgres user)
# Writes WORK_DIR/cases/<case>/{archive/,replayed-lsn}, WORK_DIR/backup_label and
# WORK_DIR/old/{clean,diverged}/{data/,server.log,replayed-lsn} (the old primary rejoining),
# WORK_DIR/from-standby/{backup/,server.log,replayed-lsn} (a standby's backup restored).
set -euo pipefail

WORK=${1:?usage: standby-scenarios.sh WORK_DIR}
. "$(dirname "$0")/servers.sh"
prepare_work "$WORK" cases

wait_archived() {  # port: waits until the current segment's predecessors are archived
  local port=$1 last
  last=$(sql "$port" "select pg_walfile_name(pg_switch_wal())")
  for _ in $(seq 1 300); do
    [[ -f "$WORK/archive/$last" ]] && return 0
    sleep 0.1
  done
  echo "segment $last was not archived" >&2
  return 1
}
archive_command="test ! -f $WORK/archive/%f && cp %p $WORK/archive/%f.tmp && mv $WORK/archive/%f.tmp $WORK/archive/%f"

# Primary on timeline 1, 1 MB segments.
as_pg "$PGBIN/initdb" -D "$WORK/primary" -U postgres --auth=trust --no-locale -E UTF8 --wal-segsize=1 >/dev/null
configure "$WORK/primary" 5461 "archive_mode = on" "archive_command = '$archive_command'"
start "$WORK/primary"
sql 5461 "create table t (id int primary key, v text); insert into t select g, repeat('a', 200) from generate_series(1, 5000) g"
wait_archived 5461

# The base backup every standby below starts from; its WAL comes from the archive only.
as_pg "$PGBIN/pg_basebackup" -h "$WORK/sockets" -p 5461 -U postgres -D "$WORK/base" -X none -c fast --no-sync 2>/dev/null

# Workload after the backup: several segments on timeline 1.
sql 5461 "insert into t select g, repeat('b', 200) from generate_series(5001, 25000) g"
sql 5461 "update t set v = repeat('c', 200) where id % 3 = 0"
wait_archived 5461

# A streaming standby, promoted to timeline 2 after the primary stops.
as_pg "$PGBIN/pg_basebackup" -h "$WORK/sockets" -p 5461 -U postgres -D "$WORK/promoted" -X stream -R -c fast --no-sync
sed -i '/^port = /d' "$WORK/promoted/postgresql.conf"
configure "$WORK/promoted" 5462 "archive_mode = on" "archive_command = '$archive_command'"
start "$WORK/promoted"
sql 5461 "insert into t select g, repeat('d', 200) from generate_series(25001, 30000) g"
primary_end=$(sql 5461 "select pg_current_wal_lsn()")
for _ in $(seq 1 300); do
  [[ "$(sql 5462 "select pg_last_wal_replay_lsn() >= '$primary_end'")" == t ]] && break
  sleep 0.1
done
# A base backup of the standby (BACKUP FROM: standby): no end-of-backup record is written; it
# is consistent at the minRecoveryPoint of the pg_control copied with it.
as_pg "$PGBIN/pg_basebackup" -h "$WORK/sockets" -p 5462 -U postgres -D "$WORK/standby-base" -X none -c fast --no-sync 2>/dev/null
stop "$WORK/primary"
as_pg "$PGBIN/pg_ctl" -D "$WORK/promoted" -w promote >/dev/null
sql 5462 "insert into t select g, repeat('e', 200) from generate_series(30001, 45000) g"
wait_archived 5462
stop "$WORK/promoted"
[[ -f "$WORK/archive/00000002.history" ]] || { echo "promotion did not archive 00000002.history" >&2; exit 1; }

# Another cluster whose WAL reaches the same segment names: its segments are foreign here.
as_pg "$PGBIN/initdb" -D "$WORK/other" -U postgres --auth=trust --no-locale -E UTF8 --wal-segsize=1 >/dev/null
mkdir -p "$WORK/other-archive"
chown postgres: "$WORK/other-archive"
configure "$WORK/other" 5463 "archive_mode = on" \
  "archive_command = 'test ! -f $WORK/other-archive/%f && cp %p $WORK/other-archive/%f'"
start "$WORK/other"
foreign_target=$(sed -n 's/^START WAL LOCATION: .* (file \([0-9A-F]*\))$/\1/p' "$WORK/base/backup_label")
foreign_target=$(printf '%s%08X' "${foreign_target:0:16}" $((16#${foreign_target:16:8} + 2)))
for _ in $(seq 1 64); do
  [[ -f "$WORK/other-archive/$foreign_target" ]] && break
  sql 5463 "create table if not exists f (v int); insert into f values (1)" >/dev/null
  sql 5463 "select pg_switch_wal()" >/dev/null
  sleep 0.1
done
for _ in $(seq 1 100); do [[ -f "$WORK/other-archive/$foreign_target" ]] && break; sleep 0.1; done
[[ -f "$WORK/other-archive/$foreign_target" ]] || { echo "the other cluster did not reach $foreign_target" >&2; exit 1; }
stop "$WORK/other"

# Damaged copies of the archive.
start_segment=$(sed -n 's/^START WAL LOCATION: .* (file \([0-9A-F]*\))$/\1/p' "$WORK/base/backup_label")
segment_after() {  # name, n: the name n segments later on the same timeline (1 MB segments)
  printf '%s%08X\n' "${1:0:16}" $((16#${1:16:8} + $2))
}
first_tli2=$(cd "$WORK/archive" && ls 00000002000000000000???? | head -1)
declare -A damage=(
  [intact]=":"
  [missing-after-start]="rm archive/$(segment_after "$start_segment" 3)"
  [missing-before-start]="rm archive/$(segment_after "$start_segment" -1)"
  [missing-history]="rm archive/00000002.history"
  [truncated]="truncate -s 524288 archive/$(segment_after "$first_tli2" 1)"
  [foreign]="cp $WORK/other-archive/$foreign_target archive/$foreign_target"
  [other-bytes]="cp archive/$(segment_after "$start_segment" 1) archive/$(segment_after "$start_segment" 4)"
)
settled_replay() {  # port: the replay position once it has not moved for two seconds
  local port=$1 last="" same=0 lsn
  for _ in $(seq 1 600); do
    sleep 0.1
    lsn=$(sql "$port" "select pg_last_wal_replay_lsn()" 2>/dev/null || true)
    if [[ -n "$lsn" && "$lsn" == "$last" ]]; then
      same=$((same + 1))
      ((same >= 20)) && break
    else
      same=0
      last=$lsn
    fi
  done
  echo "${last:-none}"
}
port=5470
for case in "${!damage[@]}"; do
  dir="$WORK/cases/$case"
  mkdir -p "$dir"
  cp -r "$WORK/archive" "$dir/archive"
  (cd "$dir" && eval "${damage[$case]}")
  cp -r "$WORK/base" "$dir/data"
  chown -R postgres: "$dir"
  chmod 700 "$dir/data"
  touch "$dir/data/standby.signal"
  sed -i '/^port = /d' "$dir/data/postgresql.conf"
  configure "$dir/data" "$port" "archive_mode = off" "restore_command = 'cp $dir/archive/%f %p'" \
    "recovery_target_timeline = 'latest'"
  as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" start >/dev/null
  started+=("$dir/data")
  settled_replay "$port" >"$dir/replayed-lsn"
  as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null
  rm -rf "$dir/data"
  port=$((port + 1))
done

# The old primary rejoining as a standby of the promoted one, from the intact archive: as it
# was stopped before the promotion (it follows timeline 2), and after it went on writing on
# timeline 1 past the fork and past timeline 2's end (pg_rewind's case: PostgreSQL refuses to
# start). old/<case>/data is its data directory as it was before that start, standby.signal in
# place.
rejoin() {  # case port
  local dir="$WORK/old/$1" port=$2
  mkdir -p "$dir"
  cp -r "$WORK/primary" "$dir/data"
  rm -f "$dir/data/server.log"
  touch "$dir/data/standby.signal"
  sed -i '/^port = /d' "$dir/data/postgresql.conf"
  configure "$dir/data" "$port" "archive_mode = off" "restore_command = 'cp $WORK/cases/intact/archive/%f %p'" \
    "recovery_target_timeline = 'latest'"
  cp -r "$dir/data" "$dir/run"
  chown -R postgres: "$dir"
  chmod 700 "$dir/data" "$dir/run"
  started+=("$dir/run")
  if as_pg "$PGBIN/pg_ctl" -D "$dir/run" -l "$dir/server.log" -w -t 60 start >/dev/null; then
    settled_replay "$port" >"$dir/replayed-lsn"
  else
    echo none >"$dir/replayed-lsn"
  fi
  stop_now "$dir/run"
  rm -rf "$dir/run"
}
rejoin clean 5480
as_pg "$PGBIN/pg_ctl" -D "$WORK/primary" -o "-c archive_mode=off" -l "$WORK/primary/server.log" -w -t 60 start >/dev/null
started+=("$WORK/primary")
# Past the promoted server's last segment: its checkpoint record is then read from its own
# pg_wal, not from timeline 2's file of the same segment (where a standby waits forever).
sql 5461 "insert into t select g, repeat('f', 200) from generate_series(45001, 95000) g"
sql 5461 "checkpoint"
stop "$WORK/primary"
rejoin diverged 5481

# The standby's backup restored from the intact archive with recovery_target = 'immediate':
# where replay pauses, consistent. from-standby/backup is the backup as restored.
dir="$WORK/from-standby"
mkdir -p "$dir"
cp -r "$WORK/standby-base" "$dir/backup"
rm -f "$dir/backup/standby.signal"
sed -i '/primary_conninfo/d' "$dir/backup/postgresql.auto.conf"
sed -i '/^port = /d' "$dir/backup/postgresql.conf"
configure "$dir/backup" 5482 "archive_mode = off" "restore_command = 'cp $WORK/cases/intact/archive/%f %p'" \
  "recovery_target = 'immediate'" "recovery_target_action = 'pause'"
cp -r "$dir/backup" "$dir/run"
touch "$dir/run/recovery.signal"
chown -R postgres: "$dir"
chmod 700 "$dir/backup" "$dir/run"
started+=("$dir/run")
if as_pg "$PGBIN/pg_ctl" -D "$dir/run" -l "$dir/server.log" -w -t 60 start >/dev/null; then
  settled_replay 5482 >"$dir/replayed-lsn"
else
  echo none >"$dir/replayed-lsn"
fi
stop_now "$dir/run"
rm -rf "$dir/run"

cp "$WORK/base/backup_label" "$WORK/backup_label"
rm -rf "$WORK/primary" "$WORK/promoted" "$WORK/base" "$WORK/standby-base" "$WORK/other" "$WORK/other-archive"
echo "done"
