//! Mints sessions with the Rust encoder and writes them as JSON cases for the cross-check
//! against the real NextAuth.js v4 / Auth.js v5 (`fixtures/generator/crosscheck.mjs`).
//!
//! ```text
//! cargo run --example mint -- /tmp/minted.json
//! node fixtures/generator/crosscheck.mjs /tmp/minted.json
//! ```
//!
//! Each case holds the decoder configuration (flavor, secrets in order, salt, cookie name,
//! secure), the instant it was minted at (`now`), the max age, the claims, the token, the
//! `Set-Cookie` values `set_cookies` wrote (given the request's cookies `request_cookie`), the
//! values `clear_cookies` wrote, and `cookie_header`: the `Cookie` header a browser sends next,
//! built by applying those `Set-Cookie` values to `request_cookie`. Nothing in the file is an
//! expectation: the cross-check derives what the references must return from the claims and
//! times, and runs the references themselves to get their cookies.

use std::process::ExitCode;
use std::time::Duration;

use nextauth_session::{Decoder, Flavor};
use serde_json::{Value, json};

struct Case {
    id: &'static str,
    flavor: Flavor,
    secrets: &'static [&'static str],
    secure: bool,
    cookie_name: Option<&'static str>,
    max_age: u64,
    claims: Value,
    /// The request's `Cookie` header when the session is written.
    request_cookie: Option<String>,
}

const SECRET: &str = "nextauth-session crosscheck secret 0123456789abcdef";
const DAY: u64 = 24 * 60 * 60;

fn typical(user: &str) -> Value {
    json!({
        "name": format!("User {user}"),
        "email": format!("{user}@example.com"),
        "picture": format!("https://avatars.example.com/{user}.png?size=256&v=4"),
        "sub": format!("sub-{user}"),
    })
}

fn filled(user: &str, filler: usize) -> Value {
    let mut claims = typical(user);
    // Varied text so nothing compresses; only JSON-safe ASCII.
    let text: String = (0..filler)
        .map(|i| char::from(b'a' + ((i * 7 + i / 26) % 26) as u8))
        .collect();
    claims["filler"] = json!(text);
    claims
}

fn cases() -> Vec<Case> {
    let case = |id, flavor, claims| Case {
        id,
        flavor,
        secrets: &[SECRET],
        secure: false,
        cookie_name: None,
        max_age: 30 * DAY,
        claims,
        request_cookie: None,
    };
    let unicode = json!({
        "name": "Zoë Ångström 山田太郎 🦀",
        "email": "zoë@exämple.com",
        "sub": "ユーザー-1",
        "bio": "emoji 👩🏽‍💻, combining e\u{301}, RTL עברית, control \u{1}\u{1f}, quotes \"'\\",
        "roles": ["админ", "ادمین"],
        "nested": {"é": {"ключ": [1, 2.5, -3, 1e21, true, null]}},
    });
    vec![
        case("v4-plain", Flavor::V4, typical("v4")),
        case("v5-plain", Flavor::V5, typical("v5")),
        case("v4-minimal", Flavor::V4, json!({})),
        case("v5-minimal", Flavor::V5, json!({})),
        case("v4-unicode", Flavor::V4, unicode.clone()),
        case("v5-unicode", Flavor::V5, unicode),
        case("v4-chunked-2", Flavor::V4, filled("v4c2", 3500)),
        case("v5-chunked-2", Flavor::V5, filled("v5c2", 3500)),
        case("v4-chunked-12", Flavor::V4, filled("v4c12", 33_000)),
        case("v5-chunked-12", Flavor::V5, filled("v5c12", 33_000)),
        Case {
            secure: true,
            ..case("v4-secure", Flavor::V4, typical("v4s"))
        },
        Case {
            secure: true,
            ..case("v5-secure", Flavor::V5, typical("v5s"))
        },
        Case {
            secure: true,
            ..case("v5-secure-chunked-3", Flavor::V5, filled("v5sc3", 7000))
        },
        Case {
            secrets: &["the new secret (current)", "the old secret"],
            ..case("v5-rotation", Flavor::V5, typical("v5r"))
        },
        Case {
            cookie_name: Some("myapp.session"),
            ..case("v5-custom-cookie-name", Flavor::V5, typical("v5n"))
        },
        Case {
            cookie_name: Some("myapp.session"),
            ..case("v4-custom-cookie-name", Flavor::V4, typical("v4n"))
        },
        Case {
            max_age: 3600,
            ..case("v4-max-age-1h", Flavor::V4, typical("v4m"))
        },
        Case {
            max_age: 3600,
            ..case("v5-max-age-1h", Flavor::V5, typical("v5m"))
        },
        // The request still carries an older, longer session (chunks .0-.2), a look-alike
        // cookie and unrelated ones: the references expire the leftovers.
        Case {
            request_cookie: Some(
                "theme=dark; next-auth.session-token.2=old2; next-auth.session-token.0=old0; \
                 next-auth.session-token.1=old1; next-auth.session-token.bak=junk; \
                 next-auth.csrf-token=abc%7Cdef"
                    .into(),
            ),
            ..case("v4-replace-chunks-with-one", Flavor::V4, typical("v4x"))
        },
        Case {
            request_cookie: Some(
                "authjs.session-token=old; theme=dark; authjs.session-token.5=stale; \
                 authjs.session-token.0=; authjs.callback-url=http%3A%2F%2Flocalhost"
                    .into(),
            ),
            ..case(
                "v5-replace-one-with-chunks",
                Flavor::V5,
                filled("v5x", 5000),
            )
        },
        Case {
            request_cookie: Some(
                "__Secure-authjs.session-token.0=a; __Secure-authjs.session-token.1=b; \
                 __Secure-authjs.session-token.2=c; __Secure-authjs.session-token.3=d"
                    .into(),
            ),
            secure: true,
            ..case("v5-secure-shrink-4-to-2", Flavor::V5, filled("v5y", 4500))
        },
        Case {
            request_cookie: Some("next-auth.session-token=old; other=1".into()),
            ..case("v4-replace-one-with-one", Flavor::V4, typical("v4z"))
        },
    ]
}

/// A browser: apply `Set-Cookie` values to the request's cookies (`Max-Age=0` deletes).
fn next_cookie_header(request_cookie: Option<&str>, set_cookies: &[String]) -> String {
    let mut jar: Vec<(String, String)> = request_cookie
        .into_iter()
        .flat_map(|h| h.split(';'))
        .filter_map(|p| p.split_once('='))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    for set in set_cookies {
        let (pair, attributes) = set.split_once(';').unwrap_or((set, ""));
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        jar.retain(|(n, _)| n != name);
        if !attributes.split(';').any(|a| a.trim() == "Max-Age=0") {
            jar.push((name.to_owned(), value.to_owned()));
        }
    }
    // Newest first, as browsers often send them: the reader must not depend on order.
    jar.reverse();
    jar.iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn mint(case: &Case, now: i64) -> Result<Value, nextauth_session::Error> {
    let mut builder = Decoder::builder(case.flavor)
        .secure(case.secure)
        .fixed_time(now);
    for secret in case.secrets {
        builder = builder.secret(*secret);
    }
    if let Some(name) = case.cookie_name {
        builder = builder.cookie_name(name);
    }
    let decoder = builder.build()?;
    let encoder = decoder.encoder().max_age(Duration::from_secs(case.max_age));
    let token = encoder.encode(&case.claims)?;
    let request_cookie = case.request_cookie.as_deref();
    let set_cookie = encoder.set_cookies(&token, request_cookie);
    let cleared = encoder.clear_cookies(request_cookie);
    Ok(json!({
        "id": case.id,
        "flavor": match case.flavor { Flavor::V4 => "v4", Flavor::V5 => "v5" },
        "secrets": case.secrets,
        // v4 session tokens use the empty salt; v5 the cookie name (Flavor docs).
        "salt": match case.flavor { Flavor::V4 => "", Flavor::V5 => decoder.cookie_name() },
        "cookie_name": decoder.cookie_name(),
        "secure": case.secure,
        "now": now,
        "max_age": case.max_age,
        "claims": case.claims,
        "token": token,
        "request_cookie": request_cookie,
        "set_cookie": set_cookie,
        "cleared": cleared,
        "cookie_header": next_cookie_header(request_cookie, &set_cookie),
        "helper_cookie_header": encoder.cookie_header(&token),
    }))
}

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: cargo run --example mint -- <output.json>");
        return ExitCode::from(2);
    };
    let mut out = Vec::new();
    for (i, case) in cases().iter().enumerate() {
        // A different instant per case, so a clock mix-up cannot pass by accident.
        let now = 1_750_000_000 + 1_000 * i as i64;
        match mint(case, now) {
            Ok(value) => out.push(value),
            Err(e) => {
                eprintln!("{}: {e}", case.id);
                return ExitCode::FAILURE;
            }
        }
    }
    let text = serde_json::to_string_pretty(&json!({
        "generator": "cargo run --example mint",
        "cases": out,
    }))
    .expect("JSON values serialize");
    if let Err(e) = std::fs::write(&path, text) {
        eprintln!("{path}: {e}");
        return ExitCode::FAILURE;
    }
    println!("mint: wrote {} cases to {path}", out.len());
    ExitCode::SUCCESS
}
