//! The encoder: everything it writes decodes with our decoder (property tests over arbitrary
//! JSON claims and cookie sets), its headers match tokens the references wrote, and the cookie
//! set it writes replaces the previous one in a browser's cookie jar.
//!
//! The cross-check against the real `next-auth@4.24.15` and `@auth/core@0.41.3` is
//! `examples/mint.rs` + `fixtures/generator/crosscheck.mjs`, run by `.ci/run`.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use nextauth_session::{Decoder, Encoder, Error, Flavor, Session};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

use crate::common::{builder, fixture};

const NOW: i64 = 1_750_000_000;
const SECRET: &str = "encoder interop secret 0123456789";

fn decoder(flavor: Flavor, secure: bool) -> Decoder {
    Decoder::builder(flavor)
        .secret(SECRET)
        .secure(secure)
        .fixed_time(NOW)
        .build()
        .unwrap()
}

/// What the references' `decode` returns for `claims` encoded at `NOW`: the claims with
/// `iat`, `exp` written over them; `jti` is random and checked separately.
fn expected(claims: &Map<String, Value>, max_age: i64) -> Map<String, Value> {
    let mut want = claims.clone();
    want.remove("jti");
    want.insert("iat".into(), json!(NOW));
    want.insert("exp".into(), json!(NOW + max_age));
    want
}

fn is_uuid_v4(v: &Value) -> bool {
    let Some(s) = v.as_str() else { return false };
    let b = s.as_bytes();
    b.len() == 36
        && [8, 13, 18, 23].iter().all(|&i| b[i] == b'-')
        && b[14] == b'4'
        && matches!(b[19], b'8' | b'9' | b'a' | b'b')
        && b.iter()
            .enumerate()
            .all(|(i, c)| [8, 13, 18, 23].contains(&i) || matches!(c, b'0'..=b'9' | b'a'..=b'f'))
}

/// Decodes and splits off the `jti`, which must be a UUID v4.
fn decode_checked(decoder: &Decoder, token: &str) -> Map<String, Value> {
    let Value::Object(mut got) = decoder.decode::<Value>(token).unwrap() else {
        panic!("not an object")
    };
    let jti = got.remove("jti").expect("a jti");
    assert!(is_uuid_v4(&jti), "{jti}");
    got
}

/// A browser cookie jar: apply `Set-Cookie` values (a `Max-Age=0` removes the cookie).
fn apply(jar: &mut Vec<(String, String)>, set_cookies: &[String]) {
    for set in set_cookies {
        let (pair, attributes) = set.split_once(';').unwrap_or((set, ""));
        let (name, value) = pair.split_once('=').unwrap();
        jar.retain(|(n, _)| n != name);
        let removed = attributes.split(';').any(|a| a.trim() == "Max-Age=0");
        if !removed {
            jar.push((name.to_owned(), value.to_owned()));
        }
    }
}

fn header(jar: &[(String, String)]) -> String {
    jar.iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Arbitrary JSON: every JSON type, unicode strings and keys, nesting.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |f| f.is_finite())
            .prop_map(Value::from),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(any::<String>(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn claims() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map(
        prop_oneof![
            any::<String>(),
            prop::sample::select(vec!["name", "email", "picture", "sub", "iat", "exp", "jti"])
                .prop_map(str::to_owned),
        ],
        json_value(),
        0..8,
    )
    .prop_map(|m| m.into_iter().collect())
}

fn flavor() -> impl Strategy<Value = Flavor> {
    prop_oneof![Just(Flavor::V4), Just(Flavor::V5)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// encode -> decode gives the claims plus iat/exp/jti, whatever the claims.
    #[test]
    fn encode_decode_round_trip(
        flavor in flavor(),
        secure in any::<bool>(),
        max_age in 0u64..=400 * 24 * 3600,
        claims in claims(),
    ) {
        let decoder = decoder(flavor, secure);
        let encoder = decoder.encoder().max_age(Duration::from_secs(max_age));
        let token = encoder.encode(&claims).unwrap();
        let got = decode_checked(&decoder, &token);
        // serde_json parses floats best-effort by default: compare with what the same JSON text
        // reads back as, which is what any reader of this token gets.
        let want: Value = serde_json::from_str(
            &serde_json::to_string(&expected(&claims, max_age as i64)).unwrap(),
        ).unwrap();
        prop_assert_eq!(Value::Object(got), want);
    }

    /// set_cookies -> browser jar -> Cookie header in any order -> get_token gives the claims,
    /// also when the previous session in the jar had a different number of chunks.
    #[test]
    fn set_cookies_round_trip(
        flavor in flavor(),
        secure in any::<bool>(),
        filler in 0usize..30_000,
        previous_filler in prop::option::of(0usize..30_000),
        others in prop::collection::vec(("[a-z]{1,8}", "[a-zA-Z0-9]{0,8}"), 0..4),
        seed in any::<u64>(),
    ) {
        let decoder = decoder(flavor, secure);
        let encoder = decoder.encoder();
        let mut jar: Vec<(String, String)> = others;
        if let Some(n) = previous_filler {
            let old = encoder.encode(&json!({"old": "o".repeat(n)})).unwrap();
            apply(&mut jar, &encoder.set_cookies(&old, None));
        }
        let claims = json!({"name": "Grace", "filler": "f".repeat(filler)});
        let token = encoder.encode(&claims).unwrap();
        let set = encoder.set_cookies(&token, Some(&header(&jar)));
        let chunk = flavor.chunk_size();
        let written = set.iter().filter(|c| !c.contains("Max-Age=0")).count();
        prop_assert_eq!(written, token.len().div_ceil(chunk));
        apply(&mut jar, &set);
        // Shuffle deterministically from the seed.
        let mut s = seed | 1;
        for i in (1..jar.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            jar.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let cookie = header(&jar);
        let raw = decoder.raw_token(Some(&cookie), None);
        prop_assert_eq!(raw.as_deref(), Some(token.as_str()));
        let got: Value = decoder.get_token(Some(&cookie), None).unwrap();
        prop_assert_eq!(&got["filler"], &claims["filler"]);
        prop_assert_eq!(got["iat"].as_i64(), Some(NOW));
        // The test-helper header is the jar's session cookies.
        let mut session_only: Vec<(String, String)> = jar
            .into_iter()
            .filter(|(n, _)| n.starts_with(decoder.cookie_name()))
            .collect();
        session_only.sort_by_key(|(n, _)| n.rsplit('.').next().unwrap().parse::<usize>().unwrap_or(0));
        prop_assert_eq!(encoder.cookie_header(&token), header(&session_only));
    }
}

/// The two real tokens on either side of `limit` characters: the longest token not longer
/// than `limit` and the shortest one longer (AES-CBC grows in 16-byte blocks, so a v5 token
/// cannot have every length).
fn tokens_around(encoder: &Encoder, limit: usize) -> (String, String) {
    let make = |n: usize| encoder.encode(&json!({ "f": "x".repeat(n) })).unwrap();
    let (mut lo, mut hi) = (0usize, limit);
    // The smallest filler whose token is longer than `limit`.
    while lo < hi {
        let mid = (lo + hi) / 2;
        if make(mid).len() > limit {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    (make(lo - 1), make(lo))
}

#[test]
fn chunk_boundaries_with_real_tokens() {
    for flavor in [Flavor::V4, Flavor::V5] {
        let decoder = decoder(flavor, false);
        let encoder = decoder.encoder();
        let size = flavor.chunk_size();
        for k in [1, 2, 3, 10] {
            let (below, above) = tokens_around(&encoder, k * size);
            assert!(below.len() <= k * size && above.len() > k * size);
            // v4 (GCM) reaches every length; v5 (CBC) steps by a block.
            let step = if flavor == Flavor::V4 { 2 } else { 22 };
            assert!(
                above.len() - below.len() <= step,
                "{}",
                above.len() - below.len()
            );
            for (token, count) in [(below, k), (above, k + 1)] {
                let set = encoder.set_cookies(&token, None);
                assert_eq!(set.len(), count, "{flavor:?} {}", token.len());
                let mut jar = Vec::new();
                apply(&mut jar, &set);
                jar.reverse();
                let got: Session = decoder.get_token(Some(&header(&jar)), None).unwrap();
                assert_eq!(got.iat, Some(NOW));
            }
        }
    }
}

#[test]
fn shrinking_back_to_one_cookie_expires_the_chunks() {
    let decoder = decoder(Flavor::V5, true);
    let encoder = decoder.encoder();
    let big = encoder.encode(&json!({ "f": "x".repeat(20_000) })).unwrap();
    let mut jar = vec![("theme".to_owned(), "dark".to_owned())];
    apply(&mut jar, &encoder.set_cookies(&big, None));
    assert_eq!(jar.len(), 1 + big.len().div_ceil(3936));
    let small = encoder.encode(&json!({ "name": "n" })).unwrap();
    let set = encoder.set_cookies(&small, Some(&header(&jar)));
    assert!(set.iter().all(|c| c.contains("; Secure")));
    apply(&mut jar, &set);
    assert_eq!(
        jar.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["theme", "__Secure-authjs.session-token"]
    );
    // Without the cleanup the old chunks would sit next to the new cookie.
    let mut stale = vec![("theme".to_owned(), "dark".to_owned())];
    apply(&mut stale, &encoder.set_cookies(&big, None));
    apply(&mut stale, &encoder.set_cookies(&small, None));
    assert!(matches!(
        decoder.session::<Session>(Some(&header(&stale)), None),
        Err(Error::InconsistentChunks(_))
    ));
    // Sign-out clears everything the session left.
    let cleared = encoder.clear_cookies(Some(&header(&jar)));
    apply(&mut jar, &cleared);
    assert_eq!(jar, [("theme".to_owned(), "dark".to_owned())]);
}

#[test]
fn rotation_encrypts_with_the_first_secret() {
    let new = "the new secret";
    let old = "the old secret";
    let both = Decoder::builder(Flavor::V5)
        .secret(new)
        .secret(old)
        .fixed_time(NOW)
        .build()
        .unwrap();
    let token = both.encoder().encode(&json!({ "sub": "1" })).unwrap();
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(token.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["kid"], both.key_ids().next().unwrap());
    let only = |s: &str| {
        Decoder::builder(Flavor::V5)
            .secret(s)
            .fixed_time(NOW)
            .build()
            .unwrap()
    };
    assert!(only(new).decode::<Value>(&token).is_ok());
    assert_eq!(
        only(old).decode::<Value>(&token),
        Err(Error::DecryptionFailed)
    );
}

/// The header (including the `kid`) our encoder writes equals the header of tokens the real
/// references wrote with the same secret and salt (`fixtures/tokens.json`).
#[test]
fn headers_match_reference_tokens() {
    let file: Value = fixture("tokens.json");
    let mut checked = 0;
    for case in file["cases"].as_array().unwrap() {
        let flags: Vec<&str> = case["flags"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        if !flags.contains(&"typical") {
            continue;
        }
        let flavor = case["flavor"].as_str().unwrap();
        let secrets: Vec<String> = serde_json::from_value(case["secrets"].clone()).unwrap();
        let mut b = builder(flavor, &secrets);
        if let Some(salt) = case["salt"].as_str() {
            b = b.salt(salt);
        }
        let encoder = b.build().unwrap().encoder();
        let ours = encoder.encode(&json!({})).unwrap();
        let reference = case["token"].as_str().unwrap();
        assert_eq!(
            ours.split('.').next(),
            reference.split('.').next(),
            "{}",
            case["id"]
        );
        checked += 1;
    }
    assert!(checked >= 2, "no typical cases found");
}

#[test]
fn encoder_is_shareable_and_redacted() {
    fn assert_send_sync_clone<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync_clone::<Encoder>();
    let encoder = Decoder::builder(Flavor::V4)
        .secret("hunter2-in-debug-output")
        .build()
        .unwrap()
        .encoder();
    let shown = format!("{encoder:?} {encoder:#?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(shown.contains("redacted"), "{shown}");
}

#[test]
fn claims_that_are_not_an_object_are_refused() {
    let encoder = decoder(Flavor::V5, false).encoder();
    assert_eq!(
        encoder.encode(&[1, 2, 3]),
        Err(Error::InvalidClaims(
            "the claims must serialize to a JSON object"
        ))
    );
    assert_eq!(
        encoder.encode("text").unwrap_err().to_string(),
        "invalid claims: the claims must serialize to a JSON object"
    );
}

#[test]
fn session_type_round_trips() {
    let decoder = decoder(Flavor::V4, false);
    let session: Session = serde_json::from_value(json!({
        "name": "Ada", "email": "ada@example.com", "picture": null, "sub": "42", "role": "admin"
    }))
    .unwrap();
    let token = decoder.encoder().encode(&session).unwrap();
    let back: Session = decoder.decode(&token).unwrap();
    assert_eq!(back.name.as_deref(), Some("Ada"));
    assert_eq!(back.sub.as_deref(), Some("42"));
    assert_eq!(back.exp, Some(NOW + 30 * 24 * 3600));
    assert_eq!(back.extra.get("role"), Some(&json!("admin")));
}
