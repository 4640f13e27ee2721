//! The two families of session tokens, as data.

use crate::crypto::jwe::{Accept, Enc};
use crate::crypto::secret::{DerivedKey, KidDigest, Secret};

/// Which reference wrote the session cookie.
///
/// Everything that differs between the two is data in this type (cookie names, key
/// derivation parameters, accepted encryptions, chunk size): the decoding path is shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flavor {
    /// NextAuth.js v4 (`next-auth@4`): `dir` + `A256GCM`, empty HKDF salt.
    V4,
    /// Auth.js: `next-auth@5` and `@auth/core`: `dir` + `A256CBC-HS512` with a `kid`
    /// (or `A256GCM` as the early betas issued), the cookie name as HKDF salt.
    V5,
}

impl Flavor {
    /// The session cookie name the references use (`secure` = the `__Secure-` variant used
    /// behind HTTPS).
    pub fn default_cookie_name(self, secure: bool) -> &'static str {
        match (self, secure) {
            (Self::V4, false) => "next-auth.session-token",
            (Self::V4, true) => "__Secure-next-auth.session-token",
            (Self::V5, false) => "authjs.session-token",
            (Self::V5, true) => "__Secure-authjs.session-token",
        }
    }

    /// The HKDF salt used when none is configured: v4 always uses the empty salt for session
    /// tokens, v5 uses the session cookie name.
    pub(crate) fn default_salt(self, cookie_name: &str) -> &str {
        match self {
            Self::V4 => "",
            Self::V5 => cookie_name,
        }
    }

    /// The key material of `secret` for tokens of this flavor with this salt.
    pub(crate) fn derive_key(self, secret: &Secret, salt: &str) -> DerivedKey {
        let info = self.hkdf_info(salt);
        DerivedKey::derive(secret, salt.as_bytes(), info.as_bytes(), KidDigest::Sha512)
    }

    /// The HKDF `info` for a salt.
    pub(crate) fn hkdf_info(self, salt: &str) -> String {
        match self {
            Self::V4 if salt.is_empty() => "NextAuth.js Generated Encryption Key".to_owned(),
            Self::V4 => format!("NextAuth.js Generated Encryption Key ({salt})"),
            Self::V5 => format!("Auth.js Generated Encryption Key ({salt})"),
        }
    }

    /// The content encryptions this flavor issues (and so the only ones we open), and
    /// whether a `kid` header selects the secret (v5) or is ignored (v4).
    pub(crate) fn accept(self) -> Accept {
        match self {
            Self::V4 => Accept {
                encs: &[Enc::A256Gcm],
                kid: false,
            },
            Self::V5 => Accept {
                encs: &[Enc::A256CbcHs512, Enc::A256Gcm],
                kid: true,
            },
        }
    }

    /// The characters per cookie when the references split a long token into chunks.
    pub fn chunk_size(self) -> usize {
        match self {
            Self::V4 => 3933,
            Self::V5 => 3936,
        }
    }
}
