#!/usr/bin/env python3
"""Supply-chain check over `cargo metadata`: licenses, sources, bans.

The equivalent of `cargo deny check licenses bans sources`, which cannot be used here:
`cargo install cargo-deny` did not finish within 8 minutes on this 2-core machine (it builds
about 350 crates), and its advisories check needs the network anyway.

- licenses: every package in the resolved graph (runtime, build and dev dependencies, all
  features, all platforms) has an SPDX `license` expression satisfiable with ALLOWED_LICENSES.
  An `OR` needs one allowed side, an `AND` both; `MIT/Apache-2.0` is the old `OR` spelling.
- sources: every package comes from crates.io or is the workspace itself; no git or other
  registry sources, no path dependencies outside the repository.
- bans: the runtime graph (normal and build dependencies of the library, all features) has
  no crate of BANNED (C / OpenSSL code: the library is pure Rust) and no crate in two versions
  unless DUPLICATES_ALLOWED says why. Duplicates reached only through dev-dependencies are
  listed, not failed.

Usage: python3 .ci/supply-chain.py   (from anywhere in the repository; exit 1 on a violation)
"""

import json
import pathlib
import re
import subprocess
import sys
from collections import defaultdict

ALLOWED_LICENSES = {
    "MIT",
    "Apache-2.0",
    "Apache-2.0 WITH LLVM-exception",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "ISC",
    "Zlib",
    "0BSD",
    "Unlicense",
    "Unicode-3.0",
    "Unicode-DFS-2016",
    "CC0-1.0",
}

CRATES_IO = {
    "registry+https://github.com/rust-lang/crates.io-index",
    "sparse+https://index.crates.io/",
}

# Crates that bring C code or OpenSSL into the library (dev-dependencies may: josekit).
BANNED = {"openssl", "openssl-sys", "cc", "ring", "aws-lc-sys", "aws-lc-rs", "libz-sys"}

# BANNED crates allowed on the runtime path, and through which parent only.
BANNED_EXCEPT: dict[str, tuple[str, str]] = {
    "cc": (
        "libsqlite3-sys",
        "feature `sqlite` compiles SQLite itself (bundled C, no system library); every other "
        "feature, `postgres` included, is pure Rust",
    ),
}

# name -> why two versions of it in the runtime graph are acceptable.
_SQLX_CRYPTO = (
    "sqlx 0.8 (features postgres/sqlite) uses the previous RustCrypto generation (digest 0.10) "
    "for PostgreSQL's SCRAM login; the crate's own crypto uses the current one"
)
DUPLICATES_ALLOWED: dict[str, str] = {
    "block-buffer": _SQLX_CRYPTO,
    "cpufeatures": _SQLX_CRYPTO,
    "crypto-common": _SQLX_CRYPTO,
    "digest": _SQLX_CRYPTO,
    "hkdf": _SQLX_CRYPTO,
    "hmac": _SQLX_CRYPTO,
    "sha2": _SQLX_CRYPTO,
    "getrandom": "sqlx-postgres draws its SCRAM nonce through rand 0.8 (getrandom 0.2)",
    "rand_core": "sqlx-postgres draws its SCRAM nonce through rand 0.8 (rand_core 0.6)",
    "foldhash": "sqlx-core's statement cache (hashlink) pins hashbrown 0.15",
    "hashbrown": "sqlx-core's statement cache (hashlink) pins hashbrown 0.15",
    "redox_syscall": "Redox only: parking_lot (sqlx) and another dependency pin different ones",
    "windows-sys": "Windows only: sqlx-postgres' etcetera pins windows-sys 0.48",
    "syn": "proc-macros only (clap_derive for the CLI, displaydoc for sqlx's url parser) run at build time",
    "http": "actix-web 4 (feature `actix`) is built on http 0.2; the crate's header API, and the "
    "other frameworks, use http 1 (the actix integration copies the few headers it reads)",
}

ROOT = pathlib.Path(__file__).resolve().parent.parent


def tokenize(expr: str) -> list[str]:
    expr = expr.replace("/", " OR ")
    return re.findall(r"\(|\)|[A-Za-z0-9.+-]+", expr)


def allowed(expr: str) -> bool:
    """Evaluates an SPDX license expression against ALLOWED_LICENSES."""
    tokens = tokenize(expr)
    pos = 0

    def peek():
        return tokens[pos] if pos < len(tokens) else None

    def take():
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def primary() -> bool:
        if peek() == "(":
            take()
            value = disjunction()
            if take() != ")":
                raise ValueError(expr)
            return value
        name = take()
        if peek() == "WITH":
            take()
            name = f"{name} WITH {take()}"
        return name in ALLOWED_LICENSES

    def conjunction() -> bool:
        value = primary()
        while peek() == "AND":
            take()
            value = primary() and value
        return value

    def disjunction() -> bool:
        value = conjunction()
        while peek() == "OR":
            take()
            value = conjunction() or value
        return value

    result = disjunction()
    if pos != len(tokens):
        raise ValueError(f"cannot parse license expression {expr!r}")
    return result


def main() -> int:
    metadata = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--all-features"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    packages = {p["id"]: p for p in metadata["packages"]}
    workspace = set(metadata["workspace_members"])
    problems: list[str] = []

    for p in packages.values():
        what = f"{p['name']} {p['version']}"
        license_expr = p.get("license")
        if p["id"] in workspace:
            pass
        elif not license_expr:
            problems.append(f"license: {what} declares no SPDX license")
        else:
            try:
                if not allowed(license_expr):
                    problems.append(f"license: {what} is {license_expr!r}, not allowed")
            except ValueError as e:
                problems.append(f"license: {what}: {e}")

        source = p.get("source")
        if source is None:
            manifest = pathlib.Path(p["manifest_path"]).resolve()
            if p["id"] not in workspace or ROOT not in manifest.parents:
                problems.append(f"source: {what} is a path dependency outside the workspace")
        elif source not in CRATES_IO:
            problems.append(f"source: {what} comes from {source}, not crates.io")

    # The runtime graph: normal and build edges from the published workspace members (the
    # crate; interop/, `publish = false`, is a test harness whose josekit links OpenSSL).
    nodes = {n["id"]: n for n in metadata["resolve"]["nodes"]}
    runtime: set[str] = set()
    stack = [pid for pid in workspace if packages[pid].get("publish") != []]
    while stack:
        node = stack.pop()
        if node in runtime:
            continue
        runtime.add(node)
        for dep in nodes[node]["deps"]:
            if any(k["kind"] in (None, "build") for k in dep["dep_kinds"]):
                stack.append(dep["pkg"])

    versions: dict[str, set[str]] = defaultdict(set)
    runtime_versions: dict[str, set[str]] = defaultdict(set)
    for pid, p in packages.items():
        versions[p["name"]].add(p["version"])
        if pid in runtime:
            runtime_versions[p["name"]].add(p["version"])
            if p["name"] in BANNED:
                parents = {
                    packages[n]["name"]
                    for n in runtime
                    if any(d["pkg"] == pid for d in nodes[n]["deps"])
                }
                allowed_parent, why = BANNED_EXCEPT.get(p["name"], (None, ""))
                if parents == {allowed_parent}:
                    print(f"note: {p['name']} {p['version']} through {allowed_parent}: {why}")
                else:
                    problems.append(f"bans: {p['name']} {p['version']} is on the runtime path")
    for name, vs in sorted(versions.items()):
        if len(vs) < 2:
            continue
        listed = ", ".join(sorted(vs))
        if len(runtime_versions[name]) > 1 and name not in DUPLICATES_ALLOWED:
            problems.append(f"bans: {name} in several versions at runtime: {listed}")
        elif len(runtime_versions[name]) > 1:
            print(f"note: {name} {listed} at runtime: {DUPLICATES_ALLOWED[name]}")
        else:
            print(f"note: {name} {listed} (through dev-dependencies only)")

    print(
        f"{len(packages)} packages checked ({len(runtime)} on the runtime path): "
        f"licenses, sources, bans"
    )
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
