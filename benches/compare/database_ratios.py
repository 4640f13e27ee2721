#!/usr/bin/env python3
"""The database-session ratios the issue sets targets for, from the criterion run that just
finished (benches/database.rs).

    cargo bench --bench database --all-features && python3 benches/compare/database_ratios.py

Every ratio is taken between medians of the same run (target/criterion/<group>/<id>/new), so
the shared machine's speed cancels out. Pass several criterion directories (copies of
target/criterion from separate runs) to see each run side by side. The harness cost
(`block_on` of an empty future on a current-thread runtime) is in both rows of each ratio; the
`net of harness` rows subtract it from both, the stricter reading.
"""
from criterion_medians import load, print_ratios, runs

HIT = "database_cache_hit"
PG = "database_cache_miss_pg"
LITE = "database_cache_miss_sqlite"

medians_rows = [
    ("cache hit: store.from_cookie_header", f"{HIT}/store_from_cookie_header"),
    ("cache hit: store.session(token)", f"{HIT}/store_session_token"),
    ("JWT: get_token::<Session> (v5 typical)", f"{HIT}/jwt_get_token_v5"),
    ("harness: block_on(empty)", f"{HIT}/harness"),
    ("miss, PostgreSQL: store (cache off)", f"{PG}/store_session"),
    ("miss, PostgreSQL: bare sqlx", f"{PG}/sqlx_bare"),
    ("miss, SQLite: store (cache off)", f"{LITE}/store_session"),
    ("miss, SQLite: bare sqlx", f"{LITE}/sqlx_bare"),
]

ratio_rows = [
    ("cache hit / JWT get_token", "<= 1.5",
     lambda m: m[f"{HIT}/store_from_cookie_header"] / m[f"{HIT}/jwt_get_token_v5"]),
    ("cache hit / JWT get_token, net of harness", "",
     lambda m: (m[f"{HIT}/store_from_cookie_header"] - m[f"{HIT}/harness"])
     / (m[f"{HIT}/jwt_get_token_v5"] - m[f"{HIT}/harness"])),
    ("miss PostgreSQL: store / bare sqlx", "<= 1.2",
     lambda m: m[f"{PG}/store_session"] / m[f"{PG}/sqlx_bare"]),
    ("miss SQLite: store / bare sqlx", "",
     lambda m: m[f"{LITE}/store_session"] / m[f"{LITE}/sqlx_bare"]),
]


def fmt_ns(ns):
    return f"{ns / 1000:.2f} µs"


medians = [load(r) for r in runs()]
cols = " | ".join(f"run {i + 1}" for i in range(len(medians)))
print(f"| median | {cols} |")
print(f"|---|{'---|' * len(medians)}")
for name, key in medians_rows:
    print(f"| {name} | {' | '.join(fmt_ns(m[key]) if key in m else 'n/a' for m in medians)} |")
print()
print_ratios(ratio_rows, medians)
