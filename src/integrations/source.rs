//! [`SessionSource`]: where the framework integrations read a request's session from, whichever
//! strategy the Next.js app uses.

use serde::de::DeserializeOwned;

use crate::authjs::decoder::Decoder;
use crate::error::Error;

/// Where a request's session comes from: the JWT session cookie ([`Decoder`]), the app's
/// database ([`Store`](crate::database::Store), features `postgres` / `sqlite`), or Better
/// Auth's cookies ([`BetterAuth`](crate::better_auth::BetterAuth), feature `better-auth`,
/// with a `Store` in database mode).
///
/// The axum extractors take it from the router state (through `FromRef`), and the tower
/// layer is built from one. A [`Decoder`], a `Store` or a `BetterAuth` converts into it with
/// `From` (a `(BetterAuth, Store)` pair too), and each of them as the router state itself works
/// as it is.
///
/// Database sessions reach a claims type `T` as the claims the JWT strategy would carry for the
/// same user ([`DatabaseSession::to_claims`](crate::database::DatabaseSession::to_claims)):
/// `sub`, `name`, `email`, `picture`, `exp` and every other user column, so one `T`
/// ([`Session`](crate::Session) by default) serves both strategies; Better Auth sessions
/// likewise (`BetterAuthSession::to_claims`).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum SessionSource {
    /// JWT sessions: the encrypted session cookie (or a Bearer token), decoded in process.
    Jwt(Decoder),
    /// Database sessions: the session cookie's token, looked up in the app's tables.
    #[cfg(any(feature = "postgres", feature = "sqlite"))]
    Database(crate::database::Store),
    /// Better Auth sessions from the cookies alone: the cookie cache (stateless mode, or an
    /// app whose cache the service trusts without its database).
    #[cfg(feature = "better-auth")]
    BetterAuth(crate::better_auth::BetterAuth),
    /// Better Auth sessions in database mode: the cookie cache, else the app's `session` and
    /// `user` tables (a `Store` over `Schema::by_name("better-auth")`).
    #[cfg(all(feature = "better-auth", any(feature = "postgres", feature = "sqlite")))]
    BetterAuthDatabase(crate::better_auth::BetterAuth, crate::database::Store),
}

#[cfg(feature = "better-auth")]
impl From<crate::better_auth::BetterAuth> for SessionSource {
    fn from(reader: crate::better_auth::BetterAuth) -> Self {
        Self::BetterAuth(reader)
    }
}

#[cfg(all(feature = "better-auth", any(feature = "postgres", feature = "sqlite")))]
impl From<(crate::better_auth::BetterAuth, crate::database::Store)> for SessionSource {
    fn from((reader, store): (crate::better_auth::BetterAuth, crate::database::Store)) -> Self {
        Self::BetterAuthDatabase(reader, store)
    }
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

/// The identity of a session source: the instances it reads with (a source built separately,
/// even with the same settings, is another source).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SourceId(usize, usize);

impl SessionSource {
    /// This source's identity: a layer's result is used by an extractor only when both were
    /// given the same source.
    pub(crate) fn id(&self) -> SourceId {
        match self {
            Self::Jwt(decoder) => SourceId(1, decoder.identity()),
            #[cfg(any(feature = "postgres", feature = "sqlite"))]
            Self::Database(store) => SourceId(2, store.identity()),
            #[cfg(feature = "better-auth")]
            Self::BetterAuth(reader) => SourceId(3, reader.identity()),
            #[cfg(all(feature = "better-auth", any(feature = "postgres", feature = "sqlite")))]
            Self::BetterAuthDatabase(reader, store) => {
                SourceId(reader.identity(), store.identity())
            }
        }
    }

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
                Some(session) => claims_into(session.claims()),
                None => Ok(None),
            },
            #[cfg(feature = "better-auth")]
            Self::BetterAuth(reader) => {
                let cookie = cookie_header(headers);
                match reader.cached_session(cookie.as_deref())? {
                    Some(session) => claims_into(&session.to_claims()),
                    None => Ok(None),
                }
            }
            #[cfg(all(feature = "better-auth", any(feature = "postgres", feature = "sqlite")))]
            Self::BetterAuthDatabase(reader, store) => {
                let cookie = cookie_header(headers);
                match reader.session(cookie.as_deref(), store).await? {
                    Some(session) => claims_into(&session.to_claims()),
                    None => Ok(None),
                }
            }
        }
    }
}

/// A claims view deserialized into `T`.
#[cfg(any(feature = "postgres", feature = "sqlite", feature = "better-auth"))]
fn claims_into<T: DeserializeOwned>(view: &serde_json::Value) -> Result<Option<T>, Error> {
    crate::claims::typed::from_view(view).map(Some)
}

/// Every `Cookie` line as one header (HTTP/2 may send several), as better-auth reads them;
/// a line that is not UTF-8 is read byte-wise as Latin-1, as Node reads it, so the cookies on
/// it still count. One UTF-8 line, the usual request, is borrowed.
#[cfg(feature = "better-auth")]
fn cookie_header(headers: &http::HeaderMap) -> Option<std::borrow::Cow<'_, str>> {
    use crate::request::cookies::header_text;
    let mut lines = headers.get_all(http::header::COOKIE).iter();
    let first = header_text(lines.next()?.as_bytes());
    let Some(second) = lines.next() else {
        return Some(first);
    };
    let mut joined = first.into_owned();
    for line in std::iter::once(second).chain(lines) {
        joined.push_str("; ");
        joined.push_str(&header_text(line.as_bytes()));
    }
    Some(joined.into())
}
