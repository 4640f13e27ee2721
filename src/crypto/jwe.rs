//! Compact JWE (RFC 7516) with `alg: dir`: split, header allow-list, authenticated decryption.

use aes::cipher::{BlockModeDecrypt, InnerIvInit, block_padding::Pkcs7};
use aes_gcm::AeadInOut;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::Sha512;
use zeroize::Zeroizing;

use crate::crypto::secret::DerivedKey;
use crate::error::Error;

/// A content encryption the crate can open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Enc {
    /// AES-256-GCM: 12-byte IV, 16-byte tag, 32-byte key.
    A256Gcm,
    /// AES-256-CBC + HMAC-SHA-512 (RFC 7518 5.2.5): 16-byte IV, 32-byte tag, 64-byte key.
    A256CbcHs512,
}

impl Enc {
    /// The `enc` header value.
    pub(crate) fn from_header(value: &str) -> Option<Self> {
        match value {
            "A256GCM" => Some(Self::A256Gcm),
            "A256CBC-HS512" => Some(Self::A256CbcHs512),
            _ => None,
        }
    }
}

/// What a session source issues, and so the only tokens it opens: the content encryptions,
/// and whether a `kid` header selects the key (otherwise it is ignored).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Accept {
    pub(crate) encs: &'static [Enc],
    pub(crate) kid: bool,
}

impl Accept {
    fn accepts(self, enc: Enc) -> bool {
        self.encs.contains(&enc)
    }
}

/// The five base64url parts of a compact JWE, borrowed from the token.
pub(crate) struct Compact<'a> {
    /// The protected header exactly as sent: it is also the AAD.
    pub(crate) header: &'a str,
    encrypted_key: &'a str,
    iv: &'a str,
    ciphertext: &'a str,
    tag: &'a str,
}

impl<'a> Compact<'a> {
    /// Splits a token into its five parts. A value without any `.` is not a JWE at all (an
    /// opaque database session id, for example).
    pub(crate) fn split(token: &'a str) -> Result<Self, Error> {
        // The four dots, found with `memchr` (SIMD); a fifth one is an error.
        let mut dots = memchr::memchr_iter(b'.', token.as_bytes());
        let Some(first) = dots.next() else {
            return Err(Error::NotJwe);
        };
        let five = Error::Malformed("a compact JWE has five parts");
        let (Some(second), Some(third), Some(fourth), None) =
            (dots.next(), dots.next(), dots.next(), dots.next())
        else {
            return Err(five);
        };
        Ok(Self {
            header: &token[..first],
            encrypted_key: &token[first + 1..second],
            iv: &token[second + 1..third],
            ciphertext: &token[third + 1..fourth],
            tag: &token[fourth + 1..],
        })
    }
}

/// What the decoder needs from the protected header.
#[derive(Debug)]
pub(crate) struct Header {
    pub(crate) enc: Enc,
    pub(crate) kid: Kid,
    /// Header replicas of registered claims (`iss`, `sub`, `aud`), checked against the claims.
    pub(crate) replicas: Vec<(&'static str, Value)>,
}

/// The `kid` header member, kept inline: the thumbprints we match are at most 86 characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kid {
    /// No `kid`: every secret is a candidate.
    Absent,
    /// A string `kid` short enough to be one of our thumbprints.
    Value { bytes: [u8; Kid::CAPACITY], len: u8 },
    /// A `kid` that cannot match any secret (not a string, or too long).
    Unmatchable,
}

impl Kid {
    const CAPACITY: usize = 88;

    fn new(kid: &[u8]) -> Self {
        if kid.len() > Self::CAPACITY {
            return Self::Unmatchable;
        }
        let mut bytes = [0u8; Self::CAPACITY];
        bytes[..kid.len()].copy_from_slice(kid);
        Self::Value {
            bytes,
            len: kid.len() as u8,
        }
    }

    /// Whether a secret whose thumbprint is `thumbprint` may open the token.
    pub(crate) fn admits(&self, thumbprint: &str) -> bool {
        match self {
            Self::Absent => true,
            Self::Value { bytes, len } => &bytes[..usize::from(*len)] == thumbprint.as_bytes(),
            Self::Unmatchable => false,
        }
    }
}

/// The header v4 writes, base64url: `{"alg":"dir","enc":"A256GCM"}`.
const CANONICAL_GCM: &str = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0";
/// The first 42 bytes (a whole number of base64 groups) of the header v5 writes:
/// `{"alg":"dir","enc":"A256CBC-HS512","kid":"`.
const CANONICAL_CBC_PREFIX: &str = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIiwia2lkIjoi";

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Strips one leading UTF-8 byte order mark, as the references' `TextDecoder` does.
pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes)
}

impl Header {
    /// Decodes and checks the protected header against what the source issues.
    pub(crate) fn parse(b64: &str, accept: Accept) -> Result<Self, Error> {
        match Self::parse_canonical(b64, accept) {
            Some(header) => Ok(header),
            None => Self::parse_json(b64, accept),
        }
    }

    /// The headers the references write, recognized without a JSON parse: the exact v4
    /// header, or the v5 header with a `kid` of base64url characters (which need no JSON
    /// escaping). Anything else goes through [`parse_json`](Self::parse_json), which gives
    /// the same result for these headers.
    fn parse_canonical(b64: &str, accept: Accept) -> Option<Self> {
        if b64 == CANONICAL_GCM && accept.accepts(Enc::A256Gcm) {
            return Some(Self {
                enc: Enc::A256Gcm,
                kid: Kid::Absent,
                replicas: Vec::new(),
            });
        }
        if !accept.kid || !accept.accepts(Enc::A256CbcHs512) {
            return None;
        }
        let rest = b64.strip_prefix(CANONICAL_CBC_PREFIX)?;
        // `<kid>"}` with a kid of at most Kid::CAPACITY characters.
        let mut buf = [0u8; Kid::CAPACITY + 2];
        let kid = crate::crypto::b64::decode_into(rest, &mut buf)?.strip_suffix(b"\"}")?;
        kid.iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
            .then(|| Self {
                enc: Enc::A256CbcHs512,
                kid: Kid::new(kid),
                replicas: Vec::new(),
            })
    }

    /// The general path: any header JSON, checked member by member.
    fn parse_json(b64: &str, accept: Accept) -> Result<Self, Error> {
        let bytes = decode_b64(b64, "header is not unpadded base64url")?;
        let text = std::str::from_utf8(strip_bom(&bytes))
            .map_err(|_| Error::Malformed("header is not UTF-8"))?;
        // Duplicate members: the last one wins, as with `JSON.parse`.
        let mut map: Map<String, Value> = serde_json::from_str(text)
            .map_err(|_| Error::Malformed("header is not a JSON object"))?;
        if map.contains_key("crit") {
            return Err(Error::Unsupported(
                "the crit header parameter is not supported",
            ));
        }
        if map.contains_key("zip") {
            return Err(Error::Unsupported(
                "compressed tokens (zip) are not supported",
            ));
        }
        let alg = match map.get("alg") {
            Some(Value::String(alg)) => alg,
            _ => return Err(Error::Malformed("header has no string alg")),
        };
        let enc = match map.get("enc") {
            Some(Value::String(enc)) => enc,
            _ => return Err(Error::Malformed("header has no string enc")),
        };
        if alg != "dir" {
            return Err(Error::Unsupported("alg must be dir"));
        }
        let enc = Enc::from_header(enc)
            .filter(|&enc| accept.accepts(enc))
            .ok_or(Error::Unsupported("enc is not one this flavor issues"))?;
        let kid = match map.remove("kid") {
            Some(Value::String(kid)) if accept.kid => Kid::new(kid.as_bytes()),
            Some(_) if accept.kid => Kid::Unmatchable,
            _ => Kid::Absent,
        };
        let replicas = ["iss", "sub", "aud"]
            .into_iter()
            .filter_map(|name| map.remove(name).map(|value| (name, value)))
            .collect();
        Ok(Self { enc, kid, replicas })
    }
}

fn decode_b64(part: &str, what: &'static str) -> Result<Vec<u8>, Error> {
    crate::crypto::b64::decode(part).ok_or(Error::Malformed(what))
}

/// Decodes a base64url part that must decode to exactly `N` bytes.
fn decode_fixed<const N: usize>(part: &str, what: &'static str) -> Result<[u8; N], Error> {
    crate::crypto::b64::decode_exact(part).ok_or(Error::Malformed(what))
}

/// Opens the token with the first key that authenticates it and returns the plaintext.
///
/// `keys` are the candidates in order (already narrowed by `kid`). Every key is tried with an
/// authenticated check that leaves the ciphertext untouched on failure, so a wrong key costs one
/// tag computation and nothing else.
pub(crate) fn open<'k>(
    compact: &Compact<'_>,
    header: &Header,
    keys: impl Iterator<Item = &'k DerivedKey>,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    if !compact.encrypted_key.is_empty() {
        return Err(Error::Malformed(
            "the encrypted key must be empty with alg dir",
        ));
    }
    let aad = compact.header.as_bytes();
    let mut buf = Zeroizing::new(decode_b64(
        compact.ciphertext,
        "ciphertext is not unpadded base64url",
    )?);
    match header.enc {
        Enc::A256Gcm => {
            let iv = decode_fixed::<12>(compact.iv, "iv must be 12 bytes of base64url")?;
            let tag = decode_fixed::<16>(compact.tag, "tag must be 16 bytes of base64url")?;
            for key in keys {
                if key
                    .gcm()
                    .decrypt_inout_detached(&iv.into(), aad, buf.as_mut_slice().into(), &tag.into())
                    .is_ok()
                {
                    return Ok(buf);
                }
            }
            Err(Error::DecryptionFailed)
        }
        Enc::A256CbcHs512 => {
            let iv = decode_fixed::<16>(compact.iv, "iv must be 16 bytes of base64url")?;
            let tag = decode_fixed::<32>(compact.tag, "tag must be 32 bytes of base64url")?;
            for key in keys {
                if cbc_hs512_verify(key.mac(), aad, &iv, &buf, &tag) {
                    // Authenticated: only now is the ciphertext decrypted. A padding error
                    // after a valid tag is reported exactly like a tag failure.
                    let len = cbc::Decryptor::inner_iv_init(key.cbc().clone(), &iv.into())
                        .decrypt_padded::<Pkcs7>(&mut buf)
                        .map_err(|_| Error::DecryptionFailed)?
                        .len();
                    buf.truncate(len);
                    return Ok(buf);
                }
            }
            Err(Error::DecryptionFailed)
        }
    }
}

/// RFC 7518 5.2.2.2: the tag is the first half of HMAC-SHA-512 over
/// `AAD || IV || ciphertext || AL`, compared in constant time.
fn cbc_hs512_verify(
    mut mac: Hmac<Sha512>,
    aad: &[u8],
    iv: &[u8],
    ct: &[u8],
    tag: &[u8; 32],
) -> bool {
    mac.update(aad);
    mac.update(iv);
    mac.update(ct);
    mac.update(&(aad.len() as u64 * 8).to_be_bytes());
    mac.verify_truncated_left(tag).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What Auth.js v4 and v5 issue (the flavors' data, repeated here: this floor knows no
    /// flavor).
    const V4: Accept = Accept {
        encs: &[Enc::A256Gcm],
        kid: false,
    };
    const V5: Accept = Accept {
        encs: &[Enc::A256CbcHs512, Enc::A256Gcm],
        kid: true,
    };

    fn unhex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// RFC 7518 Appendix B.3: AES_256_CBC_HMAC_SHA_512 known-answer test, run through the
    /// same verify + decrypt steps as `open`.
    #[test]
    fn rfc7518_b3_aes_256_cbc_hmac_sha_512() {
        let k = unhex(
            "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f
             20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35 36 37 38 39 3a 3b 3c 3d 3e 3f",
        );
        let plaintext = unhex(
            "41 20 63 69 70 68 65 72 20 73 79 73 74 65 6d 20 6d 75 73 74 20 6e 6f 74 20 62 65 20 72 65 71 75
             69 72 65 64 20 74 6f 20 62 65 20 73 65 63 72 65 74 2c 20 61 6e 64 20 69 74 20 6d 75 73 74 20 62
             65 20 61 62 6c 65 20 74 6f 20 66 61 6c 6c 20 69 6e 74 6f 20 74 68 65 20 68 61 6e 64 73 20 6f 66
             20 74 68 65 20 65 6e 65 6d 79 20 77 69 74 68 6f 75 74 20 69 6e 63 6f 6e 76 65 6e 69 65 6e 63 65",
        );
        let iv = unhex("1a f3 8c 2d c2 b9 6f fd d8 66 94 09 23 41 bc 04");
        let aad = unhex(
            "54 68 65 20 73 65 63 6f 6e 64 20 70 72 69 6e 63 69 70 6c 65 20 6f 66 20 41 75 67 75 73 74 65 20
             4b 65 72 63 6b 68 6f 66 66 73",
        );
        let ct = unhex(
            "4a ff aa ad b7 8c 31 c5 da 4b 1b 59 0d 10 ff bd 3d d8 d5 d3 02 42 35 26 91 2d a0 37 ec bc c7 bd
             82 2c 30 1d d6 7c 37 3b cc b5 84 ad 3e 92 79 c2 e6 d1 2a 13 74 b7 7f 07 75 53 df 82 94 10 44 6b
             36 eb d9 70 66 29 6a e6 42 7e a7 5c 2e 08 46 a1 1a 09 cc f5 37 0d c8 0b fe cb ad 28 c7 3f 09 b3
             a3 b7 5e 66 2a 25 94 41 0a e4 96 b2 e2 e6 60 9e 31 e6 e0 2c c8 37 f0 53 d2 1f 37 ff 4f 51 95 0b
             be 26 38 d0 9d d7 a4 93 09 30 80 6d 07 03 b1 f6",
        );
        let tag: [u8; 32] = unhex(
            "4d d3 b4 c0 88 a7 f4 5c 21 68 39 64 5b 20 12 bf 2e 62 69 a8 c5 6a 81 6d bc 1b 26 77 61 95 5b c5",
        )
        .try_into()
        .unwrap();
        let mac = <Hmac<Sha512> as hmac::KeyInit>::new_from_slice(&k[..32]).unwrap();
        assert!(cbc_hs512_verify(mac.clone(), &aad, &iv, &ct, &tag));
        let mut bad = tag;
        bad[31] ^= 1;
        assert!(!cbc_hs512_verify(mac, &aad, &iv, &ct, &bad));

        let dec = <aes::Aes256Dec as aes::cipher::KeyInit>::new_from_slice(&k[32..]).unwrap();
        let iv16: [u8; 16] = iv.clone().try_into().unwrap();
        let mut buf = ct.clone();
        let out = cbc::Decryptor::inner_iv_init(dec, &iv16.into())
            .decrypt_padded::<Pkcs7>(&mut buf)
            .unwrap();
        assert_eq!(out, &plaintext[..]);
    }

    /// The fast path gives exactly what the JSON path gives, and declines everything else.
    #[test]
    fn canonical_headers_match_the_json_path() {
        let thumb = crate::crypto::secret::thumbprint::<sha2::Sha512>(&[7u8; 64]);
        let mut headers = vec![
            r#"{"alg":"dir","enc":"A256GCM"}"#.to_owned(),
            format!(r#"{{"alg":"dir","enc":"A256CBC-HS512","kid":"{thumb}"}}"#),
            format!(
                r#"{{"alg":"dir","enc":"A256CBC-HS512","kid":"{}"}}"#,
                &thumb[..43]
            ),
            r#"{"alg":"dir","enc":"A256CBC-HS512","kid":""}"#.to_owned(),
            format!(
                r#"{{"alg":"dir","enc":"A256CBC-HS512","kid":"{}"}}"#,
                "a".repeat(88)
            ),
        ];
        for (i, header) in headers.iter().enumerate() {
            let b64 = crate::crypto::b64::encode(header);
            let fast = Header::parse_canonical(&b64, V5).unwrap_or_else(|| panic!("{i}: {header}"));
            let slow = Header::parse_json(&b64, V5).unwrap();
            assert_eq!((fast.enc, fast.kid), (slow.enc, slow.kid), "{header}");
            assert!(fast.replicas.is_empty() && slow.replicas.is_empty());
        }
        assert!(Header::parse_canonical(CANONICAL_GCM, V4).is_some());
        // Declined: escapes, extra members, other kids, too long, v4 with CBC.
        headers = vec![
            r#"{"alg":"dir","enc":"A256CBC-HS512","kid":"a\u0041"}"#.to_owned(),
            r#"{"alg":"dir","enc":"A256CBC-HS512","kid":"a","zip":"DEF"}"#.to_owned(),
            r#"{"alg":"dir","enc":"A256CBC-HS512","kid":"a b"}"#.to_owned(),
            r#"{"alg":"dir","enc":"A256CBC-HS512","kid":"a""#.to_owned(),
            format!(
                r#"{{"alg":"dir","enc":"A256CBC-HS512","kid":"{}"}}"#,
                "a".repeat(89)
            ),
            r#"{"alg":"dir","enc":"A256GCM","kid":"a"}"#.to_owned(),
        ];
        for header in &headers {
            assert!(
                Header::parse_canonical(&crate::crypto::b64::encode(header), V5).is_none(),
                "{header}"
            );
        }
        let v5 = crate::crypto::b64::encode(format!(
            r#"{{"alg":"dir","enc":"A256CBC-HS512","kid":"{thumb}"}}"#
        ));
        assert!(Header::parse_canonical(&v5, V4).is_none());
        assert!(matches!(Header::parse(&v5, V4), Err(Error::Unsupported(_))));
    }

    #[test]
    fn split_counts_parts() {
        assert!(matches!(
            Compact::split("opaque-session-id"),
            Err(Error::NotJwe)
        ));
        assert!(matches!(
            Compact::split("a.b.c.d"),
            Err(Error::Malformed(_))
        ));
        assert!(matches!(
            Compact::split("a.b.c.d.e.f"),
            Err(Error::Malformed(_))
        ));
        let c = Compact::split("h..i.c.t").unwrap();
        assert_eq!(
            (c.header, c.encrypted_key, c.iv, c.ciphertext, c.tag),
            ("h", "", "i", "c", "t")
        );
    }

    #[test]
    fn fixed_parts_are_strict() {
        let iv = crate::crypto::b64::encode([7u8; 12]);
        assert_eq!(decode_fixed::<12>(&iv, "iv").unwrap(), [7u8; 12]);
        assert!(decode_fixed::<12>(&format!("{iv}="), "iv").is_err());
        assert!(decode_fixed::<12>(&iv[1..], "iv").is_err());
        assert!(decode_fixed::<16>(&iv, "iv").is_err());
        let tag = crate::crypto::b64::encode([1u8; 16]);
        // A non-canonical final character (trailing bits set) is rejected.
        let mut bad = tag.clone().into_bytes();
        let last = bad.len() - 1;
        bad[last] = b'B';
        assert_ne!(bad, tag.as_bytes());
        assert!(decode_fixed::<16>(std::str::from_utf8(&bad).unwrap(), "tag").is_err());
    }

    #[test]
    fn header_allow_list() {
        let h = |json: &str| Header::parse(&crate::crypto::b64::encode(json), V5);
        assert_eq!(
            h(r#"{"alg":"dir","enc":"A256CBC-HS512","kid":"x"}"#)
                .unwrap()
                .kid,
            Kid::new(b"x")
        );
        assert_eq!(
            h(r#"{"alg":"dir","enc":"A256GCM"}"#).unwrap().enc,
            Enc::A256Gcm
        );
        assert_eq!(
            h(r#"{"alg":"dir","enc":"A256GCM","kid":7}"#).unwrap().kid,
            Kid::Unmatchable
        );
        let long = format!(
            r#"{{"alg":"dir","enc":"A256GCM","kid":"{}"}}"#,
            "k".repeat(89)
        );
        assert_eq!(h(&long).unwrap().kid, Kid::Unmatchable);
        assert!(matches!(
            h(r#"{"alg":"A256KW","enc":"A256GCM"}"#),
            Err(Error::Unsupported(_))
        ));
        assert!(matches!(
            h(r#"{"alg":"dir","enc":"A128GCM"}"#),
            Err(Error::Unsupported(_))
        ));
        assert!(matches!(
            h(r#"{"alg":"dir","enc":"A256GCM","zip":"DEF"}"#),
            Err(Error::Unsupported(_))
        ));
        assert!(matches!(
            h(r#"{"alg":"dir","enc":"A256GCM","crit":["exp"],"exp":1}"#),
            Err(Error::Unsupported(_))
        ));
        assert!(matches!(
            h(r#"{"enc":"A256GCM"}"#),
            Err(Error::Malformed(_))
        ));
        assert!(matches!(h(r#"["dir"]"#), Err(Error::Malformed(_))));
        // Last duplicate wins, as JSON.parse.
        assert_eq!(
            h(r#"{"alg":"x","alg":"dir","enc":"A256GCM"}"#).unwrap().enc,
            Enc::A256Gcm
        );
        let v4 = Header::parse(
            &crate::crypto::b64::encode(r#"{"alg":"dir","enc":"A256CBC-HS512"}"#),
            V4,
        );
        assert!(matches!(v4, Err(Error::Unsupported(_))));
        let v4 = Header::parse(
            &crate::crypto::b64::encode(r#"{"alg":"dir","enc":"A256GCM","kid":"k"}"#),
            V4,
        );
        assert_eq!(v4.unwrap().kid, Kid::Absent);
    }
}

/// Mutation-testing gaps (`.ci/mutants.sh`): the canonical-header fast path must agree with
/// the JSON path for every `Accept`, and must recognize the headers the references write.
#[cfg(test)]
mod mutants_fast_path_tests {
    use super::*;

    /// The protected headers of the real Auth.js v5 tokens in `fixtures/tokens.json` written
    /// as `{"alg":"dir","enc":"A256CBC-HS512","kid":"<thumbprint>"}` (no other member).
    fn reference_v5_headers() -> Vec<String> {
        let fixtures: Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/tokens.json"
        )))
        .unwrap();
        let mut headers: Vec<String> = fixtures["cases"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|case| case["flavor"] == "v5" && case["reference"]["ok"] == true)
            .filter_map(|case| case["token"].as_str()?.split('.').next())
            .filter(|header| header.starts_with(CANONICAL_CBC_PREFIX))
            .filter(|header| {
                let json = crate::crypto::b64::decode(header).unwrap_or_default();
                serde_json::from_slice::<Map<String, Value>>(&json).is_ok_and(|map| {
                    map.keys().eq(["alg", "enc", "kid"]) && map["enc"] == "A256CBC-HS512"
                })
            })
            .map(str::to_owned)
            .collect();
        headers.sort();
        headers.dedup();
        headers
    }

    /// Every reference header takes the fast path (which the decode benchmarks rely on),
    /// including thumbprints holding `-` and `_`, and gives what the JSON path gives.
    #[test]
    fn reference_headers_take_the_fast_path() {
        let v5 = Accept {
            encs: &[Enc::A256CbcHs512, Enc::A256Gcm],
            kid: true,
        };
        let headers = reference_v5_headers();
        assert!(headers.len() >= 5, "{headers:?}");
        let mut seen_dash_and_underscore = false;
        for b64 in &headers {
            let fast = Header::parse_canonical(b64, v5).unwrap_or_else(|| panic!("{b64}"));
            let slow = Header::parse_json(b64, v5).unwrap();
            assert_eq!((fast.enc, fast.kid), (slow.enc, slow.kid), "{b64}");
            let Kid::Value { bytes, len } = fast.kid else {
                panic!("{b64}: no kid");
            };
            let kid = &bytes[..usize::from(len)];
            seen_dash_and_underscore |= kid.contains(&b'-') && kid.contains(&b'_');
        }
        assert!(seen_dash_and_underscore);
    }

    /// A source that accepts CBC without selecting keys by `kid`, or selects by `kid` without
    /// accepting CBC: the fast path must not bypass either rule.
    #[test]
    fn fast_path_keeps_enc_and_kid_rules_of_any_accept() {
        let b64 = reference_v5_headers().remove(0);
        let gcm_with_kid = Accept {
            encs: &[Enc::A256Gcm],
            kid: true,
        };
        assert!(Header::parse_canonical(&b64, gcm_with_kid).is_none());
        assert!(matches!(
            Header::parse(&b64, gcm_with_kid),
            Err(Error::Unsupported(_))
        ));
        let cbc_without_kid = Accept {
            encs: &[Enc::A256CbcHs512],
            kid: false,
        };
        assert!(Header::parse_canonical(&b64, cbc_without_kid).is_none());
        let header = Header::parse(&b64, cbc_without_kid).unwrap();
        assert_eq!((header.enc, header.kid), (Enc::A256CbcHs512, Kid::Absent));
    }
}
