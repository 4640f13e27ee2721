//! axum 0.8 extractors (feature `axum`; depends on `axum-core`, not on `axum`).
//!
//! | extractor | no session | invalid session (expired, wrong secret, tampered, ...) | session store down or slow (database sessions) | session |
//! |---|---|---|---|---|
//! | [`AuthSession<T>`] | `401`, generic body | `401`, the same generic body | `503`, generic body | `AuthSession(T)` |
//! | `Option<AuthSession<T>>` | `None` | `None` (`getToken()` parity) | `503` | `Some(AuthSession(T))` |
//! | `Result<AuthSession<T>, SessionRejection>` | `Err(SessionRejection::Missing)` | `Err(SessionRejection::Invalid(error))` | `Err(SessionRejection::Unavailable(error))` | `Ok(AuthSession(T))` |
//! | [`SignedIn<T>`] | `307` to the sign-in page | `307` to the sign-in page | `503` | `SignedIn(T)` |
//! | [`CsrfVerified`] | - | - | - | `403` unless the CSRF cookie and the `x-csrf-token` header match |
//!
//! The session extractors take a [`SessionSource`] from the router state through [`FromRef`]:
//! a [`Decoder`] for JWT sessions or a database [`Store`](crate::database::Store) (features
//! `postgres` / `sqlite`). A `Decoder`, a `Store` or a `SessionSource` as the state itself
//! works as it is; a state of your own implements `FromRef<YourState> for SessionSource`.
//! When a `integrations::tower::SessionLayer` for the same `T` and the same source (the same
//! instance, or a clone of it) already read the request, its
//! [`DecodedSession`] is used instead of reading again.
//!
//! Why `Option<AuthSession<T>>` gives `None` for a present-but-invalid session (where
//! axum-extra's `TypedHeader` rejects a present-but-malformed header): a stale session cookie
//! is an ordinary state, not a client bug. It happens after a secret rotation, a change of the
//! claims type, or clock skew around `exp`, and the Next.js app itself treats it as "signed
//! out" (`getToken()` returns `null`), so a public page must not lock such a user out with
//! `401`. Extract `Result<AuthSession<T>, SessionRejection>` to tell the cases apart (for
//! logging); the rejection's `Display` names the error kind, never token or key bytes.

use axum_core::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use axum_core::response::{IntoResponse, Response};
use http::request::Parts;
use http::{HeaderValue, StatusCode, header};
use serde::de::DeserializeOwned;

use crate::authjs::csrf::{Csrf, CsrfError};
use crate::authjs::decoder::Decoder;
use crate::authjs::session::Session;
use crate::error::Error;
use crate::integrations::{DecodedSession, SessionSource};

pub use crate::integrations::sign_in::SignInPage;

/// The body of every `401` response: the same whatever went wrong.
const UNAUTHORIZED_BODY: &str = "unauthorized";
/// The body of every `503` response (the session store could not answer).
const UNAVAILABLE_BODY: &str = "service unavailable";
/// The body of every CSRF `403` response.
const FORBIDDEN_BODY: &str = "forbidden: csrf check failed";

/// The session of the request, decoded into `T` ([`Session`] by default).
///
/// Rejects with `401 Unauthorized` and the generic body `unauthorized` when the request has no
/// session or an unusable one; the reason is kept in the [`SessionRejection`] for the server,
/// never sent to the client. `Option<AuthSession<T>>` never rejects: see the
/// [module docs](self) for what each case gives.
///
/// ```
/// use axum::{Json, Router, routing::get};
/// use nextauth_session::integrations::axum::AuthSession;
/// use nextauth_session::{Decoder, Flavor, User};
///
/// async fn me(AuthSession(session): AuthSession) -> Json<User> {
///     Json(session.user())
/// }
///
/// let decoder = Decoder::builder(Flavor::V5).secret("an AUTH_SECRET").build()?;
/// let app: Router = Router::new().route("/me", get(me)).with_state(decoder);
/// # Ok::<(), nextauth_session::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AuthSession<T = Session>(pub T);

/// Why [`AuthSession`] rejected a request. Every variant answers `401` with the same generic
/// body; the variant and its [`Error`] are for logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionRejection {
    /// No session cookie and no `Authorization: Bearer` token.
    #[error("no session")]
    Missing,
    /// A session cookie or Bearer token is present but unusable.
    #[error("invalid session: {0}")]
    Invalid(Error),
    /// The session store (the app's database) could not answer: `503 Service Unavailable`,
    /// not `401`, so that a database outage does not sign everybody out.
    #[error("session store unavailable: {0}")]
    Unavailable(Error),
}

impl SessionRejection {
    /// The decoder's error, for an invalid session.
    pub fn error(&self) -> Option<&Error> {
        match self {
            Self::Missing => None,
            Self::Invalid(e) | Self::Unavailable(e) => Some(e),
        }
    }
}

impl IntoResponse for SessionRejection {
    fn into_response(self) -> Response {
        match self {
            Self::Unavailable(_) => plain(StatusCode::SERVICE_UNAVAILABLE, UNAVAILABLE_BODY),
            Self::Missing | Self::Invalid(_) => plain(StatusCode::UNAUTHORIZED, UNAUTHORIZED_BODY),
        }
    }
}

fn plain(status: StatusCode, body: &'static str) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        body,
    )
        .into_response()
}

/// The request's session: the layer's [`DecodedSession`] when there is one for `T`, else
/// read here from the state's [`SessionSource`].
async fn session_of<T, S>(parts: &Parts, state: &S) -> Result<Option<T>, Error>
where
    T: DeserializeOwned + Clone + Send + Sync + 'static,
    SessionSource: FromRef<S>,
{
    let source = SessionSource::from_ref(state);
    if let Some(decoded) = parts.extensions.get::<DecodedSession<T>>()
        && decoded.is_from(&source)
    {
        return decoded.clone().into_result();
    }
    source.session(&parts.headers).await
}

impl FromRef<Decoder> for SessionSource {
    fn from_ref(decoder: &Decoder) -> Self {
        Self::Jwt(decoder.clone())
    }
}

#[cfg(feature = "better-auth")]
impl FromRef<crate::better_auth::BetterAuth> for SessionSource {
    fn from_ref(reader: &crate::better_auth::BetterAuth) -> Self {
        Self::BetterAuth(reader.clone())
    }
}

#[cfg(any(feature = "postgres", feature = "sqlite"))]
impl FromRef<crate::database::Store> for SessionSource {
    fn from_ref(store: &crate::database::Store) -> Self {
        Self::Database(store.clone())
    }
}

/// `Ok(None)` is a missing session, a store error is `503`, every other error an invalid
/// session.
fn rejection(error: Error) -> SessionRejection {
    match error {
        Error::Store(_) => SessionRejection::Unavailable(error),
        _ => SessionRejection::Invalid(error),
    }
}

impl<T, S> FromRequestParts<S> for AuthSession<T>
where
    T: DeserializeOwned + Clone + Send + Sync + 'static,
    SessionSource: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match session_of::<T, S>(parts, state).await {
            Ok(Some(session)) => Ok(Self(session)),
            Ok(None) => Err(SessionRejection::Missing),
            Err(e) => Err(rejection(e)),
        }
    }
}

impl<T, S> OptionalFromRequestParts<S> for AuthSession<T>
where
    T: DeserializeOwned + Clone + Send + Sync + 'static,
    SessionSource: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = SessionRejection;

    /// `None` for every kind of "no session", as `getToken()`; only a session store that
    /// cannot answer rejects (`503`): a database that is down is not "signed out".
    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        match session_of::<T, S>(parts, state).await {
            Ok(session) => Ok(session.map(Self)),
            Err(e @ Error::Store(_)) => Err(SessionRejection::Unavailable(e)),
            Err(_) => Ok(None),
        }
    }
}

/// The session of the request, or a redirect to the sign-in page: what next-auth's
/// middleware (`withAuth` in v4, `auth` with an `authorized` callback in v5) does for a
/// protected page.
///
/// Without a usable session, the request is answered with `307 Temporary Redirect` to
/// `<sign-in page>?callbackUrl=<path and query of the request>` ([`SignInPage`], default
/// `/api/auth/signin`), as the v4 middleware does. The v5 middleware puts the absolute URL of
/// the request in `callbackUrl`; this extractor always sends the path, which both versions
/// accept, because a service behind a proxy does not reliably know its public origin. Under
/// `Router::nest`, axum strips the prefix from the URI this extractor sees, so the callback is
/// relative to the nested router. A request for the sign-in page itself gets `401` instead of a
/// redirect loop.
#[derive(Debug, Clone, PartialEq)]
pub struct SignedIn<T = Session>(pub T);

/// The rejection of [`SignedIn`]: a redirect to the sign-in page (or `401` for the sign-in page
/// itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInRedirect {
    location: Option<String>,
    /// The session store could not answer: `503` instead of a redirect.
    unavailable: bool,
}

impl SignInRedirect {
    /// The `Location` of the redirect; `None` when the request was for the sign-in page itself
    /// and the response is `401`, or the session store could not answer and it is `503`.
    pub fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }
}

impl IntoResponse for SignInRedirect {
    fn into_response(self) -> Response {
        if self.unavailable {
            return plain(StatusCode::SERVICE_UNAVAILABLE, UNAVAILABLE_BODY);
        }
        let Some(location) = self.location else {
            return plain(StatusCode::UNAUTHORIZED, UNAUTHORIZED_BODY);
        };
        match HeaderValue::try_from(location) {
            Ok(location) => (
                StatusCode::TEMPORARY_REDIRECT,
                [(header::LOCATION, location)],
            )
                .into_response(),
            // Only a configured page with control characters gets here.
            Err(_) => plain(StatusCode::UNAUTHORIZED, UNAUTHORIZED_BODY),
        }
    }
}

impl<T, S> FromRequestParts<S> for SignedIn<T>
where
    T: DeserializeOwned + Clone + Send + Sync + 'static,
    SessionSource: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = SignInRedirect;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match session_of::<T, S>(parts, state).await {
            Ok(Some(session)) => return Ok(Self(session)),
            Err(Error::Store(_)) => {
                return Err(SignInRedirect {
                    location: None,
                    unavailable: true,
                });
            }
            _ => {}
        }
        let default = SignInPage::default();
        let page = parts.extensions.get::<SignInPage>().unwrap_or(&default);
        let location = (parts.uri.path() != page.path()).then(|| {
            let callback = parts
                .uri
                .path_and_query()
                .map_or("/", http::uri::PathAndQuery::as_str);
            page.redirect_url(callback)
        });
        Err(SignInRedirect {
            location,
            unavailable: false,
        })
    }
}

/// Proof that the request passed the CSRF double-submit check: the references' CSRF cookie
/// carries a valid hash and the submitted header (`x-csrf-token` unless configured otherwise)
/// equals its token. See [`Csrf`].
///
/// Takes the [`Csrf`] from the router state through [`FromRef`]. Rejects with
/// `403 Forbidden` and a generic body; put it on state-changing routes (`POST`, `PUT`,
/// `PATCH`, `DELETE`) as an argument of the handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsrfVerified;

/// The rejection of [`CsrfVerified`]: `403` with a generic body; the [`CsrfError`] is for logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("csrf check failed: {0}")]
pub struct CsrfRejection(pub CsrfError);

impl IntoResponse for CsrfRejection {
    fn into_response(self) -> Response {
        plain(StatusCode::FORBIDDEN, FORBIDDEN_BODY)
    }
}

impl<S> FromRequestParts<S> for CsrfVerified
where
    Csrf: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = CsrfRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Csrf::from_ref(state)
            .verify_headers(&parts.headers)
            .map(|()| Self)
            .map_err(CsrfRejection)
    }
}
