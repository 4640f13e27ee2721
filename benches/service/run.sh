#!/usr/bin/env bash
# Load benchmark: requests/s and latency of a real Rust service (benches/service/server.rs) next
# to the Next.js apps of examples/nextjs doing the same job (`GET /api/auth/session`), with wrk,
# all on 127.0.0.1, in one run on one machine. See benches/service/README.md.
#
#   bash benches/service/run.sh [--skip-build]
#
# Env: DURATION (seconds per case, default 10), CONNECTIONS (default 32), THREADS (wrk threads,
# default 2), OUT (the markdown table, default target/service-bench.md). --skip-build reuses
# the examples/nextjs .next builds and node_modules when they exist (they are built otherwise).
# Needs Node 20+, npm, the PostgreSQL server binaries and wrk (installed with apt-get when
# missing). Takes about 4 minutes (12 cases).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
nextjs=$root/examples/nextjs
export NEXT_TELEMETRY_DISABLED=1

DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
OUT=${OUT:-$root/target/service-bench.md}
build=1
for arg in "$@"; do
  case $arg in
    --skip-build) build=0 ;;
    *) echo "usage: $0 [--skip-build]" >&2; exit 2 ;;
  esac
done

phase() { printf -- '--- %s\n' "$*" >&2; }

if ! command -v wrk >/dev/null 2>&1; then
  phase "apt-get install wrk"
  apt-get update >/dev/null
  apt-get install -y wrk >/dev/null
fi

apps=(v4 v5 v5-db better-auth)
if [[ ! -d $nextjs/node_modules/next ]]; then
  phase "npm ci (examples/nextjs)"
  (cd "$nextjs" && npm ci --no-audit --no-fund)
fi
for app in "${apps[@]}"; do
  if [[ $build == 1 || ! -f $nextjs/$app/.next/BUILD_ID ]]; then
    phase "next build ($app)"
    (cd "$nextjs/$app" && node ../node_modules/next/dist/bin/next build >/dev/null)
  fi
done

phase "cargo build --release --example bench_server --all-features"
server_bin=$(cd "$root" &&
  cargo build --release --example bench_server --all-features \
    --message-format=json-render-diagnostics |
  python3 -c '
import json, sys
for line in sys.stdin:
    if line.startswith("{"):
        m = json.loads(line)
        if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "bench_server" and m.get("executable"):
            print(m["executable"])')
[[ -x $server_bin ]] || { echo "cannot find the compiled bench_server" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/nextauth-load.XXXXXX")
chmod 711 "$tmp"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  bash "$root/scripts/pg-cluster.sh" stop "$tmp/pg" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

phase "PostgreSQL (scripts/pg-cluster.sh), @auth/pg-adapter's and better-auth's tables"
db_url=$(bash "$root/scripts/pg-cluster.sh" start "$tmp/pg" --watch $$)
db_url=${db_url##*$'\n'}
(cd "$nextjs" && node -e '
  const { Client } = require("pg");
  const client = new Client({ connectionString: process.argv[1] });
  client.connect()
    .then(() => client.query(require("fs").readFileSync("v5-db/schema.sql", "utf8")))
    .then(() => client.end())
    .catch((e) => { console.error(e.message); process.exit(1); });
' "$db_url")
(cd "$nextjs/better-auth" && BA_MODE=database DATABASE_URL=$db_url node migrate.mjs >/dev/null)

SECRET="nextauth-session load benchmark secret 0123456789abcdef"
BA_SECRET="better-auth load benchmark secret 0123456789abcdef"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Waits until $1 answers any HTTP status.
wait_http() {
  for _ in $(seq 1 300); do
    if curl -s -o /dev/null "$1"; then return 0; fi
    sleep 0.1
  done
  echo "$1 did not answer" >&2
  return 1
}

phase "bench server"
AUTH_SECRET=$SECRET DATABASE_URL=$db_url BETTER_AUTH_SECRET=$BA_SECRET \
  BIND_ADDR=127.0.0.1:0 "$server_bin" >"$tmp/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  grep -q "listening on" "$tmp/server.log" && break
  sleep 0.1
done
rust="http://$(sed -n 's/^listening on //p' "$tmp/server.log")"
[[ $rust != "http://" ]] || { cat "$tmp/server.log" >&2; exit 1; }

# start_app APP VAR=VALUE...: `next start` on a free port; sets $app_url and $app_pid.
start_app() {
  local app=$1
  shift
  local port
  port=$(free_port)
  app_url="http://127.0.0.1:$port"
  (cd "$nextjs/$app" && exec env -i PATH="$PATH" HOME="$HOME" NEXT_TELEMETRY_DISABLED=1 "$@" \
    node ../node_modules/next/dist/bin/next start -H 127.0.0.1 -p "$port") \
    >"$tmp/$app.log" 2>&1 &
  app_pid=$!
  pids+=("$app_pid")
  wait_http "$app_url/api/auth/session"
}

stop_app() {
  kill "$app_pid" 2>/dev/null || true
  wait "$app_pid" 2>/dev/null || true
}

rows=()
declare -A rps

# measure ID LABEL URL COOKIE EXPECTED: checks one response, warms up, runs wrk.
measure() {
  local id=$1 label=$2 url=$3 cookie=$4 expected=$5
  local body
  body=$(curl -s -H "Cookie: $cookie" "$url")
  if [[ $body != *"$expected"* ]]; then
    echo "$label: $url answered ${body:0:300}, expected it to contain $expected" >&2
    exit 1
  fi
  phase "$label"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -H "Cookie: $cookie" "$url" >/dev/null
  local out
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Cookie: $cookie" "$url")
  if grep -q "Non-2xx" <<<"$out" || grep -q "Socket errors" <<<"$out"; then
    echo "$label: errors under load:" >&2
    echo "$out" >&2
    exit 1
  fi
  local r p50 p99
  r=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  rps[$id]=$r
  rows+=("| $label | $(printf '%.0f' "$r") | $p50 | $p99 |")
  printf '    %s req/s, p50 %s, p99 %s\n' "$r" "$p50" "$p99" >&2
}

mint() { curl -sf "$rust/mint/$1"; }

v5_cookie=$(mint v5)
v4_cookie=$(mint v4)
chunked_cookie=$(mint v5-chunked)
[[ $chunked_cookie == *".3="* && $chunked_cookie != *".4="* ]] ||
  { echo "the large session is not 4 chunks" >&2; exit 1; }
db_cookie=$(mint db)
email=ada@example.com

measure plain "Rust: no session check" "$rust/plain" "$v5_cookie" "$email"
measure jwt "Rust: \`AuthSession<Session>\` (v5 JWT)" "$rust/jwt" "$v5_cookie" "$email"
measure layer "Rust: \`SessionLayer\` + extractor (v5 JWT)" "$rust/layer" "$v5_cookie" "$email"
measure chunks "Rust: \`AuthSession<Session>\`, 4-chunk session" "$rust/jwt" "$chunked_cookie" "$email"
measure jwt4 "Rust: \`AuthSession<Session>\` (v4 JWT)" "$rust/jwt-v4" "$v4_cookie" "$email"
measure db "Rust: database session, cache hit" "$rust/db" "$db_cookie" "@example.com"
measure dbmiss "Rust: database session, cache off (PostgreSQL query)" "$rust/db-nocache" "$db_cookie" "@example.com"

start_app v5 AUTH_SECRET="$SECRET" AUTH_TRUST_HOST=true
measure next5 "Next.js (next-auth@5): \`/api/auth/session\`" "$app_url/api/auth/session" "$v5_cookie" "$email"
stop_app
start_app v4 NEXTAUTH_SECRET="$SECRET" NEXTAUTH_URL="$app_url"
measure next4 "Next.js (next-auth@4): \`/api/auth/session\`" "$app_url/api/auth/session" "$v4_cookie" "$email"
stop_app
start_app v5-db AUTH_SECRET="$SECRET" AUTH_TRUST_HOST=true DATABASE_URL="$db_url" MAGIC_LINK_FILE="$tmp/links"
measure nextdb "Next.js (next-auth@5, database): \`/api/auth/session\`" "$app_url/api/auth/session" "$db_cookie" "@example.com"
stop_app

ba_cookie=$(mint ba)
measure ba "Rust: Better Auth \`cached_session\` (compact cache)" "$rust/ba" "$ba_cookie" "$email"
port=$(free_port)
start_app better-auth BA_MODE=database BA_CACHE=compact BETTER_AUTH_SECRET="$BA_SECRET" \
  BETTER_AUTH_URL="http://127.0.0.1:$port" DATABASE_URL="$db_url"
measure nextba "Next.js (better-auth): \`/api/auth/get-session\`" "$app_url/api/auth/get-session" "$(mint ba)" "$email"
stop_app

ratio() { python3 -c "import sys; a, b = map(float, sys.argv[1:]); print(f'{a / b:.2f}')" "$1" "$2"; }
cost() { python3 -c "import sys; a, b = map(float, sys.argv[1:]); print(f'{(1 - a / b) * 100:.1f}%')" "$1" "$2"; }

{
  echo "wrk, ${THREADS} threads, ${CONNECTIONS} connections, ${DURATION} s per case (after 2 s of warm-up), 127.0.0.1, $(nproc) cores"
  echo
  echo "| case | requests/s | p50 | p99 |"
  echo "| --- | ---: | ---: | ---: |"
  printf '%s\n' "${rows[@]}"
  echo
  echo "| ratio (same run) | value | target |"
  echo "| --- | ---: | --- |"
  echo "| session check cost: 1 - jwt / no check | $(cost "${rps[jwt]}" "${rps[plain]}") | <= 10% |"
  echo "| session check cost behind \`SessionLayer\` | $(cost "${rps[layer]}" "${rps[plain]}") | <= 10% |"
  echo "| 4-chunk session cost vs no check | $(cost "${rps[chunks]}" "${rps[plain]}") | |"
  echo "| Rust v5 JWT / Next.js v5 session endpoint | $(ratio "${rps[jwt]}" "${rps[next5]}")x | >= 20x |"
  echo "| Rust v4 JWT / Next.js v4 session endpoint | $(ratio "${rps[jwt4]}" "${rps[next4]}")x | >= 20x |"
  echo "| database cache hit / JWT route (requests/s) | $(ratio "${rps[db]}" "${rps[jwt]}") | >= 1/1.2 = 0.83 |"
  echo "| Rust database, cache off / Next.js database | $(ratio "${rps[dbmiss]}" "${rps[nextdb]}")x | |"
  echo "| Rust database, cache hit / Next.js database | $(ratio "${rps[db]}" "${rps[nextdb]}")x | |"
  echo "| Rust Better Auth cache / better-auth get-session | $(ratio "${rps[ba]}" "${rps[nextba]}")x | |"
} | tee "$OUT"
echo "(written to $OUT)" >&2
