#!/usr/bin/env bash
# Mutation testing of the security core with cargo-mutants (27.x; `cargo install
# cargo-mutants`). Not part of .ci/run: on 2 cores it takes one to two hours.
#
#   .ci/mutants.sh              # every group below, in order
#   .ci/mutants.sh crypto csrf  # only these groups
#
# Groups: crypto, cookies, csrf, database, claims, better-auth. Each group mutates its files
# in two passes:
#   1. the unit tests alone (`--lib`): one test binary to rebuild per mutant, a few seconds
#      each; most mutants are caught here;
#   2. the mutants pass 1 did not catch, again (`--iterate`), with every test target that
#      exercises the group (integration tests on the fixtures, PostgreSQL and SQLite).
# cargo-mutants copies the tree to a temporary directory and builds there, into its own
# target directory ($MUTANTS_TARGET_DIR, default target/mutants-build, reused between runs
# so the dependencies build once), one job at a time, at the lowest priority. Reports go to
# target/mutants/GROUP/mutants.out (pass 2; pass 1's in mutants.out.old). Mutants that
# cannot change behaviour are listed, each with its reason, in .cargo/mutants.toml. Exits
# non-zero if any group has a missed mutant or a failing baseline; prints a summary line per
# group at the end. A mutant that makes the tests hang past the timeout is detected, not
# missed: it is listed, and does not fail the run (pass 2 does not run it again).
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
# test targets of pass 2 (cargo arguments)
groups=(
  "crypto|90|better-auth|src/crypto/b64.rs src/crypto/jwe.rs src/crypto/secret.rs src/crypto/hmac.rs|--lib --test=interop --test=better_auth"
  "cookies|90|better-auth|src/request/cookies.rs|--lib --test=interop --test=better_auth"
  "csrf|90|axum,tower|src/authjs/csrf.rs|--lib --test=interop --test=axum"
  "database|240|postgres,sqlite,axum,tower,better-auth|src/database/backend.rs src/database/schema.rs|--lib --test=database --test=better_auth"
  "claims|240|better-auth,postgres,sqlite,axum,tower|src/claims/*.rs|--lib --test=interop --test=better_auth --test=database"
  "better-auth|240|better-auth,postgres,sqlite,axum,tower|src/better_auth/*.rs|--lib --test=better_auth"
)

count() { [[ -f $1 ]] && wc -l <"$1" | tr -d ' ' || echo 0; }

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
  out=target/mutants/$name
  rm -rf "$out" # never read a previous run's outcomes
  mkdir -p "$out"
  common=(-j 1 --timeout "$timeout" --no-shuffle --features "$features" "${file_args[@]}" --output "$out")

  printf '\n==> cargo mutants: %s, pass 1: unit tests (%s)\n' "$name" "$files"
  nice -n 19 cargo mutants "${common[@]}" --cargo-arg=--lib
  rc1=$?
  pass1=$out/mutants.out
  if [[ ! -f $pass1/outcomes.json ]] || ((rc1 != 0 && rc1 != 2 && rc1 != 3)); then
    summary+=("$name: pass 1 failed (cargo-mutants exit $rc1)")
    status=1
    continue
  fi
  cp "$pass1/timeout.txt" "$out/timeout-pass1.txt" 2>/dev/null || : >"$out/timeout-pass1.txt"
  caught=$(count "$pass1/caught.txt")
  unviable=$(count "$pass1/unviable.txt")
  rc2=0
  if [[ -s $pass1/missed.txt ]]; then
    # Pass 2 runs what pass 1 missed; what hung in pass 1 is not run again.
    exclude=()
    while IFS= read -r m; do
      exclude+=(-E "^$(printf '%s' "$m" | sed 's/[][\.*^$(){}+?|/]/\\&/g')\$")
    done <"$out/timeout-pass1.txt"
    target_args=()
    for t in $targets; do target_args+=("--cargo-arg=$t"); done
    printf '\n==> cargo mutants: %s, pass 2: %s mutants again with %s\n' \
      "$name" "$(count "$pass1/missed.txt")" "$targets"
    nice -n 19 cargo mutants "${common[@]}" --iterate "${exclude[@]}" "${target_args[@]}"
    rc2=$?
    # Pass 2's lists hold its own outcomes (pass 1's report is in mutants.out.old).
    caught=$((caught + $(count "$out/mutants.out/caught.txt")))
    unviable=$((unviable + $(count "$out/mutants.out/unviable.txt")))
  fi
  final=$out/mutants.out
  missed=$(count "$final/missed.txt")
  cat "$out/timeout-pass1.txt" "$final/timeout.txt" 2>/dev/null | sort -u >"$out/timeouts.txt"
  timeouts=$(count "$out/timeouts.txt")
  summary+=("$name: $((caught + unviable + missed + timeouts)) mutants: $caught caught, $unviable unviable, $missed missed, $timeouts timeout")
  [[ -s $final/missed.txt ]] && sed 's/^/  missed: /' "$final/missed.txt"
  sed 's/^/  timeout (detected): /' "$out/timeouts.txt"
  # cargo-mutants exits 2 for missed mutants and 3 for timeouts: judge by the list of missed
  # mutants, and by any other failure (4: baseline failed, ...).
  if [[ -s $final/missed.txt ]] || ((rc2 != 0 && rc2 != 2 && rc2 != 3)); then
    status=1
  fi
done

printf '\n==> summary (cargo-mutants %s)\n' "$(cargo mutants --version | awk '{print $2}')"
printf '%s\n' "${summary[@]}"
exit "$status"
