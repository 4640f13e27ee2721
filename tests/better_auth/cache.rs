//! The server's cookie-cache step against `fixtures/better-auth/cases.json`: for every case of
//! a configuration with a cookie cache, `cached_session` must give the session exactly when
//! better-auth's `getSession` answered from the cache without reading its database, and that
//! session must equal `getSession`'s answer. Stateless configurations have no database: there
//! the cache is the whole answer.

use std::path::PathBuf;

use nextauth_session::better_auth::{BetterAuth, CacheStrategy};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
pub(crate) struct File {
    pub(crate) configs: Vec<Config>,
    pub(crate) cases: Vec<Case>,
}

#[derive(Deserialize)]
pub(crate) struct Config {
    pub(crate) id: String,
    pub(crate) secrets: Vec<String>,
    pub(crate) secure: bool,
    pub(crate) cookie_prefix: Option<String>,
    pub(crate) session_token_name: Option<String>,
    pub(crate) session_data_name: Option<String>,
    pub(crate) dont_remember_name: Option<String>,
    pub(crate) cache: Option<String>,
    pub(crate) cache_version: Option<String>,
    pub(crate) stateless: bool,
    pub(crate) database: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct Case {
    pub(crate) id: String,
    #[serde(default)]
    pub(crate) comment: String,
    pub(crate) config: String,
    pub(crate) cookie: Option<String>,
    pub(crate) now_ms: i64,
    pub(crate) session: Option<Value>,
    pub(crate) error: Option<Value>,
    pub(crate) from_cache: bool,
    #[serde(default)]
    pub(crate) flags: Vec<String>,
}

pub(crate) fn load() -> File {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/better-auth/cases.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("cases.json")).expect("parses")
}

pub(crate) fn reader(config: &Config, now_ms: i64) -> BetterAuth {
    let mut b = BetterAuth::builder()
        .secure(config.secure)
        .fixed_time_ms(now_ms);
    for secret in &config.secrets {
        b = b.secret(secret.as_str());
    }
    if let Some(prefix) = &config.cookie_prefix {
        b = b.cookie_prefix(prefix.as_str());
    }
    if let Some(name) = &config.session_token_name {
        b = b.session_token_name(name.as_str());
    }
    if let Some(name) = &config.session_data_name {
        b = b.session_data_name(name.as_str());
    }
    if let Some(name) = &config.dont_remember_name {
        b = b.dont_remember_name(name.as_str());
    }
    match config.cache.as_deref() {
        Some("compact") => b = b.cookie_cache(CacheStrategy::Compact),
        Some("jwt") => b = b.cookie_cache(CacheStrategy::Jwt),
        Some("jwe") => b = b.cookie_cache(CacheStrategy::Jwe),
        None => {}
        Some(other) => panic!("strategy {other}"),
    }
    if let Some(version) = &config.cache_version {
        b = b.cache_version(version.as_str());
    }
    b.stateless(config.stateless).build().expect(&config.id)
}

/// Cases where this crate's cookie-cache step deliberately differs from better-auth's, by a
/// substring of the case id, with the README row that says why. In each, better-auth used the
/// cache and this crate does not.
const POLICY: &[(&str, &str)] = &[
    (
        "token-quoted",
        "double quotes around a cookie value are kept (better-call drops the first and last character)",
    ),
    (
        "token-sig-unused-bits",
        "signatures are strict, canonical base64 (atob ignores the unused low bits)",
    ),
    (
        "cache-padded",
        "the compact cache is strict, unpadded base64url (better-auth stops decoding at the first '=')",
    ),
];

#[test]
fn cached_session_is_the_servers_cookie_cache_step() {
    let file = load();
    let mut failures = Vec::new();
    let (mut hits, mut misses, mut checked) = (0, 0, 0);
    let mut applied = [0usize; POLICY.len()];
    for case in &file.cases {
        let config = file
            .configs
            .iter()
            .find(|c| c.id == case.config)
            .expect("config");
        if config.cache.is_none() && !config.stateless {
            continue;
        }
        checked += 1;
        // A policy row applies where better-auth used the cache and we do not.
        let policy = POLICY.iter().position(|(needle, _)| {
            case.id.contains(needle)
                && (case.from_cache || config.stateless)
                && case.session.is_some()
        });
        if let Some(row) = policy {
            applied[row] += 1;
        }
        let got = reader(config, case.now_ms).cached_session(case.cookie.as_deref());
        let want = if case.from_cache || config.stateless {
            case.session.as_ref().filter(|_| policy.is_none())
        } else {
            None
        };
        let got_json = match &got {
            Ok(Some(s)) => Some(serde_json::to_value(s).unwrap()),
            _ => None,
        };
        if got_json.is_some() {
            hits += 1;
        } else {
            misses += 1;
        }
        let text = |v: Option<&Value>| v.map(|v| serde_json::to_string(v).unwrap());
        if got_json.as_ref() != want || text(got_json.as_ref()) != text(want) {
            failures.push(format!(
                "{} ({}; flags {:?}; reference error {:?}):\n   got  {:?}\n   want {}",
                case.id,
                case.comment,
                case.flags,
                case.error,
                got.map(|s| s.map(|s| serde_json::to_value(s).unwrap())),
                want.map_or("None".to_owned(), Value::to_string)
            ));
        }
    }
    assert!(checked > 0);
    for ((needle, _), count) in POLICY.iter().zip(applied) {
        assert!(count > 0, "policy row {needle:?} applies to no case");
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("{checked} cases: {hits} from the cache, {misses} not");
}
