//! The default claims type: the token the references write.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The session token as NextAuth.js / Auth.js write it by default: `name`, `email`,
/// `picture`, `sub` (any may be missing or `null`), the `iat` / `exp` / `jti` the encoder adds,
/// and every other claim the app's `jwt` callback put in, in [`Session::extra`].
///
/// Deserialization follows `JSON.parse`: a duplicated key keeps its last value. Time claims are
/// whole seconds (a fractional value is floored); decode into [`serde_json::Value`] to see a
/// payload exactly as the reference returns it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Session {
    /// The user's name (`token.name`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The user's email (`token.email`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The user's image URL (`token.picture`; `session.user.image` in the references).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    /// The user id (`token.sub`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// Issued at, unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// Expires at, unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// The random token id the encoder writes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// Every other claim, as JSON.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The user part of the session object that `getServerSession()` / `auth()` return.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// `token.name`.
    pub name: Option<String>,
    /// `token.email`.
    pub email: Option<String>,
    /// `token.picture`.
    pub image: Option<String>,
}

impl Session {
    /// The `user` object the references derive from the token:
    /// `{ name, email, image: picture }`.
    pub fn user(&self) -> User {
        User {
            name: self.name.clone(),
            email: self.email.clone(),
            image: self.picture.clone(),
        }
    }
}

impl<'de> Deserialize<'de> for Session {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(SessionVisitor)
    }
}

struct SessionVisitor;

enum Field {
    Name,
    Email,
    Picture,
    Sub,
    Iat,
    Exp,
    Jti,
    Other(String),
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a claim name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Field, E> {
                Ok(match v {
                    "name" => Field::Name,
                    "email" => Field::Email,
                    "picture" => Field::Picture,
                    "sub" => Field::Sub,
                    "iat" => Field::Iat,
                    "exp" => Field::Exp,
                    "jti" => Field::Jti,
                    other => Field::Other(other.to_owned()),
                })
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Field, E> {
                match self.visit_str::<E>(&v)? {
                    Field::Other(_) => Ok(Field::Other(v)),
                    known => Ok(known),
                }
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// A NumericDate: any JSON number, floored to whole seconds; `null` is absent.
struct Seconds(Option<i64>);

impl<'de> Deserialize<'de> for Seconds {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Seconds;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number of seconds")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Seconds, E> {
                Ok(Seconds(Some(i64::try_from(v).unwrap_or(i64::MAX))))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Seconds, E> {
                Ok(Seconds(Some(v)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Seconds, E> {
                // `as` saturates at the i64 range.
                Ok(Seconds(Some(v.floor() as i64)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Seconds, E> {
                Ok(Seconds(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Seconds, E> {
                Ok(Seconds(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Seconds, D::Error> {
                d.deserialize_any(self)
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl<'de> Visitor<'de> for SessionVisitor {
    type Value = Session;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a session token object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Session, A::Error> {
        let mut s = Session::default();
        // Last value wins for every key, as JSON.parse.
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::Name => s.name = map.next_value()?,
                Field::Email => s.email = map.next_value()?,
                Field::Picture => s.picture = map.next_value()?,
                Field::Sub => s.sub = map.next_value()?,
                Field::Jti => s.jti = map.next_value()?,
                Field::Iat => s.iat = map.next_value::<Seconds>()?.0,
                Field::Exp => s.exp = map.next_value::<Seconds>()?.0,
                Field::Other(key) => {
                    s.extra.insert(key, map.next_value()?);
                }
            }
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_default_token() {
        let s: Session = serde_json::from_str(
            r#"{"name":"Ada","email":null,"sub":"1","iat":10,"exp":20.9,"jti":"j","role":"admin","name":"Ada L"}"#,
        )
        .unwrap();
        assert_eq!(s.name.as_deref(), Some("Ada L"));
        assert_eq!(s.email, None);
        assert_eq!(s.picture, None);
        assert_eq!((s.iat, s.exp), (Some(10), Some(20)));
        assert_eq!(s.extra["role"], "admin");
        assert_eq!(s.user().name.as_deref(), Some("Ada L"));
        let back = serde_json::to_value(&s).unwrap();
        assert_eq!(
            back,
            serde_json::json!({"name":"Ada L","sub":"1","iat":10,"exp":20,"jti":"j","role":"admin"})
        );
        let again: Session = serde_json::from_value(back).unwrap();
        assert_eq!(again, s);
    }

    #[test]
    fn rejects_non_objects_and_wrong_types() {
        assert!(serde_json::from_str::<Session>("[]").is_err());
        assert!(serde_json::from_str::<Session>(r#"{"name":1}"#).is_err());
        assert!(serde_json::from_str::<Session>(r#"{"exp":"1"}"#).is_err());
    }
}
