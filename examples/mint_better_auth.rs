//! Mints Better Auth cookies with `BetterAuthEncoder` and writes them as JSON cases for the
//! cross-check against the real better-auth 1.7.25
//! (`fixtures/generator/crosscheck-better-auth.mjs`).
//!
//! ```text
//! cargo run --example mint_better_auth --features better-auth -- /tmp/ba.json
//! node fixtures/generator/crosscheck-better-auth.mjs /tmp/ba.json
//! ```
//!
//! Each case holds the configuration (secret, strategy, version, prefix, secure, stateless,
//! remember me, max ages), the instant it was minted at (`now_ms`, the real clock: the
//! cross-check runs right after), the session and user objects, the `Set-Cookie` values, the
//! `Cookie` header a browser sends back, and the unsplit `session_data` value. The secret is a
//! test constant.

use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use nextauth_session::better_auth::{BetterAuth, CacheStrategy};
use serde_json::{Map, Value, json};

const SECRET: &str = "better-auth crosscheck secret 0123456789abcdef";

struct Case {
    id: &'static str,
    strategy: Option<CacheStrategy>,
    stateless: bool,
    secure: bool,
    prefix: Option<&'static str>,
    version: Option<&'static str>,
    dont_remember: bool,
    cache_max_age: Option<u64>,
    filler: usize,
}

const BASE: Case = Case {
    id: "",
    strategy: Some(CacheStrategy::Compact),
    stateless: false,
    secure: false,
    prefix: None,
    version: None,
    dont_remember: false,
    cache_max_age: None,
    filler: 0,
};

fn cases() -> Vec<Case> {
    vec![
        Case {
            id: "compact",
            ..BASE
        },
        Case {
            id: "jwt",
            strategy: Some(CacheStrategy::Jwt),
            version: Some("3"),
            ..BASE
        },
        Case {
            id: "jwe",
            strategy: Some(CacheStrategy::Jwe),
            cache_max_age: Some(600),
            ..BASE
        },
        Case {
            id: "stateless-jwe",
            strategy: None,
            stateless: true,
            ..BASE
        },
        Case {
            id: "secure-compact",
            secure: true,
            ..BASE
        },
        Case {
            id: "secure-stateless-jwe",
            strategy: None,
            stateless: true,
            secure: true,
            ..BASE
        },
        Case {
            id: "custom-prefix-jwt",
            strategy: Some(CacheStrategy::Jwt),
            prefix: Some("myapp"),
            ..BASE
        },
        Case {
            id: "no-cache",
            strategy: None,
            ..BASE
        },
        Case {
            id: "large-compact",
            filler: 12_000,
            ..BASE
        },
        Case {
            id: "large-jwt",
            strategy: Some(CacheStrategy::Jwt),
            filler: 9_000,
            ..BASE
        },
        Case {
            id: "large-stateless-jwe",
            strategy: None,
            stateless: true,
            secure: true,
            filler: 20_000,
            ..BASE
        },
        Case {
            id: "dont-remember-compact",
            dont_remember: true,
            ..BASE
        },
        Case {
            id: "dont-remember-jwt",
            strategy: Some(CacheStrategy::Jwt),
            dont_remember: true,
            ..BASE
        },
        Case {
            id: "dont-remember-stateless-jwe",
            strategy: None,
            stateless: true,
            dont_remember: true,
            ..BASE
        },
    ]
}

fn iso(ms: i64) -> String {
    // Days from 1970-01-01 to a civil date (Howard Hinnant's algorithm), for ISO strings.
    let (days, rem) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let (h, mi, s, milli) = (
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    );
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}Z")
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("an object literal"),
    }
}

fn mint(case: &Case, now_ms: i64, n: usize) -> Result<Value, nextauth_session::Error> {
    let mut builder = BetterAuth::builder()
        .secret(SECRET)
        .secure(case.secure)
        .stateless(case.stateless)
        .fixed_time_ms(now_ms);
    if let Some(strategy) = case.strategy {
        builder = builder.cookie_cache(strategy);
    }
    if let Some(prefix) = case.prefix {
        builder = builder.cookie_prefix(prefix);
    }
    if let Some(version) = case.version {
        builder = builder.cache_version(version);
    }
    let reader = builder.build()?;
    let mut encoder = reader.encoder().dont_remember(case.dont_remember);
    if let Some(max_age) = case.cache_max_age {
        encoder = encoder.cache_max_age(Duration::from_secs(max_age));
    }
    let created = iso(now_ms - 60_000);
    let expires_in_days = if case.dont_remember { 1 } else { 7 };
    let token = format!("Tok{n:02}abcdefghijklmnopqrstuvwxyz0")[..32].to_owned();
    // better-auth's memory adapter order: expiresAt, token, createdAt, updatedAt, ipAddress,
    // userAgent, userId, id.
    let session = object(json!({
        "expiresAt": iso(now_ms + expires_in_days * 86_400_000),
        "token": token,
        "createdAt": created,
        "updatedAt": created,
        "ipAddress": "203.0.113.7",
        "userAgent": "Mozilla/5.0 (X11; Linux x86_64) crosscheck/1.0",
        "userId": format!("user-{n}"),
        "id": format!("session-{n}"),
    }));
    let mut user = object(json!({
        "name": format!("Zoë Ångström {n} 🦀 \"quoted\" \\ /"),
        "email": format!("user{n}@example.com"),
        "emailVerified": n.is_multiple_of(2),
        "image": if n.is_multiple_of(3) { Value::Null } else { json!(format!("https://img.example.com/{n}.png?a=1&b=2")) },
        "createdAt": created,
        "updatedAt": created,
        "id": format!("user-{n}"),
    }));
    if case.filler > 0 {
        let text: String = (0..case.filler)
            .map(|i| char::from(b'a' + ((i * 7 + i / 26) % 26) as u8))
            .collect();
        user.insert("name".to_owned(), json!(text));
    }
    let set_cookies = encoder.set_cookies(&session, &user)?;
    let cookie_header = set_cookies
        .iter()
        .map(|c| c.split(';').next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("; ");
    let session_data = if case.strategy.is_some() || case.stateless {
        json!(encoder.session_data(&session, &user)?)
    } else {
        Value::Null
    };
    // The crate's own reader, as a first check.
    let read_back = reader.cached_session(Some(&cookie_header))?;
    Ok(json!({
        "id": case.id,
        "secret": SECRET,
        "strategy": match (case.strategy, case.stateless) {
            (Some(CacheStrategy::Compact), _) => json!("compact"),
            (Some(CacheStrategy::Jwt), _) => json!("jwt"),
            (_, true) | (Some(_), _) => json!("jwe"),
            (None, false) => Value::Null,
        },
        "stateless": case.stateless,
        "secure": case.secure,
        "cookie_prefix": case.prefix.unwrap_or("better-auth"),
        "version": case.version.unwrap_or("1"),
        "dont_remember": case.dont_remember,
        "cache_max_age": case.cache_max_age,
        "now_ms": now_ms,
        "session": session,
        "user": user,
        "names": {
            "session_token": reader.session_token_name(),
            "session_data": reader.session_data_name(),
            "dont_remember": reader.dont_remember_name(),
        },
        "set_cookies": set_cookies,
        "cookie_header": cookie_header,
        "session_data": session_data,
        "rust_reads_back": read_back.is_some(),
    }))
}

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: mint_better_auth <out.json>");
        return ExitCode::from(2);
    };
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let mut out = Vec::new();
    for (n, case) in cases().iter().enumerate() {
        match mint(case, now_ms, n) {
            Ok(value) => out.push(value),
            Err(e) => {
                eprintln!("{}: {e}", case.id);
                return ExitCode::FAILURE;
            }
        }
    }
    let text = serde_json::to_string_pretty(&out).expect("JSON values serialize");
    if let Err(e) = std::fs::write(&path, text) {
        eprintln!("{path}: {e}");
        return ExitCode::FAILURE;
    }
    println!("wrote {} better-auth cases to {path}", out.len());
    ExitCode::SUCCESS
}
