//! Arbitrary bytes as a session token, through `Decoder::decode` of a v4 and a v5 decoder
//! (the secrets of fixtures/tokens.json, a fixed clock). Any panic, abort, timeout or
//! out-of-memory is a finding; errors are the expected outcome for almost every input.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use nextauth_session::{Decoder, Flavor, Session};
use serde_json::Value;

/// The secret and time of most cases in fixtures/tokens.json, so seeds taken from there
/// decrypt and reach the claims checks.
const SECRET: &str = "nextauth-session fixture secret 0123456789abcdef";
/// The second secret of the v5 key-rotation fixtures (a `kid` that selects it, or none).
const OLD_SECRET: &str = "nextauth-session OLD rotated-out secret";
const NOW: i64 = 1_750_000_060;

static DECODERS: LazyLock<[Decoder; 2]> = LazyLock::new(|| {
    let build = |flavor| {
        Decoder::builder(flavor)
            .secret(SECRET)
            .secret(OLD_SECRET)
            .fixed_time(NOW)
            .build()
            .expect("a valid configuration")
    };
    [build(Flavor::V4), build(Flavor::V5)]
});

fuzz_target!(|data: &[u8]| {
    // The API takes `&str` (a header value that is not UTF-8 never reaches it).
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    for decoder in DECODERS.iter() {
        let value = decoder.decode::<Value>(token);
        if let Ok(value) = &value {
            assert!(value.is_object(), "a session decoded to a non-object");
        }
        // The default claims type takes another deserialization path; it must agree on
        // whether the token is a session, except where the claims do not fit its types.
        let session = decoder.decode::<Session>(token);
        match (&value, &session) {
            (Ok(_), Ok(_)) | (Ok(_), Err(nextauth_session::Error::ClaimsType { .. })) => {}
            (Err(a), Err(b)) => assert_eq!(a, b, "Value and Session disagree on the error"),
            (a, b) => panic!("Value and Session disagree: {a:?} / {b:?}"),
        }
    }
});
