//! actix-web 4 extractors and middleware (feature `actix`; `actix-web` without its default
//! features).
//!
//! | extractor | no session | invalid session (expired, wrong secret, tampered, ...) | session store down or slow (database sessions) | session |
//! |---|---|---|---|---|
//! | [`AuthSession<T>`] | `401`, generic body | `401`, the same generic body | `503`, generic body | `AuthSession(T)` |
//! | [`OptionalAuthSession<T>`] | `OptionalAuthSession(None)` | `OptionalAuthSession(None)` (`getToken()` parity) | `503` | `OptionalAuthSession(Some(T))` |
//! | `Option<AuthSession<T>>` | `None` | `None` | `None` (actix-web's `Option<E>` turns every rejection into `None`: use `OptionalAuthSession` with database sessions) | `Some(AuthSession(T))` |
//! | `Result<AuthSession<T>, SessionRejection>` | `Err(SessionRejection::Missing)` | `Err(SessionRejection::Invalid(error))` | `Err(SessionRejection::Unavailable(error))` | `Ok(AuthSession(T))` |
//! | [`SignedIn<T>`] | `307` to the sign-in page | `307` to the sign-in page | `503` | `SignedIn(T)` |
//! | [`CsrfVerified`] | - | - | - | `403` unless the CSRF cookie and the `x-csrf-token` header match |
//!
//! The bodies are the axum extractors' (`integrations::axum`): `unauthorized`,
//! `service unavailable`, `forbidden: csrf check failed`, as `text/plain`; the reason stays in
//! the rejection, for the server's logs.
//!
//! Configuration is app data, as actix-web's own extractors take theirs: the session extractors
//! read a `web::Data<`[`SessionSource`]`>` (a [`Decoder`](crate::Decoder) for JWT sessions, a
//! database [`Store`](crate::database::Store), a Better Auth reader), [`CsrfVerified`] a
//! `web::Data<`[`Csrf`]`>`, [`SignedIn`] an optional [`SignInPage`]. Data set on a scope or a
//! resource wins over the app's, so each scope can have its own session source. Without a
//! `web::Data<SessionSource>` the extractors answer `500`, as actix-web's `web::Data` does.
//!
//! [`SessionMiddleware`] reads the session once per request and stores the outcome as a
//! [`DecodedSession<T>`] in the request extensions (`web::ReqData<DecodedSession<T>>` reads
//! it); the extractors use it when it came from the same source as their own
//! `web::Data<SessionSource>` (the same instance, or a clone of it), and read the request
//! themselves otherwise: under one middleware on the whole app, a scope with another source (an
//! admin area with its own secret and cookie name) reads its own session.
//!
//! ```
//! use actix_web::{App, HttpResponse, web};
//! use nextauth_session::integrations::SessionSource;
//! use nextauth_session::integrations::actix::{AuthSession, SessionMiddleware};
//! use nextauth_session::{Decoder, Flavor, Session};
//!
//! async fn me(AuthSession(session): AuthSession) -> HttpResponse {
//!     HttpResponse::Ok().json(session.user())
//! }
//!
//! let decoder = Decoder::builder(Flavor::V5).secret("an AUTH_SECRET").build()?;
//! let source = web::Data::new(SessionSource::from(decoder));
//! let app = move || {
//!     App::new()
//!         .app_data(source.clone())
//!         .wrap(SessionMiddleware::<Session>::new(source.get_ref().clone()))
//!         .route("/me", web::get().to(me))
//! };
//! // actix_web::HttpServer::new(app).bind(("127.0.0.1", 8080))?.run().await
//! # let _ = app;
//! # Ok::<(), nextauth_session::Error>(())
//! ```

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use actix_web::body::BoxBody;
use actix_web::dev::{Payload, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError, web};
use serde::de::DeserializeOwned;

use crate::authjs::csrf::{Csrf, CsrfError};
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
/// The body of the `500` response to a route without its configuration.
const MISCONFIGURED_BODY: &str = "internal server error";

fn plain(status: StatusCode, body: &'static str) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        ))
        .body(body)
}

/// The request's `Cookie` lines, its `Authorization` header and `extra` (a CSRF header) as an
/// `http` 1 header map, which the session sources read (actix-web 4 has its own header types).
fn http_headers(headers: &HeaderMap, extra: Option<&str>) -> http::HeaderMap {
    fn copy<'a>(
        out: &mut http::HeaderMap,
        name: &http::HeaderName,
        values: impl Iterator<Item = &'a HeaderValue>,
    ) {
        for value in values {
            // actix-web parsed these as header values; the same bytes are one for `http` too.
            if let Ok(value) = http::HeaderValue::from_bytes(value.as_bytes()) {
                out.append(name.clone(), value);
            }
        }
    }
    let mut out = http::HeaderMap::new();
    copy(
        &mut out,
        &http::header::COOKIE,
        headers.get_all(header::COOKIE),
    );
    copy(
        &mut out,
        &http::header::AUTHORIZATION,
        headers.get_all(header::AUTHORIZATION),
    );
    if let Some(name) = extra
        && let Ok(http_name) = http::HeaderName::try_from(name)
    {
        copy(&mut out, &http_name, headers.get_all(name));
    }
    out
}

/// The outcome of reading one request's session: `None` when the route has no
/// `web::Data<SessionSource>`.
type Read<T> = Option<Result<Option<T>, Error>>;

/// Reading a request's session: done at once (a JWT session, the middleware's result, no
/// source) or waiting for the database.
enum Reading<T> {
    Ready(Read<T>),
    Pending(Pin<Box<dyn Future<Output = Result<Option<T>, Error>>>>),
}

/// Starts reading the session of `req`: the middleware's [`DecodedSession`] when it came from
/// the route's own source, else read here from that source.
fn read<T>(req: &HttpRequest) -> Reading<T>
where
    T: DeserializeOwned + Clone + 'static,
{
    let Some(source) = req.app_data::<web::Data<SessionSource>>() else {
        return Reading::Ready(None);
    };
    if let Some(decoded) = req.extensions().get::<DecodedSession<T>>()
        && decoded.is_from(source)
    {
        return Reading::Ready(Some(decoded.clone().into_result()));
    }
    let headers = http_headers(req.headers(), None);
    match source.get_ref() {
        SessionSource::Jwt(decoder) => Reading::Ready(Some(decoder.from_headers(&headers))),
        // Every other source may wait (a database).
        #[allow(unreachable_patterns)] // with the JWT source alone
        _ => {
            let source = source.clone();
            Reading::Pending(Box::pin(async move { source.session::<T>(&headers).await }))
        }
    }
}

/// The future of the session extractors: ready at once for a JWT session or the middleware's
/// result, a database lookup otherwise.
pub struct SessionFuture<T, R> {
    request: HttpRequest,
    reading: Reading<T>,
    finish: fn(&HttpRequest, Read<T>) -> R,
}

// The future never pins its fields: it moves the outcome out.
impl<T, R> Unpin for SessionFuture<T, R> {}

impl<T, R> SessionFuture<T, R>
where
    T: DeserializeOwned + Clone + 'static,
{
    fn new(request: &HttpRequest, finish: fn(&HttpRequest, Read<T>) -> R) -> Self {
        Self {
            request: request.clone(),
            reading: read(request),
            finish,
        }
    }
}

impl<T, R> Future for SessionFuture<T, R> {
    type Output = R;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<R> {
        let this = self.get_mut();
        let read = match &mut this.reading {
            Reading::Pending(future) => match future.as_mut().poll(cx) {
                Poll::Ready(result) => Some(result),
                Poll::Pending => return Poll::Pending,
            },
            // Polled again after it finished (a caller's bug): answered as "no source", `500`.
            Reading::Ready(read) => read.take(),
        };
        this.reading = Reading::Ready(None);
        Poll::Ready((this.finish)(&this.request, read))
    }
}

impl<T, R> std::fmt::Debug for SessionFuture<T, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionFuture").finish_non_exhaustive()
    }
}

// ---- AuthSession ------------------------------------------------------------------------------

/// The session of the request, decoded into `T` ([`Session`] by default).
///
/// Rejects with `401 Unauthorized` and the generic body `unauthorized` when the request has no
/// session or an unusable one, `503` when the session store cannot answer; the reason is kept
/// in the [`SessionRejection`] for the server, never sent to the client. See the
/// [module docs](self) for what each extractor gives.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthSession<T = Session>(pub T);

/// Why [`AuthSession`] (or [`OptionalAuthSession`]) rejected a request. `Missing` and
/// `Invalid` answer `401` with the same generic body, `Unavailable` `503`, `NoSource` `500`;
/// the variant and its [`Error`] are for logs.
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
    /// The route has no `web::Data<SessionSource>` (a configuration error): `500`.
    #[error("no web::Data<SessionSource> in the app data")]
    NoSource,
}

impl SessionRejection {
    /// The decoder's (or the store's) error, for an invalid session or a store that is down.
    pub fn error(&self) -> Option<&Error> {
        match self {
            Self::Missing | Self::NoSource => None,
            Self::Invalid(e) | Self::Unavailable(e) => Some(e),
        }
    }
}

impl ResponseError for SessionRejection {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Missing | Self::Invalid(_) => StatusCode::UNAUTHORIZED,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::NoSource => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        let body = match self {
            Self::Missing | Self::Invalid(_) => UNAUTHORIZED_BODY,
            Self::Unavailable(_) => UNAVAILABLE_BODY,
            Self::NoSource => MISCONFIGURED_BODY,
        };
        plain(self.status_code(), body)
    }
}

/// A store error is `503`, every other error an invalid session.
fn rejection(error: Error) -> SessionRejection {
    match error {
        Error::Store(_) => SessionRejection::Unavailable(error),
        _ => SessionRejection::Invalid(error),
    }
}

impl<T> FromRequest for AuthSession<T>
where
    T: DeserializeOwned + Clone + 'static,
{
    type Error = SessionRejection;
    type Future = SessionFuture<T, Result<Self, SessionRejection>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        SessionFuture::new(req, |_, read| match read {
            Some(Ok(Some(session))) => Ok(Self(session)),
            Some(Ok(None)) => Err(SessionRejection::Missing),
            Some(Err(e)) => Err(rejection(e)),
            None => Err(SessionRejection::NoSource),
        })
    }
}

/// The session of the request if it has a usable one: `None` for every kind of "no session"
/// (no cookie, expired, wrong secret, tampered, ...), as `getToken()`; only a session store
/// that cannot answer rejects (`503`): a database that is down is not "signed out".
///
/// actix-web's own `Option<AuthSession<T>>` gives `None` for every rejection, a database
/// outage included; with database sessions, take this one.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionalAuthSession<T = Session>(pub Option<T>);

impl<T> FromRequest for OptionalAuthSession<T>
where
    T: DeserializeOwned + Clone + 'static,
{
    type Error = SessionRejection;
    type Future = SessionFuture<T, Result<Self, SessionRejection>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        SessionFuture::new(req, |_, read| match read {
            Some(Ok(session)) => Ok(Self(session)),
            Some(Err(e @ Error::Store(_))) => Err(SessionRejection::Unavailable(e)),
            Some(Err(_)) => Ok(Self(None)),
            None => Err(SessionRejection::NoSource),
        })
    }
}

// ---- SignedIn -------------------------------------------------------------------------------

/// The session of the request, or a redirect to the sign-in page: what next-auth's
/// middleware (`withAuth` in v4, `auth` with an `authorized` callback in v5) does for a
/// protected page.
///
/// Without a usable session, the request is answered with `307 Temporary Redirect` to
/// `<sign-in page>?callbackUrl=<path and query of the request>` ([`SignInPage`] from the app
/// data, default `/api/auth/signin`), as the v4 middleware does; the path is the whole path
/// of the request, scope prefix included. A request for the sign-in page itself gets `401`
/// instead of a redirect loop, a session store that cannot answer `503`.
#[derive(Debug, Clone, PartialEq)]
pub struct SignedIn<T = Session>(pub T);

/// The rejection of [`SignedIn`]: a redirect to the sign-in page, or `401` for the sign-in page
/// itself, `503` when the session store could not answer, `500` without a session source.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no usable session: sign in")]
pub struct SignInRedirect {
    location: Option<String>,
    status: StatusCode,
}

impl SignInRedirect {
    /// The `Location` of the redirect; `None` when the response is not a redirect (`401` for
    /// the sign-in page itself, `503`, `500`).
    pub fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }

    fn answer(status: StatusCode) -> Self {
        Self {
            location: None,
            status,
        }
    }
}

impl ResponseError for SignInRedirect {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        match self.status {
            StatusCode::SERVICE_UNAVAILABLE => plain(self.status, UNAVAILABLE_BODY),
            StatusCode::INTERNAL_SERVER_ERROR => plain(self.status, MISCONFIGURED_BODY),
            _ => match self
                .location
                .as_deref()
                .map(HeaderValue::from_str)
                .and_then(Result::ok)
            {
                Some(location) => HttpResponse::TemporaryRedirect()
                    .insert_header((header::LOCATION, location))
                    .finish(),
                // The sign-in page itself, or a configured page with control characters.
                None => plain(StatusCode::UNAUTHORIZED, UNAUTHORIZED_BODY),
            },
        }
    }
}

impl<T> FromRequest for SignedIn<T>
where
    T: DeserializeOwned + Clone + 'static,
{
    type Error = SignInRedirect;
    type Future = SessionFuture<T, Result<Self, SignInRedirect>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        SessionFuture::new(req, |req, read| match read {
            Some(Ok(Some(session))) => Ok(Self(session)),
            Some(Err(Error::Store(_))) => {
                Err(SignInRedirect::answer(StatusCode::SERVICE_UNAVAILABLE))
            }
            None => Err(SignInRedirect::answer(StatusCode::INTERNAL_SERVER_ERROR)),
            Some(_) => {
                let default = SignInPage::default();
                let page = req.app_data::<SignInPage>().unwrap_or(&default);
                let uri = req.uri();
                let callback = uri
                    .path_and_query()
                    .map_or("/", actix_web::http::uri::PathAndQuery::as_str);
                Err(SignInRedirect {
                    location: page.redirect_for(uri.path(), callback),
                    status: StatusCode::TEMPORARY_REDIRECT,
                })
            }
        })
    }
}

// ---- CSRF -------------------------------------------------------------------------------------

/// Proof that the request passed the CSRF double-submit check: the references' CSRF cookie
/// carries a valid hash and the submitted header (`x-csrf-token` unless configured otherwise)
/// equals its token. See [`Csrf`].
///
/// Takes the [`Csrf`] from a `web::Data<Csrf>` in the app data. Rejects with `403 Forbidden`
/// and a generic body; put it on state-changing routes (`POST`, `PUT`, `PATCH`, `DELETE`) as
/// an argument of the handler, before the body extractors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsrfVerified;

/// The rejection of [`CsrfVerified`]: `403` with a generic body (the [`CsrfError`] is for
/// logs), or `500` when the route has no `web::Data<Csrf>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CsrfRejection {
    /// The check failed: `403`.
    #[error("csrf check failed: {0}")]
    Failed(CsrfError),
    /// The route has no `web::Data<Csrf>` (a configuration error): `500`.
    #[error("no web::Data<Csrf> in the app data")]
    NoConfig,
}

impl ResponseError for CsrfRejection {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Failed(_) => StatusCode::FORBIDDEN,
            Self::NoConfig => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        match self {
            Self::Failed(_) => plain(StatusCode::FORBIDDEN, FORBIDDEN_BODY),
            Self::NoConfig => plain(StatusCode::INTERNAL_SERVER_ERROR, MISCONFIGURED_BODY),
        }
    }
}

impl FromRequest for CsrfVerified {
    type Error = CsrfRejection;
    type Future = std::future::Ready<Result<Self, CsrfRejection>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(csrf) = req.app_data::<web::Data<Csrf>>() else {
            return std::future::ready(Err(CsrfRejection::NoConfig));
        };
        let headers = http_headers(req.headers(), Some(csrf.header_name()));
        std::future::ready(
            csrf.verify_headers(&headers)
                .map(|()| Self)
                .map_err(CsrfRejection::Failed),
        )
    }
}

// ---- the middleware ---------------------------------------------------------------------------

/// An actix-web middleware (`App::wrap`, `Scope::wrap`) that reads the session of every
/// request into `T` once and stores it as [`DecodedSession<T>`] in the request extensions. It
/// never rejects a request; the handler's extractors decide what "no session" means. See the
/// [module docs](self).
pub struct SessionMiddleware<T = Session> {
    source: SessionSource,
    claims: PhantomData<fn() -> T>,
}

impl<T> SessionMiddleware<T> {
    /// A middleware reading sessions from `source`: a [`Decoder`](crate::Decoder), a database
    /// [`Store`](crate::database::Store) or a [`SessionSource`]. The extractors take its
    /// result on the routes whose `web::Data<SessionSource>` is this source (or a clone).
    pub fn new(source: impl Into<SessionSource>) -> Self {
        Self {
            source: source.into(),
            claims: PhantomData,
        }
    }
}

impl<T> Clone for SessionMiddleware<T> {
    fn clone(&self) -> Self {
        Self {
            source: self.source.clone(),
            claims: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for SessionMiddleware<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionMiddleware")
            .field("source", &self.source)
            .finish()
    }
}

impl<S, B, T> Transform<S, ServiceRequest> for SessionMiddleware<T>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>> + 'static,
    S::Future: 'static,
    S::Error: 'static,
    B: 'static,
    T: DeserializeOwned + Clone + 'static,
{
    type Response = ServiceResponse<B>;
    type Error = S::Error;
    type Transform = SessionMiddlewareService<S, T>;
    type InitError = ();
    type Future = std::future::Ready<Result<Self::Transform, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        std::future::ready(Ok(SessionMiddlewareService {
            service: Rc::new(service),
            source: self.source.clone(),
            claims: PhantomData,
        }))
    }
}

/// The service [`SessionMiddleware`] wraps around the app: reads the session, stores it, then
/// calls the app.
pub struct SessionMiddlewareService<S, T = Session> {
    service: Rc<S>,
    source: SessionSource,
    claims: PhantomData<fn() -> T>,
}

impl<S, T> std::fmt::Debug for SessionMiddlewareService<S, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionMiddlewareService")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl<S, B, T> Service<ServiceRequest> for SessionMiddlewareService<S, T>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>> + 'static,
    S::Future: 'static,
    S::Error: 'static,
    B: 'static,
    T: DeserializeOwned + Clone + 'static,
{
    type Response = ServiceResponse<B>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<ServiceResponse<B>, S::Error>>>>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let headers = http_headers(req.headers(), None);
        match &self.source {
            SessionSource::Jwt(decoder) => {
                let result = decoder.from_headers::<T>(&headers);
                req.extensions_mut()
                    .insert(DecodedSession::from_source(result, &self.source));
                Box::pin(self.service.call(req))
            }
            // Every other source may wait (a database): read first, then call the app.
            #[allow(unreachable_patterns)] // with the JWT source alone
            _ => {
                let service = Rc::clone(&self.service);
                let source = self.source.clone();
                Box::pin(async move {
                    let result = source.session::<T>(&headers).await;
                    req.extensions_mut()
                        .insert(DecodedSession::from_source(result, &source));
                    service.call(req).await
                })
            }
        }
    }
}
