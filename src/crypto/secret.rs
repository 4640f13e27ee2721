//! Secrets and the keys derived from them: HKDF, `kid` thumbprints, zeroization.

use aes::{Aes256Dec, Aes256Enc};
use aes_gcm::{Aes256Gcm, KeyInit};
use hkdf::Hkdf;
use hmac::Hmac;
use sha2::{Digest, Sha256, Sha512};
use zeroize::Zeroizing;

use crate::crypto::jwe::Enc;
use crate::error::Error;

/// A secret as configured in `NEXTAUTH_SECRET` / `AUTH_SECRET`: its literal UTF-8 (or raw)
/// bytes, never base64-decoded.
///
/// Owned inputs (`String`, `Vec<u8>`) are moved in, not copied, and the bytes are zeroized
/// when the value is dropped. `Debug` prints `Secret([redacted])`; there is no `Display`,
/// `Serialize` or `PartialEq`.
pub struct Secret(Zeroizing<Vec<u8>>);

impl Secret {
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// The rule every builder applies to its secrets: at least one, and none empty.
    pub(crate) fn check_list(secrets: &[Secret]) -> Result<(), Error> {
        if secrets.is_empty() {
            return Err(Error::Config("no secret configured"));
        }
        if secrets.iter().any(|s| s.bytes().is_empty()) {
            return Err(Error::Config("a configured secret is empty"));
        }
        Ok(())
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl From<Vec<u8>> for Secret {
    fn from(bytes: Vec<u8>) -> Self {
        Self(Zeroizing::new(bytes))
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Self::from(s.into_bytes())
    }
}

impl From<&[u8]> for Secret {
    fn from(bytes: &[u8]) -> Self {
        Self::from(bytes.to_vec())
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Self::from(s.as_bytes())
    }
}

impl From<&String> for Secret {
    fn from(s: &String) -> Self {
        Self::from(s.as_bytes())
    }
}

/// Everything derived from one secret, computed once when the decoder is built.
///
/// The HKDF output is 64 bytes: `A256CBC-HS512` uses all of it, `A256GCM` the first 32 (HKDF
/// output is a prefix-stable stream, so this equals a 32-byte derivation with the same
/// parameters, as the references do it). The cipher states hold expanded keys and zeroize
/// on drop. Both directions are kept: decryption for [`Decoder`](crate::Decoder), encryption
/// for [`Encoder`](crate::Encoder) (AES-GCM uses the same schedule for both; CBC needs one
/// schedule each way).
pub(crate) struct DerivedKey {
    gcm: Aes256Gcm,
    /// HMAC-SHA-512 keyed with the first half of the `A256CBC-HS512` key: the keyed state
    /// is cloned per token, which saves hashing the key pads on every call.
    mac: Hmac<Sha512>,
    cbc: Aes256Dec,
    cbc_enc: Aes256Enc,
    /// RFC 7638 thumbprints: SHA-256 of the 32-byte key; the 64-byte key's with the digest
    /// the source uses (Auth.js: SHA-512, Better Auth: SHA-256).
    kid_gcm: String,
    kid_cbc: String,
}

/// The digest of the `A256CBC-HS512` key's RFC 7638 thumbprint (its `kid`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KidDigest {
    /// Auth.js v5.
    Sha512,
    /// Better Auth.
    #[allow(dead_code)] // the Better Auth reader (issue 13) is its user
    Sha256,
}

impl std::fmt::Debug for DerivedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DerivedKey([redacted])")
    }
}

impl DerivedKey {
    /// Derives the key material for `secret`: 64 bytes of HKDF-SHA256 with the source's salt
    /// and info.
    pub(crate) fn derive(secret: &Secret, salt: &[u8], info: &[u8], cbc_kid: KidDigest) -> Self {
        let mut okm = Zeroizing::new([0u8; 64]);
        Hkdf::<Sha256>::new(Some(salt), secret.bytes())
            .expand(info, okm.as_mut())
            .expect("64 bytes is a valid HKDF-SHA256 output length");
        let (first, second) = okm.split_at(32);
        Self {
            gcm: Aes256Gcm::new_from_slice(first).expect("32-byte AES-256 key"),
            cbc: Aes256Dec::new_from_slice(second).expect("32-byte AES-256 key"),
            cbc_enc: Aes256Enc::new_from_slice(second).expect("32-byte AES-256 key"),
            mac: <Hmac<Sha512> as KeyInit>::new_from_slice(first).expect("any HMAC key length"),
            kid_gcm: thumbprint::<Sha256>(first),
            kid_cbc: match cbc_kid {
                KidDigest::Sha512 => thumbprint::<Sha512>(okm.as_ref()),
                KidDigest::Sha256 => thumbprint::<Sha256>(okm.as_ref()),
            },
        }
    }

    pub(crate) fn gcm(&self) -> &Aes256Gcm {
        &self.gcm
    }

    /// A fresh HMAC-SHA-512 state keyed with the `A256CBC-HS512` MAC key.
    pub(crate) fn mac(&self) -> Hmac<Sha512> {
        self.mac.clone()
    }

    pub(crate) fn cbc(&self) -> &Aes256Dec {
        &self.cbc
    }

    /// The AES-256 encryption schedule of the `A256CBC-HS512` key (its second half).
    pub(crate) fn cbc_enc(&self) -> &Aes256Enc {
        &self.cbc_enc
    }

    /// The `kid` the references write (and match) for this key and encryption.
    pub(crate) fn kid(&self, enc: Enc) -> &str {
        match enc {
            Enc::A256Gcm => &self.kid_gcm,
            Enc::A256CbcHs512 => &self.kid_cbc,
        }
    }
}

/// RFC 7638 JWK thumbprint of a symmetric key: the hash of `{"k":"<b64url>","kty":"oct"}`,
/// base64url without padding. The JSON holds the key, so it is zeroized too.
pub(crate) fn thumbprint<D: Digest>(key: &[u8]) -> String {
    let mut jwk = Zeroizing::new(String::with_capacity(32 + key.len() * 4 / 3));
    jwk.push_str(r#"{"k":""#);
    crate::crypto::b64::encode_append(key, &mut jwk);
    jwk.push_str(r#"","kty":"oct"}"#);
    crate::crypto::b64::encode(D::digest(jwk.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn v4_known_key_vector() {
        // The v4 session key of secret `test-secret-please-change`, from running next-auth
        // 4.24.15 (reference-behaviour.md section 1).
        let mut okm = [0u8; 32];
        Hkdf::<Sha256>::new(Some(b""), b"test-secret-please-change")
            .expand(b"NextAuth.js Generated Encryption Key", &mut okm)
            .unwrap();
        assert_eq!(
            hex(&okm),
            "430ae04a09d040d71b64a0793120468359e7ea6b82436038e981ccd7ef51bd86"
        );
    }

    #[test]
    fn rfc5869_test_case_1() {
        let ikm = [0x0bu8; 22];
        let salt: Vec<u8> = (0x00u8..=0x0c).collect();
        let info: Vec<u8> = (0xf0u8..=0xf9).collect();
        let mut okm = [0u8; 42];
        Hkdf::<Sha256>::new(Some(&salt), &ikm)
            .expand(&info, &mut okm)
            .unwrap();
        assert_eq!(
            hex(&okm),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
        );
    }

    #[test]
    fn rfc5869_test_case_3_empty_salt_and_info() {
        let ikm = [0x0bu8; 22];
        let mut okm = [0u8; 42];
        Hkdf::<Sha256>::new(None, &ikm)
            .expand(&[], &mut okm)
            .unwrap();
        assert_eq!(
            hex(&okm),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"
        );
    }

    #[test]
    fn gcm_key_is_the_prefix_of_the_cbc_key() {
        let mut k32 = [0u8; 32];
        let mut k64 = [0u8; 64];
        let hk = Hkdf::<Sha256>::new(Some(b"authjs.session-token"), b"s");
        hk.expand(b"info", &mut k32).unwrap();
        hk.expand(b"info", &mut k64).unwrap();
        assert_eq!(k32, k64[..32]);
    }

    #[test]
    fn cipher_states_zeroize_on_drop() {
        fn zeroized<T: zeroize::ZeroizeOnDrop>() {}
        zeroized::<Aes256Gcm>();
        zeroized::<Aes256Dec>();
        zeroized::<Aes256Enc>();
        // `Hmac<Sha512>` keeps its keyed inner and outer states as two `Sha512VarCore`s,
        // which zeroize on drop (sha2's `zeroize` feature); its buffer holds no key bytes.
        zeroized::<sha2::block_api::Sha512VarCore>();
    }

    #[test]
    fn debug_does_not_leak() {
        let secret = Secret::from("hunter2-very-secret");
        assert_eq!(format!("{secret:?}"), "Secret([redacted])");
        let key = DerivedKey::derive(&secret, b"salt", b"info", KidDigest::Sha512);
        let shown = format!("{key:?} {key:#?}");
        assert_eq!(shown, "DerivedKey([redacted]) DerivedKey([redacted])");
    }
}
