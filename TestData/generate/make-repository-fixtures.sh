#!/usr/bin/env bash
# Regenerates TestData/pg15-repositories: one PostgreSQL 15 cluster's WAL kept as archive
# commands and backup tools keep it.
#
#   bash TestData/generate/make-repository-fixtures.sh      # as root, ~30 s
#
# Needs PostgreSQL 15 (/usr/lib/postgresql/15/bin, or PG15_BIN), Debian's pgbackrest (2.45) and
# barman (3.4.0), and the CLIs gzip, zstd, lz4, bzip2, xz and brotli. The server runs as the
# postgres OS user on a unix socket only; everything else happens in a mktemp -d scratch
# directory, removed at exit with the server stopped (KEEP_WORK=1 keeps it).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$(dirname "$HERE")/pg15-repositories
BIN=${PG15_BIN:-/usr/lib/postgresql/15/bin}
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
for tool in pgbackrest barman gzip zstd lz4 bzip2 xz brotli; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/walkit-repos.XXXXXX)
chmod 755 "$WORK"
DATA=$WORK/data SOCK=$WORK/sock
log() { printf '== %s\n' "$*" >&2; }
pgrun() { runuser -u postgres -- "$@"; }
cleanup() {
  local rc=$?
  set +e
  [ -f "$DATA/postmaster.pid" ] && pgrun "$BIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1
  if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT

mkdir -p "$SOCK" "$WORK/flat" "$WORK/incoming" "$WORK/pgbackrest" "$WORK/pgbackrest-encrypted" "$WORK/log" "$WORK/lock"
chown -R postgres "$WORK"

# pgBackRest: one plain repository, and a tiny encrypted one.
cat >"$WORK/pgbackrest.conf" <<CONF
[global]
repo1-path=$WORK/pgbackrest
log-path=$WORK/log
lock-path=$WORK/lock
log-level-console=warn
[demo]
pg1-path=$DATA
pg1-socket-path=$SOCK
CONF
sed -e "s|$WORK/pgbackrest|$WORK/pgbackrest-encrypted|" "$WORK/pgbackrest.conf" >"$WORK/pgbackrest-encrypted.conf"
printf 'repo1-cipher-type=aes-256-cbc\nrepo1-cipher-pass=walkit-test-only\n' >>"$WORK/pgbackrest-encrypted.conf"
sed -i 's/^\[global\]$/[global]/' "$WORK/pgbackrest-encrypted.conf"
# Cipher options belong to [global]: move them there.
python3 - "$WORK/pgbackrest-encrypted.conf" <<'PY'
import sys
p = sys.argv[1]
lines = open(p).read().splitlines()
cipher = [l for l in lines if l.startswith("repo1-cipher")]
rest = [l for l in lines if not l.startswith("repo1-cipher")]
rest[1:1] = cipher
open(p, "w").write("\n".join(rest) + "\n")
PY
chown postgres "$WORK"/*.conf

# The archive command: a plain copy (the flat archive), pgBackRest with the compression
# rotating file by file, and Barman's incoming directory.
cat >"$WORK/archive.sh" <<SH
#!/bin/sh
set -e
cp "\$1" "$WORK/flat/\$2"
n=\$(ls "$WORK/flat" | wc -l)
set -- "\$1" "\$2" gz lz4 zst bz2 none
i=\$(( (n % 5) + 3 ))
eval type=\\\${\$i}
pgbackrest --config=$WORK/pgbackrest.conf --stanza=demo --compress-type=\$type archive-push "$WORK/flat/\$2"
cp "$WORK/flat/\$2" "$WORK/incoming/\$2"
SH
chmod 755 "$WORK/archive.sh"

log "initdb"
pgrun "$BIN/initdb" -D "$DATA" --wal-segsize=1 -A trust -U postgres >/dev/null
cat >>"$DATA/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$SOCK'
archive_mode = on
archive_command = '$WORK/archive.sh %p %f'
wal_level = replica
full_page_writes = on
CONF
pgrun "$BIN/pg_ctl" -D "$DATA" -l "$WORK/server.log" -w start >/dev/null
psql() { pgrun "$BIN/psql" -h "$SOCK" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
pgrun pgbackrest --config="$WORK/pgbackrest.conf" --stanza=demo stanza-create
pgrun pgbackrest --config="$WORK/pgbackrest-encrypted.conf" --stanza=demo stanza-create

log "workload"
psql -c "CREATE TABLE t (id int PRIMARY KEY, v text)" -c "INSERT INTO t SELECT g, repeat('x', 100) FROM generate_series(1, 3000) g" \
  -c "SELECT pg_switch_wal()" >/dev/null
pgrun "$BIN/pg_basebackup" -h "$SOCK" -U postgres -D "$WORK/base" -X none -c fast
cp "$WORK/base/backup_label" "$WORK/backup_label"
psql -c "UPDATE t SET v = repeat('y', 120) WHERE id % 2 = 0" -c "INSERT INTO t SELECT g, repeat('z', 200) FROM generate_series(3001, 7000) g" \
  -c "CHECKPOINT" -c "UPDATE t SET v = 'w' WHERE id % 3 = 0" -c "SELECT pg_switch_wal()" >/dev/null
# Wait for the archiver.
target=$(psql -c "SELECT pg_walfile_name(pg_current_wal_lsn())")
for _ in $(seq 1 100); do
  last=$(psql -c "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver")
  [ -n "$last" ] && [ "$(ls "$WORK/flat" | grep -c '^[0-9A-F]\{24\}$')" -ge 1 ] && [[ "$last" > "$target" || "$last" == "$target" || $(psql -c "SELECT pg_walfile_name(pg_current_wal_lsn()) > '$last'") == t ]] && break
  sleep 0.2
done
sleep 1
psql -c "SELECT version()" >"$WORK/VERSION"
system_id=$(pgrun "$BIN/pg_controldata" -D "$DATA" | awk -F': *' '/Database system identifier/ {print $2}')
pgrun "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
# The encrypted repository holds the first two segments, pushed by pgBackRest itself.
for seg in $(ls "$WORK/flat" | grep '^[0-9A-F]\{24\}$' | head -2); do
  pgrun pgbackrest --config="$WORK/pgbackrest-encrypted.conf" --stanza=demo archive-push "$WORK/flat/$seg"
done

log "barman"
# Two batches: the first half gzip, the rest bzip2, as after a configuration change.
mkdir -p "$WORK/barman/pg15/incoming"
files=($(ls "$WORK/incoming" | sort))
half=$(( ${#files[@]} / 2 ))
for compression in gzip bzip2; do
  cat >"$WORK/barman.conf" <<CONF
[barman]
barman_home = $WORK/barman
barman_user = root
log_file = $WORK/barman.log
[pg15]
description = walkit fixture
conninfo = host=$SOCK dbname=postgres user=postgres
backup_method = postgres
archiver = on
compression = $compression
CONF
  if [ $compression = gzip ]; then batch=("${files[@]:0:$half}"); else batch=("${files[@]:$half}"); fi
  for f in "${batch[@]}"; do cp "$WORK/incoming/$f" "$WORK/barman/pg15/incoming/"; done
  barman -c "$WORK/barman.conf" archive-wal pg15 >/dev/null
done
find "$WORK/barman" -name '.*.lock' -delete

log "WAL-G layout and compressed flat copies"
mkdir -p "$WORK/walg/wal_005" "$WORK/walg/basebackups_005" "$WORK/flat-mixed"
# Segments rotate through the formats; history and backup files take the first one.
i=0
for f in $(ls "$WORK/flat" | sort); do
  src=$WORK/flat/$f
  [ ${#f} = 24 ] || { lz4 -q -c "$src" >"$WORK/walg/wal_005/$f.lz4"; gzip -n -c "$src" >"$WORK/flat-mixed/$f.gz"; continue; }
  case $((i % 4)) in
    0) lz4 -q -c "$src" >"$WORK/walg/wal_005/$f.lz4" ;;
    1) zstd -q -c "$src" >"$WORK/walg/wal_005/$f.zst" ;;
    2) brotli -c "$src" >"$WORK/walg/wal_005/$f.br" ;;
    3) xz --format=lzma -c "$src" >"$WORK/walg/wal_005/$f.lzma" ;;
  esac
  case $((i % 6)) in
    0) gzip -n -c "$src" >"$WORK/flat-mixed/$f.gz" ;;
    1) zstd -q -c "$src" >"$WORK/flat-mixed/$f.zst" ;;
    2) lz4 -q -c "$src" >"$WORK/flat-mixed/$f.lz4" ;;
    3) bzip2 -c "$src" >"$WORK/flat-mixed/$f.bz2" ;;
    4) xz -c "$src" >"$WORK/flat-mixed/$f.xz" ;;
    5) cp "$src" "$WORK/flat-mixed/$f" ;;
  esac
  i=$((i + 1))
done

log "pg_waldump ground truth"
segments=$(ls "$WORK/flat" | grep '^[0-9A-F]\{24\}$' | sort)
first=$(echo "$segments" | head -1) last=$(echo "$segments" | tail -1)
records=$("$BIN/pg_waldump" -p "$WORK/flat" "$first" "$last" 2>"$WORK/waldump.err" | wc -l)
{
  echo "first: $first"
  echo "last: $last"
  echo "system identifier: $system_id"
  echo "pg_waldump stderr: $(tail -1 "$WORK/waldump.err")"
  echo "records: $records"
} >"$WORK/waldump-summary.txt"

rm -rf "$OUT"
mkdir -p "$OUT"
cp -r "$WORK/flat" "$WORK/flat-mixed" "$WORK/walg" "$WORK/barman" "$WORK/pgbackrest" "$WORK/pgbackrest-encrypted" \
  "$WORK/backup_label" "$WORK/VERSION" "$WORK/waldump-summary.txt" "$OUT/"
rm -rf "$OUT/barman/pg15/incoming" "$OUT/barman/pg15/errors" "$OUT/barman/pg15/streaming" "$OUT/barman/pg15/base"
chown -R root:root "$OUT"
chmod -R a+rX "$OUT"
log "done: $OUT"
cat "$OUT/waldump-summary.txt" >&2
