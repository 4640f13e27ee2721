#!/usr/bin/env python3
"""The ratios issue 4 sets targets for, from the criterion run that just finished.

    cargo bench --bench decode && cargo bench -p nextauth-session-interop --bench josekit \
        && python3 benches/compare/ratios.py

Ratios between medians of one run; several criterion directories side by side
(criterion_medians.py).
"""
from criterion_medians import load, print_ratios, runs

rows = []
for fl in ("v4", "v5"):
    for size in ("typical", "large-8k"):
        rows.append((f"decode / floor (base64 + aead + serde), {fl} {size}", "<= 1.25",
                     lambda m, fl=fl, size=size: m[f"decode/{fl}/{size}"]
                     / sum(m[f"floor/{fl}-{p}/{size}"] for p in ("base64", "aead", "serde"))))
# josekit against decode, both measured in the same run of the interop member's bench
# (`cargo bench -p nextauth-session-interop --bench josekit`; josekit links OpenSSL).
for fl, target in (("v4", ">= 2.5"), ("v5", ">= 4")):
    for size in ("typical", "large-8k"):
        rows.append((f"josekit / decode, {fl} {size}", target if size == "typical" else "",
                     lambda m, fl=fl, size=size: m[f"josekit/{fl}-josekit/{size}"]
                     / m[f"josekit/{fl}-decode/{size}"]))
for fl in ("v4", "v5"):
    for shape, target in (("unchunked", "<= 1.10"), ("chunks-2", ""), ("chunks-4", "<= 1.15")):
        rows.append((f"get_token / decode of the joined token, {fl} {shape}", target,
                     lambda m, fl=fl, shape=shape: m[f"request/{fl}-get_token/{shape}"]
                     / m[f"request/{fl}-decode_joined/{shape}"]))

print_ratios(rows, [load(r) for r in runs()])
