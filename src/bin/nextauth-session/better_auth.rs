//! `inspect` for Better Auth cookies: the library's diagnosis
//! ([`BetterAuth::diagnose`]) under the app's settings, formatted.

use nextauth_session::Error;
use nextauth_session::better_auth::{BetterAuth, BetterAuthBuilder, CacheStrategy};
use nextauth_session::diagnosis::{
    BetterAuthDiagnosis, BetterAuthReason, CacheShape, SignedState, scan_cookies,
};
use serde_json::Value;

use crate::input::shorten;
use crate::report::{BetterAuthReport, CacheLine, Reason, chunk_status};
use crate::settings::NamedSecret;
use crate::time;

/// The Better Auth settings of the app, as far as they are known.
pub struct Options {
    /// `--better-auth`: inspect even without Better Auth cookies.
    pub force: bool,
    /// `advanced.cookiePrefix`.
    pub prefix: String,
    /// `session.cookieCache.strategy`; `None`: what the cookie's shape says.
    pub strategy: Option<CacheStrategy>,
    /// `session.cookieCache.version`.
    pub version: String,
    /// Stateless mode.
    pub stateless: bool,
    /// `__Secure-` names; `None`: what the cookies say.
    pub secure: Option<bool>,
}

fn strategy_name(s: CacheStrategy) -> &'static str {
    match s {
        CacheStrategy::Compact => "compact",
        CacheStrategy::Jwt => "jwt",
        _ => "jwe",
    }
}

/// Whether the request carries Better Auth cookies of this prefix (plain or `__Secure-`).
fn has_cookies(lines: &[&str], prefix: &str) -> Option<bool> {
    let scan = scan_cookies(lines);
    let mut found = None;
    for c in &scan {
        let (secure, name) = match c.name.strip_prefix("__Secure-") {
            Some(rest) => (true, rest),
            None => (false, c.name.as_str()),
        };
        let Some(rest) = name.strip_prefix(prefix).and_then(|r| r.strip_prefix('.')) else {
            continue;
        };
        if rest.starts_with("session_token") || rest.starts_with("session_data") {
            found = Some(found.unwrap_or(false) || secure);
        }
    }
    found
}

fn reader(
    o: &Options,
    secrets: &[&NamedSecret],
    secure: bool,
    strategy: Option<CacheStrategy>,
    now_ms: i64,
) -> Result<BetterAuth, Error> {
    let configure = |mut b: BetterAuthBuilder| {
        b = b
            .secure(secure)
            .cookie_prefix(o.prefix.as_str())
            .cache_version(o.version.as_str())
            .stateless(o.stateless)
            .fixed_time_ms(now_ms);
        if let Some(s) = strategy {
            b = b.cookie_cache(s);
        }
        b
    };
    if secrets.is_empty() {
        BetterAuth::from_env_with(configure)
    } else {
        configure(
            secrets
                .iter()
                .fold(BetterAuth::builder(), |b, s| b.secret(s.value.as_str())),
        )
        .build()
    }
}

fn when(ms: i64, now_ms: i64) -> String {
    let (secs, now) = (ms.div_euclid(1000), now_ms.div_euclid(1000));
    format!("{} ({})", time::utc(secs), time::relative(secs, now))
}

/// Inspects the Better Auth cookies of `lines`. `None`: the request has none and
/// `--better-auth` was not given. `Err`: a usage error.
pub fn inspect(
    o: &Options,
    secrets: &[NamedSecret],
    lines: &[&str],
    now_ms: i64,
) -> Result<Option<BetterAuthReport>, String> {
    let present = has_cookies(lines, &o.prefix);
    if present.is_none() && !o.force {
        return Ok(None);
    }
    let secure = o.secure.or(present).unwrap_or(false);
    let all: Vec<&NamedSecret> = secrets.iter().collect();
    let header = (!lines.is_empty()).then(|| lines.join("; "));
    let cookie = header.as_deref();
    let secure_prefix = if secure { "__Secure-" } else { "" };
    let first = match reader(o, &all, secure, o.strategy, now_ms) {
        Ok(reader) => reader,
        Err(e) => {
            return Ok(Some(BetterAuthReport {
                token_cookie: format!("{secure_prefix}{}.session_token", o.prefix),
                data_cookie: format!("{secure_prefix}{}.session_data", o.prefix),
                token: "not checked".to_owned(),
                dont_remember: "not checked".to_owned(),
                mode: if o.stateless { "stateless" } else { "database" },
                reason: Some(Reason::new(
                    "ba-no-secret",
                    format!("the Better Auth cookies cannot be checked: {e}"),
                    "pass --secret (the app's BETTER_AUTH_SECRET; repeat it for \
                     BETTER_AUTH_SECRETS, current first), or set BETTER_AUTH_SECRET / \
                     BETTER_AUTH_SECRETS",
                )),
                ..BetterAuthReport::default()
            }));
        }
    };
    let mut d = first.diagnose(cookie);
    let detected = d
        .cache
        .as_ref()
        .and_then(|c| c.shape)
        .and_then(CacheShape::strategy);
    let strategy = o
        .strategy
        .or(detected)
        .or(o.stateless.then_some(CacheStrategy::Jwe));
    let ba = if strategy != o.strategy {
        let ba = reader(o, &all, secure, strategy, now_ms).map_err(|e| e.to_string())?;
        d = ba.diagnose(cookie);
        ba
    } else {
        first
    };
    let mut r = BetterAuthReport {
        token_cookie: ba.session_token_name().to_owned(),
        data_cookie: ba.session_data_name().to_owned(),
        mode: if o.stateless { "stateless" } else { "database" },
        ..BetterAuthReport::default()
    };
    r.token = match d.session_token {
        SignedState::Absent => "absent".to_owned(),
        SignedState::NotSigned => {
            "present, not a signed value (token.signature): read as absent".to_owned()
        }
        SignedState::Verified => "signature verified".to_owned(),
        SignedState::BadSignature => "signature does not verify".to_owned(),
        _ => "present, not verified".to_owned(),
    };
    r.dont_remember = match d.dont_remember {
        SignedState::Absent => "absent (remember me on)".to_owned(),
        SignedState::Verified => "verified (remember me off: a browser-session cookie)".to_owned(),
        _ => "present but not verified: ignored (remember me on)".to_owned(),
    };
    // Which secret verifies the token: one reader per secret.
    if d.session_token != SignedState::Absent {
        r.token_secret = signer(o, secrets, secure, strategy, now_ms, |one| {
            one.session_token(cookie).ok().flatten().is_some()
        });
        if let Some(s) = &r.token_secret
            && !s.starts_with("#1 ")
        {
            r.notes.push(format!(
                "the session token is signed with secret {s}; better-auth verifies it with the \
                 current (first) secret only"
            ));
        }
    }
    if let Some(c) = &d.cache {
        let cache_secret = if c.decoded.is_ok() {
            signer(o, secrets, secure, strategy, now_ms, |one| {
                one.diagnose(cookie)
                    .cache
                    .is_some_and(|c| c.decoded.is_ok())
            })
        } else {
            None
        };
        r.cache = Some(CacheLine {
            name: c.set.name.clone(),
            status: chunk_status(&c.set.state),
            complete: c.set.state.is_complete(),
            detected: c.shape.and_then(CacheShape::strategy).map(strategy_name),
            strategy: c.configured.map(strategy_name),
            secret: cache_secret,
            version: c.version.clone(),
            expires: c.expires_ms.map(|ms| when(ms, now_ms)),
            session_expires: c.session_expires_ms.map(|ms| when(ms, now_ms)),
            token_matches: c.token_matches,
            error: c.decoded.as_ref().err().map(ToString::to_string),
        });
    }
    r.session = d.session.is_some();
    // The session token is a credential: shown shortened, as every cookie value.
    r.cached_session = d.session.as_ref().and_then(|s| {
        let mut v = serde_json::to_value(s).ok()?;
        if let Some(t) = v.pointer_mut("/session/token")
            && let Some(text) = t.as_str()
        {
            *t = Value::String(shorten(text));
        }
        Some(v)
    });
    r.reason = d.outcome.as_ref().err().map(|why| reason(why, &d, o));
    Ok(Some(r))
}

/// The first secret (`#n of m (source)`) for which a one-secret reader passes `check`.
fn signer(
    o: &Options,
    secrets: &[NamedSecret],
    secure: bool,
    strategy: Option<CacheStrategy>,
    now_ms: i64,
    check: impl Fn(&BetterAuth) -> bool,
) -> Option<String> {
    if secrets.is_empty() {
        let ba = reader(o, &[], secure, strategy, now_ms).ok()?;
        return check(&ba).then(|| "#1 (the current secret from the environment)".to_owned());
    }
    secrets.iter().enumerate().find_map(|(i, s)| {
        let one = reader(o, &[s], secure, strategy, now_ms).ok()?;
        check(&one).then(|| format!("#{} of {} ({})", i + 1, secrets.len(), s.source))
    })
}

fn reason(why: &BetterAuthReason, d: &BetterAuthDiagnosis, o: &Options) -> Reason {
    let db = if o.stateless {
        "in stateless mode there is no session"
    } else {
        "the server then reads its database (not visible here): use BetterAuth::session with a \
         Store"
    };
    match why {
        BetterAuthReason::NoToken => Reason::new(
            "ba-no-token",
            "no signed session token cookie",
            "the user is signed out, or the cookie does not reach this service; a custom \
             advanced.cookiePrefix needs --cookie-prefix, a https app the __Secure- names \
             (--secure)",
        ),
        BetterAuthReason::BadSignature => Reason::new(
            "ba-bad-signature",
            "the session token's signature does not verify with the current secret",
            "use the app's BETTER_AUTH_SECRET (or the first of BETTER_AUTH_SECRETS): better-auth \
             signs and verifies the token with the current secret only; a modified token looks \
             the same",
        ),
        BetterAuthReason::NoCacheConfigured | BetterAuthReason::NoCache => Reason::new(
            "ba-no-cache",
            "no session_data cookie cache",
            format!("the session token alone is no session: {db}"),
        ),
        BetterAuthReason::OtherStrategy(s) => Reason::new(
            "ba-strategy",
            format!(
                "the cookie cache was written by the {} strategy, not the configured one",
                strategy_name(*s)
            ),
            format!(
                "use cookie_cache(CacheStrategy::{s:?}) (--cache-strategy {})",
                strategy_name(*s)
            ),
        ),
        BetterAuthReason::CacheInvalid(e) => Reason::new(
            "ba-cache-invalid",
            format!("the cookie cache cannot be used: {e}"),
            match d.cache.as_ref().map(|c| c.set.state.is_complete()) {
                Some(false) => {
                    "a chunk of session_data is missing or stale: the browser or a proxy dropped \
                     a cookie; sign in again"
                        .to_owned()
                }
                _ => format!(
                    "a wrong secret (only the current one verifies compact and jwt caches), or a \
                     modified cookie; {db}"
                ),
            },
        ),
        BetterAuthReason::CacheExpired => Reason::new(
            "ba-cache-expired",
            "the cookie cache (or the session it holds) has expired",
            format!("the app refreshes the cache on its next getSession; {db}"),
        ),
        BetterAuthReason::OtherToken => Reason::new(
            "ba-cache-token",
            "the cookie cache holds another session's token than the session token cookie",
            format!("a stale cache of an earlier session: {db}"),
        ),
        BetterAuthReason::OtherVersion => Reason::new(
            "ba-cache-version",
            format!(
                "the cookie cache's version is {:?}, the configured one {:?}",
                d.cache
                    .as_ref()
                    .and_then(|c| c.version.as_deref())
                    .unwrap_or("1"),
                o.version
            ),
            format!("pass the app's session.cookieCache.version (--cache-version); {db}"),
        ),
        other => Reason::new("other", format!("{other:?}"), "see the message"),
    }
}
