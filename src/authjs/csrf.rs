//! The references' CSRF double-submit cookie, checked in constant time.
//!
//! NextAuth.js v4 and Auth.js v5 set a cookie `next-auth.csrf-token` / `authjs.csrf-token`
//! (`__Host-` prefixed behind HTTPS) whose value is `token|sha256hex(token + secret)`, sent with
//! the `|` percent-encoded as `%7C`. The frontend gets the token from `getCsrfToken()` (the
//! `/api/auth/csrf` endpoint) and submits it with a state-changing request; the server accepts
//! the request when the cookie's hash is valid and the submitted token equals the cookie's.
//! `next-auth/core/lib/csrf-token.js` (v4) and
//! `@auth/core/lib/actions/callback/oauth/csrf-token.js` (v5) are the reference code.

use std::borrow::Cow;
use std::sync::Arc;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::authjs::flavor::Flavor;
use crate::crypto::secret::Secret;
use crate::error::Error;
use crate::request::cookies;
use crate::request::cookies::is_token;

/// The longest CSRF cookie value looked at, in bytes: a browser cookie never exceeds 4096
/// bytes, and the references issue 129-character values.
const MAX_COOKIE_VALUE_LEN: usize = 4096;

/// The default header carrying the submitted token.
pub const DEFAULT_CSRF_HEADER: &str = "x-csrf-token";

/// Why a request failed the CSRF check.
///
/// The variants say what a client did wrong; none of them carries token, hash or secret
/// bytes. Every way the cookie itself can be wrong (tampered, issued with another secret,
/// malformed) is the one variant [`CsrfError::InvalidCookie`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CsrfError {
    /// The request has no CSRF cookie (or an empty one).
    #[error("no csrf cookie")]
    MissingCookie,
    /// The CSRF cookie's hash does not match: tampered, issued with another secret, or not a
    /// `token|hash` value.
    #[error("the csrf cookie is not valid")]
    InvalidCookie,
    /// The cookie is valid but no token was submitted.
    #[error("no csrf token submitted")]
    MissingToken,
    /// The submitted token differs from the cookie's token.
    #[error("the submitted csrf token does not match the cookie")]
    Mismatch,
}

/// Checks the references' CSRF double-submit cookie against a submitted token.
///
/// Built once (like [`Decoder`](crate::Decoder)) from the same secrets as the Next.js app;
/// cheap to clone (an `Arc` inside), `Send + Sync`. The hash comparison and the token comparison
/// are constant-time.
///
/// The secret string the references hash is `${options.secret}`: the secret itself in v4; in
/// v5 it depends on how the app got its secrets. `@auth/core` reading the environment makes
/// `secret` the list of rotation secrets, and hashes the list joined by `","`; `next-auth@5`
/// sets `secret` to `AUTH_SECRET` (else `NEXTAUTH_SECRET`) alone whenever one is set, and
/// only falls back to the numbered list otherwise (seen by running next-auth 5.0.0-beta.32 in
/// the e2e test). So with several secrets this check accepts a hash made with the joined list
/// (in the configured order) or with any one configured secret: every candidate is a secret the
/// app was configured with. With the joined list, rotating secrets changes the hash, and CSRF
/// cookies issued before the rotation stop verifying (the app issues a new one on the next
/// `getCsrfToken()`).
#[derive(Clone)]
pub struct Csrf {
    inner: Arc<Inner>,
}

struct Inner {
    cookie_name: String,
    header_name: String,
    /// The strings the references may append to the token: with several secrets, the list
    /// joined by `,` first, then each secret alone.
    secrets: Vec<Zeroizing<Vec<u8>>>,
}

impl std::fmt::Debug for Csrf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Csrf")
            .field("cookie_name", &self.inner.cookie_name)
            .field("header_name", &self.inner.header_name)
            .field("secret", &format_args!("[redacted]"))
            .finish()
    }
}

/// Configures a [`Csrf`] check. Created by [`Csrf::builder`].
pub struct CsrfBuilder {
    flavor: Flavor,
    secrets: Vec<Secret>,
    secure: bool,
    cookie_name: Option<String>,
    header_name: String,
}

impl std::fmt::Debug for CsrfBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsrfBuilder")
            .field("flavor", &self.flavor)
            .field(
                "secrets",
                &format_args!("[redacted; {}]", self.secrets.len()),
            )
            .field("secure", &self.secure)
            .field("cookie_name", &self.cookie_name)
            .field("header_name", &self.header_name)
            .finish()
    }
}

impl CsrfBuilder {
    /// Adds a secret: the app's `NEXTAUTH_SECRET` / `AUTH_SECRET`. For a v5 app configured with
    /// several secrets (`AUTH_SECRET_1`, ... or a `secret` array), add each, in the app's order
    /// (current first), as for the decoder.
    pub fn secret(mut self, secret: impl Into<Secret>) -> Self {
        self.secrets.push(secret.into());
        self
    }

    /// Uses the `__Host-` cookie name the references use behind HTTPS. Default `false`.
    pub fn secure(mut self, secure: bool) -> Self {
        self.secure = secure;
        self
    }

    /// Overrides the CSRF cookie name (the references' `cookies.csrfToken.name` option).
    pub fn cookie_name(mut self, name: impl Into<String>) -> Self {
        self.cookie_name = Some(name.into());
        self
    }

    /// The request header that carries the submitted token. Default `x-csrf-token`
    /// ([`DEFAULT_CSRF_HEADER`]); header names are case-insensitive.
    pub fn header_name(mut self, name: impl Into<String>) -> Self {
        self.header_name = name.into();
        self
    }

    /// Builds the check.
    ///
    /// # Errors
    /// [`Error::Config`] when no secret was given, a secret is empty, the cookie name is not a
    /// token,
    /// or the header name is not a valid HTTP header name.
    pub fn build(self) -> Result<Csrf, Error> {
        Secret::check_list(&self.secrets)?;
        let cookie_name = self
            .cookie_name
            .unwrap_or_else(|| default_cookie_name(self.flavor, self.secure).to_owned());
        if !is_token(&cookie_name) {
            return Err(Error::Config(
                "the cookie name is not an RFC 6265 token (empty, or a control character, space or separator)",
            ));
        }
        if !is_token(&self.header_name) {
            return Err(Error::Config(
                "the csrf header name is not a valid header name",
            ));
        }
        let len = self.secrets.iter().map(|s| s.bytes().len() + 1).sum();
        let mut joined = Zeroizing::new(Vec::with_capacity(len));
        for (i, s) in self.secrets.iter().enumerate() {
            if i > 0 {
                joined.push(b',');
            }
            joined.extend_from_slice(s.bytes());
        }
        let mut secrets = vec![joined];
        if self.secrets.len() > 1 {
            secrets.extend(
                self.secrets
                    .iter()
                    .map(|s| Zeroizing::new(s.bytes().to_vec())),
            );
        }
        Ok(Csrf {
            inner: Arc::new(Inner {
                cookie_name,
                header_name: self.header_name.to_ascii_lowercase(),
                secrets,
            }),
        })
    }
}

/// The CSRF cookie names of the references: `cookies.csrfToken.name` in v4
/// `core/lib/cookie.js` and @auth/core `lib/utils/cookie.js`.
fn default_cookie_name(flavor: Flavor, secure: bool) -> &'static str {
    match (flavor, secure) {
        (Flavor::V4, false) => "next-auth.csrf-token",
        (Flavor::V4, true) => "__Host-next-auth.csrf-token",
        (Flavor::V5, false) => "authjs.csrf-token",
        (Flavor::V5, true) => "__Host-authjs.csrf-token",
    }
}

impl Csrf {
    /// Starts configuring a check for `flavor` (which picks the default cookie name).
    pub fn builder(flavor: Flavor) -> CsrfBuilder {
        CsrfBuilder {
            flavor,
            secrets: Vec::new(),
            secure: false,
            cookie_name: None,
            header_name: DEFAULT_CSRF_HEADER.to_owned(),
        }
    }

    /// Builds the check from the environment variables the references read, with the same
    /// rules as [`Decoder::from_env`](crate::Decoder::from_env): the same secrets in the same
    /// order, and the `__Host-` name when the app's URL (`NEXTAUTH_URL`, v5 `AUTH_URL`) is
    /// `https://` (v4 also: `VERCEL` set and `NEXTAUTH_URL` unset). The header is
    /// `x-csrf-token`.
    ///
    /// # Errors
    /// [`Error::Config`] when no secret variable is set.
    pub fn from_env(flavor: Flavor) -> Result<Self, Error> {
        Self::from_vars(flavor, |name| std::env::var(name).ok())
    }

    /// [`from_env`](Self::from_env) over any variable lookup.
    pub(crate) fn from_vars(
        flavor: Flavor,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, Error> {
        let (secrets, secure) = crate::authjs::env::secrets_and_secure(flavor, var)?;
        secrets
            .into_iter()
            .fold(Self::builder(flavor).secure(secure), CsrfBuilder::secret)
            .build()
    }

    /// The CSRF cookie name this check reads.
    pub fn cookie_name(&self) -> &str {
        &self.inner.cookie_name
    }

    /// The (lower-case) header name `verify_headers` (feature `http`) reads the
    /// submitted token from.
    pub fn header_name(&self) -> &str {
        &self.inner.header_name
    }

    /// The token of a valid CSRF cookie: what `getCsrfToken()` returns to the frontend for this
    /// cookie. `None` when the request has no CSRF cookie or its hash does not match.
    ///
    /// `cookie_header` is the whole `Cookie` header.
    pub fn token(&self, cookie_header: Option<&str>) -> Option<String> {
        self.trusted_token(cookie_header.into_iter())
            .ok()
            .map(Cow::into_owned)
    }

    /// The double-submit check: the CSRF cookie in `cookie_header` must carry a valid hash, and
    /// `submitted` must equal its token. The same verdict as the references'
    /// `csrfTokenVerified` for a POST whose body carries `csrfToken = submitted`.
    ///
    /// # Errors
    /// [`CsrfError`] says which part failed: no cookie, an invalid cookie, nothing submitted,
    /// or a token that does not match.
    pub fn verify(
        &self,
        cookie_header: Option<&str>,
        submitted: Option<&str>,
    ) -> Result<(), CsrfError> {
        self.verify_lines(cookie_header.into_iter(), submitted)
    }

    /// [`verify`](Self::verify) over an `http::HeaderMap`: the CSRF cookie from every `Cookie`
    /// line, the submitted token from the configured header (default `x-csrf-token`). A
    /// header value that is not UTF-8 is read byte-wise as Latin-1, as Node reads every
    /// header (and as [`Decoder::from_headers`](crate::Decoder::from_headers) does): the
    /// CSRF cookie on a line that also holds another app's Latin-1 cookie still counts, and
    /// a submitted token that is not ASCII matches no cookie the references issue.
    ///
    /// # Errors
    /// As [`verify`](Self::verify).
    #[cfg(feature = "http")]
    pub fn verify_headers(&self, headers: &http::HeaderMap) -> Result<(), CsrfError> {
        let raw = || {
            headers
                .get_all(http::header::COOKIE)
                .iter()
                .map(http::HeaderValue::as_bytes)
        };
        let lines = cookies::TextLines::new(raw());
        let submitted = headers
            .get(self.inner.header_name.as_str())
            .map(|v| cookies::header_text(v.as_bytes()));
        self.verify_lines(lines.read(raw()), submitted.as_deref())
    }

    fn verify_lines<'a>(
        &self,
        cookie_lines: impl Iterator<Item = &'a str>,
        submitted: Option<&str>,
    ) -> Result<(), CsrfError> {
        let token = self.trusted_token(cookie_lines)?;
        let submitted = submitted.ok_or(CsrfError::MissingToken)?;
        if bool::from(submitted.as_bytes().ct_eq(token.as_bytes())) {
            Ok(())
        } else {
            Err(CsrfError::Mismatch)
        }
    }

    /// The token of the CSRF cookie when its hash matches. The cookie is the first one with the
    /// configured name (as both references' cookie parsers), percent-decoded when it contains
    /// `%` (kept raw when that fails); double quotes are kept (section 5 of our policy).
    fn trusted_token<'a>(
        &self,
        cookie_lines: impl Iterator<Item = &'a str>,
    ) -> Result<Cow<'a, str>, CsrfError> {
        let raw = cookie_lines
            .flat_map(cookies::pairs)
            .find(|(name, _)| *name == self.inner.cookie_name)
            .map(|(_, value)| value)
            .filter(|value| !value.is_empty())
            .ok_or(CsrfError::MissingCookie)?;
        if raw.len() > MAX_COOKIE_VALUE_LEN {
            return Err(CsrfError::InvalidCookie);
        }
        let value = cookies::percent_decode(raw).unwrap_or(Cow::Borrowed(raw));
        // `const [token, hash] = value.split("|")`: pieces after the second are ignored.
        let mut pieces = value.split('|');
        let token = pieces.next().unwrap_or_default();
        let hash = pieces.next().ok_or(CsrfError::InvalidCookie)?;
        // Every candidate is compared (in constant time each), whichever matches.
        let valid = self
            .inner
            .secrets
            .iter()
            .fold(subtle::Choice::from(0), |valid, secret| {
                valid | hash.as_bytes().ct_eq(&expected_hash(token, secret)[..])
            });
        if !bool::from(valid) {
            return Err(CsrfError::InvalidCookie);
        }
        let token_len = token.len();
        Ok(match value {
            Cow::Borrowed(v) => Cow::Borrowed(&v[..token_len]),
            Cow::Owned(mut v) => {
                v.truncate(token_len);
                Cow::Owned(v)
            }
        })
    }
}

/// `sha256hex(token + secret)`, lower-case hex as the references write it.
fn expected_hash(token: &str, secret: &[u8]) -> [u8; 64] {
    let mut hasher = Sha256::new();
    hasher.update(token.as_bytes());
    hasher.update(secret);
    let digest = hasher.finalize();
    let mut hex = [0u8; 64];
    for (i, byte) in digest.iter().enumerate() {
        hex[2 * i] = HEX[usize::from(byte >> 4)];
        hex[2 * i + 1] = HEX[usize::from(byte & 0x0f)];
    }
    hex
}

const HEX: &[u8; 16] = b"0123456789abcdef";

impl Csrf {
    /// The cookie value a reference issues for `token`: `token|sha256hex(token + secret)`,
    /// where the secret string is `${options.secret}`: the one secret, or the configured list
    /// joined by `,` (@auth/core with several secrets). For [`Encoder::csrf_cookie`](crate::Encoder::csrf_cookie).
    pub(crate) fn issue_value(&self, token: &str) -> String {
        let hash = expected_hash(token, &self.inner.secrets[0]);
        let mut value = String::with_capacity(token.len() + 1 + hash.len());
        value.push_str(token);
        value.push('|');
        value.extend(hash.iter().map(|b| char::from(*b)));
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(flavor: Flavor) -> Csrf {
        Csrf::builder(flavor).secret("s3cret").build().unwrap()
    }

    /// A cookie value made the reference way, computed here from the documented formula (the
    /// fixtures in `fixtures/csrf.json` pin it against the real libraries).
    fn cookie_value(token: &str, secret: &str) -> String {
        let hash = Sha256::digest(format!("{token}{secret}").as_bytes());
        let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
        format!("{token}%7C{hex}")
    }

    #[test]
    fn verifies_and_reports_each_failure() {
        let csrf = check(Flavor::V5);
        let good = format!("authjs.csrf-token={}", cookie_value("tok", "s3cret"));
        assert_eq!(csrf.verify(Some(&good), Some("tok")), Ok(()));
        assert_eq!(csrf.token(Some(&good)).as_deref(), Some("tok"));
        assert_eq!(csrf.verify(Some(&good), None), Err(CsrfError::MissingToken));
        assert_eq!(
            csrf.verify(Some(&good), Some("tok2")),
            Err(CsrfError::Mismatch)
        );
        assert_eq!(
            csrf.verify(None, Some("tok")),
            Err(CsrfError::MissingCookie)
        );
        assert_eq!(
            csrf.verify(Some("authjs.csrf-token="), Some("")),
            Err(CsrfError::MissingCookie)
        );
        let wrong = format!("authjs.csrf-token={}", cookie_value("tok", "other"));
        assert_eq!(
            csrf.verify(Some(&wrong), Some("tok")),
            Err(CsrfError::InvalidCookie)
        );
        assert_eq!(
            csrf.verify(Some("authjs.csrf-token=tok"), Some("tok")),
            Err(CsrfError::InvalidCookie)
        );
        let huge = format!("authjs.csrf-token={}", "a".repeat(5000));
        assert_eq!(
            csrf.verify(Some(&huge), Some("a")),
            Err(CsrfError::InvalidCookie)
        );
    }

    /// @auth/core hashes the joined list; next-auth@5 hashes `AUTH_SECRET` alone when it is
    /// set. Both are accepted; a list in another order or an unknown secret is not.
    #[test]
    fn several_secrets_joined_or_alone() {
        let csrf = Csrf::builder(Flavor::V5)
            .secret("new")
            .secret("old")
            .build()
            .unwrap();
        let cookie = |secret: &str| format!("authjs.csrf-token={}", cookie_value("t", secret));
        for secret in ["new,old", "new", "old"] {
            assert_eq!(
                csrf.verify(Some(&cookie(secret)), Some("t")),
                Ok(()),
                "{secret}"
            );
        }
        for secret in ["old,new", "other", "new,old,", ""] {
            assert_eq!(
                csrf.verify(Some(&cookie(secret)), Some("t")),
                Err(CsrfError::InvalidCookie),
                "{secret}"
            );
        }
    }

    #[test]
    fn names_and_configuration() {
        assert_eq!(check(Flavor::V4).cookie_name(), "next-auth.csrf-token");
        let secure = Csrf::builder(Flavor::V4)
            .secret("s")
            .secure(true)
            .header_name("X-XSRF-Token")
            .build()
            .unwrap();
        assert_eq!(secure.cookie_name(), "__Host-next-auth.csrf-token");
        assert_eq!(secure.header_name(), "x-xsrf-token");
        assert!(Csrf::builder(Flavor::V5).build().is_err());
        assert!(Csrf::builder(Flavor::V5).secret("").build().is_err());
        let bad_header = Csrf::builder(Flavor::V5)
            .secret("s")
            .header_name("x csrf")
            .build();
        assert!(matches!(bad_header, Err(Error::Config(_))));
    }

    #[test]
    fn from_vars_follows_the_decoder_rules() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let v5 = Csrf::from_vars(
            Flavor::V5,
            env(&[
                ("AUTH_SECRET", "a"),
                ("AUTH_SECRET_1", "b"),
                ("AUTH_URL", "https://x"),
            ]),
        )
        .unwrap();
        assert_eq!(v5.cookie_name(), "__Host-authjs.csrf-token");
        let good = format!("__Host-authjs.csrf-token={}", cookie_value("t", "b,a"));
        assert_eq!(v5.verify(Some(&good), Some("t")), Ok(()));
        let v4 =
            Csrf::from_vars(Flavor::V4, env(&[("AUTH_SECRET", "a"), ("VERCEL", "1")])).unwrap();
        assert_eq!(v4.cookie_name(), "__Host-next-auth.csrf-token");
        assert!(Csrf::from_vars(Flavor::V4, env(&[("AUTH_SECRET", "")])).is_err());
    }

    #[test]
    fn debug_does_not_leak_the_secret() {
        let csrf = Csrf::builder(Flavor::V5)
            .secret("hunter2-secret")
            .build()
            .unwrap();
        let debug = format!("{csrf:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(debug.contains("[redacted]"));
        let builder = format!("{:?}", Csrf::builder(Flavor::V5).secret("hunter2-secret"));
        assert!(!builder.contains("hunter2"), "{builder}");
    }
}
