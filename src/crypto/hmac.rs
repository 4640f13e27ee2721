//! HMAC-SHA256 with a secret's bytes as the key, as Better Auth signs its cookies: one keyed
//! state per secret (zeroized on drop), cloned per message; tags compared in constant time.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::crypto::secret::Secret;

/// HMAC-SHA256 keyed with a secret.
#[derive(Clone)]
pub(crate) struct HmacKey {
    state: Hmac<Sha256>,
}

impl std::fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HmacKey([redacted])")
    }
}

impl HmacKey {
    pub(crate) fn new(secret: &Secret) -> Self {
        Self {
            state: <Hmac<Sha256> as KeyInit>::new_from_slice(secret.bytes())
                .expect("HMAC takes any key length"),
        }
    }

    /// The tag of `message`.
    pub(crate) fn sign(&self, message: &[u8]) -> [u8; 32] {
        let mut mac = self.state.clone();
        mac.update(message);
        mac.finalize().into_bytes().into()
    }

    /// Whether `tag` is the tag of `message`, compared in constant time.
    pub(crate) fn verify(&self, message: &[u8], tag: &[u8]) -> bool {
        let mut mac = self.state.clone();
        mac.update(message);
        mac.verify_slice(tag).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231 test case 2 (key "Jefe").
    #[test]
    fn rfc4231_case_2() {
        let key = HmacKey::new(&Secret::from("Jefe"));
        let tag = key.sign(b"what do ya want for nothing?");
        let hex: String = tag.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert!(key.verify(b"what do ya want for nothing?", &tag));
        let mut bad = tag;
        bad[31] ^= 1;
        assert!(!key.verify(b"what do ya want for nothing?", &bad));
        assert!(!key.verify(b"what do ya want for nothing?", &tag[..31]));
        assert_eq!(format!("{key:?}"), "HmacKey([redacted])");
    }
}
