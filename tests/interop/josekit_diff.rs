//! Differential test against josekit, an independent JOSE implementation (dev-dependency
//! only): every fixture token is decrypted by both, with keys derived here independently of
//! the crate, and the plaintexts must agree wherever both accept.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hkdf::Hkdf;
use serde_json::Value;
use sha2::Sha256;

use crate::tokens::{TokenCase, cases};

/// HKDF-SHA256 with the references' parameters (reference-behaviour.md section 1).
fn derive(case: &TokenCase, secret: &str, len: usize) -> Vec<u8> {
    let info = match (case.flavor.as_str(), case.salt.as_str()) {
        ("v4", "") => "NextAuth.js Generated Encryption Key".to_owned(),
        ("v4", salt) => format!("NextAuth.js Generated Encryption Key ({salt})"),
        (_, salt) => format!("Auth.js Generated Encryption Key ({salt})"),
    };
    let mut key = vec![0u8; len];
    Hkdf::<Sha256>::new(Some(case.salt.as_bytes()), secret.as_bytes())
        .expand(info.as_bytes(), &mut key)
        .unwrap();
    key
}

/// The plaintext josekit gets with any of the case's secrets, if any.
fn josekit_open(case: &TokenCase) -> Option<Vec<u8>> {
    let header = case.token.split('.').next()?;
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
    let (len, iv_len) = match header.get("enc")?.as_str()? {
        "A256GCM" => (32, 12),
        "A256CBC-HS512" => (64, 16),
        _ => return None,
    };
    // josekit panics inside OpenSSL on an IV of the wrong length (for example an empty one)
    // instead of returning an error, so such tokens are not given to it.
    let iv = case.token.split('.').nth(2)?;
    if URL_SAFE_NO_PAD.decode(iv).map(|iv| iv.len()) != Ok(iv_len) {
        return None;
    }
    case.secrets.iter().find_map(|secret| {
        let decrypter = josekit::jwe::Dir
            .decrypter_from_bytes(derive(case, secret, len))
            .ok()?;
        josekit::jwe::deserialize_compact(&case.token, &decrypter)
            .ok()
            .map(|(payload, _)| payload)
    })
}

/// Tokens the references (and we) accept but josekit cannot open, each with the reason. The
/// test fails if one of them stops diverging, so the list cannot rot.
const JOSEKIT_STRICTER: &[(&str, &str)] = &[
    (
        "v4-raw-header-bom",
        "josekit rejects a UTF-8 BOM before the header JSON",
    ),
    (
        "v5-raw-header-bom",
        "josekit rejects a UTF-8 BOM before the header JSON",
    ),
];

#[test]
fn josekit_agrees_on_every_token_both_accept() {
    let mut compared = 0;
    let mut stricter = Vec::new();
    for case in cases() {
        let ours = case.decoder().decode::<Value>(&case.token);
        let theirs = josekit_open(&case);
        match (ours, theirs) {
            (Ok(ours), Some(plaintext)) => {
                // The references read the plaintext with TextDecoder, which drops a leading BOM.
                let json = plaintext
                    .strip_prefix(b"\xEF\xBB\xBF")
                    .unwrap_or(&plaintext);
                let theirs: Value = serde_json::from_slice(json)
                    .unwrap_or_else(|e| panic!("{}: josekit plaintext is not JSON: {e}", case.id));
                assert_eq!(ours, theirs, "{}", case.id);
                compared += 1;
            }
            // Every token we accept must be one josekit can open as well.
            (Ok(_), None) => {
                assert!(
                    JOSEKIT_STRICTER.iter().any(|(id, _)| *id == case.id),
                    "{}: we accept a token josekit cannot decrypt",
                    case.id
                );
                stricter.push(case.id.clone());
            }
            // josekit checks no claims and is laxer on headers: it may open what we reject.
            (Err(_), _) => {}
        }
    }
    assert!(compared > 80, "only {compared} tokens compared");
    let listed: Vec<_> = JOSEKIT_STRICTER
        .iter()
        .map(|(id, _)| (*id).to_owned())
        .collect();
    assert_eq!(stricter, listed, "the known josekit divergences changed");
}
