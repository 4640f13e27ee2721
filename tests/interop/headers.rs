//! `Cookie` lines that are not UTF-8 (review finding: such a line was dropped whole, losing
//! the session cookie on it and letting the Bearer fallback run). Node reads every header
//! value byte-wise as Latin-1; so do `Decoder::from_headers` and `Csrf::verify_headers` for a
//! line that is not UTF-8, so the cookies on it count.
#![cfg(feature = "http")]

use http::header::{AUTHORIZATION, COOKIE, HeaderMap, HeaderValue};
use nextauth_session::{Csrf, CsrfError, Decoder, Error, Flavor};
use serde_json::Value;

use crate::common::fixture;

fn quickstart(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/fixtures/quickstart/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn params(file: &str) -> Value {
    let all: Value = serde_json::from_str(&quickstart("params.json")).unwrap();
    all[file].clone()
}

fn decoder(p: &Value) -> Decoder {
    Decoder::builder(Flavor::V5)
        .secret(p["secret"].as_str().unwrap())
        .fixed_time(p["now"].as_i64().unwrap())
        .build()
        .unwrap()
}

/// One header map with these raw `Cookie` lines and, optionally, an `Authorization` value.
fn headers(cookie_lines: &[Vec<u8>], authorization: Option<&[u8]>) -> HeaderMap {
    let mut map = HeaderMap::new();
    for line in cookie_lines {
        map.append(COOKIE, HeaderValue::from_bytes(line).unwrap());
    }
    if let Some(value) = authorization {
        map.insert(AUTHORIZATION, HeaderValue::from_bytes(value).unwrap());
    }
    map
}

/// `theme=café` written by another app in Latin-1 (one byte `0xE9`), before `rest`.
fn latin1_line(rest: &str) -> Vec<u8> {
    let mut line = b"theme=caf\xe9; ".to_vec();
    line.extend_from_slice(rest.as_bytes());
    line
}

#[test]
fn the_session_cookie_on_a_latin1_line_is_found() {
    let p = params("v5.token");
    let decoder = decoder(&p);
    let token = quickstart("v5.token");
    let line = latin1_line(&format!("authjs.session-token={token}"));
    assert!(std::str::from_utf8(&line).is_err());
    let got: Option<Value> = decoder
        .from_headers(&headers(std::slice::from_ref(&line), None))
        .unwrap();
    assert_eq!(got.as_ref(), Some(&p["payload"]));
    // The cookie wins over a Bearer token (which here is not even a token).
    let got: Option<Value> = decoder
        .from_headers(&headers(&[line], Some(b"Bearer not-a-token")))
        .unwrap();
    assert_eq!(got.as_ref(), Some(&p["payload"]));
}

#[test]
fn chunks_split_over_utf8_and_latin1_lines_are_joined() {
    let p = params("v5-chunked.cookie");
    let decoder = decoder(&p);
    let cookie = quickstart("v5-chunked.cookie");
    let lines: Vec<Vec<u8>> = cookie
        .split(';')
        .map(str::trim)
        .enumerate()
        .map(|(i, piece)| {
            if i % 2 == 0 {
                latin1_line(piece)
            } else {
                piece.as_bytes().to_vec()
            }
        })
        .collect();
    assert!(lines.len() >= 2);
    let got: Option<Value> = decoder.from_headers(&headers(&lines, None)).unwrap();
    assert_eq!(got.as_ref(), Some(&p["payload"]));
}

/// A session cookie that has a value blocks the Bearer fallback, also when that value is not
/// UTF-8 (it is then no token, and the request has no usable session).
#[test]
fn a_latin1_session_cookie_blocks_the_bearer_fallback() {
    let p = params("v5.token");
    let decoder = decoder(&p);
    let bearer = format!("Bearer {}", quickstart("v5.token"));
    let map = headers(
        &[b"authjs.session-token=\xff\xfe".to_vec()],
        Some(bearer.as_bytes()),
    );
    let got = decoder.from_headers::<Value>(&map);
    assert_eq!(got, Err(Error::NotJwe));
    // An `Authorization` value that is not UTF-8 is read as Latin-1 too: no token.
    let map = headers(&[], Some(b"Bearer \xe9"));
    assert!(decoder.from_headers::<Value>(&map).is_err());
    // The header limit is checked on the raw lines before anything is decoded.
    let big = vec![0xE9u8; 300 * 1024];
    let map = headers(&[big], None);
    assert_eq!(
        decoder.from_headers::<Value>(&map),
        Err(Error::TooLarge {
            what: "cookie header",
            limit: 256 * 1024
        })
    );
}

#[derive(serde::Deserialize)]
struct CsrfFile {
    cases: Vec<CsrfCase>,
}

#[derive(serde::Deserialize)]
struct CsrfCase {
    id: String,
    flavor: String,
    /// One secret, or a v5 list.
    secret: Value,
    secure: bool,
    cookie: Option<String>,
    submitted: Option<String>,
    reference: CsrfReference,
    /// Set where our policy departs from the reference (documented in the fixture).
    policy: Option<Value>,
}

#[derive(serde::Deserialize)]
struct CsrfReference {
    verified: bool,
}

/// Every verified CSRF case of `fixtures/csrf.json` (the references' verdicts) still verifies
/// when another cookie on the same `Cookie` line is Latin-1.
#[test]
fn the_csrf_cookie_on_a_latin1_line_is_found() {
    let file: CsrfFile = fixture("csrf.json");
    let mut checked = 0;
    for case in file
        .cases
        .iter()
        .filter(|c| c.reference.verified && c.policy.is_none())
    {
        let secrets: Vec<&str> = match &case.secret {
            Value::String(one) => vec![one.as_str()],
            list => list
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap())
                .collect(),
        };
        let csrf = secrets
            .into_iter()
            .fold(
                Csrf::builder(crate::common::flavor(&case.flavor)),
                |b, s| b.secret(s),
            )
            .secure(case.secure)
            .build()
            .unwrap();
        let (Some(cookie), Some(submitted)) = (&case.cookie, case.submitted.as_deref()) else {
            continue;
        };
        let mut map = headers(&[latin1_line(cookie)], None);
        map.insert("x-csrf-token", HeaderValue::from_str(submitted).unwrap());
        assert_eq!(csrf.verify_headers(&map), Ok(()), "{}", case.id);
        // A submitted token that is not UTF-8 is read as Latin-1: it does not match.
        map.insert(
            "x-csrf-token",
            HeaderValue::from_bytes(&latin1_line(submitted)).unwrap(),
        );
        assert_eq!(
            csrf.verify_headers(&map),
            Err(CsrfError::Mismatch),
            "{}",
            case.id
        );
        checked += 1;
    }
    assert!(checked >= 2, "{checked}");
}
