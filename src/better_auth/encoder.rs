//! Minting Better Auth cookies (for tests and fixtures): the signed session token and
//! `dont_remember` values, the `session_data` cache in each strategy, and the `Set-Cookie`
//! values better-auth 1.7's `setSessionCookie` writes, chunks included.

use std::time::Duration;

use serde_json::{Map, Value};

use super::config::{BetterAuth, CacheStrategy};
use super::js_json::{self, JsObject, JsStr, JsValue};
use crate::authjs::encoder::{seal, uuid_v4};
use crate::authjs::flavor::Flavor;
use crate::crypto::b64;
use crate::error::Error;

/// better-auth's default `session.expiresIn`: 7 days.
const DEFAULT_EXPIRES_IN: u64 = 7 * 24 * 60 * 60;
/// `session.cookieCache.maxAge` when not set (outside stateless mode).
const DEFAULT_CACHE_MAX_AGE: u64 = 300;
/// better-call refuses a `Max-Age` above 400 days.
const MAX_MAX_AGE: u64 = 34_560_000;
/// better-auth's session store: per-cookie ceiling and most chunks.
const MAX_COOKIE_SIZE: usize = 4050;
const MAX_COOKIE_CHUNKS: usize = 100;

/// Writes the cookies of a Better Auth session so that better-auth (and the [`BetterAuth`] it
/// comes from) reads them. Made by [`BetterAuth::encoder`]: same names, current secret, cache
/// strategy, cache version and clock (a reader with
/// [`fixed_time_ms`](super::BetterAuthBuilder::fixed_time_ms) gives deterministic times).
/// The `jwe` IV and `jti` come from the operating system's random number generator.
#[derive(Debug, Clone)]
pub struct BetterAuthEncoder {
    reader: BetterAuth,
    expires_in: u64,
    cache_max_age: Option<u64>,
    dont_remember: bool,
}

impl BetterAuth {
    /// A [`BetterAuthEncoder`] for this app's cookies. Defaults: `session.expiresIn` of 7 days,
    /// `cookieCache.maxAge` of 300 s (stateless mode: `expiresIn`), "remember me" on.
    pub fn encoder(&self) -> BetterAuthEncoder {
        BetterAuthEncoder {
            reader: self.clone(),
            expires_in: DEFAULT_EXPIRES_IN,
            cache_max_age: None,
            dont_remember: false,
        }
    }
}

impl BetterAuthEncoder {
    /// `session.expiresIn`: the session token cookie's `Max-Age` (and, in stateless mode, the
    /// default cache max age). Fractions of a second are dropped.
    pub fn expires_in(mut self, expires_in: Duration) -> Self {
        self.expires_in = expires_in.as_secs();
        self
    }

    /// `session.cookieCache.maxAge`: the cache's lifetime and its cookies' `Max-Age`.
    pub fn cache_max_age(mut self, max_age: Duration) -> Self {
        self.cache_max_age = Some(max_age.as_secs());
        self
    }

    /// A "remember me: false" sign-in: a `dont_remember` cookie, no `Max-Age` on any cookie,
    /// and the cache lifetime better-auth then falls back to (60 s compact, 300 s jwt / jwe).
    pub fn dont_remember(mut self, dont_remember: bool) -> Self {
        self.dont_remember = dont_remember;
        self
    }

    /// The `session_token` cookie value for `token`: `token.<base64 HMAC-SHA256>` with the
    /// current secret, URL-encoded as better-call's `setSignedCookie` writes it.
    pub fn signed_token(&self, token: &str) -> String {
        let tag = self.reader.inner.hmac.sign(token.as_bytes());
        let signature = base64_simd::STANDARD.encode_to_string(tag);
        encode_uri_component(&format!("{token}.{signature}"))
    }

    /// The `dont_remember` cookie value: the signed string `true`.
    pub fn signed_dont_remember(&self) -> String {
        self.signed_token("true")
    }

    /// The `session_data` value (chunks not split) for `session` and `user` (keys in the
    /// order given, ISO instants as strings) in the reader's strategy: the payload is
    /// `{session, user, updatedAt: now, version}` as JavaScript serializes it.
    ///
    /// # Errors
    /// [`Error::Config`] when the reader has no cookie cache, [`Error::InvalidClaims`] for
    /// input JavaScript's JSON cannot hold, [`Error::Random`] when the RNG fails.
    pub fn session_data(
        &self,
        session: &Map<String, Value>,
        user: &Map<String, Value>,
    ) -> Result<String, Error> {
        let inner = &self.reader.inner;
        let strategy = inner
            .cache
            .ok_or(Error::Config("no cookie cache configured"))?;
        let now_ms = self.reader.now_ms();
        let wrapper = serde_json::json!({
            "session": session, "user": user, "updatedAt": now_ms, "version": inner.version,
        });
        let text = serde_json::to_string(&wrapper)
            .map_err(|_| Error::InvalidClaims("the session cannot be serialized to JSON"))?;
        let JsValue::Object(mut wrapper) = js_json::parse(&text)? else {
            unreachable!("a JSON object parses to an object")
        };
        let key = |k: &'static str| JsStr::from(k);
        let number = |n: i64| JsValue::Number(n as f64);
        let max_age = self.cache_lifetime(strategy);
        let now_s = now_ms.div_euclid(1000);
        match strategy {
            CacheStrategy::Compact => {
                let expires_at = number(now_ms.saturating_add(max_age as i64 * 1000));
                let mut message = String::new();
                js_json::write_with(&wrapper, "expiresAt", &expires_at, &mut message);
                let signature = b64::encode(inner.hmac.sign(message.as_bytes()));
                let mut outer = JsObject::default();
                outer.set(key("session"), JsValue::Object(wrapper));
                outer.set(key("expiresAt"), expires_at);
                outer.set(key("signature"), JsValue::String(JsStr::from(signature)));
                Ok(b64::encode(js_json::stringify(&JsValue::Object(outer))))
            }
            CacheStrategy::Jwt => {
                wrapper.set(key("iat"), number(now_s));
                wrapper.set(key("exp"), number(now_s + max_age as i64));
                let mut jws = String::from("eyJhbGciOiJIUzI1NiJ9.");
                b64::encode_append(
                    js_json::stringify(&JsValue::Object(wrapper)).as_bytes(),
                    &mut jws,
                );
                let tag = inner.hmac.sign(jws.as_bytes());
                jws.push('.');
                b64::encode_append(&tag, &mut jws);
                Ok(jws)
            }
            CacheStrategy::Jwe => {
                wrapper.set(key("iat"), number(now_s));
                wrapper.set(key("exp"), number(now_s + max_age as i64));
                wrapper.set(key("jti"), JsValue::String(JsStr::from(uuid_v4()?)));
                let plaintext =
                    zeroize::Zeroizing::new(js_json::stringify(&JsValue::Object(wrapper)));
                let current = inner
                    .jwe_keys
                    .first()
                    .ok_or(Error::Config("no secret configured"))?;
                seal(Flavor::V5, current, plaintext.as_bytes(), usize::MAX)
            }
        }
    }

    /// The `Set-Cookie` values of a sign-in, in better-auth's order: the session token
    /// (`session["token"]`), `dont_remember` when set, then the cache (when the reader has
    /// one) as one cookie or `<name>.0`, `<name>.1`, ... chunks; no cache cookie when it would
    /// take more than 100 chunks, as better-auth does.
    ///
    /// # Errors
    /// [`Error::InvalidClaims`] when `session` has no string `token`, [`Error::Config`] for a
    /// `Max-Age` above 400 days, and as [`session_data`](Self::session_data).
    pub fn set_cookies(
        &self,
        session: &Map<String, Value>,
        user: &Map<String, Value>,
    ) -> Result<Vec<String>, Error> {
        let names = &self.reader.inner.names;
        let token = session
            .get("token")
            .and_then(Value::as_str)
            .ok_or(Error::InvalidClaims("the session has no string token"))?;
        let remembered = |max_age: u64| (!self.dont_remember).then_some(max_age);
        let mut out = vec![self.cookie(
            &names.session_token,
            &self.signed_token(token),
            remembered(self.expires_in),
        )?];
        if self.dont_remember {
            out.push(self.cookie(&names.dont_remember, &self.signed_dont_remember(), None)?);
        }
        if self.reader.inner.cache.is_none() {
            return Ok(out);
        }
        let data = self.session_data(session, user)?;
        let max_age = remembered(self.resolved_max_age());
        let name = &names.session_data;
        let size =
            MAX_COOKIE_SIZE.saturating_sub(self.cookie(&format!("{name}.99"), "", max_age)?.len());
        let count = if size == 0 {
            usize::MAX
        } else {
            data.len().div_ceil(size)
        };
        if count <= 1 {
            out.push(self.cookie(name, &encode_uri_component(&data), max_age)?);
        } else if count <= MAX_COOKIE_CHUNKS {
            for (i, chunk) in data.as_bytes().chunks(size).enumerate() {
                let chunk = std::str::from_utf8(chunk).expect("cache values are ASCII");
                out.push(self.cookie(
                    &format!("{name}.{i}"),
                    &encode_uri_component(chunk),
                    max_age,
                )?);
            }
        }
        Ok(out)
    }

    /// The configured cache max age (better-auth's `cookieCache.maxAge`).
    fn resolved_max_age(&self) -> u64 {
        self.cache_max_age
            .unwrap_or(if self.reader.inner.stateless {
                self.expires_in
            } else {
                DEFAULT_CACHE_MAX_AGE
            })
    }

    /// The cache's lifetime as written into it: `maxAge`, or with "remember me" off the
    /// fallback (`maxAge || 60` compact, `maxAge || 300` jwt / jwe).
    fn cache_lifetime(&self, strategy: CacheStrategy) -> u64 {
        match (self.dont_remember, strategy) {
            (false, _) => self.resolved_max_age(),
            (true, CacheStrategy::Compact) => 60,
            (true, _) => 300,
        }
    }

    /// better-call's `serializeCookieValue` with better-auth's attributes; `value` is already
    /// encoded.
    fn cookie(&self, name: &str, value: &str, max_age: Option<u64>) -> Result<String, Error> {
        let mut out = format!("{name}={value}");
        if let Some(max_age) = max_age {
            if max_age > MAX_MAX_AGE {
                return Err(Error::Config("a cookie Max-Age above 400 days"));
            }
            out.push_str(&format!("; Max-Age={max_age}"));
        }
        out.push_str("; Path=/; HttpOnly");
        if name.to_ascii_lowercase().starts_with("__secure-") {
            out.push_str("; Secure");
        }
        out.push_str("; SameSite=Lax");
        Ok(out)
    }
}

/// JavaScript's `encodeURIComponent` (on valid UTF-8: every byte outside
/// `A-Z a-z 0-9 - _ . ! ~ * ' ( )` as `%XX`).
fn encode_uri_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW_MS: i64 = 1_750_000_000_123;

    fn reader(
        configure: impl FnOnce(super::super::BetterAuthBuilder) -> super::super::BetterAuthBuilder,
    ) -> BetterAuth {
        configure(
            BetterAuth::builder()
                .secret("encoder unit test secret")
                .fixed_time_ms(NOW_MS),
        )
        .build()
        .unwrap()
    }

    fn objects(name: &str) -> (Map<String, Value>, Map<String, Value>) {
        let Value::Object(session) = json!({
            "expiresAt": "2025-06-22T15:06:40.000Z", "token": "tok3nTOK3Ntok3nTOK3Ntok3nTOK3N12",
            "createdAt": "2025-06-15T15:06:40.000Z", "updatedAt": "2025-06-15T15:06:40.000Z",
            "ipAddress": "127.0.0.1", "userAgent": null, "userId": "u1", "id": "s1",
        }) else {
            unreachable!()
        };
        let Value::Object(user) = json!({
            "name": name, "email": "ada@example.com", "emailVerified": false,
            "createdAt": "2025-06-15T15:06:40.000Z", "updatedAt": "2025-06-15T15:06:40.000Z", "id": "u1",
        }) else {
            unreachable!()
        };
        (session, user)
    }

    /// The `Cookie` header a browser sends back for these `Set-Cookie` values.
    fn header(set_cookies: &[String]) -> String {
        let pairs: Vec<&str> = set_cookies
            .iter()
            .map(|c| c.split(';').next().unwrap())
            .collect();
        pairs.join("; ")
    }

    #[test]
    fn signed_values_verify_and_are_url_encoded() {
        let r = reader(|b| b);
        let value = r.encoder().signed_token("abc");
        assert!(value.starts_with("abc.") && value.ends_with("%3D"));
        assert!(!value.contains(['+', '/', '=']));
        let cookie = format!("better-auth.session_token={value}");
        assert_eq!(
            r.session_token(Some(&cookie)).unwrap().as_deref(),
            Some("abc")
        );
        let other = reader(|b| b.secret("x")).encoder().signed_token("abc");
        assert_eq!(value, other, "the first secret signs");
        let dr = format!(
            "better-auth.dont_remember={}",
            r.encoder().signed_dont_remember()
        );
        assert!(r.dont_remember(Some(&dr)));
        assert_eq!(encode_uri_component("a+/= é"), "a%2B%2F%3D%20%C3%A9");
    }

    #[test]
    fn every_strategy_round_trips() {
        for strategy in [
            CacheStrategy::Compact,
            CacheStrategy::Jwt,
            CacheStrategy::Jwe,
        ] {
            for dont_remember in [false, true] {
                let r = reader(|b| b.cookie_cache(strategy).cache_version("7"));
                let (session, user) = objects("Ada");
                let cookies = r
                    .encoder()
                    .dont_remember(dont_remember)
                    .set_cookies(&session, &user)
                    .unwrap();
                assert_eq!(cookies.len(), 2 + usize::from(dont_remember));
                assert_eq!(
                    cookies.iter().all(|c| c.contains("Max-Age")),
                    !dont_remember
                );
                let got = r.cached_session(Some(&header(&cookies))).unwrap().unwrap();
                assert_eq!(got.session()["token"], session["token"]);
                assert_eq!(got.user()["name"], "Ada");
                assert_eq!(r.dont_remember(Some(&header(&cookies))), dont_remember);
            }
        }
    }

    /// A jwt / jwe cache carries `exp` = now + its max age (whole seconds). A jwt cache is used
    /// until that second starts (jose's `jwtVerify`: expired when `exp <= now`); a jwe cache
    /// up to that instant (jose's 15 s tolerance, then the server's `exp * 1000 >= Date.now()`).
    #[test]
    fn jwt_and_jwe_caches_expire_after_their_max_age() {
        let last_ms = (NOW_MS.div_euclid(1000) + 300) * 1000;
        for (strategy, last_ms) in [
            (CacheStrategy::Jwt, last_ms - 1),
            (CacheStrategy::Jwe, last_ms),
        ] {
            let (session, user) = objects("Ada");
            let cookies = reader(|b| b.cookie_cache(strategy))
                .encoder()
                .set_cookies(&session, &user)
                .unwrap();
            let at = |ms: i64| {
                reader(|b| b.cookie_cache(strategy).fixed_time_ms(ms))
                    .cached_session(Some(&header(&cookies)))
                    .unwrap()
                    .is_some()
            };
            assert!(at(NOW_MS), "{strategy:?}");
            assert!(at(last_ms), "{strategy:?}");
            assert!(!at(last_ms + 1), "{strategy:?}");
        }
    }

    #[test]
    fn compact_payload_and_attributes() {
        let r = reader(|b| b.cookie_cache(CacheStrategy::Compact).secure(true));
        let (session, user) = objects("Ada");
        let cookies = r.encoder().set_cookies(&session, &user).unwrap();
        assert!(cookies[0].starts_with("__Secure-better-auth.session_token="));
        assert!(cookies[0].ends_with("; Max-Age=604800; Path=/; HttpOnly; Secure; SameSite=Lax"));
        assert!(cookies[1].ends_with("; Max-Age=300; Path=/; HttpOnly; Secure; SameSite=Lax"));
        let data = r.encoder().session_data(&session, &user).unwrap();
        let outer: Value = serde_json::from_slice(&b64::decode(&data).unwrap()).unwrap();
        assert_eq!(outer["expiresAt"], NOW_MS + 300_000);
        assert_eq!(outer["session"]["updatedAt"], NOW_MS);
        let keys: Vec<&String> = outer["session"]["session"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(keys, session.keys().collect::<Vec<_>>(), "key order kept");
    }

    #[test]
    fn large_caches_are_chunked_as_better_auth_does() {
        let r = reader(|b| b.cookie_cache(CacheStrategy::Jwt));
        let (session, user) = objects(&"n".repeat(9000));
        let cookies = r.encoder().set_cookies(&session, &user).unwrap();
        let data = r.encoder().session_data(&session, &user).unwrap();
        assert_eq!(cookies.len(), 1 + data.len().div_ceil(3977));
        assert!(cookies[1].starts_with("better-auth.session_data.0="));
        assert_eq!(
            cookies[1].len(),
            MAX_COOKIE_SIZE - 1,
            "`.0` instead of `.99`"
        );
        assert!(cookies.iter().all(|c| c.len() <= MAX_COOKIE_SIZE));
        let got = r.cached_session(Some(&header(&cookies))).unwrap().unwrap();
        assert_eq!(got.user()["name"].as_str().unwrap().len(), 9000);
        // More than 100 chunks: no cache cookie at all.
        let (session, user) = objects(&"n".repeat(400_000));
        assert_eq!(r.encoder().set_cookies(&session, &user).unwrap().len(), 1);
    }

    #[test]
    fn stateless_jwe_uses_expires_in() {
        let r = reader(|b| b.stateless(true));
        let (session, user) = objects("Ada");
        let enc = r.encoder().expires_in(Duration::from_secs(3600));
        let cookies = enc.set_cookies(&session, &user).unwrap();
        assert!(cookies.iter().all(|c| c.contains("; Max-Age=3600;")));
        assert!(r.cached_session(Some(&header(&cookies))).unwrap().is_some());
        // better-call refuses a Max-Age above 400 days (34,560,000 s), not at it.
        let at_most = |secs| {
            r.encoder()
                .cache_max_age(Duration::from_secs(secs))
                .set_cookies(&session, &user)
        };
        assert!(at_most(34_560_000).is_ok());
        assert_eq!(
            at_most(34_560_001),
            Err(Error::Config("a cookie Max-Age above 400 days"))
        );
        assert!(
            reader(|b| b)
                .encoder()
                .session_data(&session, &user)
                .is_err()
        );
    }
}
