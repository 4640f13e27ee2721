#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets from the committed fixtures.

fuzz/corpus/ is not committed (it grows while fuzzing); this script makes the seeds
reproducibly from fixtures/tokens.json, fixtures/requests.json,
fixtures/better-auth/cases.json and fixtures/database/cases.json:

- corpus/decode_token/: every token of tokens.json, as bytes.
- corpus/request/: every request of requests.json in the input layout of
  fuzz_targets/request.rs (flags byte, cookie header, 0xFF, authorization header), plus
  the v4 and v5 tokens of tokens.json sent as a single cookie and as a Bearer token.
- corpus/better_auth_cookie/: every Better Auth case's cookie header with its configuration
  index and time (fuzz_targets/better_auth_cookie.rs).
- corpus/better_auth_cache/: the compact caches' JSON text and the jwt caches' claims of the
  Better Auth cases, and their sessions as encoder input, unchunked and in chunks
  (fuzz_targets/better_auth_cache.rs).
- corpus/database_token/: every database case's cookie header with its flags
  (fuzz_targets/database_token.rs).

Files are named by the SHA-1 of their content, so rerunning adds nothing twice and never
removes what the fuzzer found. Usage: python3 fuzz/seed-corpus.py
"""

import base64
import hashlib
import json
import pathlib
import struct
import urllib.parse

FUZZ = pathlib.Path(__file__).resolve().parent
FIXTURES = FUZZ.parent / "fixtures"
CUSTOM_NAME = "my-app.session"  # bit 2 of the request target's flags
# The configurations of fuzz_targets/better_auth_cookie.rs (CONFIGS), in its order; the
# SQLite twins of two configurations read the same cookies.
BETTER_AUTH_CONFIGS = ["db-nocache", "db-compact", "db-jwt", "db-jwe", "stateless", "db-secure",
                       "db-prefix", "db-custom-names", "db-rotation"]
BETTER_AUTH_TWINS = {"sqlite-db-nocache": "db-nocache", "sqlite-db-compact": "db-compact"}


def write(target: str, data: bytes) -> bool:
    directory = FUZZ / "corpus" / target
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / hashlib.sha1(data).hexdigest()
    if path.exists():
        return False
    path.write_bytes(data)
    return True


def request_input(flavor, secure, custom_name, cookie, authorization) -> bytes:
    flags = (
        (flavor == "v5") * 1
        | secure * 2
        | custom_name * 4
        | (cookie is not None) * 8
        | (authorization is not None) * 16
    )
    return (
        bytes([flags])
        + (cookie or "").encode()
        + b"\xff"
        + (authorization or "").encode()
    )


def main() -> None:
    tokens = json.loads((FIXTURES / "tokens.json").read_text())["cases"]
    requests = json.loads((FIXTURES / "requests.json").read_text())["cases"]
    counts = {"decode_token": 0, "request": 0}

    for case in tokens:
        counts["decode_token"] += write("decode_token", case["token"].encode())

    for case in requests:
        if case["cookie_name"] not in (None, CUSTOM_NAME):
            continue  # the fuzz target knows only the default names and CUSTOM_NAME
        data = request_input(
            case["flavor"],
            case["secure"],
            case["cookie_name"] == CUSTOM_NAME,
            case["cookie"],
            case["authorization"],
        )
        counts["request"] += write("request", data)

    cookie_names = {"v4": "next-auth.session-token", "v5": "authjs.session-token"}
    for case in tokens:
        flavor, token = case["flavor"], case["token"]
        cookie = f"theme=dark; {cookie_names[flavor]}={token}"
        counts["request"] += write("request", request_input(flavor, False, False, cookie, None))
        bearer = f"Bearer {token}"
        counts["request"] += write("request", request_input(flavor, False, False, None, bearer))

    better_auth(counts)
    database(counts)

    for target, n in counts.items():
        print(f"{target}: {n} new seeds in {FUZZ / 'corpus' / target}")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def cookie_pairs(header: str):
    for piece in header.split(";"):
        if "=" in piece:
            name, value = piece.split("=", 1)
            yield name.strip(), value.strip()


def better_auth(counts) -> None:
    cases = json.loads((FIXTURES / "better-auth" / "cases.json").read_text())
    configs = {c["id"]: c for c in cases["configs"]}
    counts["better_auth_cookie"] = counts["better_auth_cache"] = 0
    for case in cases["cases"]:
        config_id = BETTER_AUTH_TWINS.get(case["config"], case["config"])
        if case["cookie"] is None or config_id not in BETTER_AUTH_CONFIGS:
            continue
        index = BETTER_AUTH_CONFIGS.index(config_id)
        data = bytes([index]) + struct.pack("<q", case["now_ms"]) + case["cookie"].encode()
        counts["better_auth_cookie"] += write("better_auth_cookie", data)

        # better_auth_cache: the payloads of the default-named caches of version "2".
        config = configs[case["config"]]
        names = config["cookie_names"]
        pairs = dict(reversed(list(cookie_pairs(case["cookie"]))))  # first occurrence wins
        signed = urllib.parse.unquote(pairs.get(names["session_token"], ""))
        token = signed.rsplit(".", 1)[0].encode() if "." in signed else b""
        if len(token) > 255:
            continue
        chunks = [pairs.get(f"{names['session_data']}.{i}") for i in range(8)]
        value = pairs.get(names["session_data"]) or "".join(c for c in chunks if c)
        payload = None
        if config["cache"] == "compact" and config["cache_version"] == "2" and value:
            try:
                payload, mode = b64url_decode(value), 0
            except ValueError:
                payload = None
        elif config["cache"] == "jwt" and config["cache_version"] == "2" and value.count(".") == 2:
            try:
                payload, mode = b64url_decode(value.split(".")[1]), 1
            except ValueError:
                payload = None
        if payload is not None:
            for extra in (0x00, 0x30, 0xB0):  # unchunked; 3 chunks; 3 chunks reversed
                data = bytes([mode | extra, len(token)]) + token + payload
                counts["better_auth_cache"] += write("better_auth_cache", data)
        # Encoder round trips of the sessions better-auth answered, in each strategy.
        if case.get("session") and isinstance(case["session"], dict):
            body = json.dumps({"session": case["session"]["session"], "user": case["session"]["user"]})
            for mode in (0x02, 0x06, 0x0A, 0x03, 0x32, 0xBA):
                data = bytes([mode, len(token)]) + token + body.encode()
                counts["better_auth_cache"] += write("better_auth_cache", data)


def database(counts) -> None:
    cases = json.loads((FIXTURES / "database" / "cases.json").read_text())["cases"]
    counts["database_token"] = 0
    for case in cases:
        if case.get("cookie") is None:
            continue
        name = case.get("cookie_name") or ""
        flags = (case.get("library") == "v4") * 1 | bool(case.get("secure")) * 2 | (name == CUSTOM_NAME) * 4
        counts["database_token"] += write("database_token", bytes([flags]) + case["cookie"].encode())
    for token in ("24dc1c1a-1c3f-4650-865a-957d122cce27", "tok en;=%", "expired"):
        counts["database_token"] += write("database_token", bytes([0]) + token.encode())
        cookie = "authjs.session-token=" + urllib.parse.quote(token, safe="")
        counts["database_token"] += write("database_token", bytes([0]) + cookie.encode())


if __name__ == "__main__":
    main()
