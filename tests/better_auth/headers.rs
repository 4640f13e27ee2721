//! A `Cookie` line that is not UTF-8 (review finding: it was dropped whole, and the Better
//! Auth cookies on it with it, so the request looked signed out). The line is read byte-wise
//! as Latin-1, as Node (and so better-auth) reads it.

use http::header::{COOKIE, HeaderMap, HeaderValue};
use nextauth_session::integrations::SessionSource;
use serde_json::Value;

use crate::cache::{load, reader};

#[tokio::test]
async fn better_auth_cookies_on_a_latin1_line_count() {
    let file = load();
    let mut checked = 0;
    for case in file
        .cases
        .iter()
        .filter(|c| c.from_cache && c.session.is_some())
    {
        let config = file.configs.iter().find(|c| c.id == case.config).unwrap();
        let cookie = case.cookie.as_deref().unwrap();
        let reader = reader(config, case.now_ms);
        // The cases whose session comes from the cookies alone.
        let Ok(Some(want)) = reader.cached_session(Some(cookie)) else {
            continue;
        };
        let source = SessionSource::from(reader);
        // Another app's Latin-1 cookie (`theme=café`, one byte 0xE9) on the same line.
        let mut line = b"theme=caf\xe9; ".to_vec();
        line.extend_from_slice(cookie.as_bytes());
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, HeaderValue::from_bytes(&line).unwrap());
        let got: Option<Value> = source.session(&headers).await.unwrap();
        assert_eq!(got, Some(want.to_claims()), "{}", case.id);
        checked += 1;
    }
    assert!(checked >= 3, "{checked}");
}
