#!/usr/bin/env bash
# End-to-end test against real Next.js apps: installs examples/nextjs from its lockfile, builds
# the NextAuth.js v4 and Auth.js v5 apps (JWT sessions) and the Auth.js v5 database-session app
# (v5-db, @auth/pg-adapter) once each, builds the Rust example services (examples/axum.rs and
# examples/actix.rs, the same service on two frameworks; every check runs against both),
# starts a throwaway PostgreSQL cluster (scripts/pg-cluster.sh) with the adapter's tables
# (v5-db/schema.sql), then runs every case of e2e.mjs on 127.0.0.1 (see README.md, "Sharing
# sessions with Next.js"). Needs Node 20+, npm and the PostgreSQL server binaries (Debian
# `postgresql`); no browser, no network beyond npm ci.
#
#   bash examples/nextjs/e2e.sh [--skip-install] [--skip-build]
#
# --skip-install / --skip-build reuse node_modules / the .next builds of an earlier run.
# The Better Auth app (better-auth/) is built too and, after e2e.mjs, e2e-better-auth.mjs runs
# against the same cluster (it creates better-auth's tables itself, with better-auth's
# migration API); E2E_BETTER_AUTH=0 leaves it out. The script fails if either runner does.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export NEXT_TELEMETRY_DISABLED=1

install=1
build=1
for arg in "$@"; do
  case $arg in
    --skip-install) install=0 ;;
    --skip-build) build=0 ;;
    *) echo "usage: $0 [--skip-install] [--skip-build]" >&2; exit 2 ;;
  esac
done

phase() { printf -- '--- %s\n' "$*"; }
took() { printf -- '--- took %d s\n' "$((SECONDS - $1))"; }

if [[ $install == 1 ]]; then
  phase "npm ci (examples/nextjs, from the committed lockfile)"
  t=$SECONDS
  # Optional dependencies stay: they carry the Next.js SWC compiler for this platform.
  (cd "$here" && npm ci --no-audit --no-fund)
  took $t
fi

apps=(v4 v5 v5-db)
better_auth=${E2E_BETTER_AUTH:-1}
[[ $better_auth == 1 ]] && apps+=(better-auth)

if [[ $build == 1 ]]; then
  for app in "${apps[@]}"; do
    phase "next build ($app)"
    t=$SECONDS
    (cd "$here/$app" && node ../node_modules/next/dist/bin/next build)
    took $t
  done
fi

# --all-features: the same build as `cargo test --all-features`, so in CI this is a no-op. Both
# Rust services (the same service on axum and on actix-web) in one cargo run.
phase "cargo build --example axum --example actix --all-features"
t=$SECONDS
# The executables' paths from cargo itself, whatever CARGO_TARGET_DIR or build config says:
# `axum=<path>,actix=<path>`, the runners' first argument.
services=$(cd "$root" &&
  cargo build --example axum --example actix --all-features --message-format=json-render-diagnostics |
  node -e '
    let out = "";
    const found = {};
    process.stdin.on("data", (d) => (out += d)).on("end", () => {
      for (const line of out.split("\n")) {
        if (!line.startsWith("{")) continue;
        const m = JSON.parse(line);
        if (m.reason === "compiler-artifact" && m.executable && ["axum", "actix"].includes(m.target.name)) {
          found[m.target.name] = m.executable;
        }
      }
      console.log(["axum", "actix"].filter((n) => found[n]).map((n) => `${n}=${found[n]}`).join(","));
    });')
for name in axum actix; do
  bin=$(tr , '\n' <<<"$services" | sed -n "s/^$name=//p")
  [[ -x $bin ]] || { echo "cannot find the compiled $name example" >&2; exit 1; }
done
echo "$services"
took $t

phase "PostgreSQL for the v5-db app (scripts/pg-cluster.sh)"
t=$SECONDS
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nextauth-e2e.XXXXXX")
# Started by root, the server runs as `postgres`, which must reach its directory inside $tmp.
chmod 711 "$tmp"
cleanup() {
  bash "$root/scripts/pg-cluster.sh" stop "$tmp/pg" || true
  rm -rf "$tmp"
}
trap cleanup EXIT
# --watch $$: the cluster also goes when this script dies without running its trap.
if ! db_url=$(bash "$root/scripts/pg-cluster.sh" start "$tmp/pg" --watch $$); then
  echo "e2e: scripts/pg-cluster.sh could not start a PostgreSQL cluster in $tmp/pg (its error" \
    "is above). The v5-db cases need one: the PostgreSQL server binaries (apt-get install" \
    "postgresql) and, when run as root, a TMPDIR the postgres user can traverse." >&2
  exit 1
fi
db_url=${db_url##*$'\n'}
# The tables of @auth/pg-adapter, created with node-postgres from the workspace (no psql needed).
(cd "$here" && node -e '
  const { Client } = require("pg");
  const sql = require("fs").readFileSync("v5-db/schema.sql", "utf8");
  const client = new Client({ connectionString: process.argv[1] });
  client.connect()
    .then(() => client.query(sql))
    .then(() => client.end())
    .catch((e) => { console.error(`e2e: v5-db/schema.sql: ${e.message}`); process.exit(1); });
' "$db_url")
echo "$db_url (tables of v5-db/schema.sql)"
took $t

phase "cases"
status=0
E2E_DATABASE_URL=$db_url node "$here/e2e.mjs" "$services" || status=$?

if [[ $better_auth == 1 ]]; then
  phase "Better Auth cases (E2E_BETTER_AUTH=1, e2e-better-auth.mjs)"
  E2E_DATABASE_URL=$db_url node "$here/e2e-better-auth.mjs" "$services" || status=$?
fi
exit $status
