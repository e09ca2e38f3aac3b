#!/usr/bin/env bash
# Regenerates TestData/pg15-split/: a real SPLIT-BRAIN WAL scenario for the WAL "diff" feature.
#
#   bash TestData/generate/make-split-fixtures.sh
#
# Must run as root (servers run as the "postgres" OS user via runuser).  Needs PostgreSQL 15
# (Debian postgresql-15, /usr/lib/postgresql/15/bin; override with PG15_BIN) and python3.
# Deletes and rebuilds TestData/pg15-split/ and touches nothing else under TestData/.
#
# Scenario (1 MiB segments):
#   P  primary, timeline 1, archive_command -> A
#   S  pg_basebackup -X stream -R of P, archive_mode = always, archive_command -> B
#   S is promoted (timeline 2) while P keeps running on timeline 1; both then take writes.
# Servers use unix sockets in a mktemp -d scratch directory only (listen_addresses = '');
# the EXIT trap stops every server started here (pg_ctl -m immediate) and removes the scratch dir
# (KEEP_WORK=1 keeps it).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TD=$(dirname "$HERE")                      # .../TestData
OUT=$TD/pg15-split
BIN=${PG15_BIN:-/usr/lib/postgresql/15/bin}
P_PORT=5451
S_PORT=5452
SEGMB=1

if [ "$(id -u)" != 0 ]; then
    echo "make-split-fixtures.sh: run as root (servers run as the postgres user via runuser)" >&2
    exit 1
fi
id postgres >/dev/null
command -v python3 >/dev/null

WORK=$(mktemp -d /tmp/walkit-split.XXXXXX)
chmod 755 "$WORK"
chown postgres: "$WORK"

RUNNING=()        # data dirs of servers started by this script

log() { printf '== %s\n' "$*" >&2; }
pgrun() { runuser -u postgres -- "$@"; }

cleanup() {
    local rc=$? d
    set +e
    for d in "${RUNNING[@]}"; do
        if [ -f "$d/postmaster.pid" ]; then
            pgrun "$BIN/pg_ctl" -D "$d" -m immediate -w stop >/dev/null 2>&1
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

P=$WORK/P                 # primary
S=$WORK/S                 # standby, later the promoted side
A=$WORK/A                 # P's archive
B=$WORK/B                 # S's archive
pgrun mkdir -p "$P/sock" "$S/sock" "$A" "$B"
chmod 700 "$P/sock" "$S/sock"

# psql helpers: psqlx SOCK PORT [psql args]; q SOCK PORT SQL -> single value
psqlx() { local sock=$1 port=$2; shift 2; pgrun "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -d postgres "$@"; }
q() { local sock=$1 port=$2; shift 2; psqlx "$sock" "$port" -At -c "$*"; }
qp() { q "$P/sock" $P_PORT "$@"; }
qs() { q "$S/sock" $S_PORT "$@"; }

wait_for_file() {   # PATH [timeout seconds]
    local f=$1 t=${2:-120} i=0
    while [ ! -f "$f" ]; do
        i=$((i + 1))
        if [ $i -gt $((t * 10)) ]; then echo "timeout waiting for $f" >&2; return 1; fi
        sleep 0.1
    done
}

# segment name arithmetic (1 MiB segments: 4096 segments per 4 GiB "xlogid")
PER=$((4096 / SEGMB))
segno_of() { local n=$1; echo $(( (16#${n:8:8}) * PER + (16#${n:16:8}) )); }
seg_name() { printf '%08X%08X%08X' "$1" $(($2 / PER)) $(($2 % PER)); }     # TLI SEGNO
lsn_num() { local l=$1; echo $(( (16#${l%/*} << 32) + 16#${l#*/} )); }
lsn_str() { printf '%X/%X' $(($1 >> 32)) $(($1 & 0xFFFFFFFF)); }

# rows of ~1.8 kB (below the TOAST threshold): one Heap INSERT record of ~1.85 kB per row, so
# the listings stay small.   ins SOCK PORT WHO FIRST_ID NROWS
ins() {
    local sock=$1 port=$2 who=$3 first=$4 n=$5
    q "$sock" "$port" "INSERT INTO split_t SELECT g, '$who', repeat(md5(g::text || '$who'), 56)
                       FROM generate_series($first, $first + $n - 1) g" >/dev/null
}

# ---------------------------------------------------------------------------------------------
log "$("$BIN/postgres" --version)  ($BIN)"
rm -rf "$OUT"
mkdir -p "$OUT"

# ---- 1. primary P, timeline 1 ---------------------------------------------------------------
pgrun "$BIN/initdb" -D "$P/data" -U postgres --auth=trust --no-locale -E UTF8 \
    --wal-segsize=$SEGMB >"$WORK/initdb.log" 2>&1
cat >>"$P/data/postgresql.conf" <<EOF

# ---- walkit split fixture: primary P ----
listen_addresses = ''
port = $P_PORT
unix_socket_directories = '$P/sock'
fsync = off
wal_level = replica
max_wal_senders = 5
autovacuum = off
checkpoint_timeout = 1h
max_wal_size = 1GB
archive_mode = on
archive_command = 'test ! -f $A/%f && cp %p $A/%f.tmp && mv $A/%f.tmp $A/%f'
archive_timeout = 0
logging_collector = off
EOF
pgrun "$BIN/pg_ctl" -D "$P/data" -l "$WORK/P.log" -w -t 60 start >/dev/null
RUNNING+=("$P/data")
qp "SELECT version()" >"$OUT/VERSION"

qp "CREATE TABLE split_t (id bigint, who text, pad text)" >/dev/null
for i in 0 1 2 3; do ins "$P/sock" $P_PORT P-initial $((i * 200 + 1)) 200; done   # ~1.5 MB
qp "CHECKPOINT" >/dev/null
ins "$P/sock" $P_PORT P-early 801 60
# early copy: the segment P is writing right now, partly filled (tail zeros or recycled bytes)
EARLY_SEG=$(qp "SELECT pg_walfile_name(pg_current_wal_insert_lsn())")
EARLY_INSERT_LSN=$(qp "SELECT pg_current_wal_insert_lsn()")
EARLY_FLUSH_LSN=$(qp "SELECT pg_current_wal_flush_lsn()")
mkdir -p "$OUT/early-copy"
cp "$P/data/pg_wal/$EARLY_SEG" "$OUT/early-copy/$EARLY_SEG"
log "early copy of $EARLY_SEG taken (insert lsn $EARLY_INSERT_LSN, flush lsn $EARLY_FLUSH_LSN)"
for i in 0 1 2 3; do ins "$P/sock" $P_PORT P-after-early-copy $((1001 + i * 200)) 200; done
wait_for_file "$A/$EARLY_SEG"
log "P: $EARLY_SEG completed and archived into A"

# ---- 2. standby S (pg_basebackup -X stream -R), archive_mode = always -> B --------------------
pgrun "$BIN/pg_basebackup" -h "$P/sock" -p $P_PORT -D "$S/data" -X stream -R -c fast \
    -l "walkit split base backup" >"$WORK/basebackup.log" 2>&1
BACKUP_START=$(sed -n 's/^START WAL LOCATION: \(.*\) (file .*$/\1/p' "$S/data/backup_label")
cat >>"$S/data/postgresql.conf" <<EOF

# ---- walkit split fixture: standby S (overrides P's settings above) ----
port = $S_PORT
unix_socket_directories = '$S/sock'
archive_mode = always
archive_command = 'test ! -f $B/%f && cp %p $B/%f.tmp && mv $B/%f.tmp $B/%f'
hot_standby = on
EOF
pgrun "$BIN/pg_ctl" -D "$S/data" -l "$WORK/S.log" -w -t 60 start >/dev/null
RUNNING+=("$S/data")
for _ in $(seq 1 600); do
    [ "$(qs "SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming'")" = 1 ] && break
    sleep 0.1
done
log "S streaming from P (base backup started at $BACKUP_START)"

# More WAL on P while S streams, so that S itself receives (and archives into B) at least two
# complete timeline-1 segments before the switch segment; stop ~300 kB into segment seg0 + 3
# so that the switch point lies early in a segment and P's later writes cross into the next one.
SEG0=$(qp "SELECT pg_walfile_name(pg_current_wal_insert_lsn())")
TARGET=$(lsn_str $(( ($(segno_of "$SEG0") + 3) * SEGMB * 1048576 + 300 * 1024 )))
id=2001
while [ "$(qp "SELECT pg_current_wal_insert_lsn() >= '$TARGET'::pg_lsn")" != t ]; do
    ins "$P/sock" $P_PORT P-streamed $id 20
    id=$((id + 20))
done
P_LSN=$(qp "SELECT pg_current_wal_lsn()")
for i in $(seq 1 1200); do
    [ "$(qs "SELECT coalesce(pg_last_wal_replay_lsn() >= '$P_LSN'::pg_lsn, false)")" = t ] && break
    [ "$i" = 1200 ] && { echo "standby did not catch up to $P_LSN" >&2; exit 1; }
    sleep 0.1
done
log "S caught up: P at $P_LSN, S replayed $(qs "SELECT pg_last_wal_replay_lsn()")"

# ---- 3. promote S while P keeps running on timeline 1 --------------------------------------
pgrun "$BIN/pg_ctl" -D "$S/data" -w -t 60 promote >/dev/null
wait_for_file "$B/00000002.history"
SWITCH_LSN=$(awk -F'\t' '$1 == 1 { print $2 }' "$B/00000002.history")
SWITCH_NUM=$(lsn_num "$SWITCH_LSN")
SW_SEGNO=$((SWITCH_NUM / (SEGMB * 1048576)))
SW_SEG1=$(seg_name 1 $SW_SEGNO)            # timeline-1 switch segment
SW_SEG2=$(seg_name 2 $SW_SEGNO)            # timeline-2 switch segment
PARTIAL=$SW_SEG1.partial
KEEP_FROM=$((SW_SEGNO - 2))
log "S promoted: switch point $SWITCH_LSN in $SW_SEG1 (offset $((SWITCH_NUM % (SEGMB * 1048576))))"
wait_for_file "$B/$PARTIAL"
for n in $(seq $KEEP_FROM $((SW_SEGNO - 1))); do
    wait_for_file "$B/$(seg_name 1 "$n")"
    wait_for_file "$A/$(seg_name 1 "$n")"
done

# split brain: both sides write. P: 20 separate committed transactions (~0.9 MB in all).
for i in $(seq 0 19); do ins "$P/sock" $P_PORT P-after-split $((100001 + i * 24)) 24; done
# S: different rows, 4 transactions (~0.37 MB)
for i in 0 1 2 3; do ins "$S/sock" $S_PORT S-timeline-2 $((200001 + i * 50)) 50; done

P_LAST=$(qp "SELECT pg_walfile_name(pg_switch_wal())")
S_LAST=$(qs "SELECT pg_walfile_name(pg_switch_wal())")
wait_for_file "$A/$P_LAST"
wait_for_file "$B/$S_LAST"
log "P switched out of $P_LAST, S switched out of $S_LAST"
pgrun "$BIN/pg_ctl" -D "$P/data" -m fast -w -t 120 stop >/dev/null
pgrun "$BIN/pg_ctl" -D "$S/data" -m fast -w -t 120 stop >/dev/null

# ---- 4. trimmed copies ----------------------------------------------------------------------
is_seg() { [[ $1 =~ ^[0-9A-F]{24}$ ]]; }
mkdir -p "$OUT/A" "$OUT/B"
A_DROPPED=() B_DROPPED=()
for f in $(ls "$A"); do
    if is_seg "$f" && { [ "$(segno_of "$f")" -ge $KEEP_FROM ] || [ "$f" = "$EARLY_SEG" ]; }; then
        cp "$A/$f" "$OUT/A/"
    else
        A_DROPPED+=("$f")
    fi
done
for f in $(ls "$B"); do
    if { is_seg "$f" && [ "$(segno_of "$f")" -ge $KEEP_FROM ]; } || [ "$f" = 00000002.history ] \
        || [ "$f" = "$PARTIAL" ]; then
        cp "$B/$f" "$OUT/B/"
    else
        B_DROPPED+=("$f")
    fi
done
printf '%s\n' "$SWITCH_LSN" >"$OUT/switch-point"

# byte-identical timeline-1 segments before the switch segment
IDENTICAL=()
for n in $(seq $KEEP_FROM $((SW_SEGNO - 1))); do
    s=$(seg_name 1 "$n")
    if ! cmp "$OUT/A/$s" "$OUT/B/$s"; then
        echo "A/$s and B/$s differ" >&2
        exit 1
    fi
    IDENTICAL+=("$s")
done
log "identical in A and B (cmp): ${IDENTICAL[*]}"
first_diff() {   # cmp offset (0-based) of the first differing byte, or "identical"
    local out
    out=$(cmp "$1" "$2" 2>&1 || true)
    if [ -z "$out" ]; then echo identical; return; fi
    sed -n 's/.* differ: \(byte\|char\) \([0-9]*\),.*/\2/p' <<<"$out" | awk '{ print $1 - 1 }'
}
DIFF_A_PARTIAL=$(first_diff "$OUT/A/$SW_SEG1" "$OUT/B/$PARTIAL")
DIFF_A_TLI2=$(first_diff "$OUT/A/$SW_SEG1" "$OUT/B/$SW_SEG2")
DIFF_EARLY=$(first_diff "$OUT/early-copy/$EARLY_SEG" "$OUT/A/$EARLY_SEG")

# ---- pg_waldump listings --------------------------------------------------------------------
A_FIRST=$(seg_name 1 $KEEP_FROM)
A_LAST=$(cd "$OUT/A" && ls | grep -E '^00000001[0-9A-F]{16}$' | sort | tail -n 1)
B_TLI2_LAST=$(cd "$OUT/B" && ls | grep -E '^00000002[0-9A-F]{16}$' | sort | tail -n 1)
(
    cd "$OUT"
    "$BIN/pg_waldump" -p A "$A_FIRST" "$A_LAST" >A-pg_waldump.txt 2>A-pg_waldump.stderr || true
    "$BIN/pg_waldump" -t 2 -p B "$SW_SEG2" "$B_TLI2_LAST" >B-tli2-pg_waldump.txt \
        2>B-tli2-pg_waldump.stderr || true
)
# pg_waldump cannot open a ".partial" by name: dump B's timeline 1 from a scratch copy in which
# the .partial carries its plain segment name.
mkdir -p "$WORK/b-tli1"
for n in $(seq $KEEP_FROM $((SW_SEGNO - 1))); do cp "$OUT/B/$(seg_name 1 "$n")" "$WORK/b-tli1/"; done
cp "$OUT/B/$PARTIAL" "$WORK/b-tli1/$SW_SEG1"
(
    cd "$WORK"
    "$BIN/pg_waldump" -t 1 -p b-tli1 "$A_FIRST" "$SW_SEG1" >"$OUT/B-tli1-pg_waldump.txt" \
        2>"$OUT/B-tli1-pg_waldump.stderr" || true
)
sed -i "s|b-tli1/$SW_SEG1|$PARTIAL|g; s|b-tli1/||g" "$OUT/B-tli1-pg_waldump.stderr"
# the early copy, likewise from a scratch directory
mkdir -p "$WORK/early"
cp "$OUT/early-copy/$EARLY_SEG" "$WORK/early/"
(
    cd "$WORK"
    "$BIN/pg_waldump" -p early "$EARLY_SEG" >"$OUT/early-copy/pg_waldump.txt" \
        2>"$OUT/early-copy/pg_waldump.stderr" || true
    "$BIN/pg_waldump" -p "$OUT/A" "$EARLY_SEG" "$EARLY_SEG" >"$WORK/early-archived.txt" \
        2>"$WORK/early-archived.stderr" || true
)
sed -i "s|early/||g" "$OUT/early-copy/pg_waldump.stderr"

# ---- analysis (python3) ---------------------------------------------------------------------
python3 - "$OUT" "$SWITCH_LSN" "$WORK/early-archived.txt" >"$WORK/analysis.env" <<'PY'
import re, sys, shlex
out, switch, early_archived = sys.argv[1:4]
def num(l):
    hi, lo = l.split('/')
    return (int(hi, 16) << 32) + int(lo, 16)
sw = num(switch)
rx = re.compile(r'lsn: ([0-9A-F]+/[0-9A-F]+),')
def load(path):
    recs = []
    with open(path) as f:
        for line in f:
            m = rx.search(line)
            if m:
                recs.append((num(m.group(1)), line.rstrip('\n')))
    return recs
A = load(out + '/A-pg_waldump.txt')
B1 = load(out + '/B-tli1-pg_waldump.txt')
B2 = load(out + '/B-tli2-pg_waldump.txt')
E = load(out + '/early-copy/pg_waldump.txt')
EA = load(early_archived)
is_commit = lambda l: 'rmgr: Transaction' in l and 'desc: COMMIT' in l
def fmt(n): return '%X/%08X' % (n >> 32, n & 0xFFFFFFFF)
res = {}
res['A_RECORDS'] = len(A); res['A_COMMITS'] = sum(is_commit(l) for _, l in A)
res['B1_RECORDS'] = len(B1); res['B1_COMMITS'] = sum(is_commit(l) for _, l in B1)
res['B2_RECORDS'] = len(B2); res['B2_COMMITS'] = sum(is_commit(l) for _, l in B2)
after = [(n, l) for n, l in A if n >= sw]
res['P_AFTER_RECORDS'] = len(after)
res['P_AFTER_COMMITS'] = sum(is_commit(l) for _, l in after)
res['P_AT_SWITCH'] = after[0][1] if after else ''
b2after = [(n, l) for n, l in B2 if n >= sw]
res['S_AT_SWITCH'] = b2after[0][1] if b2after else ''
res['S_AFTER_RECORDS'] = len(b2after)
res['S_AFTER_COMMITS'] = sum(is_commit(l) for _, l in b2after)
# records below the switch point: A vs B timeline 1 vs B timeline 2 (pre-switch part copied)
a_lsns = {n: l for n, l in A}
b1_before = [(n, l) for n, l in B1 if n < sw]
b2_before = [(n, l) for n, l in B2 if n < sw]
res['B1_BEFORE'] = len(b1_before)
res['B1_BEFORE_SAME_AS_A'] = sum(a_lsns.get(n) == l for n, l in b1_before)
res['B1_AT_OR_AFTER'] = len(B1) - len(b1_before)
res['B2_BEFORE'] = len(b2_before)
res['B2_BEFORE_SAME_AS_A'] = sum(a_lsns.get(n) == l for n, l in b2_before)
# first LSN where A's record list and B timeline 2's differ (over B2's LSN range)
first_diff = None
b2 = dict(B2)
for n in sorted(set(a_lsns) | set(b2)):
    if n < B2[0][0]:
        continue
    if a_lsns.get(n) != b2.get(n):
        first_diff = n
        break
res['FIRST_DIFF_LSN'] = fmt(first_diff) if first_diff is not None else 'none'
res['E_RECORDS'] = len(E)
res['E_LAST_LSN'] = fmt(E[-1][0]) if E else ''
res['EA_RECORDS'] = len(EA)
ea = dict(EA)
res['E_SAME_AS_ARCHIVED'] = sum(ea.get(n) == l for n, l in E)
# what lies after the valid WAL in the early copy and in the .partial
import glob, struct
def tail(path, end_lsn):
    d = open(path, 'rb').read()
    off = end_lsn % len(d)
    nz = [i for i in range(off, len(d)) if d[i]]
    if not nz:
        return 'all %d bytes after segment offset %d are zero' % (len(d) - off, off)
    first = nz[0]
    desc = ('bytes %d..%d after the valid end are zero; the first non-zero byte is at offset %d'
            % (off, first - 1, first))
    if first % 8192 == 0:
        magic, info, tli, pageaddr = struct.unpack_from('<HHIQ', d, first)
        if magic == 0xD110:
            desc += (', a stale page header (magic 0xD110, tli %d, pageaddr %s) of a recycled'
                     ' segment; %d of the %d bytes after the valid end are non-zero'
                     % (tli, fmt(pageaddr), len(nz), len(d) - off))
    return desc
def stderr_end(path):
    m = re.search(r'invalid record length at ([0-9A-F]+/[0-9A-F]+)', open(path).read())
    return num(m.group(1)) if m else None
e_end = stderr_end(out + '/early-copy/pg_waldump.stderr')
res['E_VALID_END'] = fmt(e_end) if e_end is not None else 'unknown'
res['E_TAIL'] = tail(glob.glob(out + '/early-copy/0*')[0], e_end) if e_end is not None else ''
res['PARTIAL_TAIL'] = tail(glob.glob(out + '/B/*.partial')[0], sw)
for k, v in res.items():
    print('%s=%s' % (k, shlex.quote(str(v))))
PY
# shellcheck disable=SC1091
. "$WORK/analysis.env"

# ---- README -----------------------------------------------------------------------------------
ls_sizes() { (cd "$1" && for f in $(ls); do printf '    %-40s %8s bytes\n' "$f" "$(stat -c %s "$f")"; done); }
stderr_block() { if [ -s "$1" ]; then sed 's/^/    /' "$1"; else echo "    (empty)"; fi; }
A_HOLDS=$(cd "$OUT/A" && ls | tr '\n' ' ')
B_HOLDS=$(cd "$OUT/B" && ls | tr '\n' ' ')
cat >"$OUT/README.md" <<EOF
# pg15-split: a real split-brain WAL scenario (PostgreSQL 15, 1 MiB segments)

Generated by \`bash TestData/generate/make-split-fixtures.sh\` (as root). Running it again deletes
and rebuilds this directory. WAL is not byte-reproducible, so names, LSNs and counts move
between runs. The numbers below are from this run. Server: $(cat "$OUT/VERSION").

Note: \`make-fixtures.sh\` deletes everything in TestData/ except \`generate/\` and
\`README.md\`, so run this script again after that one.

## How it was made

Both clusters: \`initdb --wal-segsize=1 -U postgres --auth=trust --no-locale -E UTF8\`,
fsync=off, wal_level=replica, max_wal_senders=5, autovacuum=off, checkpoint_timeout=1h.
Unix sockets only. Table \`split_t(id bigint, who text, pad text)\`, no index. Rows are about
1.8 kB (below the TOAST threshold), so each row is one Heap INSERT record of about 1.85 kB.

1. **P** (primary, timeline 1) runs with archive_mode=on and archive_command
   \`test ! -f A/%f && cp %p A/%f.tmp && mv A/%f.tmp A/%f\`. It inserts about 1.5 MB of rows,
   runs CHECKPOINT, then inserts 60 more rows. Then the **early copy** is taken: \`cp\` of
   \`pg_wal/$EARLY_SEG\` (the segment from \`pg_walfile_name(pg_current_wal_insert_lsn())\`,
   with insert LSN $EARLY_INSERT_LSN and flush LSN $EARLY_FLUSH_LSN at copy time). P keeps
   writing (about 1.5 MB more), so that segment is completed and archived into A under the
   same name.
2. **S** is made with \`pg_basebackup -X stream -R -c fast\` (backup start $BACKUP_START). It has
   archive_mode=always and archive_command into B. It is started and streams from P. While
   it streams, P writes more, in 20-row transactions, until its insert LSN reaches ~300 kB
   into the 3rd segment after the one it was writing when streaming began. This makes S receive
   complete timeline-1 segments itself and archive them into B. Segments that came with the base
   backup are marked .done by pg_basebackup and are never archived by S. Then the script
   waits until \`pg_last_wal_replay_lsn()\` on S is at least P's \`pg_current_wal_lsn()\`.
3. S is promoted with \`pg_ctl promote -w\` **while P keeps running on timeline 1**. S writes
   \`00000002.history\` and \`$PARTIAL\` into B. Then both sides write.
   P: 20 separate committed transactions of 24 rows (who='P-after-split', ids 100001..).
   S: 4 transactions of 50 rows (who='S-timeline-2', ids 200001..). Each side then runs
   \`pg_switch_wal()\`, the script waits for that segment in its archive, and both are stopped
   with \`-m fast\`. Both shutdowns do an XLOG switch when the current segment holds new WAL
   (archive_mode). On S, the end-of-recovery checkpoint (a spread checkpoint) ends during
   shutdown. It writes RUNNING_XACTS + CHECKPOINT_ONLINE into the next timeline-2 segment, which
   is then switched and archived. This is why B can hold one more timeline-2 segment than S's
   own \`pg_switch_wal()\` produced.
4. Trim: from both A and B, the segments before (switch segment − 2) are dropped. A also
   keeps the early-copy segment $EARLY_SEG, so A has a gap. Dropped from A: ${#A_DROPPED[@]} files
   (including P's base-backup history file). Dropped from B: ${#B_DROPPED[@]} files.

## Switch point

\`switch-point\` = **$SWITCH_LSN**, read from the line \`$(head -n 1 "$OUT/B/00000002.history" | tr '\t' ' ')\` in
\`B/00000002.history\`. Switch segment: $SW_SEG1 (timeline 1) / $SW_SEG2 (timeline 2).

- Record at the switch point on S's timeline 2 (B-tli2-pg_waldump.txt):
  \`$S_AT_SWITCH\`
- P's first record at or after the switch point on timeline 1 (A-pg_waldump.txt):
  \`$P_AT_SWITCH\`
- First LSN where A's and B-timeline-2's record lists differ: **$FIRST_DIFF_LSN**.
  B-tli2-pg_waldump.txt starts at the beginning of $SW_SEG2. Its part below the switch point
  is timeline-1 WAL that S copied when it created the new segment: $B2_BEFORE records, and
  $B2_BEFORE_SAME_AS_A of them match the same-LSN line in A exactly.
- P wrote **$P_AFTER_RECORDS records** at or after the switch point, **$P_AFTER_COMMITS** of
  them COMMIT records. S wrote $S_AFTER_RECORDS records ($S_AFTER_COMMITS COMMIT) on timeline 2.

## Identical and differing bytes

- Byte-identical in A and B (checked with \`cmp\`): ${IDENTICAL[*]}
- \`A/$SW_SEG1\` vs \`B/$PARTIAL\`: the first differing byte is at offset $DIFF_A_PARTIAL.
  The switch point is at segment offset $((SWITCH_NUM % 1048576)).
- \`A/$SW_SEG1\` vs \`B/$SW_SEG2\`: the first differing byte is at offset $DIFF_A_TLI2.
- \`B/$PARTIAL\` after the switch point: $PARTIAL_TAIL.
- \`early-copy/$EARLY_SEG\` vs \`A/$EARLY_SEG\`: the first differing byte is at offset $DIFF_EARLY.
  The early copy's valid WAL ends at $E_VALID_END. After that: $E_TAIL.

## Files

A holds: $A_HOLDS

\`\`\`
A/   P's archive (timeline 1 only), trimmed
$(ls_sizes "$OUT/A")
B/   S's archive: timeline-1 segments S received and archived, 00000002.history, the .partial, timeline 2
$(ls_sizes "$OUT/B")
early-copy/
$(ls_sizes "$OUT/early-copy")
$(cd "$OUT" && for f in switch-point VERSION A-pg_waldump.txt A-pg_waldump.stderr B-tli1-pg_waldump.txt B-tli1-pg_waldump.stderr B-tli2-pg_waldump.txt B-tli2-pg_waldump.stderr; do printf '%-45s %8s bytes\n' "$f" "$(stat -c %s "$f")"; done)
\`\`\`

- \`A-pg_waldump.txt\`: \`pg_waldump -p A $A_FIRST $A_LAST\` (stdout), covering
  $A_FIRST..$A_LAST. These are A's contiguous segments; the early-copy segment in A is
  outside this range. $A_RECORDS records, $A_COMMITS COMMIT. Its stderr is \`A-pg_waldump.stderr\`:
$(stderr_block "$OUT/A-pg_waldump.stderr")
- \`B-tli1-pg_waldump.txt\`: \`pg_waldump -t 1 -p DIR $A_FIRST $SW_SEG1\`, where DIR is a scratch
  copy of B's timeline-1 segments with \`$PARTIAL\` renamed to \`$SW_SEG1\`. pg_waldump cannot
  open a \`.partial\` by name. $B1_RECORDS records, $B1_COMMITS COMMIT. $B1_BEFORE are below the switch
  point and $B1_BEFORE_SAME_AS_A of those match A exactly. $B1_AT_OR_AFTER are at or after it.
  The scratch directory name is removed from the stderr (\`B-tli1-pg_waldump.stderr\`):
$(stderr_block "$OUT/B-tli1-pg_waldump.stderr")
- \`B-tli2-pg_waldump.txt\`: \`pg_waldump -t 2 -p B $SW_SEG2 $B_TLI2_LAST\`. $B2_RECORDS records,
  $B2_COMMITS COMMIT. Its stderr is \`B-tli2-pg_waldump.stderr\`:
$(stderr_block "$OUT/B-tli2-pg_waldump.stderr")
- \`early-copy/$EARLY_SEG\`: the mid-write copy of P's \`pg_wal/$EARLY_SEG\` (1 MiB). Its
  completed version is \`A/$EARLY_SEG\`.
- \`early-copy/pg_waldump.txt\`, \`early-copy/pg_waldump.stderr\`: \`pg_waldump -p DIR $EARLY_SEG\`
  on a scratch copy. $E_RECORDS records, the last at $E_LAST_LSN. $E_SAME_AS_ARCHIVED of them are
  identical to the same-LSN line of the archived version, which has $EA_RECORDS records. The
  stderr gives the end of the valid WAL:
$(stderr_block "$OUT/early-copy/pg_waldump.stderr")
- \`switch-point\`: the switch LSN. \`VERSION\`: \`SELECT version()\` on P.
EOF

log "summary"
(cd "$OUT" && find . -type f | sort | xargs ls -l) >&2
du -sh "$OUT" >&2
cat "$WORK/analysis.env" >&2
for f in "$OUT"/*.stderr "$OUT"/early-copy/*.stderr; do printf '%s: %s\n' "${f#$OUT/}" "$(cat "$f")" >&2; done
log "done"
