//! `Decoder` and its builder: the one place where the data path is assembled.
//!
//! `Cookie header -> session cookie (chunks joined) -> token -> key -> JWE open -> claims
//! checked -> typed session`.

use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::authjs::flavor::Flavor;
use crate::claims::{self, Clock};
use crate::crypto::jwe::{self, Compact, Header};
use crate::crypto::secret::{DerivedKey, Secret};
use crate::error::Error;
use crate::request::cookies::{self, Limits};

/// Decodes session tokens of one flavor with one set of secrets.
///
/// Keys (and v5 `kid` thumbprints) are derived once by [`DecoderBuilder::build`]; a decoder is
/// cheap to clone (an `Arc` inside) and can be shared between threads, for example in a web
/// framework's state.
#[derive(Clone)]
pub struct Decoder {
    inner: Arc<Inner>,
}

struct Inner {
    flavor: Flavor,
    cookie_name: String,
    /// One entry per configured secret, in order (first = current).
    keys: Vec<DerivedKey>,
    tolerance: Duration,
    clock: Clock,
    limits: Limits,
}

impl std::fmt::Debug for Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoder")
            .field("flavor", &self.inner.flavor)
            .field("cookie_name", &self.inner.cookie_name)
            .field(
                "secrets",
                &format_args!("[redacted; {}]", self.inner.keys.len()),
            )
            .field("clock_tolerance", &self.inner.tolerance)
            .field("limits", &self.inner.limits)
            .finish()
    }
}

/// Configures a [`Decoder`]. Created by [`Decoder::builder`].
pub struct DecoderBuilder {
    flavor: Flavor,
    secrets: Vec<Secret>,
    secure: bool,
    cookie_name: Option<String>,
    salt: Option<String>,
    tolerance: Duration,
    clock: Clock,
    limits: Limits,
}

impl std::fmt::Debug for DecoderBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecoderBuilder")
            .field("flavor", &self.flavor)
            .field(
                "secrets",
                &format_args!("[redacted; {}]", self.secrets.len()),
            )
            .field("secure", &self.secure)
            .field("cookie_name", &self.cookie_name)
            .field("salt", &self.salt)
            .finish_non_exhaustive()
    }
}

impl DecoderBuilder {
    /// Adds a secret. Call it once per secret, current first, then older ones, in the order
    /// the references take them (`AUTH_SECRET_3`... `AUTH_SECRET`: see [`Decoder::from_env`]).
    pub fn secret(mut self, secret: impl Into<Secret>) -> Self {
        self.secrets.push(secret.into());
        self
    }

    /// Uses the `__Secure-` cookie name the references use behind HTTPS. In v5 the cookie name
    /// is also the HKDF salt, so this changes the key. Default `false`.
    pub fn secure(mut self, secure: bool) -> Self {
        self.secure = secure;
        self
    }

    /// Overrides the session cookie name (the `cookies.sessionToken.name` option of the
    /// references). In v5 this is also the salt unless [`salt`](Self::salt) is set.
    pub fn cookie_name(mut self, name: impl Into<String>) -> Self {
        self.cookie_name = Some(name.into());
        self
    }

    /// Sets the HKDF salt explicitly. Defaults: v4 `""`, v5 the session cookie name.
    pub fn salt(mut self, salt: impl Into<String>) -> Self {
        self.salt = Some(salt.into());
        self
    }

    /// Clock skew allowed on `exp` and `nbf`. Default 15 seconds, as the references.
    pub fn clock_tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Checks times at this unix time (seconds) instead of the system clock: for tests,
    /// fixtures and replaying a request.
    pub fn fixed_time(mut self, unix_seconds: i64) -> Self {
        self.clock = Clock::Fixed(unix_seconds);
        self
    }

    /// Size limits on request input. Default [`Limits::default`].
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Derives every key and builds the decoder.
    ///
    /// # Errors
    /// [`Error::Config`] when no secret was given, a secret is empty, or the cookie name is
    /// not an RFC 6265 token (empty, a control character, a space or a separator such as `;`).
    pub fn build(self) -> Result<Decoder, Error> {
        Secret::check_list(&self.secrets)?;
        let cookie_name = self
            .cookie_name
            .unwrap_or_else(|| self.flavor.default_cookie_name(self.secure).to_owned());
        if !crate::request::cookies::is_token(&cookie_name) {
            return Err(Error::Config(
                "the cookie name is not an RFC 6265 token (empty, or a control character, space or separator)",
            ));
        }
        let salt = self
            .salt
            .as_deref()
            .unwrap_or_else(|| self.flavor.default_salt(&cookie_name));
        let keys = self
            .secrets
            .iter()
            .map(|secret| self.flavor.derive_key(secret, salt))
            .collect();
        Ok(Decoder {
            inner: Arc::new(Inner {
                flavor: self.flavor,
                cookie_name,
                keys,
                tolerance: self.tolerance,
                clock: self.clock,
                limits: self.limits,
            }),
        })
    }
}

impl Decoder {
    /// Which configured instance this is: clones share it, separately built ones do not.
    /// Binds a layer's result to the source that produced it.
    #[cfg_attr(not(any(feature = "axum", feature = "tower")), allow(dead_code))]
    pub(crate) fn identity(&self) -> usize {
        Arc::as_ptr(&self.inner).cast::<()>() as usize
    }

    /// Starts configuring a decoder for `flavor`.
    pub fn builder(flavor: Flavor) -> DecoderBuilder {
        DecoderBuilder {
            flavor,
            secrets: Vec::new(),
            secure: false,
            cookie_name: None,
            salt: None,
            tolerance: Duration::from_secs(15),
            clock: Clock::System,
            limits: Limits::default(),
        }
    }

    /// The flavor this decoder reads.
    pub fn flavor(&self) -> Flavor {
        self.inner.flavor
    }

    /// The session cookie name this decoder looks for.
    pub fn cookie_name(&self) -> &str {
        &self.inner.cookie_name
    }

    /// The derived keys (current first), the clock and the limits, for the
    /// [`Encoder`](crate::Encoder), which shares them.
    pub(crate) fn encoder_parts(&self) -> (&[DerivedKey], Clock, &Limits) {
        (&self.inner.keys, self.inner.clock, &self.inner.limits)
    }

    /// The key ids of the configured secrets, in order: the RFC 7638 thumbprint of each
    /// derived `A256CBC-HS512` key, which is the `kid` a v5 reference writes into the tokens it
    /// encrypts with that secret. Thumbprints are public (every v5 token header carries one);
    /// they tell which secret a token was made with without revealing any secret.
    pub fn key_ids(&self) -> impl Iterator<Item = &str> {
        self.inner
            .keys
            .iter()
            .map(|key| key.kid(crate::crypto::jwe::Enc::A256CbcHs512))
    }

    /// Decrypts and checks one token (the session cookie's value, chunks already joined) and
    /// deserializes its claims into `T`: [`Session`](crate::Session), your own type, or
    /// [`serde_json::Value`] for exactly the object the reference returns.
    ///
    /// # Errors
    /// Every way a token can fail, as [`Error`] variants: too large, not a JWE, malformed,
    /// unsupported algorithm, decryption failed, expired, not yet valid, invalid claims, or
    /// claims that do not fit `T` ([`Error::ClaimsType`]: the claim's path and the kind of
    /// mismatch, never its value).
    pub fn decode<T: DeserializeOwned>(&self, token: &str) -> Result<T, Error> {
        let inner = &*self.inner;
        if token.len() > inner.limits.max_token_len {
            return Err(Error::TooLarge {
                what: "token",
                limit: inner.limits.max_token_len,
            });
        }
        let compact = Compact::split(token)?;
        let header = Header::parse(compact.header, inner.flavor.accept())?;
        let keys = inner
            .keys
            .iter()
            .filter(|key| header.kid.admits(key.kid(header.enc)));
        let plaintext = jwe::open(&compact, &header, keys)?;
        let payload = std::str::from_utf8(jwe::strip_bom(&plaintext))
            .map_err(|_| Error::InvalidClaims("the claims are not UTF-8"))?;
        let validated = claims::check(
            payload,
            &header.replicas,
            inner.clock.now(),
            inner.tolerance,
        )?;
        claims::typed::from_str(payload, validated)
    }

    /// The session of a request, for diagnostics: `Ok(None)` when the request carries no
    /// session cookie and no `Authorization: Bearer` token, `Err` when it carries one that
    /// cannot be used.
    ///
    /// `cookie_header` is the whole `Cookie` header; `authorization` the `Authorization`
    /// header, used only when no session cookie has a value (as `getToken` does).
    ///
    /// This is the form to log from: [`get_token`](Self::get_token) folds every error into
    /// `None`, including [`Error::ClaimsType`], which is not a signed-out user but claims that
    /// do not fit `T` (a deployment where the app and the claims type disagree). The error
    /// names the claim's path and the kind of mismatch, never a value, so it can be logged as
    /// it is.
    ///
    /// # Errors
    /// As [`decode`](Self::decode), plus [`Error::InconsistentChunks`] and
    /// [`Error::TooLarge`] for the cookie set.
    pub fn session<T: DeserializeOwned>(
        &self,
        cookie_header: Option<&str>,
        authorization: Option<&str>,
    ) -> Result<Option<T>, Error> {
        self.session_from(|| cookie_header.into_iter(), authorization)
    }

    /// `getToken()` parity: the session, or `None` for "no session" of any kind (no cookie,
    /// expired, wrong secret, tampered, inconsistent chunks, ...).
    ///
    /// `None` also covers claims that do not fit `T` ([`Error::ClaimsType`]): a valid session
    /// that looks signed out. Use [`session`](Self::session) where that must be told apart and
    /// logged (`Err(Error::ClaimsType { path, mismatch })`).
    pub fn get_token<T: DeserializeOwned>(
        &self,
        cookie_header: Option<&str>,
        authorization: Option<&str>,
    ) -> Option<T> {
        self.session(cookie_header, authorization).ok().flatten()
    }

    /// Like `getToken({ raw: true })`: the session token found in the request (chunks
    /// joined, Bearer fallback applied), not decrypted.
    pub fn raw_token(
        &self,
        cookie_header: Option<&str>,
        authorization: Option<&str>,
    ) -> Option<String> {
        self.find(|| cookie_header.into_iter(), authorization)
            .ok()
            .flatten()
            .map(std::borrow::Cow::into_owned)
    }

    /// [`session`](Self::session) over an `http::HeaderMap`: every `Cookie` line (HTTP/2 may
    /// send several), then `Authorization`. A header value that is not UTF-8 is read
    /// byte-wise as Latin-1, as Node reads every header, so the session cookie on a line that
    /// also holds another app's Latin-1 cookie still counts (and still blocks the Bearer
    /// fallback). A session cookie or Bearer token that is not ASCII is no token.
    ///
    /// # Errors
    /// As [`session`](Self::session).
    #[cfg(feature = "http")]
    pub fn from_headers<T: DeserializeOwned>(
        &self,
        headers: &http::HeaderMap,
    ) -> Result<Option<T>, Error> {
        let raw = || {
            headers
                .get_all(http::header::COOKIE)
                .iter()
                .map(http::HeaderValue::as_bytes)
        };
        cookies::check_raw_len(raw(), &self.inner.limits)?;
        let lines = cookies::TextLines::new(raw());
        let authorization = headers
            .get(http::header::AUTHORIZATION)
            .map(|v| cookies::header_text(v.as_bytes()));
        self.session_from(|| lines.read(raw()), authorization.as_deref())
    }

    fn find<'a, I: Iterator<Item = &'a str>>(
        &self,
        cookie_headers: impl Fn() -> I,
        authorization: Option<&'a str>,
    ) -> Result<Option<std::borrow::Cow<'a, str>>, Error> {
        cookies::find_token(
            cookie_headers,
            authorization,
            &self.inner.cookie_name,
            &self.inner.limits,
        )
    }

    fn session_from<'a, T: DeserializeOwned, I: Iterator<Item = &'a str>>(
        &self,
        cookie_headers: impl Fn() -> I,
        authorization: Option<&'a str>,
    ) -> Result<Option<T>, Error> {
        match self.find(cookie_headers, authorization)? {
            Some(token) => self.decode(&token).map(Some),
            None => Ok(None),
        }
    }

    /// Builds a decoder from the environment variables the references read.
    ///
    /// - v4: secret `NEXTAUTH_SECRET`, else `AUTH_SECRET`; secure cookies when `NEXTAUTH_URL`
    ///   starts with `https://`, or, when `NEXTAUTH_URL` is unset, when `VERCEL` is set.
    /// - v5: secrets `AUTH_SECRET_3`, `AUTH_SECRET_2`, `AUTH_SECRET_1`, `AUTH_SECRET` (those
    ///   set, in that order, the first is current), else `NEXTAUTH_SECRET`; secure cookies when
    ///   `AUTH_URL` (else `NEXTAUTH_URL`) starts with `https://`.
    ///
    /// Variables set to the empty string count as unset.
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
            .fold(Self::builder(flavor).secure(secure), DecoderBuilder::secret)
            .build()
    }
}
