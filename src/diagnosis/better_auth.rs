//! [`BetterAuth::diagnose`]: what a Better Auth reader makes of a request: the signed
//! cookies, the cookie cache (chunks, strategy, version, expiry, token) and why there is no
//! cached session.

use super::cookies::{ChunkRule, ChunkSet, ScannedCookie, scan_cookies};
use crate::better_auth::{BetterAuth, BetterAuthSession, CacheStrategy};
use crate::error::Error;
use crate::request::cookies::{self, ChunkNames};

/// A signed cookie (`session_token`, `dont_remember`) as the reader takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignedState {
    /// No cookie of that name (or an empty one).
    Absent,
    /// Present, but not `<value>.<44-character signature>`: read as absent.
    NotSigned,
    /// The signature verifies with the current (first) secret, the only one better-auth
    /// verifies these cookies with.
    Verified,
    /// The signature does not verify with the current secret.
    BadSignature,
    /// Present, but not verified (not a signed value, or a bad signature): read as absent.
    Unverified,
}

/// The shape of a `session_data` value: which strategy wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CacheShape {
    /// No dot: base64url JSON (`compact`).
    Compact,
    /// Three parts (`jwt`).
    Jwt,
    /// Five parts (`jwe`).
    Jwe,
    /// Anything else.
    Unknown,
}

impl CacheShape {
    fn of(value: &str) -> Self {
        match value.bytes().filter(|b| *b == b'.').count() {
            0 => Self::Compact,
            2 => Self::Jwt,
            4 => Self::Jwe,
            _ => Self::Unknown,
        }
    }

    /// The strategy that writes this shape.
    pub fn strategy(self) -> Option<CacheStrategy> {
        match self {
            Self::Compact => Some(CacheStrategy::Compact),
            Self::Jwt => Some(CacheStrategy::Jwt),
            Self::Jwe => Some(CacheStrategy::Jwe),
            Self::Unknown => None,
        }
    }
}

/// The `session_data` cookie cache of a request.
#[derive(Debug, Clone, PartialEq)]
pub struct CacheDiagnosis {
    /// Its cookies: unchunked or `.0`, `.1`, ... (canonical indices, as the server reads).
    pub set: ChunkSet,
    /// The strategy the value's shape says wrote it (`None`: no value).
    pub shape: Option<CacheShape>,
    /// The strategy configured in the reader.
    pub configured: Option<CacheStrategy>,
    /// The cache's `version` (`None` when it does not decode or has none: better-auth reads
    /// that as `"1"`).
    pub version: Option<String>,
    /// The cache's own expiry, unix ms.
    pub expires_ms: Option<i64>,
    /// The cached session's `expiresAt`, unix ms.
    pub session_expires_ms: Option<i64>,
    /// Whether the cache holds the verified session token (`None`: not comparable).
    pub token_matches: Option<bool>,
    /// Why the cache does not decode (configured strategy), or `Ok`.
    pub decoded: Result<(), Error>,
}

/// Why a Better Auth request has no cached session.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BetterAuthReason {
    /// No `session_token` cookie (or an empty one, or one that is not a signed value).
    NoToken,
    /// The `session_token` signature does not verify with the current secret.
    BadSignature,
    /// The reader has no cookie cache configured: the session is in the database.
    NoCacheConfigured,
    /// No `session_data` cookie: the server reads the database (no session in stateless
    /// mode).
    NoCache,
    /// The cache was written by another strategy than the configured one.
    OtherStrategy(CacheStrategy),
    /// The cache does not decode or verify with the configured strategy.
    CacheInvalid(Error),
    /// The cache or the session it holds has expired.
    CacheExpired,
    /// The cache holds another session token than the cookie.
    OtherToken,
    /// The cache's version is not the configured `cache_version`.
    OtherVersion,
}

/// What a [`BetterAuth`] reader makes of a request. `Debug` shows no value.
#[derive(Debug, Clone, PartialEq)]
pub struct BetterAuthDiagnosis {
    /// Every cookie of the request, in header order.
    pub cookies: Vec<ScannedCookie>,
    /// The `session_token` cookie.
    pub session_token: SignedState,
    /// The `dont_remember` cookie ("remember me" off when verified).
    pub dont_remember: SignedState,
    /// The cookie cache, when a `session_data` cookie is present.
    pub cache: Option<CacheDiagnosis>,
    /// Stateless mode: the cache with the token is the whole session.
    pub stateless: bool,
    /// The session from the cookie cache, as [`BetterAuth::cached_session`] answers.
    pub session: Option<BetterAuthSession>,
    /// `Ok` when the cookie cache gives the session.
    pub outcome: Result<(), BetterAuthReason>,
}

impl BetterAuth {
    fn present(&self, cookie_header: Option<&str>, name: &str) -> bool {
        cookies::first_value(|| cookie_header.into_iter(), name, &self.inner.limits)
            .ok()
            .flatten()
            .is_some()
    }

    /// What this reader makes of a request: the signed cookies, the cookie cache and the
    /// outcome of [`cached_session`](Self::cached_session). For tools (`nextauth-session
    /// inspect`) and logs. `cookie_header` is the whole `Cookie` header.
    pub fn diagnose(&self, cookie_header: Option<&str>) -> BetterAuthDiagnosis {
        let names = &self.inner.names;
        let limits = &self.inner.limits;
        let lines: Vec<&str> = cookie_header.into_iter().collect();
        let cookies = if lines.iter().map(|l| l.len()).sum::<usize>() <= limits.max_header_len {
            scan_cookies(&lines)
        } else {
            Vec::new()
        };
        let session_token = match self.session_token(cookie_header) {
            _ if !self.present(cookie_header, &names.session_token) => SignedState::Absent,
            Ok(Some(_)) => SignedState::Verified,
            Ok(None) => SignedState::NotSigned,
            Err(_) => SignedState::BadSignature,
        };
        let dont_remember = if !self.present(cookie_header, &names.dont_remember) {
            SignedState::Absent
        } else if self.dont_remember(cookie_header) {
            SignedState::Verified
        } else {
            SignedState::Unverified
        };
        let token = self.session_token(cookie_header).ok().flatten();
        let now = self.now_ms();
        let cache =
            ChunkSet::of(&cookies, &names.session_data, ChunkRule::BetterAuth, None).map(|set| {
                let data = cookies::find_token_with(
                    || cookie_header.into_iter(),
                    None,
                    &names.session_data,
                    limits,
                    ChunkNames::Canonical,
                );
                let mut c = CacheDiagnosis {
                    set,
                    shape: None,
                    configured: self.inner.cache,
                    version: None,
                    expires_ms: None,
                    session_expires_ms: None,
                    token_matches: None,
                    decoded: Ok(()),
                };
                match data {
                    Ok(Some(value)) => {
                        c.shape = Some(CacheShape::of(&value));
                        // Decoded at the far past as well, so an expired cache still shows
                        // its version, expiry and token.
                        let decoded = match self.decode_cache(&value, now) {
                            Err(Error::Expired { .. }) => {
                                c.decoded = Err(Error::Expired { exp: 0, now: 0 });
                                self.decode_cache(&value, 0)
                            }
                            other => other,
                        };
                        match decoded {
                            Ok(d) => {
                                c.version = d.version.clone();
                                c.expires_ms = Some(d.expires_ms);
                                c.session_expires_ms = Some(d.session_expires_ms);
                                c.token_matches = token.as_deref().map(|t| {
                                    d.session.session().get("token").and_then(|v| v.as_str())
                                        == Some(t)
                                });
                            }
                            Err(e) if c.decoded.is_ok() => c.decoded = Err(e),
                            Err(_) => {}
                        }
                    }
                    Ok(None) => {}
                    Err(e) => c.decoded = Err(e),
                }
                c
            });
        let session = self.cached_session(cookie_header).ok().flatten();
        let outcome = if session.is_some() {
            Ok(())
        } else {
            Err(match (session_token, &cache) {
                (SignedState::BadSignature, _) => BetterAuthReason::BadSignature,
                (SignedState::Absent | SignedState::NotSigned | SignedState::Unverified, _) => {
                    BetterAuthReason::NoToken
                }
                _ if self.inner.cache.is_none() => BetterAuthReason::NoCacheConfigured,
                (_, None) => BetterAuthReason::NoCache,
                (_, Some(c)) => cache_reason(c, now, &self.inner.version),
            })
        };
        BetterAuthDiagnosis {
            cookies,
            session_token,
            dont_remember,
            cache,
            stateless: self.inner.stateless,
            session,
            outcome,
        }
    }
}

fn cache_reason(c: &CacheDiagnosis, now: i64, version: &str) -> BetterAuthReason {
    let shape_strategy = c.shape.and_then(CacheShape::strategy);
    if shape_strategy.is_some() && shape_strategy != c.configured {
        return BetterAuthReason::OtherStrategy(shape_strategy.unwrap_or(CacheStrategy::Compact));
    }
    match &c.decoded {
        Err(Error::Expired { .. }) => return BetterAuthReason::CacheExpired,
        Err(e) => return BetterAuthReason::CacheInvalid(e.clone()),
        Ok(()) => {}
    }
    if c.shape.is_none() {
        return BetterAuthReason::NoCache;
    }
    if c.token_matches == Some(false) {
        return BetterAuthReason::OtherToken;
    }
    if c.version.as_deref().unwrap_or("1") != version {
        return BetterAuthReason::OtherVersion;
    }
    if c.expires_ms.is_some_and(|e| e < now) || c.session_expires_ms.is_some_and(|e| e < now) {
        return BetterAuthReason::CacheExpired;
    }
    BetterAuthReason::CacheInvalid(Error::Malformed("the cookie cache is not usable"))
}
