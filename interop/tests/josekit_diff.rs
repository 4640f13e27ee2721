//! Differential test against josekit, an independent JOSE implementation: every fixture
//! token is decrypted by both, with keys derived here independently of the crate, and the
//! plaintexts must agree wherever both accept.

use nextauth_session_interop::cases;
use serde_json::Value;

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
        let theirs = case.josekit_open();
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
