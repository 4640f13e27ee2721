#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on 127.0.0.1, for the tests, the fixture generator, the e2e
# and the benchmarks. Never touches a server the machine happens to run.
#
#   scripts/pg-cluster.sh start DIR [--watch PID]   # prints the URL: postgres://postgres@127.0.0.1:PORT/postgres
#   scripts/pg-cluster.sh stop DIR                  # stops it by pid and removes DIR
#
# DIR must not exist yet (start) or be one that `start` made (stop). The server runs as the
# `postgres` user when started by root (PostgreSQL refuses root), trusts local connections
# (it listens on 127.0.0.1 only), and keeps its data, socket and log inside DIR. With
# `--watch PID` a watcher stops the cluster (by pid) when process PID exits, so a test run
# that dies still leaves no server behind. Needs the PostgreSQL server binaries (Debian
# `postgresql`; .ci/run installs the package when it is missing).
set -euo pipefail

die() { echo "pg-cluster: $*" >&2; exit 1; }

bindir() {
  if command -v pg_config >/dev/null 2>&1 && [[ -x "$(pg_config --bindir)/initdb" ]]; then
    pg_config --bindir
    return
  fi
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [[ -x $d/initdb ]] && { echo "$d"; return; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return; }
  die "no PostgreSQL server binaries (initdb) found: apt-get install postgresql"
}

# Runs a command as the cluster's owner: `postgres` when we are root, ourselves otherwise.
as_owner() {
  if [[ $(id -u) == 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 - <<'EOF'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

cmd=${1:-}
dir=${2:-}
[[ -n $cmd && -n $dir ]] || die "usage: $0 start|stop DIR [--watch PID]"

case $cmd in
  start)
    watch=""
    if [[ ${3:-} == --watch ]]; then
      watch=${4:?--watch needs a pid}
    fi
    [[ ! -e $dir ]] || die "$dir already exists"
    bin=$(bindir)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [[ $(id -u) == 0 ]]; then
      chown postgres: "$dir"
      chmod 700 "$dir"
    fi
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C \
      --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    started=0
    for _ in 1 2 3 4 5; do
      port=$(free_port)
      if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null 2>&1; then
        started=1
        break
      fi
    done
    [[ $started == 1 ]] || { cat "$dir/server.log" >&2; die "the server did not start"; }
    echo "$port" >"$dir/port"
    url="postgres://postgres@127.0.0.1:$port/postgres"
    echo "$url" >"$dir/url"
    if [[ -n $watch ]]; then
      pid=$(head -1 "$dir/data/postmaster.pid")
      # Detached: survives this script, ends when the watched process or the server does.
      setsid bash -c '
        while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 0.5; done
        kill -INT "$2" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$2" 2>/dev/null || break; sleep 0.1; done
        rm -rf "$3"' _ "$watch" "$pid" "$dir" </dev/null >/dev/null 2>&1 &
    fi
    echo "$url"
    ;;
  stop)
    [[ -d $dir ]] || exit 0
    if [[ -f $dir/data/postmaster.pid ]]; then
      pid=$(head -1 "$dir/data/postmaster.pid")
      # SIGINT: PostgreSQL's "fast" shutdown. Wait for the postmaster to be gone.
      kill -INT "$pid" 2>/dev/null || true
      for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -rf "$dir"
    ;;
  *) die "unknown command $cmd" ;;
esac
