//! [`DatabaseSession`]: a session row joined with its user, as the adapters return it.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::js_time::iso_from_ms;

/// A valid database session: the user's row and when the session expires.
///
/// Holds no session token. Cheap to clone (the rows and the claims view are shared).
#[derive(Debug, Clone, PartialEq)]
pub struct DatabaseSession {
    user: Arc<Map<String, Value>>,
    expires_ms: i64,
    session_row: Option<Arc<Map<String, Value>>>,
    /// [`to_claims`](Self::to_claims), built once when the row is read, so a cache hit reads
    /// it without building it again.
    claims: Arc<Value>,
}

impl DatabaseSession {
    pub(crate) fn new(
        user: Map<String, Value>,
        expires_ms: i64,
        session_row: Option<Map<String, Value>>,
    ) -> Self {
        let claims =
            crate::claims::view::user_claims(&user, Value::from(expires_ms.div_euclid(1000)));
        Self {
            user: Arc::new(user),
            expires_ms,
            session_row: session_row.map(Arc::new),
            claims: Arc::new(claims),
        }
    }

    /// The whole session row, for schemas whose library answers it (Better Auth); `None` for
    /// the Auth.js presets, whose `/api/auth/session` does not.
    pub fn session_row(&self) -> Option<&Map<String, Value>> {
        self.session_row.as_deref()
    }

    /// The whole user row, as the adapter's `getSessionAndUser` returns it: every column
    /// under its name (the adapters' keys `id`, `name`, `email`, `emailVerified`, `image` for
    /// renamed columns), instants as ISO strings (`2025-07-15T15:06:50.000Z`), `NULL` as
    /// `null`, PostgreSQL `bigint` and `numeric` as strings (as node-postgres reads them).
    pub fn user(&self) -> &Map<String, Value> {
        &self.user
    }

    /// The user's `id` as the adapter returns it (a number for @auth/pg-adapter, a string
    /// otherwise).
    pub fn user_id(&self) -> &Value {
        self.user.get("id").unwrap_or(&Value::Null)
    }

    /// When the session expires, in unix milliseconds. The session is valid up to and
    /// including this instant.
    pub fn expires_ms(&self) -> i64 {
        self.expires_ms
    }

    /// Whether the session is valid at `now_ms` (unix milliseconds): the references' rule,
    /// `expires < now` is expired, so a session is valid at its `expires` instant and expired
    /// one millisecond later.
    pub fn is_valid_at(&self, now_ms: i64) -> bool {
        self.expires_ms >= now_ms
    }

    /// When the session expires, as `Date.prototype.toISOString()` prints it.
    pub fn expires(&self) -> String {
        // The store only builds sessions whose expiry is a valid `Date`.
        iso_from_ms(self.expires_ms).unwrap_or_default()
    }

    /// Exactly the body `GET /api/auth/session` answers for this session with the default
    /// `session` callback (v4 and v5 alike):
    /// `{"user":{"name":..,"email":..,"image":..},"expires":"2025-07-15T15:06:50.000Z"}`,
    /// `null` kept for `NULL` columns. [`response_json`](Self::response_json) gives the same
    /// object as text, keys in the references' order.
    pub fn response(&self) -> Value {
        let field = |key: &str| self.user.get(key).cloned().unwrap_or(Value::Null);
        let mut user = Map::new();
        for key in ["name", "email", "image"] {
            user.insert(key.to_owned(), field(key));
        }
        let mut body = Map::new();
        body.insert("user".to_owned(), Value::Object(user));
        body.insert("expires".to_owned(), Value::String(self.expires()));
        Value::Object(body)
    }

    /// [`response`](Self::response) serialized as the references do: byte for byte the body
    /// of `GET /api/auth/session`.
    pub fn response_json(&self) -> String {
        let field = |key: &str| {
            serde_json::to_string(self.user.get(key).unwrap_or(&Value::Null))
                .unwrap_or_else(|_| "null".to_owned())
        };
        format!(
            r#"{{"user":{{"name":{},"email":{},"image":{}}},"expires":"{}"}}"#,
            field("name"),
            field("email"),
            field("image"),
            self.expires()
        )
    }

    /// The session as the claims the JWT strategy would carry for the same user, so that one
    /// claims type serves both strategies: `sub` (the user id as a string), `name`, `email`,
    /// `picture` (the `image` column), `exp` (the expiry in whole seconds), then every other
    /// user column under its own name.
    pub fn to_claims(&self) -> Value {
        (*self.claims).clone()
    }

    /// [`to_claims`](Self::to_claims), borrowed.
    #[cfg_attr(
        not(any(feature = "axum", feature = "tower", feature = "actix")),
        allow(dead_code)
    )]
    pub(crate) fn claims(&self) -> &Value {
        &self.claims
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn session() -> DatabaseSession {
        let Value::Object(user) = json!({
            "id": 7, "name": "Ada \"L\"", "email": "ada@example.com",
            "emailVerified": null, "image": null, "role": "admin"
        }) else {
            unreachable!()
        };
        DatabaseSession::new(user, 1_752_592_010_000, None)
    }

    #[test]
    fn response_in_the_references_shape() {
        let s = session();
        assert_eq!(
            s.response(),
            json!({"user": {"name": "Ada \"L\"", "email": "ada@example.com", "image": null},
                   "expires": "2025-07-15T15:06:50.000Z"})
        );
        assert_eq!(
            s.response_json(),
            r#"{"user":{"name":"Ada \"L\"","email":"ada@example.com","image":null},"expires":"2025-07-15T15:06:50.000Z"}"#
        );
        assert_eq!(
            serde_json::from_str::<Value>(&s.response_json()).unwrap(),
            s.response()
        );
    }

    #[test]
    fn claims_view() {
        let claims = session().to_claims();
        assert_eq!(claims["sub"], "7");
        assert_eq!(claims["picture"], Value::Null);
        assert_eq!(claims["exp"], 1_752_592_010);
        assert_eq!(claims["role"], "admin");
        assert!(claims.get("id").is_none() && claims.get("image").is_none());
    }
}
