//! CSRF behaviour that mutation testing (`.ci/mutants.sh`, group `csrf`) found unpinned by
//! the other tests, over the cookies the references issued (`fixtures/csrf.json`).

use nextauth_session::Csrf;
use serde_json::Value;

use crate::common::{fixture, flavor};

/// The verified single-secret cases: (flavor, secret, cookie header, submitted token).
fn verified_single_secret_cases() -> Vec<(String, String, String, String)> {
    let file: Value = fixture("csrf.json");
    file["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["reference"]["verified"] == true && c["policy"].is_null())
        .filter(|c| c["secure"] == false)
        .filter_map(|c| {
            Some((
                c["flavor"].as_str()?.to_owned(),
                c["secret"].as_str()?.to_owned(),
                c["cookie"].as_str()?.to_owned(),
                c["submitted"].as_str()?.to_owned(),
            ))
        })
        .collect()
}

/// An app whose secret list holds the same secret twice (`AUTH_SECRET` and `AUTH_SECRET_1`
/// set to one value): a cookie issued with that secret matches two candidates at once, and
/// still verifies.
#[test]
fn the_same_secret_configured_twice_still_verifies() {
    let cases = verified_single_secret_cases();
    assert!(cases.len() >= 4, "{}", cases.len());
    for (flavor_name, secret, cookie, submitted) in &cases {
        let csrf = Csrf::builder(flavor(flavor_name))
            .secret(secret.as_str())
            .secret(secret.as_str())
            .build()
            .unwrap();
        assert_eq!(
            csrf.verify(Some(cookie), Some(submitted)),
            Ok(()),
            "{cookie}"
        );
        assert_eq!(
            csrf.token(Some(cookie)).as_deref(),
            Some(submitted.as_str())
        );
    }
}

/// `token|sha256hex(token + secret)`, the references' CSRF cookie value, written here with
/// the `sha2` crate; checked against the issued cookies before it is used.
fn issue(token: &str, secret: &str) -> String {
    use sha2::{Digest, Sha256};
    let hash: String = Sha256::digest(format!("{token}{secret}").as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{token}|{hash}")
}

/// The longest CSRF cookie value looked at is 4096 bytes (what a browser stores at most):
/// a valid value of exactly that length verifies, one byte more is refused unread.
#[test]
fn csrf_cookie_values_up_to_4096_bytes_are_read() {
    let (flavor_name, secret, cookie, submitted) = verified_single_secret_cases()
        .into_iter()
        .find(|(_, _, cookie, _)| cookie.contains('|'))
        .expect("an unencoded fixture cookie");
    let (name, value) = cookie.split_once('=').unwrap();
    assert_eq!(issue(&submitted, &secret), value, "the issuing rule");
    let csrf = Csrf::builder(flavor(&flavor_name))
        .secret(secret.as_str())
        .build()
        .unwrap();
    for (len, verdict) in [
        (4095, Ok(())),
        (4096, Ok(())),
        (4097, Err(nextauth_session::CsrfError::InvalidCookie)),
    ] {
        let token = "t".repeat(len - 65);
        let value = issue(&token, &secret);
        assert_eq!(value.len(), len);
        let header = format!("{name}={value}");
        assert_eq!(csrf.verify(Some(&header), Some(&token)), verdict, "{len}");
    }
}

/// A builder's `Debug` shows its configuration (flavor, how many secrets, names) and never
/// a secret.
#[test]
fn builder_debug_shows_the_configuration_not_the_secret() {
    let builder = Csrf::builder(flavor("v5"))
        .secret("hunter2-first")
        .secret("hunter2-second")
        .secure(true)
        .cookie_name("app.csrf")
        .header_name("x-xsrf-token");
    let debug = format!("{builder:?}");
    for part in [
        "CsrfBuilder",
        "V5",
        "[redacted; 2]",
        "secure: true",
        "app.csrf",
        "x-xsrf-token",
    ] {
        assert!(debug.contains(part), "{part} in {debug}");
    }
    assert!(!debug.contains("hunter2"), "{debug}");
}

/// `Encoder::csrf_cookie_with_token` with a token the references issued gives the cookie
/// they issued for it, byte for byte, and the check accepts what it mints.
#[test]
fn minted_csrf_cookies_are_the_references() {
    let file: Value = fixture("csrf.json");
    let mut checked = 0;
    for case in file["cases"].as_array().unwrap() {
        let (Some(secret), Some(token), Some(value)) = (
            case["secret"].as_str(),
            case["submitted"].as_str(),
            case["reference"]["cookie_value"].as_str(),
        ) else {
            continue;
        };
        // Verified cases whose cookie is exactly `token|hash` (not ones with extra pieces).
        if case["reference"]["verified"] != true
            || !case["policy"].is_null()
            || value.split('|').count() != 2
        {
            continue;
        }
        let flavor = flavor(case["flavor"].as_str().unwrap());
        let csrf = Csrf::builder(flavor)
            .secret(secret)
            .secure(case["secure"] == true)
            .build()
            .unwrap();
        let encoder = nextauth_session::Decoder::builder(flavor)
            .secret(secret)
            .build()
            .unwrap()
            .encoder();
        let minted = encoder.csrf_cookie_with_token(&csrf, token).unwrap();
        assert_eq!(minted.value(), value, "{}", case["id"]);
        assert_eq!(
            csrf.verify(Some(&minted.cookie_header()), Some(token)),
            Ok(())
        );
        checked += 1;
    }
    assert!(checked >= 4, "{checked}");
}
