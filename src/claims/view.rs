//! The claims view of a session that is not a JWT (a database row, a Better Auth session):
//! the claims the Auth.js JWT strategy would carry for the same user, so that one claims type
//! serves every session source.

use serde_json::{Map, Value};

/// `sub` (the user's `id` as a string), `name`, `email`, `picture` (the `image`), `exp`
/// (whole seconds, or `null`), then every other user field under its own name.
pub(crate) fn user_claims(user: &Map<String, Value>, exp: Value) -> Value {
    let mut claims = Map::new();
    for (key, value) in user {
        if !matches!(key.as_str(), "id" | "image" | "sub" | "picture" | "exp") {
            claims.insert(key.clone(), value.clone());
        }
    }
    let sub = match user.get("id") {
        Some(Value::String(s)) => Value::String(s.clone()),
        None | Some(Value::Null) => Value::Null,
        Some(other) => Value::String(other.to_string()),
    };
    claims.insert("sub".to_owned(), sub);
    claims.insert(
        "picture".to_owned(),
        user.get("image").cloned().unwrap_or(Value::Null),
    );
    claims.insert("exp".to_owned(), exp);
    Value::Object(claims)
}
