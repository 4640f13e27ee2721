#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets from the committed fixtures.

fuzz/corpus/ is not committed (it grows while fuzzing); this script makes the seeds
reproducibly from fixtures/tokens.json and fixtures/requests.json:

- corpus/decode_token/: every token of tokens.json, as bytes.
- corpus/request/: every request of requests.json in the input layout of
  fuzz_targets/request.rs (flags byte, cookie header, 0xFF, authorization header), plus
  the v4 and v5 tokens of tokens.json sent as a single cookie and as a Bearer token.

Files are named by the SHA-1 of their content, so rerunning adds nothing twice and never
removes what the fuzzer found. Usage: python3 fuzz/seed-corpus.py
"""

import hashlib
import json
import pathlib

FUZZ = pathlib.Path(__file__).resolve().parent
FIXTURES = FUZZ.parent / "fixtures"
CUSTOM_NAME = "my-app.session"  # bit 2 of the request target's flags


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

    for target, n in counts.items():
        print(f"{target}: {n} new seeds in {FUZZ / 'corpus' / target}")


if __name__ == "__main__":
    main()
