//! The `session_data` cookie cache: decoding each strategy, and the payload checks
//! better-auth's zod schemas make.

use serde_json::{Map, Value};

use super::config::{BetterAuth, CacheStrategy};
use super::js_json::{self, JsObject, JsValue};
use super::session::BetterAuthSession;
use crate::claims;
use crate::crypto::b64;
use crate::crypto::jwe::{self, Accept, Compact, Enc, Header};
use crate::error::Error;

/// The `jwe` cache: what better-auth's `symmetricDecodeJWT` accepts that can ever decrypt
/// (its `A256GCM` never does: the key is 64 bytes), the `kid` selecting the secret.
const JWE_ACCEPT: Accept = Accept {
    encs: &[Enc::A256CbcHs512],
    kid: true,
};

/// The protected header better-auth writes on a `jwt` cache, base64url: `{"alg":"HS256"}`.
const JWT_HEADER: &str = "eyJhbGciOiJIUzI1NiJ9";

/// jose's clock tolerance in `symmetricDecodeJWT` (`clockTolerance: 15`), in seconds.
const JWE_TOLERANCE: std::time::Duration = std::time::Duration::from_secs(15);

/// A decoded, validated cache: the payload and when the cache itself expires.
pub(crate) struct Decoded {
    pub(crate) session: BetterAuthSession,
    pub(crate) version: Option<String>,
    /// The cache's own expiry (compact `expiresAt`, jwt/jwe `exp * 1000`), unix ms.
    pub(crate) expires_ms: i64,
    /// The embedded session's `expiresAt`, unix ms.
    pub(crate) session_expires_ms: i64,
}

fn malformed() -> Error {
    Error::Malformed("the cookie cache is not one better-auth writes")
}

impl BetterAuth {
    /// Decodes a `session_data` value (chunks joined) with the configured strategy and checks
    /// its payload. Freshness, token and version are the caller's.
    pub(crate) fn decode_cache(&self, value: &str, now_ms: i64) -> Result<Decoded, Error> {
        let strategy = self
            .inner
            .cache
            .ok_or(Error::Config("no cookie cache configured"))?;
        let opened = match strategy {
            CacheStrategy::Compact => {
                let bytes = b64::decode(value).ok_or_else(malformed)?;
                let text = match String::from_utf8(bytes) {
                    Ok(text) => text,
                    // JavaScript decodes with replacement characters, and so do we.
                    Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
                };
                let (payload, expires_ms) = self.compact(&text)?;
                return validate(&payload, expires_ms, now_ms);
            }
            CacheStrategy::Jwt => self.jwt(value)?,
            CacheStrategy::Jwe => self.jwe(value)?,
        };
        let (replicas, tolerance) = match &opened {
            Claims::Jwt(_) => (&[][..], std::time::Duration::ZERO),
            Claims::Jwe(_, header) => (&header.replicas[..], JWE_TOLERANCE),
        };
        let bytes = match &opened {
            Claims::Jwt(bytes) => &bytes[..],
            Claims::Jwe(bytes, _) => &bytes[..],
        };
        let text = std::str::from_utf8(jwe::strip_bom(bytes))
            .map_err(|_| Error::InvalidClaims("the claims are not UTF-8"))?;
        claims::check(text, replicas, now_ms.div_euclid(1000), tolerance)?;
        let (claims, expires_ms) = claims_object(text, now_ms)?;
        validate(&claims, expires_ms, now_ms)
    }

    /// `compact`: base64url JSON `{session, expiresAt, signature}`, the signature an
    /// HMAC-SHA256 (base64url) over `JSON.stringify({...session, expiresAt})` of the parsed
    /// object. The payload (`session`) and the cache's expiry.
    fn compact<'t>(&self, text: &'t str) -> Result<(JsObject<'t>, i64), Error> {
        let JsValue::Object(mut outer) = js_json::parse(text)? else {
            return Err(malformed());
        };
        let (Some(JsValue::Number(expires)), Some(JsValue::String(signature))) =
            (outer.get("expiresAt"), outer.get("signature"))
        else {
            return Err(malformed());
        };
        let expires = *expires;
        // zod's z.number() refuses infinities.
        if !expires.is_finite() {
            return Err(malformed());
        }
        let tag = signature.as_str().and_then(b64::decode);
        let Some(JsValue::Object(mut wrapper)) = outer.take("session") else {
            return Err(malformed());
        };
        // zod's z.record drops an own `__proto__` member before better-auth signs.
        wrapper.take("__proto__");
        let tag = tag.ok_or(Error::BadSignature)?;
        let mut message = String::with_capacity(text.len());
        js_json::write_with(
            &wrapper,
            "expiresAt",
            &JsValue::Number(expires),
            &mut message,
        );
        if !self.inner.hmac.verify(message.as_bytes(), &tag) {
            return Err(Error::BadSignature);
        }
        Ok((wrapper, millis(expires)))
    }

    /// `jwt`: an HS256 JWS with exactly the header better-auth writes; `exp` checked without
    /// tolerance (jose's `jwtVerify` with no options).
    fn jwt(&self, value: &str) -> Result<Claims, Error> {
        let mut parts = value.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(malformed());
        };
        if header != JWT_HEADER {
            return Err(Error::Unsupported(
                "the jwt cache header is not {\"alg\":\"HS256\"}",
            ));
        }
        let tag = b64::decode_exact::<32>(signature).ok_or(Error::BadSignature)?;
        let signed_len = header.len() + 1 + payload.len();
        if !self
            .inner
            .hmac
            .verify(&value.as_bytes()[..signed_len], &tag)
        {
            return Err(Error::BadSignature);
        }
        Ok(Claims::Jwt(b64::decode(payload).ok_or_else(malformed)?))
    }

    /// `jwe`: `dir` + `A256CBC-HS512`, keys from every secret (the `kid` picks one), jose's
    /// 15 s tolerance on `exp`.
    fn jwe(&self, value: &str) -> Result<Claims, Error> {
        let compact = Compact::split(value)?;
        let header = Header::parse(compact.header, JWE_ACCEPT)?;
        let keys = self
            .inner
            .jwe_keys
            .iter()
            .filter(|key| header.kid.admits(key.kid(header.enc)));
        let plaintext = jwe::open(&compact, &header, keys)?;
        Ok(Claims::Jwe(plaintext, header))
    }
}

/// The claims of a verified `jwt` cache, or of an opened `jwe` cache with its header.
enum Claims {
    Jwt(Vec<u8>),
    Jwe(zeroize::Zeroizing<Vec<u8>>, Header),
}

/// The claims of a jwt / jwe cache, with the cache's expiry: `exp * 1000`, or now when the
/// claims have no `exp` (better-auth: `decoded.exp ? decoded.exp * 1000 : Date.now()`).
fn claims_object(text: &str, now_ms: i64) -> Result<(JsObject<'_>, i64), Error> {
    let JsValue::Object(claims) = js_json::parse(text)? else {
        return Err(malformed());
    };
    let expires_ms = match claims.get("exp") {
        Some(JsValue::Number(exp)) if *exp != 0.0 => millis(exp * 1000.0),
        _ => now_ms,
    };
    Ok((claims, expires_ms))
}

/// A JavaScript number of milliseconds as an `i64` (saturating; NaN as the far past).
fn millis(n: f64) -> i64 {
    if n.is_nan() { i64::MIN } else { n as i64 }
}

/// better-auth's `cookieCachePayloadSchema`: `session` and `user` objects of the right shape
/// (zod's coercions and defaults applied), `updatedAt` a number, `version` a string if
/// present.
fn validate(payload: &JsObject<'_>, expires_ms: i64, now_ms: i64) -> Result<Decoded, Error> {
    let bad = |what: &'static str| Error::InvalidClaims(what);
    let (Some(JsValue::Object(session)), Some(JsValue::Object(user))) =
        (payload.get("session"), payload.get("user"))
    else {
        return Err(bad("the cookie cache has no session and user objects"));
    };
    if !matches!(payload.get("updatedAt"), Some(JsValue::Number(n)) if n.is_finite()) {
        return Err(bad("the cookie cache's updatedAt is not a number"));
    }
    let version = match payload.get("version") {
        None => None,
        Some(JsValue::String(v)) => Some(js_json::to_string(v).ok_or_else(|| bad("version"))?),
        Some(_) => return Err(bad("the cookie cache's version is not a string")),
    };
    let session_expires_ms = match session.get("expiresAt") {
        Some(JsValue::Date { ms, .. }) => *ms,
        _ => return Err(bad("the cached session's expiresAt is not a date")),
    };
    let session = object(session, &SESSION_FIELDS, now_ms)?;
    let user = object(user, &USER_FIELDS, now_ms)?;
    Ok(Decoded {
        session: BetterAuthSession::new(session, user),
        version,
        expires_ms,
        session_expires_ms,
    })
}

/// What zod requires of a field.
#[derive(Clone, Copy)]
enum Field {
    /// `z.string()`.
    String,
    /// `z.string().nullish()`: absent, null or a string.
    NullishString,
    /// `z.coerce.string()`.
    CoercedString,
    /// `z.string()` lower-cased (`email`).
    LowerString,
    /// `z.date()`.
    Date,
    /// `z.date().default(now)`.
    DateOrNow,
    /// `z.boolean().default(false)`.
    BoolOrFalse,
}

const SESSION_FIELDS: [(&str, Field); 8] = [
    ("id", Field::String),
    ("createdAt", Field::DateOrNow),
    ("updatedAt", Field::DateOrNow),
    ("userId", Field::CoercedString),
    ("expiresAt", Field::Date),
    ("token", Field::String),
    ("ipAddress", Field::NullishString),
    ("userAgent", Field::NullishString),
];

const USER_FIELDS: [(&str, Field); 7] = [
    ("id", Field::String),
    ("createdAt", Field::DateOrNow),
    ("updatedAt", Field::DateOrNow),
    ("email", Field::LowerString),
    ("emailVerified", Field::BoolOrFalse),
    ("name", Field::String),
    ("image", Field::NullishString),
];

/// One zod `looseObject`: the known fields checked and transformed, in the schema's order,
/// then every other member as it is (dates as ISO strings).
fn object(
    input: &JsObject<'_>,
    fields: &[(&str, Field)],
    now_ms: i64,
) -> Result<Map<String, Value>, Error> {
    let bad =
        || Error::InvalidClaims("the cookie cache payload does not match better-auth's schema");
    let now = || {
        crate::js_time::iso_from_ms(now_ms)
            .map(Value::String)
            .ok_or_else(bad)
    };
    let text = |v: &JsValue<'_>| match v {
        JsValue::String(s) => js_json::to_string(s),
        _ => None,
    };
    let mut out = Map::with_capacity(fields.len() + 4);
    for &(name, field) in fields {
        let value = input.get(name);
        let converted = match (field, value) {
            (Field::String, Some(v)) => Value::String(text(v).ok_or_else(bad)?),
            (Field::LowerString, Some(v)) => Value::String(text(v).ok_or_else(bad)?.to_lowercase()),
            (Field::NullishString, None) => continue,
            (Field::NullishString, Some(JsValue::Null)) => Value::Null,
            (Field::NullishString, Some(v)) => Value::String(text(v).ok_or_else(bad)?),
            (Field::CoercedString, Some(v)) => Value::String(coerce_string(v).ok_or_else(bad)?),
            (Field::Date | Field::DateOrNow, Some(JsValue::Date { ms, iso })) => {
                Value::String(js_json::iso_string(*ms, *iso).ok_or_else(bad)?)
            }
            (Field::DateOrNow, None) => now()?,
            (Field::BoolOrFalse, None) => Value::Bool(false),
            (Field::BoolOrFalse, Some(JsValue::Bool(b))) => Value::Bool(*b),
            _ => return Err(bad()),
        };
        out.insert(name.to_owned(), converted);
    }
    for (key, value) in input.ordered() {
        let key = key.as_str().ok_or_else(bad)?;
        // zod's looseObject never copies an undeclared `__proto__` member.
        if key != "__proto__" && !fields.iter().any(|(name, _)| *name == key) {
            out.insert(key.to_owned(), js_json::to_serde(value).ok_or_else(bad)?);
        }
    }
    Ok(out)
}

/// `String(value)` for the values a cookie cache can hold where a string id is expected.
fn coerce_string(value: &JsValue<'_>) -> Option<String> {
    match value {
        JsValue::String(s) => js_json::to_string(s),
        JsValue::Number(n) => {
            let mut buffer = ryu_js::Buffer::new();
            Some(buffer.format(*n).to_owned())
        }
        JsValue::Bool(b) => Some(b.to_string()),
        JsValue::Null => Some("null".to_owned()),
        // Dates print in the process's time zone, arrays and objects as their contents:
        // nothing better-auth writes.
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What better-auth 1.7.25's `parseCookieCachePayload` printed (Node 20, `Date` frozen at
    /// 1750000000123): zod's defaults fill the missing dates with now and `emailVerified` with
    /// false, and `z.coerce.string()` turns a number, a boolean or null into its `String()`.
    #[test]
    fn zod_defaults_and_coercions() {
        let now_ms = 1_750_000_000_123;
        let now = "2025-06-15T15:06:40.123Z";
        for (user_id, coerced) in [
            ("42", "42"),
            ("1.5e21", "1.5e+21"),
            ("true", "true"),
            ("false", "false"),
            ("null", "null"),
            ("\"u1\"", "u1"),
        ] {
            let text = format!(
                r#"{{"session":{{"id":"s1","userId":{user_id},"expiresAt":"2030-01-01T00:00:00.000Z","token":"t"}},"user":{{"id":"u1","email":"A@B.C","name":"n"}},"updatedAt":1}}"#
            );
            let node = format!(
                r#"{{"session":{{"id":"s1","createdAt":"{now}","updatedAt":"{now}","userId":"{coerced}","expiresAt":"2030-01-01T00:00:00.000Z","token":"t"}},"user":{{"id":"u1","createdAt":"{now}","updatedAt":"{now}","email":"a@b.c","emailVerified":false,"name":"n"}}}}"#
            );
            let JsValue::Object(payload) = js_json::parse(&text).unwrap() else {
                panic!("an object")
            };
            let decoded = validate(&payload, 0, now_ms).unwrap();
            assert_eq!(serde_json::to_string(&decoded.session).unwrap(), node);
        }
    }

    /// better-auth: a jwt / jwe cache expires at `decoded.exp ? decoded.exp * 1000 : Date.now()`.
    #[test]
    fn jwt_cache_expiry_is_exp_or_now() {
        let now = 1_750_000_000_123;
        for (claims, expires_ms) in [
            (r#"{"exp":1750000300}"#, 1_750_000_300_000),
            (r#"{"exp":0.5}"#, 500),
            (r#"{"exp":0}"#, now),
            (r#"{"exp":-1}"#, -1000),
            (r#"{}"#, now),
            (r#"{"exp":null}"#, now),
        ] {
            assert_eq!(
                claims_object(claims, now).unwrap().1,
                expires_ms,
                "{claims}"
            );
        }
    }

    /// What better-auth 1.7.25's `parseCookieCachePayload` printed for this payload (Node 20):
    /// zod's looseObject drops an undeclared `__proto__` member of the session and the user,
    /// fills the schema's fields in its order and lower-cases the email.
    #[test]
    fn payload_as_zod_returns_it() {
        let text = r#"{"session":{"id":"s1","token":"t","userId":"u1","expiresAt":"2030-01-01T00:00:00.000Z","createdAt":"2025-01-01T00:00:00.000Z","updatedAt":"2025-01-01T00:00:00.000Z","__proto__":{"x":1},"extra":1},"user":{"id":"u1","email":"A@B.C","emailVerified":true,"name":"n","createdAt":"2025-01-01T00:00:00.000Z","updatedAt":"2025-01-01T00:00:00.000Z","__proto__":null,"plan":"pro"},"updatedAt":1,"__proto__":5}"#;
        let node = r#"{"session":{"id":"s1","createdAt":"2025-01-01T00:00:00.000Z","updatedAt":"2025-01-01T00:00:00.000Z","userId":"u1","expiresAt":"2030-01-01T00:00:00.000Z","token":"t","extra":1},"user":{"id":"u1","createdAt":"2025-01-01T00:00:00.000Z","updatedAt":"2025-01-01T00:00:00.000Z","email":"a@b.c","emailVerified":true,"name":"n","plan":"pro"}}"#;
        let JsValue::Object(payload) = js_json::parse(text).unwrap() else {
            panic!("an object")
        };
        let decoded = validate(&payload, 0, 0).unwrap();
        assert_eq!(serde_json::to_string(&decoded.session).unwrap(), node);
    }
}
