//! A tower layer that decodes the session once per request (feature `tower`).
//!
//! [`SessionLayer`] wraps any `tower::Service<http::Request<B>>`: for each request it runs
//! [`Decoder::from_headers`] and inserts the outcome into the request extensions as a
//! [`DecodedSession<T>`]. It never rejects a request; the inner service decides what "no
//! session" means. The axum extractors reuse the stored outcome for the same `T`.
//!
//! ```
//! use http::{Request, header};
//! use nextauth_session::integrations::tower::{DecodedSession, SessionLayer};
//! use nextauth_session::{Decoder, Flavor, Session};
//! use tower::{ServiceBuilder, ServiceExt, service_fn};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let decoder = Decoder::builder(Flavor::V5).secret("an AUTH_SECRET").build()?;
//! let service = ServiceBuilder::new()
//!     .layer(SessionLayer::<Session>::new(decoder))
//!     .service(service_fn(|request: Request<()>| async move {
//!         let decoded = request.extensions().get::<DecodedSession>().expect("the layer ran");
//!         Ok::<_, std::convert::Infallible>(decoded.session().is_some())
//!     }));
//! let request = Request::builder().header(header::COOKIE, "theme=dark").body(())?;
//! assert!(!service.oneshot(request).await?); // no session cookie
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```

use std::marker::PhantomData;
use std::task::{Context, Poll};

use serde::de::DeserializeOwned;
use tower_layer::Layer;
use tower_service::Service;

use crate::decoder::Decoder;
use crate::session::Session;

pub use crate::integrations::DecodedSession;

/// Decodes the session of every request into `T` and stores it as [`DecodedSession<T>`] in the
/// request extensions. See the [module docs](self).
pub struct SessionLayer<T = Session> {
    decoder: Decoder,
    claims: PhantomData<fn() -> T>,
}

impl<T> SessionLayer<T> {
    /// A layer decoding with `decoder`.
    pub fn new(decoder: Decoder) -> Self {
        Self {
            decoder,
            claims: PhantomData,
        }
    }
}

impl<T> Clone for SessionLayer<T> {
    fn clone(&self) -> Self {
        Self::new(self.decoder.clone())
    }
}

impl<T> std::fmt::Debug for SessionLayer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionLayer")
            .field("decoder", &self.decoder)
            .finish()
    }
}

impl<S, T> Layer<S> for SessionLayer<T> {
    type Service = SessionService<S, T>;

    fn layer(&self, inner: S) -> Self::Service {
        SessionService {
            inner,
            decoder: self.decoder.clone(),
            claims: PhantomData,
        }
    }
}

/// The service [`SessionLayer`] produces: decodes, stores, then calls `S`.
pub struct SessionService<S, T = Session> {
    inner: S,
    decoder: Decoder,
    claims: PhantomData<fn() -> T>,
}

impl<S: Clone, T> Clone for SessionService<S, T> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            decoder: self.decoder.clone(),
            claims: PhantomData,
        }
    }
}

impl<S: std::fmt::Debug, T> std::fmt::Debug for SessionService<S, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionService")
            .field("inner", &self.inner)
            .field("decoder", &self.decoder)
            .finish()
    }
}

impl<S, T, B> Service<http::Request<B>> for SessionService<S, T>
where
    S: Service<http::Request<B>>,
    T: DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
        let result = self.decoder.from_headers::<T>(request.headers());
        request.extensions_mut().insert(DecodedSession::new(result));
        self.inner.call(request)
    }
}
