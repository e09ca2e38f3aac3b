#!/usr/bin/env bash
# Regenerates TestData/pg15-live/: a copy of a LIVE PostgreSQL 15 pg_wal directory, taken while the
# server runs, with recycled segments (old files renamed to future names) ahead of the insert
# point, the archive from the base backup's start onward, and ground truth from PostgreSQL's tools.
#
#   bash TestData/generate/make-live-fixtures.sh
#
# Must run as root (the server runs as the "postgres" OS user via runuser). Needs PostgreSQL 15
# (Debian postgresql-15, /usr/lib/postgresql/15/bin; override with PG15_BIN), pgbench included.
# Deletes and rebuilds TestData/pg15-live/ and touches nothing else under TestData/.
# Unix socket only, in a mktemp -d scratch directory (listen_addresses = ''); the EXIT trap stops
# the server (pg_ctl -m immediate) and removes the scratch directory (KEEP_WORK=1 keeps it).
# Every wait is bounded; the whole run takes well under two minutes.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TD=$(dirname "$HERE")                      # .../TestData
OUT=$TD/pg15-live
BIN=${PG15_BIN:-/usr/lib/postgresql/15/bin}
PORT=5457
SEGMB=1
SEG=$((SEGMB * 1048576))
MIN_RECYCLED=3

if [ "$(id -u)" != 0 ]; then
    echo "make-live-fixtures.sh: run as root (the server runs as the postgres user via runuser)" >&2
    exit 1
fi
id postgres >/dev/null

WORK=$(mktemp -d /tmp/walkit-live.XXXXXX)
chmod 755 "$WORK"
chown postgres: "$WORK"
RUNNING=()

log() { printf '== %s\n' "$*" >&2; }
pgrun() { runuser -u postgres -- "$@"; }

cleanup() {
    local rc=$? d
    set +e
    for d in "${RUNNING[@]}"; do
        if [ -f "$d/postmaster.pid" ]; then
            pgrun "$BIN/pg_ctl" -D "$d" -m immediate -w -t 60 stop >/dev/null 2>&1
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

D=$WORK/data
SOCK=$WORK/sock
ARCH=$WORK/archive
pgrun mkdir -p "$SOCK" "$ARCH"
chmod 700 "$SOCK"

q() { pgrun "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p $PORT -d postgres -At -c "$*"; }
bench() {   # bench TRANSACTIONS: one client, bounded by count and by time
    timeout 60 runuser -u postgres -- "$BIN/pgbench" -n -h "$SOCK" -p $PORT -c 1 -t "$1" postgres \
        >>"$WORK/pgbench.log" 2>&1
}

# segment / LSN arithmetic (1 MiB segments: 4096 segments per 4 GiB "xlogid")
PER=$((4096 / SEGMB))
is_seg() { [[ $1 =~ ^[0-9A-F]{24}$ ]]; }
segno_of() { local n=$1; echo $(( (16#${n:8:8}) * PER + (16#${n:16:8}) )); }
lsn_num() { local l=$1; echo $(( (16#${l%/*} << 32) + 16#${l#*/} )); }
insert_lsn() { q "SELECT pg_current_wal_insert_lsn()"; }
insert_num() { lsn_num "$(insert_lsn)"; }

# bench_until BYTE_POSITION: small pgbench runs until the insert LSN reaches it (at most 300 runs)
bench_until() {
    local target=$1 i
    for i in $(seq 1 300); do
        [ "$(insert_num)" -ge "$target" ] && return 0
        bench 10
    done
    echo "insert LSN did not reach $target" >&2
    return 1
}

# segment files of a pg_wal directory whose name is greater than NAME (same timeline)
segs_after() {
    local dir=$1 name=$2 f
    for f in $(ls "$dir"); do
        if is_seg "$f" && [ "${f:0:8}" = "${name:0:8}" ] && [[ $f > $name ]]; then echo "$f"; fi
    done
}

# ---------------------------------------------------------------------------------------------
log "$("$BIN/postgres" --version)  ($BIN)"
rm -rf "$OUT"
mkdir -p "$OUT"

# ---- 1. the cluster ---------------------------------------------------------------------------
pgrun "$BIN/initdb" -D "$D" -U postgres --auth=trust --no-locale -E UTF8 \
    --wal-segsize=$SEGMB >"$WORK/initdb.log" 2>&1
cat >>"$D/postgresql.conf" <<EOF

# ---- walkit live fixture ----
listen_addresses = ''
port = $PORT
unix_socket_directories = '$SOCK'
fsync = off
wal_level = replica
max_wal_senders = 5
autovacuum = off
checkpoint_timeout = 30s
max_wal_size = 6MB
min_wal_size = 6MB
wal_keep_size = 0
archive_mode = on
archive_command = 'test ! -f $ARCH/%f && cp %p $ARCH/%f.tmp && mv $ARCH/%f.tmp $ARCH/%f'
archive_timeout = 0
logging_collector = off
EOF
pgrun "$BIN/pg_ctl" -D "$D" -l "$WORK/server.log" -w -t 60 start >/dev/null
RUNNING+=("$D")
q "SELECT version()" >"$OUT/VERSION"

# ---- 2. pgbench -i, base backup ---------------------------------------------------------------
timeout 120 runuser -u postgres -- "$BIN/pgbench" -i -q -s 1 -h "$SOCK" -p $PORT postgres \
    >"$WORK/pgbench-init.log" 2>&1
log "pgbench -i -s 1 done, insert LSN $(insert_lsn)"
timeout 120 runuser -u postgres -- "$BIN/pg_basebackup" -h "$SOCK" -p $PORT -D "$WORK/base" \
    -X none -c fast --no-sync -l "walkit live base backup" >"$WORK/basebackup.log" 2>&1
cp "$WORK/base/backup_label" "$OUT/backup_label"
BACKUP_START_LSN=$(sed -n 's/^START WAL LOCATION: \([0-9A-F/]*\) (file .*$/\1/p' "$OUT/backup_label")
BACKUP_START_SEG=$(sed -n 's/^START WAL LOCATION: .* (file \([0-9A-F]*\))$/\1/p' "$OUT/backup_label")
START_SEGNO=$(segno_of "$BACKUP_START_SEG")
rm -rf "$WORK/base"
log "base backup: START WAL LOCATION $BACKUP_START_LSN ($BACKUP_START_SEG)"

# ---- 3. pgbench with checkpoints, until pg_wal holds recycled segments ahead ------------------
# Two rounds of ~0.7 MB of WAL, each followed by CHECKPOINT; then, in each attempt, CHECKPOINT and
# pgbench until the insert point is ~200 kB into the segment after the checkpoint's redo segment.
for round in 1 2; do
    bench_until $(( $(insert_num) + 700 * 1024 ))
    q "CHECKPOINT" >/dev/null
    log "round $round: checkpoint, insert LSN $(insert_lsn)"
done
ATTEMPT=0
while :; do
    ATTEMPT=$((ATTEMPT + 1))
    q "CHECKPOINT" >/dev/null
    REDO_SEGNO=$(( $(insert_num) / SEG ))
    bench_until $(( (REDO_SEGNO + 1) * SEG + 200 * 1024 ))
    CUR=$(q "SELECT pg_walfile_name(pg_current_wal_insert_lsn())")
    N=$(segs_after "$D/pg_wal" "$CUR" | wc -l)
    log "attempt $ATTEMPT: insert segment $CUR, $N recycled segment(s) ahead"
    [ "$N" -ge $MIN_RECYCLED ] && break
    if [ $ATTEMPT -ge 5 ]; then
        echo "pg_wal never held $MIN_RECYCLED recycled segments ahead of the insert point" >&2
        exit 1
    fi
done

# ---- 4. copy the live pg_wal (server running, pgbench not running) ----------------------------
# Wait (bounded) for WAL to be flushed and for the archiver to have no .ready files left, so that
# nothing moves while we copy; then copy, and check that neither the insert LSN nor the list of
# segment files changed during the copy (retry otherwise).
wait_quiet() {
    local i
    for i in $(seq 1 100); do
        if [ "$(q "SELECT pg_current_wal_insert_lsn() = pg_current_wal_flush_lsn()")" = t ] \
            && ! ls "$D/pg_wal/archive_status" | grep -q '\.ready$'; then
            return 0
        fi
        sleep 0.1
    done
    echo "pg_wal did not become quiet" >&2
    return 1
}
seg_listing() { (cd "$D/pg_wal" && for f in $(ls); do is_seg "$f" && stat -c '%n %s %Y' "$f"; done; true); }
COPY=$WORK/pg_wal-copy
for try in $(seq 1 5); do
    wait_quiet
    INSERT_LSN=$(q "SELECT pg_current_wal_insert_lsn()")
    FLUSH_LSN=$(q "SELECT pg_current_wal_flush_lsn()")
    INSERT_SEG=$(q "SELECT pg_walfile_name('$INSERT_LSN'::pg_lsn)")
    BEFORE=$(seg_listing)
    rm -rf "$COPY"
    mkdir -p "$COPY/archive_status"
    for f in $(ls "$D/pg_wal"); do
        [ -f "$D/pg_wal/$f" ] && cp "$D/pg_wal/$f" "$COPY/"
    done
    for f in $(ls "$D/pg_wal/archive_status"); do
        cp "$D/pg_wal/archive_status/$f" "$COPY/archive_status/" 2>/dev/null || true
    done
    REDO_LSN=$("$BIN/pg_controldata" -D "$D" | sed -n "s/^Latest checkpoint's REDO location: *//p")
    AFTER=$(seg_listing)
    if [ "$(q "SELECT pg_current_wal_insert_lsn()")" = "$INSERT_LSN" ] && [ "$BEFORE" = "$AFTER" ]; then
        break
    fi
    log "WAL moved during copy $try, copying again"
    [ "$try" = 5 ] && { echo "could not take a still copy of pg_wal" >&2; exit 1; }
done
pgrun "$BIN/pg_ctl" -D "$D" -m immediate -w -t 60 stop >/dev/null
log "copied pg_wal at insert LSN $INSERT_LSN ($INSERT_SEG), flush LSN $FLUSH_LSN, redo $REDO_LSN; server stopped (immediate)"

# keep: segments from the backup start segment on (all of them up to the insert segment and the
# recycled ones ahead), backup history files of those segments, and their archive_status files.
keep_name() {   # a pg_wal / archive file name worth keeping
    local f=$1
    if is_seg "$f"; then
        [ "$(segno_of "$f")" -ge $START_SEGNO ]
    elif [[ $f =~ ^([0-9A-F]{24})\.[0-9A-F]{8}\.backup$ ]]; then
        [ "$(segno_of "${BASH_REMATCH[1]}")" -ge $START_SEGNO ]
    else
        return 1
    fi
}
mkdir -p "$OUT/pg_wal/archive_status" "$OUT/archive"
PGWAL_DROPPED=()
for f in $(ls "$COPY"); do
    [ "$f" = archive_status ] && continue
    if keep_name "$f"; then cp "$COPY/$f" "$OUT/pg_wal/"; else PGWAL_DROPPED+=("$f"); fi
done
for f in $(ls "$COPY/archive_status"); do
    base=${f%.ready}; base=${base%.done}
    [ -f "$OUT/pg_wal/$base" ] && cp "$COPY/archive_status/$f" "$OUT/pg_wal/archive_status/"
done
ARCH_DROPPED=()
for f in $(ls "$ARCH"); do
    if keep_name "$f"; then cp "$ARCH/$f" "$OUT/archive/"; else ARCH_DROPPED+=("$f"); fi
done
mapfile -t RECYCLED < <(segs_after "$OUT/pg_wal" "$INSERT_SEG")
[ "${#RECYCLED[@]}" -ge $MIN_RECYCLED ] || { echo "copy holds only ${#RECYCLED[@]} recycled segments" >&2; exit 1; }
[ -f "$OUT/pg_wal/$INSERT_SEG" ] || { echo "insert segment $INSERT_SEG missing from the copy" >&2; exit 1; }
PGWAL_SEGS=$(cd "$OUT/pg_wal" && for f in $(ls); do is_seg "$f" && echo "$f"; done; true)
FIRST=$(head -n 1 <<<"$PGWAL_SEGS")
LAST=$(tail -n 1 <<<"$PGWAL_SEGS")
ARCH_SEGS=$(cd "$OUT/archive" && for f in $(ls); do is_seg "$f" && echo "$f"; done; true)

cat >"$OUT/live-lsns" <<EOF
insert_lsn=$INSERT_LSN
flush_lsn=$FLUSH_LSN
insert_segment=$INSERT_SEG
recycled=${RECYCLED[*]}
redo_lsn=$REDO_LSN
EOF

# ---- 6. ground truth: pg_waldump on the copied pg_wal, to its natural end of WAL ----------------
# With a start segment alone pg_waldump stops at the end of that one segment, so the end segment
# given is the last file in pg_wal (the last recycled one): pg_waldump stops with an error at the
# end of the valid WAL, which lies before that.
(
    cd "$OUT"
    "$BIN/pg_waldump" -p pg_wal "$FIRST" "$LAST" >"$WORK/pg_wal-waldump.txt" 2>pg_wal-waldump.stderr || true
)
gzip -9 -n -c "$WORK/pg_wal-waldump.txt" >"$OUT/pg_wal-waldump.txt.gz"
RECORDS=$(grep -c '^rmgr' "$WORK/pg_wal-waldump.txt" || true)
LAST_RECORD=$(tail -n 1 "$WORK/pg_wal-waldump.txt")
FIRST_RECORD=$(head -n 1 "$WORK/pg_wal-waldump.txt")
STDERR_LINE=$(tail -n 1 "$OUT/pg_wal-waldump.stderr")
END_LSN=$(sed -n 's/.* at \([0-9A-F]*\/[0-9A-F]*\).*/\1/p' <<<"$STDERR_LINE" | head -n 1)
if [ "$END_LSN" = "$INSERT_LSN" ]; then
    END_VS_INSERT="the same LSN as the insert LSN recorded at copy time"
else
    END_VS_INSERT="NOT the insert LSN recorded at copy time ($INSERT_LSN)"
fi
# what each recycled segment holds: its first page header (stale, from before the rename)
RECYCLED_HDRS=$(python3 - "$OUT/pg_wal" "${RECYCLED[@]}" <<'PY'
import struct, sys
d = sys.argv[1]
for name in sys.argv[2:]:
    magic, info, tli, addr = struct.unpack_from('<HHIQ', open(d + '/' + name, 'rb').read(24))
    print('  - %s: magic 0x%04X, tli %d, pageaddr %X/%X' % (name, magic, tli, addr >> 32, addr & 0xFFFFFFFF))
PY
)

# ---- 7. README ---------------------------------------------------------------------------------
ls_sizes() { (cd "$1" && for f in $(ls); do [ -f "$f" ] && printf '    %-44s %8s bytes\n' "$f" "$(stat -c %s "$f")"; done; true); }
stderr_block() { if [ -s "$1" ]; then sed 's/^/    /' "$1"; else echo "    (empty)"; fi; }
cat >"$OUT/README.md" <<EOF
# pg15-live: a copy of a live pg_wal with recycled segments (PostgreSQL 15, 1 MiB segments)

Generated by \`bash TestData/generate/make-live-fixtures.sh\` (as root; a few seconds).
Running it again deletes and rebuilds this directory only. WAL is not byte-reproducible, so
names, LSNs and counts move between runs; the numbers below are from this run.
Server: $(cat "$OUT/VERSION").

## How it was made

1. \`initdb --wal-segsize=1 -U postgres --auth=trust --no-locale -E UTF8\`; settings: fsync=off,
   wal_level=replica, autovacuum=off, checkpoint_timeout=30s, max_wal_size=6MB,
   min_wal_size=6MB, wal_keep_size=0, archive_mode=on, archive_command
   \`test ! -f ARCH/%f && cp %p ARCH/%f.tmp && mv ARCH/%f.tmp ARCH/%f\`. Unix socket only.
   With min_wal_size = max_wal_size = 6 MiB, each checkpoint recycles (renames) the segments
   before its redo segment to future names, up to redo segment + 5.
2. \`pgbench -i -s 1\`, then \`pg_basebackup -X none -c fast\`; its \`backup_label\` is kept here
   (START WAL LOCATION $BACKUP_START_LSN, file $BACKUP_START_SEG).
3. Two rounds of \`pgbench -n -c 1 -t 10\` runs until ~0.7 MB more WAL, each round followed by
   \`CHECKPOINT\`. Then CHECKPOINT again and pgbench runs until the insert point was ~200 kB
   into the segment after that checkpoint's redo segment. The script checks that pg_wal holds at
   least $MIN_RECYCLED segment files whose names are greater than \`pg_walfile_name(pg_current_wal_insert_lsn())\`
   (it repeats CHECKPOINT + pgbench, at most 5 times, otherwise; this run needed $ATTEMPT).
4. With the server running and pgbench finished, after waiting until insert LSN = flush LSN
   and no \`.ready\` files were left, the script recorded the insert and flush LSN and the
   insert segment, copied every file of pg_wal and of pg_wal/archive_status, and read
   \`pg_controldata\`. The copy was accepted only if the insert LSN and the list of segment
   files (name, size, mtime) were the same before and after it. Then the server was stopped
   with \`pg_ctl -m immediate\`.
5. Trim: only segments from the backup start segment $BACKUP_START_SEG on (and backup history
   files of those segments, and the archive_status files of kept files) are kept.
   Dropped from pg_wal: ${#PGWAL_DROPPED[@]} file(s)${PGWAL_DROPPED[*]:+ (${PGWAL_DROPPED[*]})}.
   Dropped from the archive: ${#ARCH_DROPPED[@]} file(s) (segments before $BACKUP_START_SEG).
   The archive holds every completed segment up to the one before the insert segment.

## This run

- insert LSN **$INSERT_LSN**, flush LSN $FLUSH_LSN, insert segment **$INSERT_SEG**
  (\`live-lsns\`)
- latest checkpoint's REDO location (pg_controldata): $REDO_LSN
- pg_wal segments: $(tr '\n' ' ' <<<"$PGWAL_SEGS")
- recycled segments ahead of the insert segment (names greater than $INSERT_SEG):
  **${RECYCLED[*]}**. They hold stale WAL from before they were renamed; their first page
  headers:
$RECYCLED_HDRS
- archive segments: $(tr '\n' ' ' <<<"$ARCH_SEGS")

## PostgreSQL's view of the end of WAL

\`pg_waldump -p pg_wal $FIRST $LAST\` (run in this directory, on exactly these files) reads
until it fails at the end of the valid WAL. The end segment is the last file in pg_wal; with a
start segment alone pg_waldump would stop at the end of that one segment. Output: **$RECORDS records** (\`zcat pg_wal-waldump.txt.gz | grep -c '^rmgr'\`).
First record:

    $FIRST_RECORD

Last record:

    $LAST_RECORD

stderr (\`pg_wal-waldump.stderr\`):

$(stderr_block "$OUT/pg_wal-waldump.stderr")

The end of WAL it reports, $END_LSN, is $END_VS_INSERT.

## Files

\`\`\`
$(cd "$OUT" && for f in VERSION backup_label live-lsns pg_wal-waldump.txt.gz pg_wal-waldump.stderr; do printf '%-48s %8s bytes\n' "$f" "$(stat -c %s "$f")"; done)
pg_wal/                 the live copy, trimmed
$(ls_sizes "$OUT/pg_wal")
pg_wal/archive_status/  its .ready/.done files (of kept files only)
$(ls_sizes "$OUT/pg_wal/archive_status")
archive/                the archive from the backup start segment on
$(ls_sizes "$OUT/archive")
\`\`\`

- \`live-lsns\`: \`insert_lsn\`, \`flush_lsn\` (\`pg_current_wal_insert_lsn()\`,
  \`pg_current_wal_flush_lsn()\` at copy time), \`insert_segment\`
  (\`pg_walfile_name(pg_current_wal_insert_lsn())\`), \`recycled\` (space-separated names of the
  segment files in pg_wal after the insert segment), \`redo_lsn\` (pg_controldata's
  "Latest checkpoint's REDO location" at copy time).
- \`pg_wal-waldump.txt.gz\`: its stdout, \`gzip -9 -n\`. \`VERSION\`: \`SELECT version()\`.
EOF

chmod -R u=rwX,go=rX "$OUT"
log "summary"
(cd "$OUT" && find . -type f | sort | xargs ls -l) >&2
du -sh "$OUT" >&2
cat "$OUT/live-lsns" >&2
log "records: $RECORDS; last: $LAST_RECORD"
log "stderr: $STDERR_LINE"
log "done"
