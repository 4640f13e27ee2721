//! [`BetterAuth`] and its builder: the cookie names, the secrets and the keys derived from them,
//! the cookie cache strategy. Everything is computed once by [`BetterAuthBuilder::build`].

use std::sync::Arc;

use crate::crypto::hmac::HmacKey;
use crate::crypto::secret::{DerivedKey, KidDigest, Secret};
use crate::error::Error;
use crate::request::cookies::Limits;

/// The HKDF parameters of the `jwe` cookie cache (`better-auth`'s `symmetricEncodeJWT`).
const JWE_SALT: &[u8] = b"better-auth-session";
const JWE_INFO: &[u8] = b"BetterAuth.js Generated Encryption Key";

/// How the app's `session.cookieCache.strategy` writes the `session_data` cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CacheStrategy {
    /// `"compact"` (better-auth's default): base64url JSON signed with HMAC-SHA256.
    Compact,
    /// `"jwt"`: an HS256 JWT.
    Jwt,
    /// `"jwe"`: `dir` + `A256CBC-HS512`, the key derived from the secret with HKDF; the
    /// strategy of stateless mode.
    Jwe,
}

/// Configures a [`BetterAuth`] reader. Created by [`BetterAuth::builder`].
pub struct BetterAuthBuilder {
    secrets: Vec<Secret>,
    secure: bool,
    prefix: String,
    session_token_name: Option<String>,
    session_data_name: Option<String>,
    dont_remember_name: Option<String>,
    cache: Option<CacheStrategy>,
    version: String,
    stateless: bool,
    fixed_ms: Option<i64>,
    limits: Limits,
}

impl std::fmt::Debug for BetterAuthBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BetterAuthBuilder")
            .field(
                "secrets",
                &format_args!("[redacted; {}]", self.secrets.len()),
            )
            .field("secure", &self.secure)
            .field("cookie_prefix", &self.prefix)
            .field("cookie_cache", &self.cache)
            .field("stateless", &self.stateless)
            .finish_non_exhaustive()
    }
}

/// The three cookies better-auth writes for a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Names {
    pub(crate) session_token: String,
    pub(crate) session_data: String,
    pub(crate) dont_remember: String,
}

/// Reads the session cookies of a Better Auth app. Built once, cheap to clone (an `Arc`
/// inside), `Send + Sync`. `Debug` never shows a secret.
#[derive(Clone)]
pub struct BetterAuth {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) names: Names,
    /// HMAC-SHA256 with the current secret: the session token, `dont_remember`, and the
    /// `compact` and `jwt` caches (better-auth signs and verifies these with it alone).
    pub(crate) hmac: HmacKey,
    /// The `jwe` cache's keys, one per secret, current first (better-auth decrypts with every
    /// version and the legacy secret).
    pub(crate) jwe_keys: Vec<DerivedKey>,
    pub(crate) cache: Option<CacheStrategy>,
    pub(crate) version: String,
    pub(crate) stateless: bool,
    pub(crate) fixed_ms: Option<i64>,
    pub(crate) limits: Limits,
}

impl std::fmt::Debug for BetterAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let inner = &self.inner;
        f.debug_struct("BetterAuth")
            .field("names", &inner.names)
            .field(
                "secrets",
                &format_args!("[redacted; {}]", inner.jwe_keys.len()),
            )
            .field("cookie_cache", &inner.cache)
            .field("cache_version", &inner.version)
            .field("stateless", &inner.stateless)
            .finish_non_exhaustive()
    }
}

impl BetterAuthBuilder {
    /// Adds a secret, current first: the order of `BETTER_AUTH_SECRETS` (`"2:new,1:old"`), then
    /// the legacy `secret` / `BETTER_AUTH_SECRET` if the app has both. The session token and
    /// the `compact` / `jwt` caches are verified with the current secret only, as better-auth
    /// does; the `jwe` cache with each.
    pub fn secret(mut self, secret: impl Into<Secret>) -> Self {
        self.secrets.push(secret.into());
        self
    }

    /// Uses the `__Secure-` cookie names, as better-auth does behind https
    /// (`advanced.useSecureCookies`, or an `https://` base URL). Default `false`.
    pub fn secure(mut self, secure: bool) -> Self {
        self.secure = secure;
        self
    }

    /// `advanced.cookiePrefix`. Default `better-auth`.
    pub fn cookie_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// `advanced.cookies.session_token.name`: the whole name, prefix included (`__Secure-`
    /// is still put in front when [`secure`](Self::secure)).
    pub fn session_token_name(mut self, name: impl Into<String>) -> Self {
        self.session_token_name = Some(name.into());
        self
    }

    /// `advanced.cookies.session_data.name`.
    pub fn session_data_name(mut self, name: impl Into<String>) -> Self {
        self.session_data_name = Some(name.into());
        self
    }

    /// `advanced.cookies.dont_remember.name`.
    pub fn dont_remember_name(mut self, name: impl Into<String>) -> Self {
        self.dont_remember_name = Some(name.into());
        self
    }

    /// `session.cookieCache` with this strategy. Leave it out when the app has no cookie
    /// cache.
    pub fn cookie_cache(mut self, strategy: CacheStrategy) -> Self {
        self.cache = Some(strategy);
        self
    }

    /// `session.cookieCache.version` (a string; default `"1"`). A cache of another version is
    /// stale.
    pub fn cache_version(mut self, version: impl Into<String>) -> Self {
        self.version = version.into();
        self
    }

    /// Stateless mode (no database): the `jwe` cookie cache with the session token is the
    /// whole session. Implies [`CacheStrategy::Jwe`] unless another strategy is set.
    pub fn stateless(mut self, stateless: bool) -> Self {
        self.stateless = stateless;
        self
    }

    /// Checks every expiry at this unix time in milliseconds instead of the system clock:
    /// for tests, fixtures and replaying a request.
    pub fn fixed_time_ms(mut self, unix_ms: i64) -> Self {
        self.fixed_ms = Some(unix_ms);
        self
    }

    /// Size limits on request input. Default [`Limits::default`].
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Derives every key and builds the reader.
    ///
    /// # Errors
    /// [`Error::Config`] when no secret was given, a secret is empty, or a cookie name is
    /// not an RFC 6265 token.
    pub fn build(self) -> Result<BetterAuth, Error> {
        Secret::check_list(&self.secrets)?;
        let secure = if self.secure { "__Secure-" } else { "" };
        let name = |custom: Option<String>, key: &str| match custom {
            Some(name) => format!("{secure}{name}"),
            None => format!("{secure}{}.{key}", self.prefix),
        };
        let names = Names {
            session_token: name(self.session_token_name, "session_token"),
            session_data: name(self.session_data_name, "session_data"),
            dont_remember: name(self.dont_remember_name, "dont_remember"),
        };
        for name in [
            &names.session_token,
            &names.session_data,
            &names.dont_remember,
        ] {
            if !crate::request::cookies::is_token(name) {
                return Err(Error::Config(
                    "a cookie name is not an RFC 6265 token (empty, or a control character, space or separator)",
                ));
            }
        }
        let cache = match (self.cache, self.stateless) {
            (None, true) => Some(CacheStrategy::Jwe),
            (cache, _) => cache,
        };
        Ok(BetterAuth {
            inner: Arc::new(Inner {
                names,
                hmac: HmacKey::new(&self.secrets[0]),
                jwe_keys: self
                    .secrets
                    .iter()
                    .map(|s| DerivedKey::derive(s, JWE_SALT, JWE_INFO, KidDigest::Sha256))
                    .collect(),
                cache,
                version: self.version,
                stateless: self.stateless,
                fixed_ms: self.fixed_ms,
                limits: self.limits,
            }),
        })
    }
}

impl BetterAuth {
    /// Which configured instance this is: clones share it, separately built ones do not.
    /// Binds a layer's result to the source that produced it.
    #[cfg_attr(not(any(feature = "axum", feature = "tower")), allow(dead_code))]
    pub(crate) fn identity(&self) -> usize {
        Arc::as_ptr(&self.inner).cast::<()>() as usize
    }

    /// Starts configuring a reader: prefix `better-auth`, plain (not `__Secure-`) names, no
    /// cookie cache, cache version `"1"`.
    pub fn builder() -> BetterAuthBuilder {
        BetterAuthBuilder {
            secrets: Vec::new(),
            secure: false,
            prefix: "better-auth".to_owned(),
            session_token_name: None,
            session_data_name: None,
            dont_remember_name: None,
            cache: None,
            version: "1".to_owned(),
            stateless: false,
            fixed_ms: None,
            limits: Limits::default(),
        }
    }

    /// Builds a reader from the environment variables better-auth reads:
    /// `BETTER_AUTH_SECRETS` (`"2:new,1:old"`, first = current) and then
    /// `BETTER_AUTH_SECRET` (else `AUTH_SECRET`) as the legacy secret; `__Secure-` names when
    /// `BETTER_AUTH_URL` starts with `https://`. The cookie cache is not in the environment:
    /// set it on the result's builder equivalent with [`builder`](Self::builder) when the app
    /// has one, or use [`from_env_with`](Self::from_env_with).
    ///
    /// # Errors
    /// [`Error::Config`] when no secret variable is set or `BETTER_AUTH_SECRETS` is malformed.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_env_with(|b| b)
    }

    /// [`from_env`](Self::from_env), then `configure` on the builder (the cookie cache, the
    /// prefix, ...) before it is built.
    ///
    /// # Errors
    /// As [`from_env`](Self::from_env) and [`BetterAuthBuilder::build`].
    pub fn from_env_with(
        configure: impl FnOnce(BetterAuthBuilder) -> BetterAuthBuilder,
    ) -> Result<Self, Error> {
        Self::from_vars(|name| std::env::var(name).ok(), configure)
    }

    pub(crate) fn from_vars(
        var: impl Fn(&str) -> Option<String>,
        configure: impl FnOnce(BetterAuthBuilder) -> BetterAuthBuilder,
    ) -> Result<Self, Error> {
        let var = |name: &str| var(name).filter(|v| !v.is_empty());
        let mut builder = Self::builder();
        if let Some(list) = var("BETTER_AUTH_SECRETS") {
            // better-auth's parseSecretsEnv and validateSecretsArray: `<version>:<secret>`
            // entries, trimmed, versions canonical non-negative integers without duplicates.
            let malformed = || {
                Error::Config("BETTER_AUTH_SECRETS entries are <version>:<secret>, versions unique")
            };
            let mut versions = Vec::new();
            for entry in list.split(',') {
                let (version, value) = entry.trim().split_once(':').ok_or_else(malformed)?;
                let number: u64 = version.parse().map_err(|_| malformed())?;
                if number.to_string() != version || versions.contains(&number) {
                    return Err(malformed());
                }
                versions.push(number);
                let value = value.trim();
                if value.is_empty() {
                    return Err(malformed());
                }
                builder = builder.secret(value.to_owned());
            }
        }
        if let Some(legacy) = var("BETTER_AUTH_SECRET").or_else(|| var("AUTH_SECRET")) {
            builder = builder.secret(legacy);
        }
        if builder.secrets.is_empty() {
            return Err(Error::Config(
                "no secret in the environment (BETTER_AUTH_SECRET, BETTER_AUTH_SECRETS or AUTH_SECRET)",
            ));
        }
        let secure = var("BETTER_AUTH_URL").is_some_and(|url| url.starts_with("https://"));
        configure(builder.secure(secure)).build()
    }

    /// The session token cookie's name.
    pub fn session_token_name(&self) -> &str {
        &self.inner.names.session_token
    }

    /// The cookie cache's name (chunks are `<name>.0`, `<name>.1`, ...).
    pub fn session_data_name(&self) -> &str {
        &self.inner.names.session_data
    }

    /// The `dont_remember` cookie's name.
    pub fn dont_remember_name(&self) -> &str {
        &self.inner.names.dont_remember
    }

    pub(crate) fn now_ms(&self) -> i64 {
        self.inner.fixed_ms.unwrap_or_else(|| {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default();
            i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
        })
    }
}
