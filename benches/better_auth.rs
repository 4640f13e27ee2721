//! Better Auth's cookie-cache step: `cached_session` for each strategy on a typical session
//! (cookies written by the real better-auth, `fixtures/better-auth/cases.json`), against the
//! same crypto done by hand with the same crates (the floor): the session token's HMAC, then
//! for `compact` base64url + HMAC-SHA256 + a JSON parse, for `jwt` HMAC-SHA256 + base64url + a
//! JSON parse, for `jwe` base64url + HMAC-SHA512 + AES-256-CBC + a JSON parse.
//!
//! `cargo bench --bench better_auth --features better-auth`

use std::hint::black_box;
use std::time::Duration;

use aes::Aes256Dec;
use aes::cipher::{BlockModeDecrypt, InnerIvInit, block_padding::Pkcs7};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use criterion::{Criterion, criterion_group, criterion_main};
use hkdf::Hkdf;
use hmac::{Hmac, KeyInit, Mac};
use nextauth_session::better_auth::{BetterAuth, CacheStrategy};
use serde::Deserialize;
use sha2::{Sha256, Sha512};

#[derive(Deserialize)]
struct File {
    configs: Vec<Config>,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Config {
    id: String,
    secrets: Vec<String>,
    cache: Option<String>,
    cache_version: Option<String>,
}

#[derive(Deserialize)]
struct Case {
    id: String,
    config: String,
    cookie: Option<String>,
    now_ms: i64,
}

/// The cookie value of `name` in a Cookie header, percent-decoded (the fixtures' values need
/// only `%2B`, `%2F`, `%3D`).
fn cookie_value(header: &str, name: &str) -> String {
    let raw = header
        .split("; ")
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
        .expect("the cookie");
    raw.replace("%2B", "+")
        .replace("%2F", "/")
        .replace("%3D", "=")
}

struct Row {
    strategy: &'static str,
    reader: BetterAuth,
    cookie: String,
    secret: String,
    token: String,
    data: String,
}

fn rows() -> Vec<Row> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/better-auth/cases.json"
    ))
    .expect("fixtures/better-auth/cases.json");
    let file: File = serde_json::from_str(&text).expect("parses");
    [
        ("compact", "db-compact/valid"),
        ("jwt", "db-jwt/valid"),
        ("jwe", "db-jwe/valid"),
    ]
    .into_iter()
    .map(|(strategy, id)| {
        let case = file.cases.iter().find(|c| c.id == id).expect(id);
        let config = file.configs.iter().find(|c| c.id == case.config).unwrap();
        let mut builder = BetterAuth::builder().fixed_time_ms(case.now_ms);
        for secret in &config.secrets {
            builder = builder.secret(secret.as_str());
        }
        builder = builder.cookie_cache(match config.cache.as_deref() {
            Some("compact") => CacheStrategy::Compact,
            Some("jwt") => CacheStrategy::Jwt,
            _ => CacheStrategy::Jwe,
        });
        if let Some(version) = &config.cache_version {
            builder = builder.cache_version(version.as_str());
        }
        let cookie = case.cookie.clone().unwrap();
        let signed = cookie_value(&cookie, "better-auth.session_token");
        Row {
            strategy,
            reader: builder.build().unwrap(),
            token: signed,
            data: cookie_value(&cookie, "better-auth.session_data"),
            secret: config.secrets[0].clone(),
            cookie,
        }
    })
    .collect()
}

fn hmac256(secret: &[u8], message: &[u8]) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret).unwrap();
    mac.update(message);
    mac
}

/// The same crypto by hand: what any reader must at least do.
fn floor(row: &Row, jwe_key: &[u8; 64]) -> serde_json::Value {
    let secret = row.secret.as_bytes();
    let (token, signature) = row.token.rsplit_once('.').unwrap();
    let tag = STANDARD.decode(signature).unwrap();
    hmac256(secret, token.as_bytes())
        .verify_slice(&tag)
        .unwrap();
    match row.strategy {
        "compact" => {
            let bytes = URL_SAFE_NO_PAD.decode(&row.data).unwrap();
            let outer: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            let signature = URL_SAFE_NO_PAD
                .decode(outer["signature"].as_str().unwrap())
                .unwrap();
            // The signed message is as long as the wrapper: MAC the decoded text.
            let _ = hmac256(secret, &bytes).verify_slice(&signature);
            outer
        }
        "jwt" => {
            let (signed, signature) = row.data.rsplit_once('.').unwrap();
            let tag = URL_SAFE_NO_PAD.decode(signature).unwrap();
            hmac256(secret, signed.as_bytes())
                .verify_slice(&tag)
                .unwrap();
            let payload = URL_SAFE_NO_PAD
                .decode(signed.split('.').nth(1).unwrap())
                .unwrap();
            serde_json::from_slice(&payload).unwrap()
        }
        _ => {
            let parts: Vec<&str> = row.data.split('.').collect();
            let iv = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
            let mut buf = URL_SAFE_NO_PAD.decode(parts[3]).unwrap();
            let tag = URL_SAFE_NO_PAD.decode(parts[4]).unwrap();
            let aad = parts[0].as_bytes();
            let mut mac = <Hmac<Sha512> as KeyInit>::new_from_slice(&jwe_key[..32]).unwrap();
            mac.update(aad);
            mac.update(&iv);
            mac.update(&buf);
            mac.update(&((aad.len() as u64) * 8).to_be_bytes());
            mac.verify_truncated_left(&tag).unwrap();
            let cipher = Aes256Dec::new_from_slice(&jwe_key[32..]).unwrap();
            let plain = cbc::Decryptor::inner_iv_slice_init(cipher, &iv)
                .unwrap()
                .decrypt_padded::<Pkcs7>(&mut buf)
                .unwrap();
            serde_json::from_slice(plain).unwrap()
        }
    }
}

fn bench(c: &mut Criterion) {
    let rows = rows();
    let mut group = c.benchmark_group("better_auth_cached_session");
    group.measurement_time(Duration::from_secs(3));
    group.warm_up_time(Duration::from_secs(1));
    for row in &rows {
        // Correct before measured: the reader answers from the cache.
        assert!(
            row.reader
                .cached_session(Some(&row.cookie))
                .unwrap()
                .is_some()
        );
        let mut key = [0u8; 64];
        Hkdf::<Sha256>::new(Some(b"better-auth-session"), row.secret.as_bytes())
            .expand(b"BetterAuth.js Generated Encryption Key", &mut key)
            .unwrap();
        floor(row, &key);
        group.bench_function(format!("{}/cached_session", row.strategy), |b| {
            b.iter(|| row.reader.cached_session(black_box(Some(&row.cookie))))
        });
        group.bench_function(format!("{}/floor", row.strategy), |b| {
            b.iter(|| floor(black_box(row), &key))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
