//! Token-level fixtures: `decode` of next-auth 4.24.15 and @auth/core 0.41.3 on real and
//! mutated tokens (fixtures/tokens.json), compared with `Decoder::decode`.

use nextauth_session::{Error, Session};
use serde::Deserialize;
use serde_json::Value;

use crate::common::{builder, fixture, js_json_eq};

#[derive(Deserialize)]
pub struct TokenFixtures {
    pub cases: Vec<TokenCase>,
}

#[derive(Deserialize)]
pub struct TokenCase {
    pub id: String,
    pub flavor: String,
    pub secrets: Vec<String>,
    pub salt: String,
    pub now: i64,
    pub token: String,
    pub reference: Reference,
    pub policy: Option<Policy>,
    pub flags: Vec<String>,
}

#[derive(Deserialize)]
pub struct Reference {
    pub ok: bool,
    pub payload: Option<Value>,
    pub error: Option<RefError>,
}

#[derive(Deserialize, Debug)]
pub struct RefError {
    pub code: Option<String>,
    pub message: String,
    pub claim: Option<String>,
    pub reason: Option<String>,
}

#[derive(Deserialize)]
pub struct Policy {
    pub row: String,
    pub expect: String,
}

pub fn cases() -> Vec<TokenCase> {
    fixture::<TokenFixtures>("tokens.json").cases
}

impl TokenCase {
    pub fn decoder(&self) -> nextauth_session::Decoder {
        builder(&self.flavor, &self.secrets)
            .salt(self.salt.as_str())
            .fixed_time(self.now)
            .build()
            .unwrap_or_else(|e| panic!("{}: {e}", self.id))
    }
}

/// Which of our error kinds stand for a reference failure. Several of our kinds may stand for
/// one reference error where we check earlier (for example a tag of the wrong length is
/// malformed to us, a failed decryption to jose) or more strictly.
fn matches_reference(ours: &Error, theirs: &RefError) -> bool {
    match (theirs.code.as_deref(), theirs.message.as_str()) {
        (Some("ERR_JWT_EXPIRED"), _) => matches!(ours, Error::Expired { .. }),
        (Some("ERR_JWT_CLAIM_VALIDATION_FAILED"), _)
            if theirs.claim.as_deref() == Some("nbf")
                && theirs.reason.as_deref() == Some("check_failed") =>
        {
            matches!(ours, Error::NotYetValid { .. })
        }
        (Some("ERR_JWT_CLAIM_VALIDATION_FAILED" | "ERR_JWT_INVALID"), _) => {
            matches!(ours, Error::InvalidClaims(_))
        }
        (Some("ERR_JOSE_NOT_SUPPORTED" | "ERR_JOSE_ALG_NOT_ALLOWED"), _) => {
            matches!(ours, Error::Unsupported(_))
        }
        (Some("ERR_JWE_DECRYPTION_FAILED"), _) | (None, "no matching decryption secret") => {
            matches!(ours, Error::DecryptionFailed | Error::Malformed(_))
        }
        (Some("ERR_JWE_INVALID"), m) if m.starts_with("Invalid Content Encryption Key length") => {
            matches!(ours, Error::Unsupported(_))
        }
        (Some("ERR_JWE_INVALID"), _) => matches!(ours, Error::Malformed(_) | Error::NotJwe),
        // jose 4 with `alg: none` fails on the key type.
        (None, m) if m.starts_with("Key for the none algorithm") => {
            matches!(ours, Error::Unsupported(_))
        }
        _ => false,
    }
}

/// The error each policy row of reference-behaviour.md section 5 gives.
fn policy_kind(row: &str, ours: &Error) -> bool {
    if row.starts_with("v4 `decode` passes no algorithm allow-list") {
        matches!(ours, Error::Unsupported(_))
    } else if row.starts_with("v4 ignores junk characters") {
        matches!(ours, Error::Malformed(_))
    } else if row.starts_with("invalid UTF-8 in the plaintext") {
        matches!(ours, Error::InvalidClaims(_))
    } else {
        panic!("no error kind known for policy row {row:?}")
    }
}

/// The claims in the references' default token, when the payload has them in that shape.
fn as_default_session(payload: &Value) -> Option<Session> {
    let obj = payload.as_object()?;
    let string_or_null = |k: &str| obj.get(k).is_none_or(|v| v.is_string() || v.is_null());
    let number_or_null = |k: &str| obj.get(k).is_none_or(|v| v.is_number() || v.is_null());
    (["name", "email", "picture", "sub", "jti"]
        .iter()
        .all(|k| string_or_null(k))
        && ["iat", "exp"].iter().all(|k| number_or_null(k)))
    .then(|| serde_json::from_value(payload.clone()).expect("default-shaped payload"))
}

#[test]
fn every_token_fixture_matches_the_reference_or_the_policy() {
    let cases = cases();
    assert!(
        cases.len() > 250,
        "fixtures look truncated: {}",
        cases.len()
    );
    let mut accepted = 0;
    for case in &cases {
        let decoder = case.decoder();
        let ours = decoder.decode::<Value>(&case.token);
        match (&case.policy, &case.reference) {
            (Some(policy), _) => match policy.expect.as_str() {
                "reject" => {
                    let ours = ours.expect_err(&format!(
                        "{}: policy '{}' rejects, we accepted",
                        case.id, policy.row
                    ));
                    assert!(
                        policy_kind(&policy.row, &ours),
                        "{}: {ours:?} for policy '{}'",
                        case.id,
                        policy.row
                    );
                }
                "accept" => {
                    let claims = ours.unwrap_or_else(|e| {
                        panic!("{}: policy '{}' accepts: {e}", case.id, policy.row)
                    });
                    assert!(
                        claims.get("exp").is_some_and(Value::is_number),
                        "{}",
                        case.id
                    );
                }
                other => panic!("{}: unknown policy expectation {other}", case.id),
            },
            (
                None,
                Reference {
                    ok: true,
                    payload: Some(payload),
                    ..
                },
            ) => {
                let claims = ours
                    .unwrap_or_else(|e| panic!("{}: reference accepts, we failed: {e}", case.id));
                assert!(
                    js_json_eq(&claims, payload),
                    "{}: payload differs\nours: {claims}\nreference: {payload}",
                    case.id
                );
                if let Some(expected) = as_default_session(payload) {
                    let mut session: Session = decoder.decode(&case.token).unwrap();
                    let (ours, theirs) =
                        (std::mem::take(&mut session.extra), expected.extra.clone());
                    assert!(
                        js_json_eq(&ours.into(), &theirs.into()),
                        "{}: extra claims differ",
                        case.id
                    );
                    assert_eq!(
                        session,
                        Session {
                            extra: Default::default(),
                            ..expected
                        },
                        "{}",
                        case.id
                    );
                }
                accepted += 1;
            }
            // The reference returns null without an error for an empty token.
            (
                None,
                Reference {
                    ok: true,
                    payload: None,
                    ..
                },
            ) => {
                assert!(
                    ours.is_err(),
                    "{}: reference gives no session, we accepted",
                    case.id
                );
            }
            (
                None,
                Reference {
                    ok: false, error, ..
                },
            ) => {
                let error = error
                    .as_ref()
                    .unwrap_or_else(|| panic!("{}: no reference error", case.id));
                let ours = ours.expect_err(&format!(
                    "{}: reference rejects ({error:?}), we accepted",
                    case.id
                ));
                assert!(
                    matches_reference(&ours, error),
                    "{}: ours {ours:?} vs reference {error:?}",
                    case.id
                );
            }
        }
    }
    assert!(accepted > 80, "only {accepted} accepted cases compared");
}

#[test]
fn error_messages_never_carry_token_or_secret_bytes() {
    for case in cases() {
        let Err(error) = case.decoder().decode::<Value>(&case.token) else {
            continue;
        };
        let shown = format!("{error} {error:?}");
        for part in case.token.split('.').filter(|p| p.len() >= 8) {
            assert!(
                !shown.contains(part),
                "{}: error shows a token part: {shown}",
                case.id
            );
        }
        for secret in &case.secrets {
            assert!(
                !shown.contains(secret.as_str()),
                "{}: error shows the secret",
                case.id
            );
        }
    }
}

#[test]
fn flags_cover_the_issue_list() {
    let cases = cases();
    let has = |flag: &str| cases.iter().any(|c| c.flags.iter().any(|f| f == flag));
    for flag in ["large", "unicode", "rotation", "mutation"] {
        assert!(has(flag), "no fixture flagged {flag}");
    }
}
