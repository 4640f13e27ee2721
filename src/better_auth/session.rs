//! [`BetterAuthSession`]: what better-auth's `getSession` answers.

use serde::Serialize;
use serde_json::{Map, Value};

/// A Better Auth session: the `session` and `user` objects of `auth.api.getSession`.
/// Serializes to exactly its JSON, `{"session":{..},"user":{..}}`, instants as ISO strings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BetterAuthSession {
    session: Map<String, Value>,
    user: Map<String, Value>,
}

impl BetterAuthSession {
    pub(crate) fn new(session: Map<String, Value>, user: Map<String, Value>) -> Self {
        Self { session, user }
    }

    /// The session object: `id`, `token`, `userId`, `expiresAt`, `createdAt`, `updatedAt`,
    /// `ipAddress`, `userAgent`, and any field the app added.
    pub fn session(&self) -> &Map<String, Value> {
        &self.session
    }

    /// The user object: `id`, `email`, `emailVerified`, `name`, `image`, `createdAt`,
    /// `updatedAt`, and any field the app added.
    pub fn user(&self) -> &Map<String, Value> {
        &self.user
    }

    /// The user's `id`.
    pub fn user_id(&self) -> Option<&str> {
        self.user.get("id").and_then(Value::as_str)
    }

    /// The user's `email`.
    pub fn email(&self) -> Option<&str> {
        self.user.get("email").and_then(Value::as_str)
    }

    /// The session as the claims the Auth.js JWT strategy would carry for the same user, so
    /// that one claims type serves every source: `sub` (the user id), `name`, `email`,
    /// `picture` (the `image`), `exp` (the session's `expiresAt` in whole seconds), then every
    /// other user field under its own name.
    pub fn to_claims(&self) -> Value {
        let exp = self
            .session
            .get("expiresAt")
            .and_then(Value::as_str)
            .and_then(crate::js_time::parse_ms)
            .map_or(Value::Null, |ms| Value::from(ms.div_euclid(1000)));
        crate::claims::view::user_claims(&self.user, exp)
    }

    /// The user's `name`.
    pub fn name(&self) -> Option<&str> {
        self.user.get("name").and_then(Value::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!("an object literal"),
        }
    }

    #[test]
    fn accessors_and_claims_view() {
        let session = BetterAuthSession::new(
            object(json!({"id": "s1", "token": "t", "expiresAt": "2025-07-15T15:06:50.999Z"})),
            object(
                json!({"id": "u1", "email": "ada@example.com", "name": "Ada", "image": null, "plan": "pro"}),
            ),
        );
        assert_eq!(session.user_id(), Some("u1"));
        assert_eq!(session.email(), Some("ada@example.com"));
        assert_eq!(session.name(), Some("Ada"));
        assert_eq!(session.session()["token"], "t");
        assert_eq!(
            session.to_claims(),
            json!({"sub": "u1", "email": "ada@example.com", "name": "Ada", "picture": null,
                   "plan": "pro", "exp": 1_752_592_010})
        );
        assert_eq!(
            serde_json::to_string(&session).unwrap(),
            r#"{"session":{"id":"s1","token":"t","expiresAt":"2025-07-15T15:06:50.999Z"},"user":{"id":"u1","email":"ada@example.com","name":"Ada","image":null,"plan":"pro"}}"#
        );
        let empty = BetterAuthSession::new(Map::new(), object(json!({"id": 7, "email": null})));
        assert_eq!(
            (empty.user_id(), empty.email(), empty.name()),
            (None, None, None)
        );
        assert_eq!(empty.to_claims()["exp"], Value::Null);
    }
}
