//! Issuing sessions: claims -> compact JWE exactly as the references' `encode` writes it.
//!
//! `claims -> JSON object + iat/exp/jti -> plaintext -> dir + A256GCM (v4) or
//! A256CBC-HS512 with kid (v5) under the decoder's current key -> token`. The cookies that
//! carry the token are in `set_cookie.rs`.

use std::time::Duration;

use aes::cipher::{BlockModeEncrypt, InnerIvInit, block_padding::Pkcs7};
use aes_gcm::AeadInOut;
use hmac::Mac;
use serde::Serialize;
use serde_json::Value;
use zeroize::Zeroizing;

use crate::authjs::decoder::Decoder;
use crate::authjs::flavor::Flavor;
use crate::crypto::jwe::Enc;
use crate::crypto::secret::DerivedKey;
use crate::error::Error;

/// The references' default session lifetime: 30 days.
const DEFAULT_MAX_AGE: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// Writes session tokens and the `Set-Cookie` headers that carry them, as NextAuth.js v4 /
/// Auth.js v5 do, so that a Next.js app (and [`Decoder`]) accepts them.
///
/// Made by [`Decoder::encoder`]: it shares the decoder's derived keys, cookie name and clock
/// (an `Arc` inside, so it is cheap to clone and can live in a web framework's state).
///
/// - v4 tokens are `dir` + `A256GCM`; v5 tokens are `dir` + `A256CBC-HS512` with the `kid`
///   thumbprint of the key, always under the FIRST configured secret (the current one in a
///   rotation list, as the references do).
/// - [`encode`](Self::encode) writes `iat` (now), `exp` (now + [`max_age`](Self::max_age)) and a
///   random `jti` (UUID v4) over the claims, like the references' `encode`.
/// - IVs and `jti` come from the operating system's random number generator.
/// - A decoder built with [`fixed_time`](crate::DecoderBuilder::fixed_time) gives an encoder
///   with the same fixed clock: `iat`, `exp` and the cookies' `Expires` are then deterministic
///   (the IV and `jti` are still random).
#[derive(Debug, Clone)]
pub struct Encoder {
    decoder: Decoder,
    max_age: Duration,
    secure: bool,
}

impl Decoder {
    /// An [`Encoder`] that writes sessions this decoder (and the reference it mirrors) reads:
    /// same flavor, keys, cookie name and clock. Nothing is derived again.
    ///
    /// Defaults: a max age of 30 days, and the `Secure` cookie attribute when the cookie name
    /// has the `__Secure-` (or `__Host-`) prefix, as the references set it.
    pub fn encoder(&self) -> Encoder {
        let name = self.cookie_name();
        Encoder {
            secure: name.starts_with("__Secure-") || name.starts_with("__Host-"),
            decoder: self.clone(),
            max_age: DEFAULT_MAX_AGE,
        }
    }
}

impl Encoder {
    /// The session lifetime: `exp = iat + max_age`, and the cookies expire at the same time
    /// (the references' `session.maxAge` / `jwt.maxAge`). Default 30 days. Fractions of a
    /// second are dropped.
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// Whether the session cookies carry the `Secure` attribute. The default follows the
    /// cookie name (`true` for `__Secure-...`), as the references do; set it for a custom
    /// cookie name served over HTTPS.
    pub fn secure(mut self, secure: bool) -> Self {
        self.secure = secure;
        self
    }

    /// The decoder this encoder shares its keys with.
    pub fn decoder(&self) -> &Decoder {
        &self.decoder
    }

    /// Encrypts `claims` into a session token, as the reference `encode` does: the claims
    /// object with `iat` = now, `exp` = now + max age and a random `jti` (UUID v4) written over
    /// it, encrypted with the current (first) secret.
    ///
    /// `claims` can be [`Session`](crate::Session), your own struct or map, or a
    /// [`serde_json::Value`] object.
    ///
    /// # Errors
    /// - [`Error::InvalidClaims`] when `claims` does not serialize to a JSON object.
    /// - [`Error::TooLarge`] when the token would be longer than the decoder's
    ///   [`Limits::max_token_len`](crate::Limits::max_token_len), so the decoder would refuse it.
    /// - [`Error::Random`] when the operating system's random number generator fails.
    pub fn encode<C: Serialize + ?Sized>(&self, claims: &C) -> Result<String, Error> {
        let mut claims = match serde_json::to_value(claims) {
            Ok(Value::Object(map)) => map,
            Ok(_) => {
                return Err(Error::InvalidClaims(
                    "the claims must serialize to a JSON object",
                ));
            }
            Err(_) => {
                return Err(Error::InvalidClaims(
                    "the claims cannot be serialized to JSON",
                ));
            }
        };
        let (keys, clock, limits) = self.decoder.encoder_parts();
        let now = clock.now();
        claims.insert("iat".to_owned(), now.into());
        claims.insert("exp".to_owned(), self.expires_at(now).into());
        claims.insert("jti".to_owned(), uuid_v4()?.into());
        let plaintext = Zeroizing::new(
            serde_json::to_vec(&claims)
                .map_err(|_| Error::InvalidClaims("the claims cannot be serialized to JSON"))?,
        );
        let key = keys.first().ok_or(Error::Config("no secret configured"))?;
        seal(self.decoder.flavor(), key, &plaintext, limits.max_token_len)
    }

    /// Unix time at which a session issued at `now` expires.
    pub(crate) fn expires_at(&self, now: i64) -> i64 {
        let max_age = i64::try_from(self.max_age.as_secs()).unwrap_or(i64::MAX);
        now.saturating_add(max_age)
    }

    /// Now, by the decoder's clock.
    pub(crate) fn now(&self) -> i64 {
        self.decoder.encoder_parts().1.now()
    }

    pub(crate) fn is_secure(&self) -> bool {
        self.secure
    }
}

/// A CSRF token and the double-submit cookie that carries it, as the references'
/// `createCSRFToken` issues them (`token|sha256hex(token + secret)`). Made by
/// [`Encoder::csrf_cookie`]; for tests of routes behind [`Csrf`](crate::Csrf).
///
/// `Debug` shows the cookie name only.
#[derive(Clone)]
pub struct CsrfCookie {
    name: String,
    token: String,
    value: String,
    secure: bool,
}

impl std::fmt::Debug for CsrfCookie {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsrfCookie")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl CsrfCookie {
    /// The cookie's name ([`Csrf::cookie_name`](crate::Csrf::cookie_name)).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The token the client submits (`getCsrfToken()`'s answer): the `x-csrf-token` header
    /// or the `csrfToken` form field.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The cookie's value as the server reads it: `token|hash`.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The `Cookie` request header a browser sends with it: `name=token%7Chash` (the value
    /// `encodeURIComponent`-ed, as the references' serializers write it).
    pub fn cookie_header(&self) -> String {
        format!("{}={}", self.name, self.value.replace('|', "%7C"))
    }

    /// The `Set-Cookie` header value the references send: `Path=/`, `HttpOnly`,
    /// `SameSite=Lax`, `Secure` behind HTTPS (the `__Host-` name), no expiry (a browser
    /// session cookie).
    pub fn set_cookie(&self) -> String {
        let mut cookie = cookie::Cookie::new(self.name.as_str(), self.value.replace('|', "%7C"));
        cookie.set_path("/");
        cookie.set_http_only(true);
        cookie.set_same_site(cookie::SameSite::Lax);
        if self.secure {
            cookie.set_secure(true);
        }
        cookie.to_string()
    }
}

/// The longest CSRF token accepted by [`Encoder::csrf_cookie_with_token`].
const MAX_CSRF_TOKEN_LEN: usize = 256;

impl Encoder {
    /// A new CSRF token (32 random bytes in hex, as the references make it) and its cookie,
    /// hashed with `csrf`'s secrets the way the references hash them, so that `csrf` (and the
    /// Next.js app with the same secret) accepts it.
    ///
    /// # Errors
    /// [`Error::Random`] when the operating system's random number generator fails.
    pub fn csrf_cookie(&self, csrf: &crate::Csrf) -> Result<CsrfCookie, Error> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(bytes.as_mut()).map_err(|_| Error::Random)?;
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        self.csrf_cookie_with_token(csrf, &token)
    }

    /// [`csrf_cookie`](Self::csrf_cookie) for a given token (to replay a known cookie).
    ///
    /// # Errors
    /// [`Error::Config`] when the token is empty, longer than 256 bytes, or holds anything
    /// but ASCII letters, digits, `-` and `_` (the references' tokens are hex).
    pub fn csrf_cookie_with_token(
        &self,
        csrf: &crate::Csrf,
        token: &str,
    ) -> Result<CsrfCookie, Error> {
        let ok = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        if token.is_empty() || token.len() > MAX_CSRF_TOKEN_LEN || !token.bytes().all(ok) {
            return Err(Error::Config(
                "a csrf token is 1 to 256 ASCII letters, digits, '-' or '_'",
            ));
        }
        let name = csrf.cookie_name().to_owned();
        Ok(CsrfCookie {
            secure: self.secure || name.starts_with("__Host-") || name.starts_with("__Secure-"),
            value: csrf.issue_value(token),
            token: token.to_owned(),
            name,
        })
    }
}

/// A random UUID v4 in the usual lower-case 8-4-4-4-12 form (`crypto.randomUUID()`).
pub(crate) fn uuid_v4() -> Result<String, Error> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|_| Error::Random)?;
    b[6] = (b[6] & 0x0f) | 0x40; // version 4
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    ))
}

/// Characters of unpadded base64url for `n` bytes.
fn b64_len(n: usize) -> usize {
    n.saturating_mul(4).div_ceil(3)
}

/// Encrypts `plaintext` into a compact JWE with the header the flavor's reference writes, or
/// fails with [`Error::TooLarge`] before encrypting anything when the token would be longer
/// than `max_len`.
pub(crate) fn seal(
    flavor: Flavor,
    key: &DerivedKey,
    plaintext: &[u8],
    max_len: usize,
) -> Result<String, Error> {
    // Member order as the references write it (jose keeps the insertion order).
    let header = match flavor {
        Flavor::V4 => r#"{"alg":"dir","enc":"A256GCM"}"#.to_owned(),
        Flavor::V5 => format!(
            r#"{{"alg":"dir","enc":"A256CBC-HS512","kid":"{}"}}"#,
            key.kid(Enc::A256CbcHs512)
        ),
    };
    let header = crate::crypto::b64::encode(header);
    let (iv_len, ct_len, tag_len) = match flavor {
        Flavor::V4 => (12, plaintext.len(), 16),
        // PKCS#7 always adds 1..=16 bytes.
        Flavor::V5 => (16, (plaintext.len() / 16 + 1) * 16, 32),
    };
    let too_large = Error::TooLarge {
        what: "token",
        limit: max_len,
    };
    let token_len = [b64_len(iv_len), b64_len(ct_len), b64_len(tag_len), 4]
        .into_iter()
        .fold(header.len(), usize::saturating_add);
    if token_len > max_len {
        return Err(too_large);
    }
    // The AAD is the encoded protected header (RFC 7516 5.1 step 14).
    let aad = header.as_bytes();
    let (iv, ciphertext, tag) = match flavor {
        Flavor::V4 => {
            let mut iv = [0u8; 12];
            getrandom::fill(&mut iv).map_err(|_| Error::Random)?;
            let mut buf = Zeroizing::new(plaintext.to_vec());
            let tag = key
                .gcm()
                .encrypt_inout_detached(&iv.into(), aad, buf.as_mut_slice().into())
                .map_err(|_| too_large)?;
            (iv.to_vec(), buf.to_vec(), tag.to_vec())
        }
        Flavor::V5 => {
            let mut iv = [0u8; 16];
            getrandom::fill(&mut iv).map_err(|_| Error::Random)?;
            let mut buf = Zeroizing::new(vec![0u8; ct_len]);
            buf[..plaintext.len()].copy_from_slice(plaintext);
            let ciphertext = cbc::Encryptor::inner_iv_init(key.cbc_enc().clone(), &iv.into())
                .encrypt_padded::<Pkcs7>(&mut buf, plaintext.len())
                .expect("the buffer has room for the padding")
                .to_vec();
            // RFC 7518 5.2.2.1: the first half of HMAC-SHA-512 over AAD || IV || C || AL.
            let mut mac = key.mac();
            mac.update(aad);
            mac.update(&iv);
            mac.update(&ciphertext);
            mac.update(&(aad.len() as u64 * 8).to_be_bytes());
            let tag = mac.finalize().into_bytes()[..32].to_vec();
            (iv.to_vec(), ciphertext, tag)
        }
    };
    let mut token = String::with_capacity(token_len);
    token.push_str(&header);
    token.push_str("..");
    crate::crypto::b64::encode_append(&iv, &mut token);
    token.push('.');
    crate::crypto::b64::encode_append(&ciphertext, &mut token);
    token.push('.');
    crate::crypto::b64::encode_append(&tag, &mut token);
    debug_assert_eq!(token.len(), token_len);
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Secret;

    fn decoder(flavor: Flavor) -> Decoder {
        Decoder::builder(flavor)
            .secret(Secret::from("encoder unit test secret"))
            .fixed_time(1_750_000_000)
            .build()
            .unwrap()
    }

    fn header_of(token: &str) -> String {
        let part = token.split('.').next().unwrap();
        String::from_utf8(crate::crypto::b64::decode(part).unwrap()).unwrap()
    }

    #[test]
    fn uuid_v4_shape() {
        let a = uuid_v4().unwrap();
        let b = uuid_v4().unwrap();
        assert_ne!(a, b);
        let parts: Vec<&str> = a.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'));
        assert!(matches!(&parts[3][..1], "8" | "9" | "a" | "b"));
        assert!(
            a.bytes()
                .all(|c| c == b'-' || c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
        );
    }

    #[test]
    fn headers_are_the_references() {
        let v4 = decoder(Flavor::V4)
            .encoder()
            .encode(&serde_json::json!({}))
            .unwrap();
        assert_eq!(header_of(&v4), r#"{"alg":"dir","enc":"A256GCM"}"#);
        let d5 = decoder(Flavor::V5);
        let v5 = d5.encoder().encode(&serde_json::json!({})).unwrap();
        let kid = d5.key_ids().next().unwrap().to_owned();
        assert_eq!(
            header_of(&v5),
            format!(r#"{{"alg":"dir","enc":"A256CBC-HS512","kid":"{kid}"}}"#)
        );
        // Part lengths: empty encrypted key, 12/16-byte IV, 16/32-byte tag.
        let lens = |t: &str| t.split('.').map(str::len).collect::<Vec<_>>();
        assert_eq!(lens(&v4)[1..3], [0, 16]);
        assert_eq!(lens(&v4)[4], 22);
        assert_eq!(lens(&v5)[1..3], [0, 22]);
        assert_eq!(lens(&v5)[4], 43);
    }

    #[test]
    fn fresh_iv_and_jti_every_time() {
        let enc = decoder(Flavor::V5).encoder();
        let a = enc.encode(&serde_json::json!({"sub": "1"})).unwrap();
        let b = enc.encode(&serde_json::json!({"sub": "1"})).unwrap();
        assert_ne!(a.split('.').nth(2), b.split('.').nth(2));
        let ja: Value = enc.decoder().decode(&a).unwrap();
        let jb: Value = enc.decoder().decode(&b).unwrap();
        assert_ne!(ja["jti"], jb["jti"]);
        assert_eq!(ja["iat"], 1_750_000_000);
        assert_eq!(ja["exp"], 1_750_000_000 + 30 * 24 * 3600);
    }

    #[test]
    fn claims_must_be_an_object() {
        let enc = decoder(Flavor::V4).encoder();
        for bad in [
            serde_json::json!([1, 2]),
            serde_json::json!("s"),
            serde_json::json!(null),
        ] {
            assert_eq!(
                enc.encode(&bad),
                Err(Error::InvalidClaims(
                    "the claims must serialize to a JSON object"
                ))
            );
        }
        // A map with non-string keys cannot be JSON.
        let map: std::collections::BTreeMap<Vec<u8>, u8> = [(vec![1], 1)].into();
        assert_eq!(
            enc.encode(&map),
            Err(Error::InvalidClaims(
                "the claims cannot be serialized to JSON"
            ))
        );
    }

    #[test]
    fn registered_claims_are_written_over() {
        let enc = decoder(Flavor::V4)
            .encoder()
            .max_age(Duration::from_millis(60_999));
        let token = enc
            .encode(&serde_json::json!({"iat": "x", "exp": null, "jti": 7, "name": "n"}))
            .unwrap();
        let got: Value = enc.decoder().decode(&token).unwrap();
        assert_eq!(got["iat"], 1_750_000_000);
        assert_eq!(got["exp"], 1_750_000_060);
        assert!(got["jti"].is_string());
        assert_eq!(got["name"], "n");
    }

    #[test]
    fn too_large_for_the_decoder_is_refused() {
        let d = Decoder::builder(Flavor::V5)
            .secret("s")
            .limits(crate::Limits {
                max_token_len: 1000,
                ..crate::Limits::default()
            })
            .build()
            .unwrap();
        let err = d
            .encoder()
            .encode(&serde_json::json!({"x": "a".repeat(1000)}))
            .unwrap_err();
        assert_eq!(
            err,
            Error::TooLarge {
                what: "token",
                limit: 1000
            }
        );
        // Just under the limit works and decodes.
        let token = d
            .encoder()
            .encode(&serde_json::json!({"x": "a".repeat(400)}))
            .unwrap();
        assert!(token.len() <= 1000);
        assert!(d.decode::<Value>(&token).is_ok());
    }

    #[test]
    fn huge_max_age_saturates() {
        let enc = decoder(Flavor::V5).encoder().max_age(Duration::MAX);
        assert_eq!(enc.expires_at(enc.now()), i64::MAX);
    }
}
