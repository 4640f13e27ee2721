//! The one error type of the crate.

/// Why a session could not be read (or, for [`Encoder::encode`](crate::Encoder::encode), written).
///
/// Messages are lower-case and never contain token, plaintext or key bytes, so an error can be
/// logged as it is. Every cryptographic failure (bad tag, bad padding, wrong secret, no `kid`
/// match) is the single [`Error::DecryptionFailed`] variant: telling them apart would hand an
/// attacker an oracle.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The decoder configuration is unusable (no secret, an empty secret, ...).
    #[error("invalid configuration: {0}")]
    Config(&'static str),

    /// An input is larger than the configured limit; it was rejected before any work
    /// proportional to its size.
    #[error("{what} is larger than the limit of {limit} bytes")]
    TooLarge {
        /// What was too large: `"token"`, `"cookie header"`, `"chunk count"`.
        what: &'static str,
        /// The limit in force.
        limit: usize,
    },

    /// The value is not a compact JWE at all. A cookie written by the database session
    /// strategy (an opaque session id) ends up here.
    #[error(
        "not an encrypted session token: the value has no JWE structure (database session strategy?)"
    )]
    NotJwe,

    /// The token has the shape of a JWE but is malformed (part count, base64url, header
    /// JSON, IV or tag length, ...).
    #[error("malformed token: {0}")]
    Malformed(&'static str),

    /// The token uses an algorithm, encryption or header feature this flavor does not issue
    /// (`alg` other than `dir`, another `enc`, `zip`, `crit`).
    #[error("unsupported token: {0}")]
    Unsupported(&'static str),

    /// Authenticated decryption failed: wrong secret, wrong salt, no secret matching the
    /// `kid`, or a modified token. Deliberately says nothing more.
    #[error("decryption failed")]
    DecryptionFailed,

    /// A signed value (a Better Auth session token, its `dont_remember` flag or a signed
    /// cookie cache) is well formed but its HMAC does not verify with the configured secret:
    /// a wrong secret or a modified value. Deliberately says nothing more.
    #[error("signature verification failed")]
    BadSignature,

    /// The `exp` claim is in the past (beyond the clock tolerance).
    #[error("session expired (exp {exp}, now {now})")]
    Expired {
        /// The token's `exp`, unix seconds (fractions floored).
        exp: i64,
        /// The time the check used, unix seconds.
        now: i64,
    },

    /// The `nbf` claim is in the future (beyond the clock tolerance).
    #[error("session not yet valid (nbf {nbf}, now {now})")]
    NotYetValid {
        /// The token's `nbf`, unix seconds (fractions floored).
        nbf: i64,
        /// The time the check used, unix seconds.
        now: i64,
    },

    /// The decrypted claims are unusable: not UTF-8, not a JSON object, a registered claim
    /// of the wrong type, or a header replica (`iss`, `sub`, `aud`) that differs from the claim.
    #[error("invalid claims: {0}")]
    InvalidClaims(&'static str),

    /// The claims are a valid session but do not deserialize into the requested type: a
    /// bug or a version skew between the app that wrote the session and the claims type, not
    /// a signed-out user. Says where and how, never with a value from the token:
    /// `claims do not match the requested type at $.email: wrong type: expected u64, found a
    /// string`.
    #[error("claims do not match the requested type at {path}: {mismatch}")]
    ClaimsType {
        /// Where: `$` is the claims object, then `.key` and `[index]` steps (`$.user.roles[2]`);
        /// a key that is not a plain name (ASCII letters, digits, `_ - : @`, at most 64
        /// bytes) shows as `?`. For [`Mismatch::Missing`] the path ends with the missing
        /// field.
        path: String,
        /// How the value there does not fit the type.
        mismatch: Mismatch,
    },

    /// The session cookies in the request do not form one token: the unchunked cookie next
    /// to chunks, a gap in the chunk numbers, or a duplicated chunk index.
    #[error("inconsistent session cookies: {0}")]
    InconsistentChunks(&'static str),

    /// The session store (the app's database, for database sessions) could not answer: it
    /// is down, too slow, or its tables do not have the configured shape. This is never
    /// "no session": a web framework integration answers `503`, not `401`.
    #[error("session store: {0}")]
    Store(StoreError),

    /// The operating system's random number generator failed while a token was being
    /// encrypted (only [`Encoder::encode`](crate::Encoder::encode) draws random bytes).
    #[error("the system random number generator failed")]
    Random,
}

/// Why the session store could not answer (see [`Error::Store`]). Says what an operator can
/// act on; never carries a token, a row or a database message that could quote one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// No connection could be made or kept (server down, refused, closed pool).
    #[error("the database is unavailable")]
    Unavailable,
    /// The lookup (waiting for a connection included) took longer than the configured
    /// timeout.
    #[error("the lookup timed out after {ms} ms")]
    Timeout {
        /// The timeout in force, in milliseconds.
        ms: u64,
    },
    /// The tables do not have the configured shape (missing table or column, a type the
    /// lookup cannot read). The text names tables, columns or types, never values.
    #[error("the tables do not match the schema: {0}")]
    Schema(String),
    /// The database refused the lookup for another reason.
    #[error("the database refused the lookup (SQLSTATE {})", code.as_deref().unwrap_or("unknown"))]
    Query {
        /// The SQLSTATE (PostgreSQL) or extended result code (SQLite), when there is one.
        code: Option<String>,
    },
}

/// How the claims do not fit the requested type (see [`Error::ClaimsType`]). Names JSON kinds
/// and what the type expected (its own words, as serde's `Expected`), never a value from the
/// token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Mismatch {
    /// A field the type requires is absent (the path ends with its name).
    #[error("missing field")]
    Missing,
    /// The value is of another JSON kind than the type expects.
    #[error("wrong type: expected {expected}, found {found}")]
    WrongType {
        /// What the type expected, in its words (`u64`, `a string`, `struct Profile`).
        expected: String,
        /// The JSON kind found: `a string`, `an integer`, `null`, `an array`, ...
        found: &'static str,
    },
    /// The value is of the right kind but out of the type's range or set (a negative number
    /// for a `u64`, say).
    #[error("invalid value: expected {expected}, found {found}")]
    InvalidValue {
        /// What the type expected, in its words.
        expected: String,
        /// The JSON kind found.
        found: &'static str,
    },
    /// An array (or object) has another number of elements than the type takes.
    #[error("wrong length {len}: expected {expected}")]
    InvalidLength {
        /// What the type expected, in its words.
        expected: String,
        /// The number of elements found.
        len: usize,
    },
    /// A member the type does not know (`#[serde(deny_unknown_fields)]`); its name is not
    /// repeated.
    #[error("unknown field, expected one of {}", .expected.join(", "))]
    UnknownField {
        /// The fields the type knows.
        expected: &'static [&'static str],
    },
    /// A string that names none of the enum's variants; the string is not repeated.
    #[error("unknown variant, expected one of {}", .expected.join(", "))]
    UnknownVariant {
        /// The variants the type knows.
        expected: &'static [&'static str],
    },
    /// A field given twice to a type that refuses duplicates (the path ends with its name).
    #[error("duplicate field")]
    Duplicate,
    /// The type's own check refused the value (`#[serde(try_from)]`, a hand-written
    /// `Deserialize`); its message is withheld, as it may quote the value.
    #[error("refused by the type's own check (message withheld)")]
    Rejected,
    /// The claims do not fit in another way.
    #[error("the claims do not fit the type")]
    Other,
}
