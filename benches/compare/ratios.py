#!/usr/bin/env python3
"""The ratios issue 4 sets targets for, from the criterion run that just finished.

    cargo bench --bench decode && python3 benches/compare/ratios.py

Every ratio is taken between medians of the same run (target/criterion/<group>/<id>/new), so
the shared machine's speed cancels out. Pass several criterion directories (copies of
target/criterion from separate runs) to see the ratio of each run side by side.
"""
import glob
import json
import os
import sys

root = os.path.join(os.path.dirname(__file__), "..", "..", "target", "criterion")
runs = sys.argv[1:] or [root]


def load(path):
    medians = {}
    for f in glob.glob(os.path.join(path, "**", "new", "estimates.json"), recursive=True):
        key = os.path.relpath(f, path)[: -len("/new/estimates.json")]
        with open(f) as fh:
            medians[key] = json.load(fh)["median"]["point_estimate"]
    return medians


rows = []
for fl in ("v4", "v5"):
    for size in ("typical", "large-8k"):
        rows.append((f"decode / floor (base64 + aead + serde), {fl} {size}", "<= 1.25",
                     lambda m, fl=fl, size=size: m[f"decode/{fl}/{size}"]
                     / sum(m[f"floor/{fl}-{p}/{size}"] for p in ("base64", "aead", "serde"))))
for fl, target in (("v4", ">= 2.5"), ("v5", ">= 4")):
    for size in ("typical", "large-8k"):
        rows.append((f"josekit / decode, {fl} {size}", target if size == "typical" else "",
                     lambda m, fl=fl, size=size: m[f"josekit/{fl}/{size}"] / m[f"decode/{fl}/{size}"]))
for fl in ("v4", "v5"):
    for shape, target in (("unchunked", "<= 1.10"), ("chunks-2", ""), ("chunks-4", "<= 1.15")):
        rows.append((f"get_token / decode of the joined token, {fl} {shape}", target,
                     lambda m, fl=fl, shape=shape: m[f"request/{fl}-get_token/{shape}"]
                     / m[f"request/{fl}-decode_joined/{shape}"]))

medians = [load(r) for r in runs]
print(f"| ratio | target | {' | '.join(f'run {i + 1}' for i in range(len(runs)))} |")
print(f"|---|---|{'---|' * len(runs)}")
for name, target, f in rows:
    cells = []
    for m in medians:
        try:
            cells.append(f"{f(m):.2f}")
        except KeyError:
            cells.append("n/a")
    print(f"| {name} | {target} | {' | '.join(cells)} |")
