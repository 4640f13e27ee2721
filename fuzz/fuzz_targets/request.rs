//! An arbitrary `Cookie` header and `Authorization` header through the request-level API
//! (`session`, `get_token`, `raw_token`) of the v4 and v5 decoders, with default and custom
//! cookie names, checking that the three agree with each other and with `decode`.
//!
//! Input layout (see fuzz/README.md and seed-corpus.py): one flags byte, then the cookie
//! header, a `0xFF` byte, and the authorization header. `0xFF` never occurs in UTF-8, so the
//! split is unambiguous; a side that is not UTF-8 makes the input uninteresting.
//!
//! Flags: bit 0 v5 (else v4), bit 1 `__Secure-` names, bit 2 the cookie name
//! `my-app.session`, bit 3 a cookie header is present, bit 4 an authorization header is present.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use nextauth_session::{Decoder, Flavor};
use serde_json::Value;

/// The secret, custom cookie name and time of fixtures/requests.json.
const SECRET: &str = "fixture-secret-0123456789abcdef0123456789abcdef";
const CUSTOM_NAME: &str = "my-app.session";
const NOW: i64 = 1_750_000_100;

static DECODERS: LazyLock<Vec<Decoder>> = LazyLock::new(|| {
    (0u8..8)
        .map(|flags| {
            let flavor = if flags & 1 == 0 {
                Flavor::V4
            } else {
                Flavor::V5
            };
            let mut builder = Decoder::builder(flavor)
                .secret(SECRET)
                .secure(flags & 2 != 0)
                .fixed_time(NOW);
            if flags & 4 != 0 {
                builder = builder.cookie_name(CUSTOM_NAME);
            }
            builder.build().expect("a valid configuration")
        })
        .collect()
});

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let (cookie, authorization) = match rest.iter().position(|&b| b == 0xFF) {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (rest, &[][..]),
    };
    let (Ok(cookie), Ok(authorization)) = (
        std::str::from_utf8(cookie),
        std::str::from_utf8(authorization),
    ) else {
        return;
    };
    let cookie = (flags & 8 != 0).then_some(cookie);
    let authorization = (flags & 16 != 0).then_some(authorization);
    let decoder = &DECODERS[usize::from(flags & 7)];

    let session = decoder.session::<Value>(cookie, authorization);
    let token = decoder.get_token::<Value>(cookie, authorization);
    let raw = decoder.raw_token(cookie, authorization);

    assert_eq!(
        token.as_ref(),
        session.as_ref().ok().and_then(Option::as_ref)
    );
    match &raw {
        // A token was found: the session is exactly what decoding it gives.
        Some(raw) => assert_eq!(session, decoder.decode::<Value>(raw).map(Some)),
        // No usable token: no session (none at all, or an error about the cookie set).
        None => assert!(!matches!(session, Ok(Some(_)))),
    }
});
