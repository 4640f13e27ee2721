//! A `Cookie` line that is not UTF-8 (review finding: it was dropped whole, and the Better
//! Auth cookies on it with it, so the request looked signed out). The line is read byte-wise
//! as Latin-1, as Node (and so better-auth) reads it.

use http::header::{COOKIE, HeaderMap, HeaderValue};
use nextauth_session::better_auth::{BetterAuth, BetterAuthSession};
use nextauth_session::integrations::SessionSource;
use serde_json::Value;

use crate::cache::{load, reader};

/// Every fixture case whose session comes from the cookies alone: the reader, the `Cookie`
/// header and the session it reads.
fn cases_from_the_cookies() -> Vec<(BetterAuth, String, BetterAuthSession)> {
    let file = load();
    let cases: Vec<_> = file
        .cases
        .iter()
        .filter(|c| c.from_cache && c.session.is_some())
        .filter_map(|case| {
            let config = file.configs.iter().find(|c| c.id == case.config).unwrap();
            let cookie = case.cookie.clone().unwrap();
            let reader = reader(config, case.now_ms);
            let want = reader.cached_session(Some(&cookie)).ok()??;
            Some((reader, cookie, want))
        })
        .collect();
    assert!(cases.len() >= 3, "{}", cases.len());
    cases
}

#[tokio::test]
async fn better_auth_cookies_on_a_latin1_line_count() {
    for (reader, cookie, want) in cases_from_the_cookies() {
        let source = SessionSource::from(reader);
        // Another app's Latin-1 cookie (`theme=café`, one byte 0xE9) on the same line.
        let mut line = b"theme=caf\xe9; ".to_vec();
        line.extend_from_slice(cookie.as_bytes());
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, HeaderValue::from_bytes(&line).unwrap());
        let got: Option<Value> = source.session(&headers).await.unwrap();
        assert_eq!(got, Some(want.to_claims()), "{cookie}");
    }
}

/// HTTP/2 sends each cookie on its own `Cookie` line: the lines are joined as better-auth
/// joins them, the session token, each cache chunk and a Latin-1 cookie on lines of their own.
#[tokio::test]
async fn better_auth_cookies_split_over_lines_count() {
    for (reader, cookie, want) in cases_from_the_cookies() {
        let source = SessionSource::from(reader);
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, HeaderValue::from_bytes(b"theme=caf\xe9").unwrap());
        for pair in cookie.split("; ") {
            headers.append(COOKIE, HeaderValue::from_str(pair).unwrap());
        }
        let got: Option<Value> = source.session(&headers).await.unwrap();
        assert_eq!(got, Some(want.to_claims()), "{cookie}");
        // Without the lines after the first, the session token is missing: no session.
        let mut first_only = HeaderMap::new();
        first_only.append(COOKIE, headers.get(COOKIE).unwrap().clone());
        let none: Option<Value> = source.session(&first_only).await.unwrap();
        assert_eq!(none, None, "{cookie}");
    }
}
