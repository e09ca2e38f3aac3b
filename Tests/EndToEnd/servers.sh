# Sourced by the end-to-end scripts: a clean work directory, and PostgreSQL servers run as the
# postgres user on unix sockets in it, stopped whatever happens.
#   prepare_work DIR [SUBDIR…]  makes DIR (absolute, emptied) with archive/, sockets/ and SUBDIRs;
#                               sets WORK
#   start DATA / stop DATA      pg_ctl start (logging to DATA/server.log) / fast shutdown
#   stop_now DATA               immediate shutdown, never failing
#   sql PORT SQL                one statement through psql, unaligned, tuples only
#   configure DATA PORT SETTING…  appends the settings every server here runs with (unix socket
#                               in WORK/sockets, fsync off, replication), then SETTINGs
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

prepare_work() {
  mkdir -p "$1"
  WORK=$(cd "$1" && pwd)
  rm -rf "${WORK:?}"/*
  shift
  mkdir -p "$WORK/archive" "$WORK/sockets"
  local sub
  for sub in "$@"; do mkdir -p "$WORK/$sub"; done
  chown -R postgres: "$WORK"
  chmod 755 "$WORK"
}

as_pg() { runuser -u postgres -- "$@"; }
started=()
stop_now() { as_pg "$PGBIN/pg_ctl" -D "$1" -m immediate -w -t 60 stop >/dev/null 2>&1 || true; }
stop_started() {
  local data
  for data in "${started[@]}"; do stop_now "$data"; done
}
trap stop_started EXIT
start() { started+=("$1"); as_pg "$PGBIN/pg_ctl" -D "$1" -l "$1/server.log" -w -t 60 start >/dev/null; }
stop() { as_pg "$PGBIN/pg_ctl" -D "$1" -m fast -w -t 60 stop >/dev/null; }
sql() { as_pg "$PGBIN/psql" -X -A -t -q -h "$WORK/sockets" -p "$1" -U postgres -d postgres -c "$2"; }
configure() {  # data-dir port extra-settings…
  local data=$1 port=$2; shift 2
  {
    echo "listen_addresses = ''"
    echo "unix_socket_directories = '$WORK/sockets'"
    echo "port = $port"
    echo "fsync = off"
    echo "wal_level = replica"
    echo "max_wal_senders = 5"
    echo "hot_standby = on"
    echo "wal_retrieve_retry_interval = '200ms'"
    echo "log_min_messages = warning"
    printf '%s\n' "$@"
  } >>"$data/postgresql.conf"
}
