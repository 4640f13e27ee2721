#!/usr/bin/env bash
# Builds the libFuzzer targets with the stable toolchain and runs each for a fixed time.
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]     (default: 20 s, every target)
#
# No nightly and no cargo-fuzz needed: the same instrumentation `cargo fuzz build -s none`
# uses (SanitizerCoverage through stable -C flags), without AddressSanitizer (Rust code
# without `unsafe` does not need it; the library forbids unsafe code). Debug assertions and
# overflow checks are on, so an arithmetic overflow is a crash too. Seeds come from the
# fixtures (seed-corpus.py); the corpus grows in fuzz/corpus/<target>/ across runs.
#
# Exits non-zero, after printing the reproducer's path, when a target crashes (panic, abort),
# hangs (-timeout) or exceeds the memory limit (-rss_limit_mb, -malloc_limit_mb).
# Reproduce with: fuzz/target/<triple>/release/<target> <artifact file>
set -euo pipefail
cd "$(dirname "$0")"

seconds=${1:-20}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(decode_token request better_auth_cookie better_auth_cache database_token)
fi

triple=$(rustc -vV | sed -n 's/^host: //p')
target_dir=${CARGO_TARGET_DIR:-$PWD/target}
export RUSTFLAGS="${RUSTFLAGS:-} --cfg fuzzing \
  -Cpasses=sancov-module \
  -Cllvm-args=-sanitizer-coverage-level=4 \
  -Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
  -Cllvm-args=-sanitizer-coverage-pc-table \
  -Cllvm-args=-sanitizer-coverage-trace-compares \
  -Cdebug-assertions -Coverflow-checks"

# --target keeps the flags off build scripts and proc macros, as cargo-fuzz does.
cargo build --release --manifest-path Cargo.toml --target "$triple" \
  --target-dir "$target_dir" $(printf -- '--bin %s ' "${targets[@]}")

python3 seed-corpus.py

status=0
for t in "${targets[@]}"; do
  printf '\n--> fuzzing %s for %s s\n' "$t" "$seconds"
  mkdir -p "corpus/$t" "artifacts/$t"
  log=$(mktemp)
  if "$target_dir/$triple/release/$t" "corpus/$t" \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 -malloc_limit_mb=512 \
      -artifact_prefix="artifacts/$t/" -print_final_stats=1 >"$log" 2>&1; then
    grep -E '^(Done|stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb))' "$log" || true
  else
    status=1
    tail -n 60 "$log"
    echo "fuzz target $t failed; reproducer(s):" >&2
    ls -1 "artifacts/$t/" >&2
  fi
  rm -f "$log"
done
exit $status
