#!/usr/bin/env bash
# Benchmarks this crate and the JavaScript references on the same tokens, in one run, and
# prints one table with ratios. Needs Node 20; installs the pinned reference packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
(cd fixtures/generator && npm ci --no-audit --no-fund --loglevel=error)
cargo bench --bench decode
cargo bench -p nextauth-session-interop --bench josekit
python3 benches/compare/ratios.py
node benches/compare/compare.mjs
