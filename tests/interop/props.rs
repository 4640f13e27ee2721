//! Property tests (proptest): no input makes the decoder panic, chunked cookies rejoin in any
//! order and size, and no mutation of a real token decodes (let alone to another payload).
//!
//! The real tokens are the reference-encoded ones of fixtures/tokens.json; what they decode to
//! is the payload the reference returned, so a property that decodes checks it against that.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use nextauth_session::{Decoder, Error, Flavor, Session};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;

use crate::common::js_json_eq;
use crate::tokens::cases;

/// Reference-encoded tokens with a session, of every size class and both encryptions.
const REAL: &[&str] = &[
    "v4-typical",
    "v5-typical",
    "v4-unicode",
    "v5-unicode",
    "v5-gcm-beta",
    "v4-large-8k",
    "v5-large-8k",
];

struct Real {
    id: String,
    token: String,
    /// What the reference's `decode` returned for `token`.
    payload: Value,
    decoder: Decoder,
}

impl std::fmt::Debug for Real {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.id)
    }
}

fn real_tokens() -> &'static [Real] {
    static REAL_TOKENS: std::sync::OnceLock<Vec<Real>> = std::sync::OnceLock::new();
    REAL_TOKENS.get_or_init(|| {
        let all = cases();
        REAL.iter()
            .map(|id| {
                let case = all
                    .iter()
                    .find(|c| c.id == *id)
                    .unwrap_or_else(|| panic!("fixture {id} missing"));
                assert!(case.reference.ok && case.policy.is_none(), "{id}");
                let real = Real {
                    id: case.id.clone(),
                    token: case.token.clone(),
                    payload: case.reference.payload.clone().expect("a session case"),
                    decoder: case.decoder(),
                };
                // Control: the unmodified token decodes to the reference payload.
                let got: Value = real.decoder.decode(&real.token).unwrap();
                assert!(js_json_eq(&got, &real.payload), "{id}");
                real
            })
            .collect()
    })
}

fn real() -> impl Strategy<Value = &'static Real> {
    proptest::sample::select(real_tokens().iter().collect::<Vec<_>>())
}

/// One v4 and one v5 decoder with the fixture secret and time: the fixtures' tokens
/// decrypt with them, so inputs built from those tokens reach the claims checks.
fn decoders() -> &'static [Decoder; 2] {
    static DECODERS: std::sync::OnceLock<[Decoder; 2]> = std::sync::OnceLock::new();
    DECODERS.get_or_init(|| {
        let build = |flavor| {
            Decoder::builder(flavor)
                .secret("nextauth-session fixture secret 0123456789abcdef")
                .fixed_time(1_750_000_060)
                .build()
                .unwrap()
        };
        [build(Flavor::V4), build(Flavor::V5)]
    })
}

/// Everything the request-level API does with one request, checked for consistency: the three
/// entry points agree, and a found token gives exactly what decoding it gives.
fn exercise(decoder: &Decoder, cookie: Option<&str>, authorization: Option<&str>) {
    let session = decoder.session::<Value>(cookie, authorization);
    let token = decoder.get_token::<Value>(cookie, authorization);
    let raw = decoder.raw_token(cookie, authorization);
    assert_eq!(
        token.as_ref(),
        session.as_ref().ok().and_then(Option::as_ref)
    );
    match &raw {
        Some(raw) => assert_eq!(session, decoder.decode::<Value>(raw).map(Some)),
        None => assert!(!matches!(session, Ok(Some(_)))),
    }
    let _ = decoder.session::<Session>(cookie, authorization);
}

/// Strings close to what a request carries: token characters, cookie punctuation, percent
/// escapes and the session cookie names, so the scanner's branches are reached.
fn cookieish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[A-Za-z0-9_.-]{0,40}",
        Just("next-auth.session-token".to_owned()),
        Just("authjs.session-token".to_owned()),
        Just("__Secure-authjs.session-token".to_owned()),
        "\\.[0-9]{1,3}",
        Just("=".to_owned()),
        Just("; ".to_owned()),
        Just(";".to_owned()),
        Just(" \t".to_owned()),
        Just("\"".to_owned()),
        "%[0-9A-Fa-f]{0,2}",
        Just("Bearer ".to_owned()),
        any::<String>(),
    ];
    proptest::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_strings_never_panic(s in any::<String>(), bytes in any::<Vec<u8>>()) {
        let lossy = String::from_utf8_lossy(&bytes);
        for decoder in decoders() {
            for input in [s.as_str(), &lossy] {
                let _ = decoder.decode::<Value>(input);
                let _ = decoder.decode::<Session>(input);
                exercise(decoder, Some(input), None);
                exercise(decoder, None, Some(input));
                exercise(decoder, Some(input), Some(input));
            }
        }
    }

    #[test]
    fn request_like_strings_never_panic(cookie in cookieish(), auth in cookieish()) {
        for decoder in decoders() {
            exercise(decoder, Some(&cookie), Some(&auth));
            exercise(decoder, None, Some(&format!("Bearer {auth}")));
        }
    }

    /// Five parts of token-alphabet text (JWE-shaped), including parts that are valid
    /// base64url of arbitrary bytes, so decoding gets past the split and base64 steps.
    #[test]
    fn jwe_shaped_strings_never_panic(
        header in prop_oneof![
            "[A-Za-z0-9_-]{0,60}",
            any::<Vec<u8>>().prop_map(|b| B64.encode(b)),
            Just(B64.encode(r#"{"alg":"dir","enc":"A256GCM"}"#)),
            Just(B64.encode(r#"{"alg":"dir","enc":"A256CBC-HS512"}"#)),
        ],
        parts in proptest::collection::vec(
            prop_oneof!["[A-Za-z0-9_-]{0,60}", any::<Vec<u8>>().prop_map(|b| B64.encode(b))],
            4,
        ),
    ) {
        let token = format!("{header}.{}.{}.{}.{}", parts[0], parts[1], parts[2], parts[3]);
        for decoder in decoders() {
            let result = decoder.decode::<Value>(&token);
            prop_assert!(result.is_err(), "random JWE decoded: {token}");
            exercise(decoder, Some(&format!("authjs.session-token={token}")), None);
        }
    }

    /// A real token split into chunks of arbitrary sizes, the chunk cookies in any order
    /// among unrelated cookies (including names that merely start with the session name, and
    /// later duplicates of chunk names, which the first occurrence beats), rejoins to the
    /// original token and decodes to the reference payload.
    #[test]
    fn chunks_rejoin_in_any_order_and_size(
        real in real(),
        cuts in proptest::collection::vec(any::<Index>(), 0..12),
        unrelated in proptest::collection::vec(
            (
                prop_oneof![
                    "[a-z][a-z_-]{0,11}",
                    Just("{name}-legacy".to_owned()),
                    Just("{name}.bak".to_owned()),
                    Just("{name}.1x".to_owned()),
                    Just("x{name}.0".to_owned()),
                ],
                "[A-Za-z0-9%._-]{0,20}",
            ),
            0..6,
        ),
        shuffle_seed in any::<u64>(),
        duplicate in proptest::option::of(any::<Index>()),
    ) {
        let token = &real.token;
        let name = real.decoder.cookie_name();
        // Cut points strictly inside the token: every chunk is non-empty.
        let mut at: Vec<usize> = cuts.iter().map(|i| 1 + i.index(token.len() - 1)).collect();
        at.sort_unstable();
        at.dedup();
        let mut bounds = vec![0];
        bounds.extend(at);
        bounds.push(token.len());
        let mut cookies: Vec<String> = bounds
            .windows(2)
            .enumerate()
            .map(|(i, w)| format!("{name}.{i}={}", &token[w[0]..w[1]]))
            .collect();
        cookies.extend(
            unrelated
                .iter()
                .map(|(n, v)| format!("{}={v}", n.replace("{name}", name))),
        );
        shuffle(&mut cookies, shuffle_seed);
        if let Some(d) = duplicate {
            // A later duplicate of a chunk name is ignored: the first occurrence wins.
            let i = d.index(bounds.len() - 1);
            cookies.push(format!("{name}.{i}=eyJub3QiOiJ0aGlzIn0"));
        }
        let header = cookies.join("; ");
        let raw = real.decoder.raw_token(Some(&header), None);
        prop_assert_eq!(raw.as_ref(), Some(token));
        let got: Option<Value> = real.decoder.session(Some(&header), None).unwrap();
        prop_assert!(js_json_eq(&got.unwrap(), &real.payload), "{}", real.id);
    }

    /// Bit flips in the bytes of any part (header, encrypted key, iv, ciphertext, tag), bit
    /// flips in the token text, and truncations never panic, and a token that differs from
    /// the original in any way never decodes: in particular never to another payload.
    #[test]
    fn mutated_tokens_never_decode(
        real in real(),
        mutation in prop_oneof![
            (0..5usize, any::<Index>(), 0..8u8).prop_map(|(p, i, b)| Mutation::PartBit(p, i, b)),
            (any::<Index>(), 0..8u8).prop_map(|(i, b)| Mutation::TextBit(i, b)),
            any::<Index>().prop_map(Mutation::Truncate),
            (0..5usize, any::<Vec<u8>>()).prop_map(|(p, b)| Mutation::Append(p, b)),
        ],
    ) {
        let token = &real.token;
        let mutated = mutation.apply(token);
        if mutated == *token {
            return Ok(());
        }
        let result = real.decoder.decode::<Value>(&mutated);
        prop_assert!(
            result.is_err(),
            "{}: {mutation:?} decoded to {:?}",
            real.id,
            result
        );
        let err = result.unwrap_err();
        prop_assert!(
            matches!(
                err,
                Error::DecryptionFailed | Error::Malformed(_) | Error::NotJwe | Error::Unsupported(_)
            ),
            "{}: {mutation:?}: unexpected {err:?}",
            real.id
        );
        // The error carries nothing of the token: no part of it in Display or Debug.
        let shown = format!("{err} {err:?}");
        for part in mutated.split('.').filter(|p| p.len() >= 8) {
            prop_assert!(!shown.contains(part), "{}: error shows token bytes: {shown}", real.id);
        }
        let cookie = format!("{}={mutated}", real.decoder.cookie_name());
        prop_assert!(real.decoder.get_token::<Value>(Some(&cookie), None).is_none());
        exercise(&real.decoder, Some(&cookie), None);
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Flip bit `.2` of byte `.1` of part `.0` (decoded, then re-encoded); the empty
    /// encrypted-key part gets a byte instead.
    PartBit(usize, Index, u8),
    /// Flip bit `.1` of character `.0` of the token text (may leave ASCII: then the text
    /// is read lossily, as it would arrive as `&str`).
    TextBit(Index, u8),
    /// Keep only the first `.0` characters.
    Truncate(Index),
    /// Append bytes to part `.0` (re-encoded).
    Append(usize, Vec<u8>),
}

impl Mutation {
    fn apply(&self, token: &str) -> String {
        let mut parts: Vec<Vec<u8>> = token
            .split('.')
            .map(|p| B64.decode(p).expect("fixture parts are base64url"))
            .collect();
        let join = |parts: &[Vec<u8>]| {
            parts
                .iter()
                .map(|p| B64.encode(p))
                .collect::<Vec<_>>()
                .join(".")
        };
        match self {
            Self::PartBit(p, i, bit) => {
                let part = &mut parts[*p];
                if part.is_empty() {
                    part.push(1 << bit);
                } else {
                    let at = i.index(part.len());
                    part[at] ^= 1 << bit;
                }
                join(&parts)
            }
            Self::TextBit(i, bit) => {
                let mut bytes = token.as_bytes().to_vec();
                let at = i.index(bytes.len());
                bytes[at] ^= 1 << bit;
                String::from_utf8_lossy(&bytes).into_owned()
            }
            Self::Truncate(i) => token[..i.index(token.len())].to_owned(),
            Self::Append(p, extra) => {
                parts[*p].extend_from_slice(extra);
                join(&parts)
            }
        }
    }
}

/// Fisher-Yates with a small deterministic generator, so a failing case's seed replays it.
fn shuffle<T>(items: &mut [T], mut seed: u64) {
    for i in (1..items.len()).rev() {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let j = ((seed >> 33) % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}
