//! Large sessions: tokens whose claims carry an OAuth provider's tokens (an access token and an
//! id token, both JWTs, a refresh token, the scopes and the profile), 6 KB and 12 KB of claims
//! JSON, as an app's `jwt` callback stores them. Measured in one run, per flavor and size:
//!
//! - `decode`: `Decoder::decode::<Session>` on the token (what a request pays);
//! - `crypto`: its cryptographic floor, base64url (`base64-simd`) + the AEAD open
//!   (AES-256-GCM for v4, AES-256-CBC + HMAC-SHA-512/256 for v5), from the same crates;
//! - `ignored`: `decode::<IgnoredAny>`, the decode without building a claims type (crypto,
//!   the registered-claims pass, serde_json skipping the claims);
//! - `json/*`: the claims JSON alone, from the decrypted plaintext: serde_json into `Session`,
//!   into `serde_json::Value`, and into a borrowed view (`&str` and `&RawValue` members,
//!   nothing copied), the lower bound of a lazy claims representation.
//!
//! The target (issue 17): `decode` within 2x of `crypto`. Ratios: `python3
//! benches/compare/criterion_medians.py` over `target/criterion/large`, or read the medians.
//!
//! ```text
//! cargo bench --bench large
//! ```
//!
//! The tokens are minted with the crate's `Encoder` (cross-checked against the references by
//! `fixtures/generator/crosscheck.mjs`); the claims are deterministic.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Duration;

use aes::Aes256Dec;
use aes::cipher::{BlockModeDecrypt, InnerIvInit, block_padding::Pkcs7};
use aes_gcm::{AeadInOut, Aes256Gcm};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use hkdf::Hkdf;
use hmac::{Hmac, KeyInit, Mac};
use nextauth_session::{Decoder, Flavor, Session};
use serde_json::value::RawValue;
use serde_json::{Value, json};
use sha2::{Sha256, Sha512};

const SECRET: &str = "nextauth-session large-session bench secret 0123456789";
const NOW: i64 = 1_750_000_000;

/// SplitMix64, for deterministic token text.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }
}

/// A JWT-shaped string (header.payload.signature) whose payload is `claims`, as a provider's
/// access or id token looks.
fn jwt(rng: &mut Rng, claims: &Value, signature_len: usize) -> String {
    let header = json!({"alg": "RS256", "kid": "a1b2c3d4e5f6", "typ": "JWT"});
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode(rng.bytes(signature_len))
    )
}

/// The claims of a session carrying an OAuth account: the provider's tokens are most of it
/// (a few long strings); `groups`, the group claims inside both JWTs, sets the size.
fn oauth_claims(groups: usize) -> Value {
    let mut rng = Rng(17);
    let user = "ada";
    let profile = json!({
        "sub": "00u1a2b3c4d5e6f7g8h9",
        "name": "Ada Lovelace",
        "given_name": "Ada",
        "family_name": "Lovelace",
        "email": "ada@example.com",
        "email_verified": true,
        "locale": "en-GB",
        "zoneinfo": "Europe/London",
    });
    let group_names: Vec<String> = (0..groups)
        .map(|i| format!("engineering-team-{i:03}"))
        .collect();
    let access = jwt(
        &mut rng,
        &json!({
            "iss": "https://login.example.com/oauth2/default",
            "aud": "api://default",
            "sub": "00u1a2b3c4d5e6f7g8h9",
            "iat": NOW - 60,
            "exp": NOW + 3540,
            "cid": "0oa1b2c3d4e5f6g7h8i9",
            "uid": "00u1a2b3c4d5e6f7g8h9",
            "scp": ["openid", "profile", "email", "offline_access", "groups"],
            "groups": group_names,
        }),
        256,
    );
    let mut id_claims = profile.clone();
    id_claims["groups"] = json!(group_names);
    let id = jwt(&mut rng, &id_claims, 256);
    let refresh = URL_SAFE_NO_PAD.encode(rng.bytes(96));
    json!({
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "picture": format!("https://avatars.example.com/{user}.png?size=256&v=4"),
        "sub": "user-ada",
        "provider": "okta",
        "providerAccountId": "00u1a2b3c4d5e6f7g8h9",
        "access_token": access,
        "id_token": id,
        "refresh_token": refresh,
        "token_type": "Bearer",
        "scope": "openid profile email offline_access groups",
        "expires_at": NOW + 3540,
        "profile": profile,
    })
}

/// Claims of about `target` bytes of JSON (the token adds `iat`, `exp` and `jti`).
fn claims_of(target: usize) -> Value {
    let mut groups = 0;
    loop {
        let claims = oauth_claims(groups);
        if claims.to_string().len() >= target {
            return claims;
        }
        groups += 1;
    }
}

/// The AEAD keys of a decoder's secret, derived here with HKDF-SHA256 as the references do.
enum Keys {
    Gcm(Aes256Gcm),
    CbcHs512(Hmac<Sha512>, Aes256Dec),
}

impl Keys {
    fn derive(flavor: Flavor) -> Self {
        match flavor {
            Flavor::V4 => {
                let mut key = [0u8; 32];
                Hkdf::<Sha256>::new(Some(b""), SECRET.as_bytes())
                    .expand(b"NextAuth.js Generated Encryption Key", &mut key)
                    .expect("32-byte HKDF output");
                Self::Gcm(Aes256Gcm::new_from_slice(&key).expect("32-byte key"))
            }
            _ => {
                let salt = "authjs.session-token";
                let info = format!("Auth.js Generated Encryption Key ({salt})");
                let mut key = [0u8; 64];
                Hkdf::<Sha256>::new(Some(salt.as_bytes()), SECRET.as_bytes())
                    .expand(info.as_bytes(), &mut key)
                    .expect("64-byte HKDF output");
                Self::CbcHs512(
                    <Hmac<Sha512> as KeyInit>::new_from_slice(&key[..32]).expect("any length"),
                    <Aes256Dec as KeyInit>::new_from_slice(&key[32..]).expect("32-byte key"),
                )
            }
        }
    }

    /// The crypto floor of one token: base64url-decode IV, ciphertext and tag, verify and
    /// decrypt. Returns the plaintext.
    fn open(&self, token: &str) -> Vec<u8> {
        let engine = base64_simd::URL_SAFE_NO_PAD;
        let mut parts = token.split('.');
        let mut next = || parts.next().expect("five parts");
        let (header, _key, iv, ciphertext, tag) = (next(), next(), next(), next(), next());
        let mut buf = engine.decode_to_vec(ciphertext).expect("ciphertext");
        let mut iv_out = [0u8; 16];
        let mut tag_out = [0u8; 32];
        let iv = engine
            .decode(iv.as_bytes(), base64_simd::AsOut::as_out(&mut iv_out[..]))
            .expect("iv");
        let tag = engine
            .decode(tag.as_bytes(), base64_simd::AsOut::as_out(&mut tag_out[..]))
            .expect("tag");
        match self {
            Self::Gcm(cipher) => {
                let iv: [u8; 12] = (&*iv).try_into().expect("12-byte iv");
                let tag: [u8; 16] = (&*tag).try_into().expect("16-byte tag");
                cipher
                    .decrypt_inout_detached(
                        &iv.into(),
                        header.as_bytes(),
                        buf.as_mut_slice().into(),
                        &tag.into(),
                    )
                    .expect("tag verifies");
                buf
            }
            Self::CbcHs512(keyed, dec) => {
                let mut mac = keyed.clone();
                mac.update(header.as_bytes());
                mac.update(iv);
                mac.update(&buf);
                mac.update(&(header.len() as u64 * 8).to_be_bytes());
                mac.verify_truncated_left(tag).expect("tag verifies");
                let iv: [u8; 16] = (&*iv).try_into().expect("16-byte iv");
                let len = cbc::Decryptor::inner_iv_init(dec.clone(), &iv.into())
                    .decrypt_padded::<Pkcs7>(&mut buf)
                    .expect("padding")
                    .len();
                buf.truncate(len);
                buf
            }
        }
    }
}

/// The claims borrowed from the plaintext: every member as its raw JSON text, nothing copied
/// or converted. What a lazy claims representation costs at least (it still has to find where
/// each member ends).
type Borrowed<'a> = HashMap<&'a str, &'a RawValue>;

fn bench_large(c: &mut Criterion) {
    let mut group = c.benchmark_group("large");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(40);
    for (flavor, name) in [(Flavor::V5, "v5"), (Flavor::V4, "v4")] {
        let decoder = Decoder::builder(flavor)
            .secret(SECRET)
            .fixed_time(NOW)
            .build()
            .expect("decoder");
        let encoder = decoder.encoder();
        let keys = Keys::derive(flavor);
        for size in [6 * 1024, 12 * 1024] {
            let claims = claims_of(size);
            let token = encoder.encode(&claims).expect("encodes");
            let plain = keys.open(&token);
            let text = std::str::from_utf8(&plain).expect("UTF-8");
            let session: Session = decoder.decode(&token).expect("decodes");
            assert_eq!(
                session,
                serde_json::from_str::<Session>(text).expect("claims")
            );
            assert_eq!(session.extra["access_token"], claims["access_token"]);
            let label = format!("{}KB", text.len() / 1024);
            eprintln!(
                "{name} {label}: claims {} bytes, token {} bytes",
                text.len(),
                token.len()
            );
            group.throughput(Throughput::Bytes(token.len() as u64));
            let id = |what: &str| BenchmarkId::new(format!("{name}/{what}"), &label);
            group.bench_function(id("decode"), |b| {
                b.iter(|| {
                    decoder
                        .decode::<Session>(black_box(&token))
                        .expect("decodes")
                });
            });
            group.bench_function(id("crypto"), |b| {
                b.iter(|| keys.open(black_box(&token)));
            });
            group.bench_function(id("ignored"), |b| {
                b.iter(|| {
                    decoder
                        .decode::<serde::de::IgnoredAny>(black_box(&token))
                        .expect("decodes")
                });
            });
            group.bench_function(id("json-session"), |b| {
                b.iter(|| serde_json::from_str::<Session>(black_box(text)).expect("claims"));
            });
            group.bench_function(id("json-value"), |b| {
                b.iter(|| serde_json::from_str::<Value>(black_box(text)).expect("claims"));
            });
            group.bench_function(id("json-borrowed"), |b| {
                b.iter(|| serde_json::from_str::<Borrowed<'_>>(black_box(text)).expect("claims"));
            });
        }
    }
    group.finish();
}

criterion_group!(large, bench_large);

/// `LARGE_CALLGRIND=<v4|v5>:<decode|crypto|ignored|json>[:typical]` runs 1,000 iterations of
/// that part on the 12 KB token of that flavor (or, with `:typical`, a token of the default
/// claims) and exits, for instruction counts under valgrind (`claims` prints the claims JSON
/// instead):
///
/// ```text
/// LARGE_CALLGRIND=v4:decode valgrind --tool=callgrind target/release/deps/large-<hash>
/// ```
fn main() {
    match std::env::var("LARGE_CALLGRIND").ok().as_deref() {
        Some(part) => callgrind(part),
        None => {
            large();
            Criterion::default().configure_from_args().final_summary();
        }
    }
}

fn callgrind(which: &str) {
    let mut fields = which.split(':');
    let (flavor, part, typical) = match (fields.next(), fields.next(), fields.next()) {
        (Some("v4"), Some(part), size) => (Flavor::V4, part, size == Some("typical")),
        (Some("v5"), Some(part), size) => (Flavor::V5, part, size == Some("typical")),
        _ => panic!("LARGE_CALLGRIND: <v4|v5>:<part>[:typical], not {which}"),
    };
    let claims = match typical {
        true => json!({"name": "Ada Lovelace", "email": "ada@example.com",
            "picture": "https://avatars.example.com/ada.png", "sub": "user-ada"}),
        false => claims_of(12 * 1024),
    };
    let decoder = Decoder::builder(flavor)
        .secret(SECRET)
        .fixed_time(NOW)
        .build()
        .expect("decoder");
    let token = decoder.encoder().encode(&claims).expect("encodes");
    let keys = Keys::derive(flavor);
    let plain = keys.open(&token);
    let text = std::str::from_utf8(&plain).expect("UTF-8");
    if part == "claims" {
        println!("{text}");
        return;
    }
    for _ in 0..1000 {
        match part {
            "decode" => drop(black_box(decoder.decode::<Session>(black_box(&token)))),
            "crypto" => drop(black_box(keys.open(black_box(&token)))),
            "json" => drop(black_box(serde_json::from_str::<Session>(black_box(text)))),
            "ignored" => drop(black_box(
                decoder.decode::<serde::de::IgnoredAny>(black_box(&token)),
            )),
            other => panic!("LARGE_CALLGRIND: decode, crypto, json or claims, not {other}"),
        }
    }
}
