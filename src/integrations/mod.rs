//! Optional framework glue, each behind its feature: `integrations::axum` (feature `axum`),
//! `integrations::tower` (feature `tower`) and `integrations::actix` (feature `actix`,
//! actix-web 4).
//!
//! All read sessions from one [`SessionSource`]: a [`Decoder`](crate::Decoder) for JWT
//! sessions or a database [`Store`](crate::database::Store), whichever strategy the Next.js
//! app uses. All share [`DecodedSession`]: the outcome of decoding the session of one request,
//! which the tower layer (or the actix-web middleware) stores in the request extensions and the
//! extractors reuse, so a session is decrypted once per request however many extractors ask
//! for it.

#[cfg(feature = "actix")]
pub mod actix;
#[cfg(feature = "axum")]
pub mod axum;
#[cfg(any(feature = "axum", feature = "actix"))]
mod sign_in;
mod source;
#[cfg(feature = "tower")]
pub mod tower;

pub use source::SessionSource;
use source::SourceId;

use crate::authjs::session::Session;
use crate::error::Error;

/// The session of one request, decoded once: what
/// [`Decoder::from_headers`](crate::Decoder::from_headers) returned for it.
///
/// `integrations::tower::SessionLayer` (feature `tower`) and
/// `integrations::actix::SessionMiddleware` (feature `actix`) insert one into the extensions
/// of every request; read it with `request.extensions().get::<DecodedSession<T>>()`. The
/// extractors use it instead of reading again only when it is there with the same `T` *and*
/// came from the same session source as the route's own state (the same `Decoder`, `Store` or
/// reader instance, or a clone of it): under one global layer, a route whose state holds
/// another source (an admin session with its own secret and cookie name) reads its own session.
#[derive(Debug, Clone)]
pub struct DecodedSession<T = Session> {
    result: Result<Option<T>, Error>,
    source: Option<SourceId>,
}

impl<T> DecodedSession<T> {
    /// Wraps the result of [`Decoder::from_headers`](crate::Decoder::from_headers) (or
    /// [`Decoder::session`](crate::Decoder::session)). Bound to no source: the extractors
    /// never take it for a route's session.
    pub fn new(result: Result<Option<T>, Error>) -> Self {
        Self {
            result,
            source: None,
        }
    }

    /// A result read from `source`, as the layer stores it.
    #[cfg_attr(not(any(feature = "tower", feature = "actix")), allow(dead_code))]
    pub(crate) fn from_source(result: Result<Option<T>, Error>, source: &SessionSource) -> Self {
        Self {
            result,
            source: Some(source.id()),
        }
    }

    /// Whether this result came from `source`.
    #[cfg_attr(not(any(feature = "axum", feature = "actix")), allow(dead_code))]
    pub(crate) fn is_from(&self, source: &SessionSource) -> bool {
        self.source == Some(source.id())
    }

    /// The session, or `None` for every kind of "no session" (`getToken()` parity).
    pub fn session(&self) -> Option<&T> {
        self.result.as_ref().ok().and_then(Option::as_ref)
    }

    /// The full outcome: `Ok(None)` when the request carries no session, `Err` when it
    /// carries one that cannot be used (expired, wrong secret, tampered, ...).
    ///
    /// # Errors
    /// The [`Error`] the decoder returned for the request's session cookie or Bearer token.
    pub fn result(&self) -> Result<Option<&T>, &Error> {
        self.result.as_ref().map(Option::as_ref)
    }

    /// Takes the outcome out.
    ///
    /// # Errors
    /// As [`result`](Self::result).
    pub fn into_result(self) -> Result<Option<T>, Error> {
        self.result
    }
}
