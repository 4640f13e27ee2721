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

    /// The claims are a valid session but do not deserialize into the requested type.
    /// Only the position is reported, never the offending value.
    #[error("claims do not match the requested type (line {line}, column {column})")]
    ClaimsType {
        /// Line of the claims JSON where deserialization stopped.
        line: usize,
        /// Column of the claims JSON where deserialization stopped.
        column: usize,
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
