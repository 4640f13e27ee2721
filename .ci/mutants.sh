#!/usr/bin/env bash
# Mutation testing of the security core with cargo-mutants (27.x; `cargo install
# cargo-mutants`). Not part of .ci/run: on 2 cores it takes hours.
#
#   .ci/mutants.sh              # every group below, in order
#   .ci/mutants.sh crypto csrf  # only these groups
#
# Groups: crypto, cookies, csrf, database, claims, better-auth. Each group mutates its files
# and runs only the test targets that exercise them, with the features they need.
# cargo-mutants copies the tree to a temporary directory and builds there, into its own
# target directory ($MUTANTS_TARGET_DIR, default target/mutants-build, reused between runs
# so the dependencies build once), one job at a time, at the lowest priority. Reports go to
# target/mutants/GROUP/mutants.out. Mutants that cannot change behaviour are listed, each
# with its reason, in .cargo/mutants.toml. Exits non-zero if any group has a missed mutant,
# or a failing baseline; prints a summary line per group at the end. A mutant that makes the
# tests hang past the group's timeout (a few times its baseline test time) is detected, not
# missed: it is listed, and does not fail the run.
set -uo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

command -v cargo-mutants >/dev/null || {
  echo "cargo-mutants is required: cargo install --locked cargo-mutants" >&2
  exit 1
}
repo=$(pwd)
export CARGO_TARGET_DIR=${MUTANTS_TARGET_DIR:-$repo/target/mutants-build}
# Each mutant is rebuilt and relinked: no debug info makes that faster.
export CARGO_PROFILE_DEV_DEBUG=0 CARGO_PROFILE_TEST_DEBUG=0
# group name | test timeout (s; $MUTANTS_TIMEOUT overrides) | features | files (-f) |
# test targets (cargo arguments)
groups=(
  "crypto|90|better-auth|src/crypto/b64.rs src/crypto/jwe.rs src/crypto/secret.rs src/crypto/hmac.rs|--lib --test=interop --test=better_auth"
  "cookies|90|better-auth|src/request/cookies.rs|--lib --test=interop --test=better_auth"
  "csrf|90|axum,tower|src/authjs/csrf.rs|--lib --test=interop --test=axum"
  "database|240|postgres,sqlite,axum,tower,better-auth|src/database/backend.rs src/database/schema.rs|--lib --test=database --test=better_auth"
  "claims|240|better-auth,postgres,sqlite,axum,tower|src/claims/*.rs|--lib --test=interop --test=better_auth --test=database"
  "better-auth|240|better-auth,postgres,sqlite|src/better_auth/*.rs|--lib --test=better_auth"
)

wanted=("$@")
summary=()
status=0
for group in "${groups[@]}"; do
  IFS='|' read -r name timeout features files targets <<<"$group"
  timeout=${MUTANTS_TIMEOUT:-$timeout}
  if ((${#wanted[@]})) && ! printf '%s\n' "${wanted[@]}" | grep -qx "$name"; then
    continue
  fi
  file_args=()
  for f in $files; do file_args+=(-f "$f"); done
  # The targets go to every cargo invocation, so that each mutant's build compiles only the
  # test targets that run (not every example and test binary the features enable).
  target_args=()
  for t in $targets; do target_args+=("--cargo-arg=$t"); done
  out=target/mutants/$name
  rm -rf "$out/mutants.out" "$out/mutants.out.old" # never read a previous run's outcomes
  mkdir -p "$out"
  printf '\n==> cargo mutants: %s (%s)\n' "$name" "$files"
  nice -n 19 cargo mutants -j 1 --timeout "$timeout" --no-shuffle \
    --features "$features" "${file_args[@]}" "${target_args[@]}" --output "$out"
  rc=$?
  outcomes=$out/mutants.out/outcomes.json
  if [[ -f $outcomes ]]; then
    line=$(python3 - "$outcomes" <<'EOF'
import json, sys
o = json.load(open(sys.argv[1]))
print(f"{o['total_mutants']} mutants: {o['caught']} caught, {o['unviable']} unviable, "
      f"{o['missed']} missed, {o['timeout']} timeout")
EOF
)
  else
    line="no outcomes (cargo-mutants exit $rc)"
  fi
  summary+=("$name: $line (exit $rc)")
  [[ -f $out/mutants.out/missed.txt ]] && sed 's/^/  missed: /' "$out/mutants.out/missed.txt"
  [[ -f $out/mutants.out/timeout.txt ]] && sed 's/^/  timeout (detected): /' "$out/mutants.out/timeout.txt"
  # cargo-mutants exits 3 when a mutant timed out, even if others were missed: judge by the
  # list of missed mutants, and by any other failure (2: missed, 4: baseline failed, ...).
  if [[ -s $out/mutants.out/missed.txt ]] || ((rc != 0 && rc != 3)) || [[ ! -f $outcomes ]]; then
    status=1
  fi
done

printf '\n==> summary (cargo-mutants %s)\n' "$(cargo mutants --version | awk '{print $2}')"
printf '%s\n' "${summary[@]}"
exit "$status"
