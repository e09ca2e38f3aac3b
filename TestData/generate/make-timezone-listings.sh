#!/usr/bin/env bash
# Regenerates TestData/pg15/timezones/: pg_waldump 15's lines that carry a time (commits,
# aborts, prepares) for the pg15 set under other time zones, as pg_waldump prints them with TZ
# set in its environment. Needs PostgreSQL 15's pg_waldump (Debian postgresql-15; PG15_BIN
# overrides its directory). Run after make-fixtures.sh.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TD=$(dirname "$HERE")
BIN=${PG15_BIN:-/usr/lib/postgresql/15/bin}
archive=$TD/pg15/archive
first=$(ls "$archive" | head -1)
last=$(ls "$archive" | tail -1)
out=$TD/pg15/timezones
rm -rf "$out"
mkdir -p "$out"
for zone in Europe/Berlin America/St_Johns Asia/Kolkata UTC; do
  # Every line whose description holds a time: they end in the zone's abbreviation.
  TZ=$zone "$BIN/pg_waldump" -p "$archive" "$first" "$last" \
    | grep -E 'desc: (COMMIT|ABORT|PREPARE|COMMIT_PREPARED|ABORT_PREPARED|END_OF_RECOVERY) ' >"$out/${zone//\//-}.txt"
done
