//! The `session_data` cookie cache's payload parsers, reached directly: arbitrary JSON text in
//! a `compact` cache (its JSON parse and the `JSON.stringify` re-serialization its signature is
//! checked over), arbitrary claims in a validly signed `jwt` cache (the claims checks, the
//! JSON parse, better-auth's schema), and round trips through the public `BetterAuthEncoder`
//! in each strategy (`compact`, `jwt`, `jwe`), each value cut into chunks (`<name>.0`, ...)
//! in order or reversed. Only the public API of `nextauth_session::better_auth`.
//!
//! Input layout (see fuzz/README.md and seed-corpus.py): a mode byte, a token length byte, the
//! session token (`len` bytes), then the payload.
//!
//! Mode: bits 0-1 what the payload is: 0 the compact cache's JSON text (base64url-encoded
//! here; its `signature` is whatever the text says), 1 the claims of a `jwt` cache (signed
//! here, with the secret), 2 a JSON object `{"session": {...}, "user": {...}}` minted by
//! `BetterAuthEncoder::session_data` in the strategy of bits 2-3 (0 compact, 1 jwt, 2 jwe),
//! 3 the same in stateless mode (jwe). Bits 4-6: the value is cut into that many chunks
//! (0: one unchunked cookie). Bit 7: the chunks are sent in reverse order.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use nextauth_session::Error;
use nextauth_session::better_auth::{BetterAuth, CacheStrategy};

const SECRET: &str = "better-auth-fixture-secret-0123456789abcdefghijklmnop";
/// The time of most cases in fixtures/better-auth/cases.json.
const NOW_MS: i64 = 1_750_000_015_000;
/// `{"alg":"HS256"}`, the header better-auth writes on a jwt cache.
const JWT_HEADER: &str = "eyJhbGciOiJIUzI1NiJ9";

/// compact, jwt, jwe (version "2", as the fixtures' database configurations), then stateless.
static READERS: LazyLock<[BetterAuth; 4]> = LazyLock::new(|| {
    let build = |cache, stateless, version| {
        BetterAuth::builder()
            .secret(SECRET)
            .cookie_cache(cache)
            .cache_version(version)
            .stateless(stateless)
            .fixed_time_ms(NOW_MS)
            .build()
            .expect("a valid configuration")
    };
    [
        build(CacheStrategy::Compact, false, "2"),
        build(CacheStrategy::Jwt, false, "2"),
        build(CacheStrategy::Jwe, false, "2"),
        build(CacheStrategy::Jwe, true, "1"),
    ]
});

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// A compact JWS over `signing_input` with the reader's secret, through the public API:
/// `signed_token(x)` is `encodeURIComponent(x + "." + base64(HMAC-SHA256(secret, x)))`.
fn jws(reader: &BetterAuth, signing_input: &str) -> String {
    let signed = reader.encoder().signed_token(signing_input);
    let signed = signed
        .replace("%2B", "-")
        .replace("%2F", "_")
        .replace("%3D", "");
    let tag = &signed[signed.rfind('.').expect("a signed value") + 1..];
    format!("{signing_input}.{tag}")
}

/// The cookie header: the signed session token, then the cache under `name`, in `chunks`
/// pieces (`name.0`, ...), possibly in reverse order.
fn header(reader: &BetterAuth, token: &str, data: &str, chunks: usize, reverse: bool) -> String {
    let mut out = format!(
        "{}={}",
        reader.session_token_name(),
        reader.encoder().signed_token(token)
    );
    let name = reader.session_data_name();
    if chunks == 0 {
        out.push_str(&format!("; {name}={data}"));
        return out;
    }
    // Cut at character boundaries (the value is ASCII except in mode 0's raw tests).
    let size = data.len().div_ceil(chunks).max(1);
    let mut pieces = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let mut end = size.min(rest.len());
        while !rest.is_char_boundary(end) {
            end += 1;
        }
        pieces.push(&rest[..end]);
        rest = &rest[end..];
    }
    let mut cookies: Vec<String> = pieces
        .iter()
        .enumerate()
        .map(|(i, piece)| format!("{name}.{i}={piece}"))
        .collect();
    if reverse {
        cookies.reverse();
    }
    for cookie in cookies {
        out.push_str("; ");
        out.push_str(&cookie);
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let [mode, len, rest @ ..] = data else {
        return;
    };
    let len = usize::from(*len);
    if rest.len() < len {
        return;
    }
    let (token, payload) = rest.split_at(len);
    let Ok(token) = std::str::from_utf8(token) else {
        return;
    };
    let chunks = usize::from(mode >> 4 & 7);
    let reverse = mode & 0x80 != 0;
    match mode & 3 {
        0 => {
            let reader = &READERS[0];
            let cookie = header(reader, token, &base64url(payload), chunks, reverse);
            let _ = check(reader, &cookie, None);
        }
        1 => {
            let reader = &READERS[1];
            let value = jws(reader, &format!("{JWT_HEADER}.{}", base64url(payload)));
            let cookie = header(reader, token, &value, chunks, reverse);
            // Validly signed: whatever the claims, the signature is never the problem.
            let result = check(reader, &cookie, None);
            assert!(!matches!(result, Err(Error::BadSignature)), "{result:?}");
        }
        kind => {
            let reader = if kind == 3 {
                &READERS[3]
            } else {
                &READERS[usize::from(mode >> 2 & 3) % 3]
            };
            let Ok(serde_json::Value::Object(value)) =
                serde_json::from_slice::<serde_json::Value>(payload)
            else {
                return;
            };
            let (Some(serde_json::Value::Object(session)), Some(serde_json::Value::Object(user))) =
                (value.get("session"), value.get("user"))
            else {
                return;
            };
            let Ok(minted) = reader.encoder().session_data(session, user) else {
                return;
            };
            let cookie = header(reader, token, &minted, chunks, reverse);
            // What the encoder mints, the reader opens: never a signature or decryption
            // failure, and a session it returns is the one minted.
            let result = check(reader, &cookie, Some(token));
            assert!(
                !matches!(result, Err(Error::BadSignature | Error::DecryptionFailed)),
                "{result:?}"
            );
        }
    }
});

/// `cached_session` on the header; when `minted_for` is the token the cache was minted
/// with and the reader returns a session, that session carries the token.
fn check(reader: &BetterAuth, cookie: &str, minted_for: Option<&str>) -> Result<Option<()>, Error> {
    let result = reader.cached_session(Some(cookie));
    if let Ok(Some(session)) = &result {
        let token = session.session().get("token").and_then(|t| t.as_str());
        if let Some(minted_for) = minted_for {
            assert_eq!(token, Some(minted_for));
        }
        assert!(session.to_claims().is_object());
    }
    result.map(|s| s.map(|_| ()))
}
