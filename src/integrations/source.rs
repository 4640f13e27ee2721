//! [`SessionSource`]: where the framework integrations read a request's session from, whichever
//! strategy the Next.js app uses.

use serde::de::DeserializeOwned;

use crate::authjs::decoder::Decoder;
use crate::error::Error;

/// Where a request's session comes from: the JWT session cookie ([`Decoder`]) or the app's
/// database ([`Store`](crate::database::Store), features `postgres` / `sqlite`).
///
/// The axum extractors take it from the router state (through `FromRef`), and the tower
/// layer is built from one. A [`Decoder`] or a `Store` converts into it with `From`, and a
/// `Decoder` or `Store` as the router state itself works as it is.
///
/// Database sessions reach a claims type `T` as the claims the JWT strategy would carry for the
/// same user ([`DatabaseSession::to_claims`](crate::database::DatabaseSession::to_claims)):
/// `sub`, `name`, `email`, `picture`, `exp` and every other user column, so one `T`
/// ([`Session`](crate::Session) by default) serves both strategies.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum SessionSource {
    /// JWT sessions: the encrypted session cookie (or a Bearer token), decoded in process.
    Jwt(Decoder),
    /// Database sessions: the session cookie's token, looked up in the app's tables.
    #[cfg(any(feature = "postgres", feature = "sqlite"))]
    Database(crate::database::Store),
}

impl From<Decoder> for SessionSource {
    fn from(decoder: Decoder) -> Self {
        Self::Jwt(decoder)
    }
}

#[cfg(any(feature = "postgres", feature = "sqlite"))]
impl From<crate::database::Store> for SessionSource {
    fn from(store: crate::database::Store) -> Self {
        Self::Database(store)
    }
}

impl SessionSource {
    /// The session of a request with these headers: `Ok(None)` when it carries none, `Err`
    /// when it carries one that cannot be used, or, for database sessions, when the database
    /// cannot answer ([`Error::Store`]).
    ///
    /// # Errors
    /// As [`Decoder::from_headers`] for JWT sessions; as
    /// [`Store::from_headers`](crate::database::Store::from_headers) for database sessions,
    /// plus [`Error::ClaimsType`] when the session does not fit `T`.
    pub async fn session<T: DeserializeOwned>(
        &self,
        headers: &http::HeaderMap,
    ) -> Result<Option<T>, Error> {
        match self {
            Self::Jwt(decoder) => decoder.from_headers(headers),
            #[cfg(any(feature = "postgres", feature = "sqlite"))]
            Self::Database(store) => match store.from_headers(headers).await? {
                Some(session) => <T as serde::Deserialize>::deserialize(session.to_claims())
                    .map(Some)
                    // A `Value` carries no position: line and column 0.
                    .map_err(|_| Error::ClaimsType { line: 0, column: 0 }),
                None => Ok(None),
            },
        }
    }
}
