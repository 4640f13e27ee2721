//! The two families of session tokens, as data.

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

    /// The HKDF `info` for a salt.
    pub(crate) fn hkdf_info(self, salt: &str) -> String {
        match self {
            Self::V4 if salt.is_empty() => "NextAuth.js Generated Encryption Key".to_owned(),
            Self::V4 => format!("NextAuth.js Generated Encryption Key ({salt})"),
            Self::V5 => format!("Auth.js Generated Encryption Key ({salt})"),
        }
    }

    /// The content encryptions this flavor issues (and so the only ones we open).
    pub(crate) fn accepts(self, enc: Enc) -> bool {
        match self {
            Self::V4 => enc == Enc::A256Gcm,
            Self::V5 => true,
        }
    }

    /// Whether a `kid` header selects the secret (v5) or is ignored (v4).
    pub(crate) fn uses_kid(self) -> bool {
        self == Self::V5
    }

    /// The characters per cookie when the references split a long token into chunks.
    pub fn chunk_size(self) -> usize {
        match self {
            Self::V4 => 3933,
            Self::V5 => 3936,
        }
    }
}
