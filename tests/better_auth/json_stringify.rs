//! Differential property: for any JSON object, our re-serialization equals V8's
//! `JSON.stringify`. better-auth signs a `compact` cookie cache over
//! `JSON.stringify({...session, expiresAt})` of the object it parsed from the cookie, so
//! `cached_session` accepts a cache exactly when our re-serialization of the parsed payload
//! is byte-equal to better-auth's. `fixtures/better-auth/json-stringify-compact.json` holds
//! 3,000 seeded random objects (nested, duplicate keys, integer-like keys, escapes and lone
//! surrogates, raw code points of every plane, numbers of every magnitude and spelling, ISO
//! dates the reviver turns into Dates, `__proto__`) spliced into a cache payload, each signed
//! by better-auth's own parse and `JSON.stringify` and checked by its `getCookieCache`
//! (fixtures/generator/better-auth/json-stringify.mjs). Only the public API is used.

use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use nextauth_session::better_auth::{BetterAuth, CacheStrategy};
use serde::Deserialize;

#[derive(Deserialize)]
struct File {
    secret: String,
    token: String,
    expires_at: i64,
    session_token_cookie: String,
    wrapper_prefix: String,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    id: String,
    members: String,
    signature: String,
    accepted: bool,
    /// The object has a top-level `__proto__` member, which zod's `z.record` (better-auth's
    /// `parseCompactCookieCache`) leaves out of the object it re-serializes and signs.
    #[serde(default)]
    top_level_proto: bool,
}

/// The generator's `compactText(members, signature)`.
fn compact_text(file: &File, case: &Case) -> String {
    let separator = if case.members.is_empty() { "" } else { "," };
    format!(
        "{{\"session\":{}{separator}{}}},\"expiresAt\":{},\"signature\":{}}}",
        file.wrapper_prefix,
        case.members,
        file.expires_at,
        serde_json::to_string(&case.signature).unwrap()
    )
}

fn load() -> File {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/better-auth/json-stringify-compact.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn reader(file: &File) -> BetterAuth {
    BetterAuth::builder()
        .secret(file.secret.as_str())
        .cookie_cache(CacheStrategy::Compact)
        .fixed_time_ms(1_750_000_015_000)
        .build()
        .unwrap()
}

fn cookie(file: &File, case: &Case) -> String {
    format!(
        "better-auth.session_token={}; better-auth.session_data={}",
        file.session_token_cookie,
        URL_SAFE_NO_PAD.encode(compact_text(file, case))
    )
}

/// The cases (of those `select` picks) where the reader's verdict differs from better-auth's.
fn differences(file: &File, select: impl Fn(&Case) -> bool) -> (usize, Vec<String>) {
    let reader = reader(file);
    let mut checked = 0;
    let mut failures = Vec::new();
    for case in file.cases.iter().filter(|c| select(c)) {
        let got = reader.cached_session(Some(&cookie(file, case)));
        let accepted = matches!(&got, Ok(Some(session))
            if session.session().get("token").and_then(|t| t.as_str()) == Some(file.token.as_str()));
        if accepted != case.accepted {
            failures.push(format!("{}: {got:?}\n  members: {}", case.id, case.members));
        }
        checked += 1;
    }
    (checked, failures)
}

#[test]
fn compact_caches_over_random_objects_verify_as_better_auth_verifies_them() {
    let file = load();
    assert!(file.cases.len() >= 3000);
    let (checked, failures) = differences(&file, |c| !c.top_level_proto);
    assert!(checked >= 2800, "{checked}");
    assert!(
        failures.is_empty(),
        "{} of {checked} cases differ from better-auth, first: {}",
        failures.len(),
        failures.first().map_or("", String::as_str)
    );
    // The property has teeth: one changed signature character is refused.
    let case = &file.cases[0];
    let mut tampered = case.signature.clone().into_bytes();
    tampered[0] = if tampered[0] == b'A' { b'B' } else { b'A' };
    let tampered = Case {
        id: case.id.clone(),
        members: case.members.clone(),
        signature: String::from_utf8(tampered).unwrap(),
        accepted: false,
        top_level_proto: false,
    };
    assert_eq!(
        reader(&file).cached_session(Some(&cookie(&file, &tampered))),
        Err(nextauth_session::Error::BadSignature)
    );
}

/// zod 4's `z.record` strips an own `__proto__` key from the object it returns (its
/// `schemas.js`: "Don't copy an undeclared __proto__ into the result"), so better-auth signs
/// and verifies a compact cache over the payload WITHOUT a top-level `__proto__` member
/// (nested ones stay). Review finding (issue 15, fuzzing round): the reader kept it and
/// refused these caches better-auth accepts.
#[test]
fn compact_caches_with_a_top_level_proto_member() {
    let file = load();
    let (checked, failures) = differences(&file, |c| c.top_level_proto);
    assert!(checked >= 100, "{checked}");
    assert!(
        failures.is_empty(),
        "{} of {checked} cases differ from better-auth, first: {}",
        failures.len(),
        failures.first().map_or("", String::as_str)
    );
}
