//! An arbitrary `Cookie` header through the Better Auth reader's public API (`session_token`,
//! `dont_remember`, `cached_session`), for each reader configuration of
//! fixtures/better-auth/cases.json (every cache strategy, stateless mode, `__Secure-` names,
//! a custom prefix, custom names, two secrets), at an arbitrary time: the signed
//! `session_token` cookie, the `session_data` chunk joining and each strategy's decoding.
//!
//! Input layout (see fuzz/README.md and seed-corpus.py): one configuration byte (index into
//! `CONFIGS`, modulo its length), the time as 8 bytes little-endian (unix ms), then the
//! cookie header; a header that is not UTF-8 makes the input uninteresting.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nextauth_session::Error;
use nextauth_session::better_auth::{BetterAuth, CacheStrategy};

const SECRET: &str = "better-auth-fixture-secret-0123456789abcdefghijklmnop";
const NEW_SECRET: &str = "better-auth-fixture-rotated-NEW-secret-0123456789abc";
const OLD_SECRET: &str = "better-auth-fixture-rotated-OLD-secret-0123456789abc";

/// One reader configuration of fixtures/better-auth/cases.json.
struct Config {
    /// The fixture's configuration id (seed-corpus.py maps cases by it).
    #[allow(dead_code)]
    id: &'static str,
    secrets: &'static [&'static str],
    secure: bool,
    prefix: &'static str,
    /// Custom `session_token`, `session_data`, `dont_remember` names.
    names: Option<[&'static str; 3]>,
    cache: Option<CacheStrategy>,
    version: &'static str,
    stateless: bool,
}

/// In the order seed-corpus.py numbers them (`BETTER_AUTH_CONFIGS` there).
const CONFIGS: [Config; 9] = [
    Config {
        id: "db-nocache",
        secrets: &[SECRET],
        secure: false,
        prefix: "better-auth",
        names: None,
        cache: None,
        version: "1",
        stateless: false,
    },
    Config {
        id: "db-compact",
        secrets: &[SECRET],
        secure: false,
        prefix: "better-auth",
        names: None,
        cache: Some(CacheStrategy::Compact),
        version: "2",
        stateless: false,
    },
    Config {
        id: "db-jwt",
        secrets: &[SECRET],
        secure: false,
        prefix: "better-auth",
        names: None,
        cache: Some(CacheStrategy::Jwt),
        version: "2",
        stateless: false,
    },
    Config {
        id: "db-jwe",
        secrets: &[SECRET],
        secure: false,
        prefix: "better-auth",
        names: None,
        cache: Some(CacheStrategy::Jwe),
        version: "2",
        stateless: false,
    },
    Config {
        id: "stateless",
        secrets: &[SECRET],
        secure: false,
        prefix: "better-auth",
        names: None,
        cache: Some(CacheStrategy::Jwe),
        version: "1",
        stateless: true,
    },
    Config {
        id: "db-secure",
        secrets: &[SECRET],
        secure: true,
        prefix: "better-auth",
        names: None,
        cache: Some(CacheStrategy::Compact),
        version: "1",
        stateless: false,
    },
    Config {
        id: "db-prefix",
        secrets: &[SECRET],
        secure: false,
        prefix: "myapp",
        names: None,
        cache: Some(CacheStrategy::Jwt),
        version: "1",
        stateless: false,
    },
    Config {
        id: "db-custom-names",
        secrets: &[SECRET],
        secure: false,
        prefix: "better-auth",
        names: Some(["sid", "app.data", "app.nr"]),
        cache: Some(CacheStrategy::Jwe),
        version: "1",
        stateless: false,
    },
    Config {
        id: "db-rotation",
        secrets: &[NEW_SECRET, OLD_SECRET],
        secure: false,
        prefix: "better-auth",
        names: None,
        cache: Some(CacheStrategy::Jwe),
        version: "1",
        stateless: false,
    },
];

fn reader(config: &Config, now_ms: i64) -> BetterAuth {
    let mut builder = BetterAuth::builder()
        .secure(config.secure)
        .cookie_prefix(config.prefix)
        .cache_version(config.version)
        .stateless(config.stateless)
        .fixed_time_ms(now_ms);
    for secret in config.secrets {
        builder = builder.secret(*secret);
    }
    if let Some([token, data, dont_remember]) = config.names {
        builder = builder
            .session_token_name(token)
            .session_data_name(data)
            .dont_remember_name(dont_remember);
    }
    if let Some(cache) = config.cache {
        builder = builder.cookie_cache(cache);
    }
    builder.build().expect("a valid configuration")
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Some((now, cookie)) = rest.split_first_chunk::<8>() else {
        return;
    };
    let Ok(cookie) = std::str::from_utf8(cookie) else {
        return;
    };
    let config = &CONFIGS[usize::from(which) % CONFIGS.len()];
    let reader = reader(config, i64::from_le_bytes(*now));

    let token = reader.session_token(Some(cookie));
    let cached = reader.cached_session(Some(cookie));
    let _ = reader.dont_remember(Some(cookie));

    match &cached {
        // A cached session is the verified token's session.
        Ok(Some(session)) => {
            let Ok(Some(token)) = &token else {
                panic!("a cached session without a verified session token: {token:?}");
            };
            assert_eq!(
                session.session().get("token").and_then(|t| t.as_str()),
                Some(token.as_str())
            );
            let claims = session.to_claims();
            assert!(claims.is_object());
        }
        Ok(None) => {}
        // The cache is read only after the token verified.
        Err(Error::BadSignature) | Err(Error::TooLarge { .. }) => {}
        Err(_) => assert!(matches!(token, Ok(Some(_))), "{cached:?} / {token:?}"),
    }
    if config.cache.is_none() {
        assert!(matches!(cached, Ok(None)));
    }
});
