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
    /// The variables are read exactly as better-auth reads them (checked against better-auth
    /// itself, `fixtures/better-auth/secrets-env.json`): empty ones count as unset, entries
    /// are trimmed, a version is what JavaScript's `parseInt` makes of it (`01:` and `1 :`
    /// are version 1), and the legacy secret is dropped when it is better-auth's placeholder
    /// `better-auth-secret-12345678901234567890`.
    ///
    /// # Errors
    /// [`Error::Config`] when `BETTER_AUTH_SECRETS` is malformed (better-auth refuses to start
    /// too), or when no secret variable is set: better-auth would then run on its public
    /// placeholder secret (outside production), which a reader does not accept.
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
        let builder = secrets_from_vars(&var)?
            .into_iter()
            .fold(Self::builder(), BetterAuthBuilder::secret);
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

/// better-auth's placeholder secret: used by an app with no secret outside production, never by
/// a reader ([`BetterAuth::from_env`] refuses to start without a secret instead).
const DEFAULT_SECRET: &str = "better-auth-secret-12345678901234567890";

/// The secrets better-auth starts with for this environment, current first: the entries of
/// `BETTER_AUTH_SECRETS` in order, then the legacy `BETTER_AUTH_SECRET` (else `AUTH_SECRET`)
/// unless it is the placeholder; without the list, the legacy secret alone (empty variables
/// count as unset). As `createAuthContext`, `parseSecretsEnv` and `validateSecretsArray` read
/// them: entries split at `,` and trimmed, `<version>:<secret>` split at the first `:`, the
/// version read as `parseInt(version, 10)` (so `01`, `+1` and `1x` are version 1, `-0` is 0),
/// non-negative and unique, the secret trimmed and not empty.
pub(crate) fn secrets_from_vars(
    var: impl Fn(&str) -> Option<String>,
) -> Result<Vec<String>, Error> {
    let var = |name: &str| var(name).filter(|v| !v.is_empty());
    let legacy = var("BETTER_AUTH_SECRET").or_else(|| var("AUTH_SECRET"));
    let Some(list) = var("BETTER_AUTH_SECRETS") else {
        return legacy.map(|secret| vec![secret]).ok_or(Error::Config(
            "no secret in the environment (BETTER_AUTH_SECRET, BETTER_AUTH_SECRETS or AUTH_SECRET)",
        ));
    };
    let malformed = || {
        Error::Config(
            "BETTER_AUTH_SECRETS entries are <version>:<secret>, versions unique non-negative integers",
        )
    };
    let mut versions: Vec<f64> = Vec::new();
    let mut secrets = Vec::new();
    for entry in list.split(',') {
        let (version, value) = js_trim(entry).split_once(':').ok_or_else(malformed)?;
        let version = js_parse_int(version)
            .filter(|v| *v >= 0.0)
            .ok_or_else(malformed)?;
        let value = js_trim(value);
        // `-0` equals `0`, as in the JavaScript `Set` that finds duplicates.
        if value.is_empty() || versions.contains(&version) {
            return Err(malformed());
        }
        versions.push(version);
        secrets.push(value.to_owned());
    }
    secrets.extend(legacy.filter(|secret| secret != DEFAULT_SECRET));
    Ok(secrets)
}

/// JavaScript's white space and line terminators (`String.prototype.trim`): Unicode's
/// `White_Space` without U+0085, plus U+FEFF.
fn is_js_space(c: char) -> bool {
    (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}'
}

fn js_trim(s: &str) -> &str {
    s.trim_matches(is_js_space)
}

/// `parseInt(text, 10)`: leading white space, an optional sign, then the longest run of ASCII
/// digits; `None` (NaN) without a digit.
fn js_parse_int(text: &str) -> Option<f64> {
    let text = text.trim_start_matches(is_js_space);
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let digits = &rest[..rest.bytes().take_while(u8::is_ascii_digit).count()];
    let magnitude: f64 = digits.parse().ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// Every environment of `fixtures/better-auth/secrets-env.json`, which better-auth 1.7.25
    /// started with: the same secrets in the same order (its `ctx.secret` first, then the rest
    /// of its jwe keys), or an error where it threw. One deliberate difference: with no secret
    /// at all, better-auth (outside production) uses its public placeholder; a reader refuses.
    #[test]
    fn secrets_from_the_environment_as_better_auth_reads_them() {
        let file: Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/better-auth/secrets-env.json"
        )))
        .unwrap();
        let cases = file["cases"].as_array().unwrap();
        let (mut accepted, mut refused, mut placeholder) = (0, 0, 0);
        for case in cases {
            let env = case["env"].as_object().unwrap();
            let got =
                secrets_from_vars(|name| env.get(name).and_then(Value::as_str).map(str::to_owned));
            if let Some(want) = case["jwe_secrets"].as_array() {
                let want: Vec<&str> = want.iter().map(|s| s.as_str().unwrap()).collect();
                assert_eq!(case["secret"].as_str(), want.first().copied(), "{case}");
                if want == [DEFAULT_SECRET] && !env.values().any(|v| v == DEFAULT_SECRET) {
                    assert!(matches!(got, Err(Error::Config(_))), "{case}");
                    placeholder += 1;
                } else {
                    assert_eq!(
                        got,
                        Ok(want.iter().map(|s| s.to_string()).collect()),
                        "{case}"
                    );
                    accepted += 1;
                }
            } else {
                assert!(case["error"].is_string(), "{case}");
                assert!(matches!(got, Err(Error::Config(_))), "{case}");
                refused += 1;
            }
        }
        assert!(
            accepted > 50 && refused > 20 && placeholder > 5,
            "{accepted} {refused} {placeholder}"
        );
    }

    #[test]
    fn names_and_debug() {
        let r = BetterAuth::builder()
            .secret("s3cr3t-value")
            .build()
            .unwrap();
        assert_eq!(r.session_token_name(), "better-auth.session_token");
        assert_eq!(r.session_data_name(), "better-auth.session_data");
        assert_eq!(r.dont_remember_name(), "better-auth.dont_remember");
        let secure = BetterAuth::builder()
            .secret("s3cr3t-value")
            .secure(true)
            .cookie_prefix("app")
            .build()
            .unwrap();
        assert_eq!(secure.session_token_name(), "__Secure-app.session_token");
        assert_eq!(secure.session_data_name(), "__Secure-app.session_data");
        assert_eq!(secure.dont_remember_name(), "__Secure-app.dont_remember");
        // Debug never shows a secret, and says what it is.
        let builder = BetterAuth::builder()
            .secret("s3cr3t-value")
            .secret("0ld-value");
        for text in [format!("{r:?}"), format!("{builder:?}")] {
            assert!(!text.contains("s3cr3t") && !text.contains("0ld"), "{text}");
            assert!(text.starts_with("BetterAuth"), "{text}");
        }
        assert!(format!("{builder:?}").contains("[redacted; 2]"));
        assert!(format!("{r:?}").contains("[redacted; 1]"));
        assert!(format!("{secure:?}").contains("__Secure-app.session_token"));
    }

    #[test]
    fn identity_is_shared_by_clones_only() {
        let a = BetterAuth::builder().secret("s").build().unwrap();
        let b = BetterAuth::builder().secret("s").build().unwrap();
        assert_eq!(a.identity(), a.clone().identity());
        assert_ne!(a.identity(), b.identity());
    }
}
