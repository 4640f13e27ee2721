//! Request-level fixtures: `getToken` of next-auth 4.24.15 (pages-API request) and
//! @auth/core 0.41.3 (fetch `Request`) on whole requests (fixtures/requests.json), compared
//! with `Decoder::raw_token`, `get_token` and `session`.

use std::collections::BTreeMap;

use nextauth_session::Error;
use serde::Deserialize;
use serde_json::Value;

use crate::common::{builder, fixture, js_json_eq};

#[derive(Deserialize)]
struct RequestFixtures {
    cases: Vec<RequestCase>,
}

#[derive(Deserialize)]
struct RequestCase {
    id: String,
    flavor: String,
    secrets: Vec<String>,
    secure: bool,
    cookie_name: Option<String>,
    salt: Option<String>,
    now: i64,
    cookie: Option<String>,
    authorization: Option<String>,
    reference: BTreeMap<String, Outcome>,
    policy: Option<Policy>,
}

#[derive(Deserialize)]
struct Outcome {
    raw: Option<String>,
    payload: Option<Value>,
    threw: Option<Value>,
}

#[derive(Deserialize)]
struct Policy {
    row: String,
    expect_raw: Option<String>,
    expect: String,
    expect_payload: Option<Value>,
}

#[test]
fn every_request_fixture_matches_the_reference_or_the_policy() {
    let cases = fixture::<RequestFixtures>("requests.json").cases;
    assert!(
        cases.len() > 100,
        "fixtures look truncated: {}",
        cases.len()
    );
    let (mut sessions, mut chunked) = (0, 0);
    for case in &cases {
        let mut b = builder(&case.flavor, &case.secrets)
            .secure(case.secure)
            .fixed_time(case.now);
        if let Some(name) = &case.cookie_name {
            b = b.cookie_name(name.as_str());
        }
        if let Some(salt) = &case.salt {
            b = b.salt(salt.as_str());
        }
        let decoder = match b.build() {
            Ok(decoder) => decoder,
            Err(e) => {
                let policy = case
                    .policy
                    .as_ref()
                    .unwrap_or_else(|| panic!("{}: build failed: {e}", case.id));
                assert_eq!(policy.expect, "error:no-secret", "{}", case.id);
                assert!(matches!(e, Error::Config(_)), "{}", case.id);
                continue;
            }
        };
        let (cookie, auth) = (case.cookie.as_deref(), case.authorization.as_deref());
        let raw = decoder.raw_token(cookie, auth);
        let token = decoder.get_token::<Value>(cookie, auth);
        let session = decoder.session::<Value>(cookie, auth);
        // `session` and `get_token` agree by construction; check it anyway.
        assert_eq!(
            token.is_some(),
            matches!(session, Ok(Some(_))),
            "{}",
            case.id
        );
        if let Some(policy) = &case.policy {
            assert_eq!(
                raw, policy.expect_raw,
                "{}: raw token under policy '{}'",
                case.id, policy.row
            );
            match policy.expect.as_str() {
                "session" => {
                    let got = token.unwrap_or_else(|| {
                        panic!("{}: policy expects a session: {session:?}", case.id)
                    });
                    let want = policy.expect_payload.as_ref().expect("expect_payload");
                    assert!(js_json_eq(&got, want), "{}: payload differs", case.id);
                    sessions += 1;
                }
                "none" => assert_eq!(session, Ok(None), "{}", case.id),
                "error:chunks" => {
                    assert!(
                        matches!(session, Err(Error::InconsistentChunks(_))),
                        "{}: {session:?}",
                        case.id
                    )
                }
                "error:malformed" => {
                    assert!(
                        matches!(session, Err(Error::Malformed(_) | Error::NotJwe)),
                        "{}: {session:?}",
                        case.id
                    )
                }
                "error:decrypt" => assert_eq!(session, Err(Error::DecryptionFailed), "{}", case.id),
                "error:expired" => {
                    assert!(matches!(session, Err(Error::Expired { .. })), "{}", case.id)
                }
                other => panic!("{}: unknown policy expectation {other}", case.id),
            }
            continue;
        }
        // No policy row: our policy gives exactly the reference's answer. v4 follows the
        // pages-API request (the fixture marks every case where NextRequest differs).
        let shape = if case.flavor == "v4" {
            "pages-api"
        } else {
            "fetch-request"
        };
        let reference = &case.reference[shape];
        assert!(
            reference.threw.is_none(),
            "{}: reference threw without a policy row",
            case.id
        );
        assert_eq!(raw, reference.raw, "{}: raw token", case.id);
        match &reference.payload {
            Some(want) => {
                let got = token.unwrap_or_else(|| {
                    panic!("{}: reference has a session, we: {session:?}", case.id)
                });
                assert!(js_json_eq(&got, want), "{}: payload differs", case.id);
                sessions += 1;
                chunked += usize::from(cookie.is_some_and(|c| c.contains("session-token.1=")));
            }
            None if reference.raw.is_some() => {
                assert!(session.is_err(), "{}: {session:?}", case.id)
            }
            // No token at all. `session` says Ok(None), except for a Bearer token that is
            // present but not valid percent-encoding: that is an unusable token, not none.
            None if auth.is_some_and(|a| a.starts_with("Bearer ") && a.contains('%')) => {
                assert!(
                    matches!(session, Err(Error::Malformed(_))),
                    "{}: {session:?}",
                    case.id
                )
            }
            None => assert_eq!(session, Ok(None), "{}", case.id),
        }
    }
    assert!(
        sessions > 40 && chunked > 8,
        "too few sessions compared: {sessions}, chunked {chunked}"
    );
}
