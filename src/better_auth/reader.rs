//! The server's view of a request: the signed session token, then the cookie cache, as
//! better-auth's `getSession` reads them.

use super::config::BetterAuth;
use super::session::BetterAuthSession;
use crate::crypto::b64;
use crate::error::Error;
use crate::request::cookies;

/// A signed cookie value `<value>.<base64 HMAC-SHA256>` as better-call's `getSignedCookie`
/// reads it: `Ok(None)` when it has no dot or the signature is not 44 characters ending in
/// `=`, `Err(BadSignature)` when the signature does not verify.
fn verify_signed<'v>(bet: &BetterAuth, value: &'v str) -> Result<Option<&'v str>, Error> {
    let Some(dot) = value.rfind('.').filter(|i| *i >= 1) else {
        return Ok(None);
    };
    let (signed, signature) = (&value[..dot], &value[dot + 1..]);
    if signature.len() != 44 || !signature.ends_with('=') {
        return Ok(None);
    }
    let tag = b64::decode_standard_exact::<32>(signature).ok_or(Error::BadSignature)?;
    if bet.inner.hmac.verify(signed.as_bytes(), &tag) {
        Ok(Some(signed))
    } else {
        Err(Error::BadSignature)
    }
}

impl BetterAuth {
    /// The session token of a request: the `session_token` cookie (the first one of that
    /// name, percent-decoded), its HMAC-SHA256 signature verified in constant time with the
    /// current secret.
    ///
    /// `cookie_header` is the whole `Cookie` header.
    ///
    /// # Errors
    /// [`Error::BadSignature`] when a well-formed signature does not verify (wrong secret,
    /// modified token); [`Error::TooLarge`] for oversized input. `Ok(None)` when the cookie
    /// is absent, empty or not a signed value.
    pub fn session_token(&self, cookie_header: Option<&str>) -> Result<Option<String>, Error> {
        let name = &self.inner.names.session_token;
        let Some(value) =
            cookies::first_value(|| cookie_header.into_iter(), name, &self.inner.limits)?
        else {
            return Ok(None);
        };
        Ok(verify_signed(self, &value)?.map(str::to_owned))
    }

    /// Whether the request carries a verified `dont_remember` cookie (the user signed in
    /// with "remember me" off). A missing or unverified one counts as "remember me", as in
    /// better-auth.
    pub fn dont_remember(&self, cookie_header: Option<&str>) -> bool {
        let name = &self.inner.names.dont_remember;
        matches!(
            cookies::first_value(|| cookie_header.into_iter(), name, &self.inner.limits),
            Ok(Some(value)) if matches!(verify_signed(self, &value), Ok(Some(_)))
        )
    }

    /// The session from the cookie cache, as the server's cookie-cache step of `getSession`
    /// takes it: only when a cache strategy is configured, the session token verifies, the
    /// cache decodes and verifies, is fresh (its own expiry and the session's `expiresAt` not
    /// passed), holds the same token as the cookie and the configured version.
    ///
    /// `Ok(None)` when there is no session token or no cache, or the cache is stale (expired,
    /// another token, another version): in database mode the server then reads the
    /// database; in stateless mode there is no session.
    ///
    /// # Errors
    /// [`Error::BadSignature`] for a session token or a `compact` / `jwt` cache whose
    /// signature does not verify, [`Error::DecryptionFailed`] for a `jwe` cache no secret
    /// opens, [`Error::Malformed`], [`Error::InvalidClaims`] or
    /// [`Error::InconsistentChunks`] for a cache better-auth would not have written,
    /// [`Error::Expired`] for a `jwt` / `jwe` cache past its `exp`.
    pub fn cached_session(
        &self,
        cookie_header: Option<&str>,
    ) -> Result<Option<BetterAuthSession>, Error> {
        if self.inner.cache.is_none() {
            return Ok(None);
        }
        let Some(token) = self.session_token(cookie_header)? else {
            return Ok(None);
        };
        self.cached_for(cookie_header, &token)
    }

    /// The cookie-cache step for a verified token.
    fn cached_for(
        &self,
        cookie_header: Option<&str>,
        token: &str,
    ) -> Result<Option<BetterAuthSession>, Error> {
        let data = cookies::find_token_with(
            || cookie_header.into_iter(),
            None,
            &self.inner.names.session_data,
            &self.inner.limits,
            cookies::ChunkNames::Canonical,
        )?;
        let Some(data) = data else {
            return Ok(None);
        };
        let now = self.now_ms();
        let cache = match self.decode_cache(&data, now) {
            Ok(cache) => cache,
            // jose: a jwt / jwe cache past its exp is no cache, not an error of the request.
            Err(Error::Expired { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let same_token = cache
            .session
            .session()
            .get("token")
            .and_then(|t| t.as_str())
            == Some(token);
        let same_version = cache.version.as_deref().unwrap_or("1") == self.inner.version;
        let fresh = cache.expires_ms >= now && cache.session_expires_ms >= now;
        Ok((same_token && same_version && fresh).then_some(cache.session))
    }

    /// The session as `getSession` answers it in database mode: the cookie cache when it is
    /// usable ([`cached_session`](Self::cached_session)), else the session row with this
    /// token, joined with its user, in the app's database (`store` built with
    /// `Schema::by_name("better-auth")`), valid up to and including its `expiresAt`.
    /// Read-only: better-auth extends a session older than `updateAge` and deletes an
    /// expired one while answering; the app keeps doing that. In stateless mode the cache is
    /// the whole session and `store` is not used.
    ///
    /// # Errors
    /// [`Error::BadSignature`] for a session token that does not verify, [`Error::Store`]
    /// when the database cannot answer, [`Error::Config`] when `store`'s schema does not
    /// return the session row (use `Schema::by_name("better-auth")`). A cookie cache that
    /// cannot be used is no error here: the database answers instead, as in better-auth.
    #[cfg(any(feature = "postgres", feature = "sqlite"))]
    pub async fn session(
        &self,
        cookie_header: Option<&str>,
        store: &crate::database::Store,
    ) -> Result<Option<BetterAuthSession>, Error> {
        let Some(token) = self.session_token(cookie_header)? else {
            return Ok(None);
        };
        if self.inner.stateless {
            return self.cached_for(cookie_header, &token);
        }
        if self.inner.cache.is_some()
            && let Ok(Some(session)) = self.cached_for(cookie_header, &token)
        {
            return Ok(Some(session));
        }
        let Some(found) = store.session(&token).await? else {
            return Ok(None);
        };
        let row = found.session_row().ok_or(Error::Config(
            "the store's schema does not return the session row: use Schema::by_name(\"better-auth\")",
        ))?;
        // better-auth's adapter answers the schema's fields in their order, then `id`: the
        // table's column order with `id` moved last.
        let id_last = |row: &serde_json::Map<String, serde_json::Value>| {
            let mut out: serde_json::Map<String, serde_json::Value> = row
                .iter()
                .filter(|(k, _)| *k != "id")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if let Some(id) = row.get("id") {
                out.insert("id".to_owned(), id.clone());
            }
            out
        };
        Ok(Some(BetterAuthSession::new(
            id_last(row),
            id_last(found.user()),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// better-call's `getSignedCookie`: no dot, an empty value, or a signature that is not 44
    /// characters ending in `=` is no signed value (`null`); a well-formed signature that does
    /// not verify is an error.
    #[test]
    fn signed_values_as_better_call_reads_them() {
        let r = BetterAuth::builder()
            .secret("reader unit test")
            .build()
            .unwrap();
        let signed = r.encoder().signed_token("tok");
        let cookie = |value: &str| format!("better-auth.session_token={value}");
        assert_eq!(
            r.session_token(Some(&cookie(&signed))),
            Ok(Some("tok".to_owned()))
        );
        let signature = (signed.strip_prefix("tok.").unwrap())
            .replace("%3D", "=")
            .replace("%2B", "+")
            .replace("%2F", "/");
        assert_eq!(signature.len(), 44);
        let other = format!("{}A=", &signature[..42]);
        assert_ne!(other, signature);
        assert_eq!(
            r.session_token(Some(&cookie(&format!("tok.{other}")))),
            Err(Error::BadSignature)
        );
        for value in [
            "tok".to_owned(),
            format!(".{signature}"),
            format!("tok.{}A", &signature[..43]),
            format!("tok.{signature}="),
            format!("tok.{}", &signature[1..]),
        ] {
            assert_eq!(r.session_token(Some(&cookie(&value))), Ok(None), "{value}");
        }
    }
}
