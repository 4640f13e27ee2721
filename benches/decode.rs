//! Decode benchmarks: the crate's `decode` against a hand-built floor from the same crates,
//! over whole requests, and the cost of building a decoder. The josekit baseline (it links
//! OpenSSL) is `interop/benches/josekit.rs`, a workspace member of its own.
//!
//! Run with `cargo bench --bench decode`. Tokens and cookie headers are the fixtures generated
//! by the reference JS libraries (`fixtures/tokens.json`, `fixtures/requests.json`).

use std::hint::black_box;
use std::time::Duration;

use aes::Aes256Dec;
use aes::cipher::{BlockModeDecrypt, InnerIvInit, block_padding::Pkcs7};
use aes_gcm::{AeadInOut, Aes256Gcm};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main,
};
use hkdf::Hkdf;
use hmac::{Hmac, KeyInit, Mac};
use nextauth_session::{Decoder, Flavor, Session};
use serde::Deserialize;
use sha2::{Sha256, Sha512};

const TOKEN_CASES: [(&str, &str); 4] = [
    ("v4-typical", "typical"),
    ("v5-typical", "typical"),
    ("v4-large-8k", "large-8k"),
    ("v5-large-8k", "large-8k"),
];

/// Request-level rows: `(flavor, shape, where the token comes from)`. Every token was written by
/// the references; chunked shapes split it at the references' chunk size (3933 characters in
/// v4, 3936 in v5), which is exactly what their `SessionStore` does. The session cookies sit in
/// the middle of the ~10 other cookies of the fixture `<flavor>-unchunked-among-unrelated`
/// (csrf token, callback url, analytics, preferences).
const REQUEST_ROWS: [(&str, &str, &str); 6] = [
    ("v4", "unchunked", "tokens.json#v4-typical"),
    ("v5", "unchunked", "tokens.json#v5-typical"),
    ("v4", "chunks-2", "requests.json#v4-chunks-2-in-order"),
    ("v5", "chunks-2", "requests.json#v5-chunks-2-in-order"),
    ("v4", "chunks-4", "tokens.json#v4-large-8k"),
    ("v5", "chunks-4", "tokens.json#v5-large-8k"),
];

#[derive(Deserialize)]
struct Fixtures<C> {
    cases: Vec<C>,
}

#[derive(Deserialize)]
struct TokenCase {
    id: String,
    flavor: String,
    secrets: Vec<String>,
    salt: String,
    now: i64,
    token: String,
}

#[derive(Deserialize)]
struct RequestCase {
    id: String,
    flavor: String,
    secrets: Vec<String>,
    secure: bool,
    now: i64,
    cookie: Option<String>,
}

fn load<C: for<'de> Deserialize<'de>>(path: &str) -> Vec<C> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    serde_json::from_str::<Fixtures<C>>(&text)
        .unwrap_or_else(|e| panic!("parsing {path}: {e}"))
        .cases
}

fn token_cases() -> Vec<TokenCase> {
    let all: Vec<TokenCase> = load(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/tokens.json"));
    pick(all, &TOKEN_CASES.map(|(id, _)| id), |c| &c.id)
}

fn request_cases() -> Vec<RequestCase> {
    load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/requests.json"
    ))
}

/// The cases named in `ids`, in that order.
fn pick<C>(mut all: Vec<C>, ids: &[&str], id: impl Fn(&C) -> &String) -> Vec<C> {
    ids.iter()
        .map(|want| {
            let at = all
                .iter()
                .position(|c| id(c) == want)
                .unwrap_or_else(|| panic!("fixture case {want} is missing"));
            all.swap_remove(at)
        })
        .collect()
}

fn flavor(name: &str) -> Flavor {
    match name {
        "v4" => Flavor::V4,
        "v5" => Flavor::V5,
        other => panic!("unknown flavor {other}"),
    }
}

fn decoder(flavor_name: &str, secrets: &[String], secure: bool, now: i64) -> Decoder {
    secrets
        .iter()
        .fold(
            Decoder::builder(flavor(flavor_name)).secure(secure),
            |b, s| b.secret(s),
        )
        .fixed_time(now)
        .build()
        .expect("decoder builds")
}

fn short(group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
}

/// The keys a token case decrypts with, derived here with HKDF-SHA256 as the references do.
enum Keys {
    /// v4, `A256GCM`: the 32-byte key.
    Gcm([u8; 32]),
    /// v5, `A256CBC-HS512`: 64 bytes, MAC key first, AES key last.
    CbcHs512([u8; 64]),
}

impl Keys {
    fn derive(case: &TokenCase) -> Self {
        let secret = case.secrets[0].as_bytes();
        let hkdf = Hkdf::<Sha256>::new(Some(case.salt.as_bytes()), secret);
        match case.flavor.as_str() {
            "v4" => {
                assert_eq!(case.salt, "", "v4 fixtures use the default salt");
                let mut key = [0u8; 32];
                hkdf.expand(b"NextAuth.js Generated Encryption Key", &mut key)
                    .expect("32-byte HKDF output");
                Self::Gcm(key)
            }
            "v5" => {
                assert_eq!(
                    case.salt, "authjs.session-token",
                    "v5 fixtures use the default salt"
                );
                let info = format!("Auth.js Generated Encryption Key ({})", case.salt);
                let mut key = [0u8; 64];
                hkdf.expand(info.as_bytes(), &mut key)
                    .expect("64-byte HKDF output");
                Self::CbcHs512(key)
            }
            other => panic!("unknown flavor {other}"),
        }
    }
}

/// A token's parts, base64url-decoded once outside the measured loops.
struct Parts<'a> {
    aad: &'a [u8],
    iv: Vec<u8>,
    ciphertext: Vec<u8>,
    tag: Vec<u8>,
}

impl<'a> Parts<'a> {
    fn of(token: &'a str) -> Self {
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 5, "compact JWE");
        assert!(parts[1].is_empty(), "alg dir has no encrypted key");
        let d = |p: &str| URL_SAFE_NO_PAD.decode(p).expect("base64url");
        Self {
            aad: parts[0].as_bytes(),
            iv: d(parts[2]),
            ciphertext: d(parts[3]),
            tag: d(parts[4]),
        }
    }
}

/// Floor (a): split the token and base64url-decode what must be decoded, with the crate the
/// decoder uses (`base64-simd`): the ciphertext into a fresh buffer, IV and tag into fixed
/// arrays. The header is not decoded: a decoder can recognize the headers the references
/// write by their text.
fn floor_base64(token: &str) -> (Vec<u8>, [u8; 32], [u8; 32]) {
    let engine = base64_simd::URL_SAFE_NO_PAD;
    let mut parts = token.split('.');
    let mut next = || parts.next().expect("five parts");
    let (_header, _key, iv, ciphertext, tag) = (next(), next(), next(), next(), next());
    let ciphertext = engine.decode_to_vec(ciphertext).expect("ciphertext");
    let mut iv_out = [0u8; 32];
    let mut tag_out = [0u8; 32];
    engine
        .decode(iv.as_bytes(), base64_simd::AsOut::as_out(&mut iv_out[..]))
        .expect("iv");
    engine
        .decode(tag.as_bytes(), base64_simd::AsOut::as_out(&mut tag_out[..]))
        .expect("tag");
    (ciphertext, iv_out, tag_out)
}

/// Floor (b), v4: AES-256-GCM open of the ciphertext copied into `buf`.
fn floor_gcm(cipher: &Aes256Gcm, parts: &Parts<'_>, buf: &mut Vec<u8>) {
    buf.clear();
    buf.extend_from_slice(&parts.ciphertext);
    let iv: [u8; 12] = parts.iv.as_slice().try_into().expect("12-byte iv");
    let tag: [u8; 16] = parts.tag.as_slice().try_into().expect("16-byte tag");
    cipher
        .decrypt_inout_detached(
            &iv.into(),
            parts.aad,
            buf.as_mut_slice().into(),
            &tag.into(),
        )
        .expect("tag verifies");
}

/// Floor (b), v5: HMAC-SHA-512/256 tag check (from an HMAC state keyed once), then AES-256-CBC
/// decrypt of the ciphertext copied into `buf`. Returns the plaintext length.
fn floor_cbc_hs512(
    keyed: &Hmac<Sha512>,
    dec: &Aes256Dec,
    parts: &Parts<'_>,
    buf: &mut Vec<u8>,
) -> usize {
    let mut mac = keyed.clone();
    mac.update(parts.aad);
    mac.update(&parts.iv);
    mac.update(&parts.ciphertext);
    mac.update(&(parts.aad.len() as u64 * 8).to_be_bytes());
    mac.verify_truncated_left(&parts.tag).expect("tag verifies");
    buf.clear();
    buf.extend_from_slice(&parts.ciphertext);
    let iv: [u8; 16] = parts.iv.as_slice().try_into().expect("16-byte iv");
    cbc::Decryptor::inner_iv_init(dec.clone(), &iv.into())
        .decrypt_padded::<Pkcs7>(buf)
        .expect("padding")
        .len()
}

/// The plaintext of a token, opened once by hand (the input of the serde floor).
fn plaintext(keys: &Keys, parts: &Parts<'_>) -> Vec<u8> {
    let mut buf = Vec::new();
    match keys {
        Keys::Gcm(key) => {
            floor_gcm(
                &Aes256Gcm::new_from_slice(key).expect("32-byte key"),
                parts,
                &mut buf,
            );
        }
        Keys::CbcHs512(key) => {
            let dec = <Aes256Dec as KeyInit>::new_from_slice(&key[32..]).expect("32-byte key");
            let mac =
                <Hmac<Sha512> as KeyInit>::new_from_slice(&key[..32]).expect("any key length");
            let len = floor_cbc_hs512(&mac, &dec, parts, &mut buf);
            buf.truncate(len);
        }
    }
    buf
}

fn bench_decode(c: &mut Criterion, cases: &[TokenCase]) {
    let mut group = c.benchmark_group("decode");
    short(&mut group);
    for (case, (_, size)) in cases.iter().zip(TOKEN_CASES) {
        let decoder = decoder(&case.flavor, &case.secrets, false, case.now);
        let token = case.token.as_str();
        decoder.decode::<Session>(token).expect("fixture decodes");
        group.throughput(Throughput::Bytes(token.len() as u64));
        group.bench_with_input(BenchmarkId::new(&case.flavor, size), token, |b, token| {
            b.iter(|| {
                decoder
                    .decode::<Session>(black_box(token))
                    .expect("decodes")
            });
        });
    }
    group.finish();
}

fn bench_floor(c: &mut Criterion, cases: &[TokenCase]) {
    let mut group = c.benchmark_group("floor");
    short(&mut group);
    for (case, (_, size)) in cases.iter().zip(TOKEN_CASES) {
        let token = case.token.as_str();
        let keys = Keys::derive(case);
        let parts = Parts::of(token);
        let plain = plaintext(&keys, &parts);
        let expected = decoder(&case.flavor, &case.secrets, false, case.now)
            .decode::<Session>(token)
            .expect("fixture decodes");
        assert_eq!(
            serde_json::from_slice::<Session>(&plain).expect("claims"),
            expected
        );
        group.throughput(Throughput::Bytes(token.len() as u64));

        group.bench_with_input(
            BenchmarkId::new(format!("{}-base64", case.flavor), size),
            token,
            |b, token| {
                b.iter(|| floor_base64(black_box(token)));
            },
        );

        let mut buf = Vec::with_capacity(parts.ciphertext.len());
        match &keys {
            Keys::Gcm(key) => {
                let cipher = Aes256Gcm::new_from_slice(key).expect("32-byte key");
                group.bench_function(
                    BenchmarkId::new(format!("{}-aead", case.flavor), size),
                    |b| {
                        b.iter(|| floor_gcm(&cipher, black_box(&parts), &mut buf));
                    },
                );
            }
            Keys::CbcHs512(key) => {
                let dec = <Aes256Dec as KeyInit>::new_from_slice(&key[32..]).expect("32-byte key");
                let mac =
                    <Hmac<Sha512> as KeyInit>::new_from_slice(&key[..32]).expect("any key length");
                group.bench_function(
                    BenchmarkId::new(format!("{}-aead", case.flavor), size),
                    |b| {
                        b.iter(|| floor_cbc_hs512(&mac, &dec, black_box(&parts), &mut buf));
                    },
                );
            }
        }

        group.bench_with_input(
            BenchmarkId::new(format!("{}-serde", case.flavor), size),
            plain.as_slice(),
            |b, plain| {
                b.iter(|| serde_json::from_slice::<Session>(black_box(plain)).expect("claims"));
            },
        );
    }
    group.finish();
}

fn bench_request(c: &mut Criterion) {
    let tokens: Vec<TokenCase> = load(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/tokens.json"));
    let requests = request_cases();
    let mut group = c.benchmark_group("request");
    short(&mut group);
    for (flavor_name, shape, source) in REQUEST_ROWS {
        let flavor = flavor(flavor_name);
        // The token and the settings that decode it.
        let (token, decoder) = match source.split_once('#').expect("file#id") {
            ("tokens.json", id) => {
                let case = tokens.iter().find(|c| c.id == id).expect("token fixture");
                let d = decoder(&case.flavor, &case.secrets, false, case.now);
                (case.token.clone(), d)
            }
            (_, id) => {
                let case = requests
                    .iter()
                    .find(|c| c.id == id)
                    .expect("request fixture");
                let d = decoder(&case.flavor, &case.secrets, case.secure, case.now);
                let token = d.raw_token(case.cookie.as_deref(), None).expect("session");
                (token, d)
            }
        };
        let name = decoder.cookie_name().to_owned();
        let session_cookies: Vec<String> = if shape == "unchunked" {
            vec![format!("{name}={token}")]
        } else {
            let pieces: Vec<&str> = token
                .as_bytes()
                .chunks(flavor.chunk_size())
                .map(|c| std::str::from_utf8(c).expect("ascii token"))
                .collect();
            assert_eq!(format!("chunks-{}", pieces.len()), shape, "{source}");
            pieces
                .iter()
                .enumerate()
                .map(|(i, p)| format!("{name}.{i}={p}"))
                .collect()
        };
        let cookie = realistic_header(&requests, flavor_name, &name, &session_cookies);
        let joined = decoder
            .raw_token(Some(&cookie), None)
            .expect("session cookie found");
        assert_eq!(joined, token, "{flavor_name} {shape}: chunks rejoin");
        let via_request = decoder
            .get_token::<Session>(Some(&cookie), None)
            .expect("request decodes");
        assert_eq!(
            decoder.decode::<Session>(&joined).expect("joined decodes"),
            via_request
        );
        // Same throughput for both rows so they compare: the session token, chunks joined.
        group.throughput(Throughput::Bytes(joined.len() as u64));
        group.bench_with_input(
            BenchmarkId::new(format!("{flavor_name}-get_token"), shape),
            cookie.as_str(),
            |b, cookie| {
                b.iter(|| {
                    decoder
                        .get_token::<Session>(black_box(Some(cookie)), None)
                        .expect("decodes")
                });
            },
        );
        group.bench_with_input(
            BenchmarkId::new(format!("{flavor_name}-decode_joined"), shape),
            joined.as_str(),
            |b, joined| {
                b.iter(|| {
                    decoder
                        .decode::<Session>(black_box(joined))
                        .expect("decodes")
                });
            },
        );
    }
    group.finish();
}

/// The Cookie header of the fixture `<flavor>-unchunked-among-unrelated` with its session
/// cookie replaced by `session_cookies`, placed in the middle of the other cookies.
fn realistic_header(
    requests: &[RequestCase],
    flavor: &str,
    session_name: &str,
    session_cookies: &[String],
) -> String {
    let id = format!("{flavor}-unchunked-among-unrelated");
    let case = requests.iter().find(|c| c.id == id).expect("fixture");
    let mut others: Vec<String> = case
        .cookie
        .as_deref()
        .expect("cookie header")
        .split("; ")
        .filter(|pair| !pair.starts_with(&format!("{session_name}=")))
        .map(str::to_owned)
        .collect();
    assert!(others.len() >= 8, "{id}: {} other cookies", others.len());
    let middle = others.len() / 2;
    others.splice(middle..middle, session_cookies.iter().cloned());
    others.join("; ")
}

fn bench_build(c: &mut Criterion) {
    const SECRET: &str = "nextauth-session fixture secret 0123456789abcdef";
    const OLD_SECRET: &str = "nextauth-session fixture secret, the previous one";
    let mut group = c.benchmark_group("build");
    short(&mut group);
    let rows: [(&str, Flavor, &[&str]); 3] = [
        ("v4", Flavor::V4, &[SECRET]),
        ("v5", Flavor::V5, &[SECRET]),
        ("v5", Flavor::V5, &[SECRET, OLD_SECRET]),
    ];
    for (name, flavor, secrets) in rows {
        let label = if secrets.len() == 1 {
            "1-secret"
        } else {
            "2-secrets"
        };
        group.bench_with_input(BenchmarkId::new(name, label), secrets, |b, secrets| {
            b.iter(|| {
                black_box(secrets)
                    .iter()
                    .fold(Decoder::builder(flavor), |b, s| b.secret(*s))
                    .build()
                    .expect("builds")
            });
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    let cases = token_cases();
    bench_decode(c, &cases);
    bench_floor(c, &cases);
    bench_request(c);
    bench_build(c);
}

criterion_group!(decode, benches);
criterion_main!(decode);
