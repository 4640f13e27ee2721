//! A tower layer that reads the session once per request (feature `tower`).
//!
//! [`SessionLayer`] wraps any `tower::Service<http::Request<B>>` (cloneable, as axum's
//! routers are): for each request it reads the session from its [`SessionSource`] (decodes the
//! JWT session cookie with a [`Decoder`](crate::Decoder), or looks the token up in the
//! database with a [`Store`](crate::database::Store)) and inserts the outcome into the request
//! extensions as a [`DecodedSession<T>`]. It never rejects a request; the inner service decides what "no
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

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use serde::de::DeserializeOwned;
use tower_layer::Layer;
use tower_service::Service;

use crate::authjs::session::Session;
use crate::integrations::SessionSource;

pub use crate::integrations::DecodedSession;

/// Reads the session of every request into `T` and stores it as [`DecodedSession<T>`] in the
/// request extensions. See the [module docs](self).
pub struct SessionLayer<T = Session> {
    source: SessionSource,
    claims: PhantomData<fn() -> T>,
}

impl<T> SessionLayer<T> {
    /// A layer reading sessions from `source`: a [`Decoder`](crate::Decoder), a database
    /// [`Store`](crate::database::Store) or a [`SessionSource`].
    pub fn new(source: impl Into<SessionSource>) -> Self {
        Self {
            source: source.into(),
            claims: PhantomData,
        }
    }
}

impl<T> Clone for SessionLayer<T> {
    fn clone(&self) -> Self {
        Self {
            source: self.source.clone(),
            claims: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for SessionLayer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionLayer")
            .field("source", &self.source)
            .finish()
    }
}

impl<S, T> Layer<S> for SessionLayer<T> {
    type Service = SessionService<S, T>;

    fn layer(&self, inner: S) -> Self::Service {
        SessionService {
            inner,
            source: self.source.clone(),
            claims: PhantomData,
        }
    }
}

/// The service [`SessionLayer`] produces: reads the session, stores it, then calls `S`.
pub struct SessionService<S, T = Session> {
    inner: S,
    source: SessionSource,
    claims: PhantomData<fn() -> T>,
}

impl<S: Clone, T> Clone for SessionService<S, T> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            source: self.source.clone(),
            claims: PhantomData,
        }
    }
}

impl<S: std::fmt::Debug, T> std::fmt::Debug for SessionService<S, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionService")
            .field("inner", &self.inner)
            .field("source", &self.source)
            .finish()
    }
}

type BoxFuture<R, E> = Pin<Box<dyn Future<Output = Result<R, E>> + Send>>;

pin_project_lite::pin_project! {
    /// The response future of [`SessionService`]: the inner service's own future when the
    /// session was read in place (JWT), a boxed one when it needed a database lookup first.
    pub struct ResponseFuture<F, R, E> {
        #[pin]
        kind: Kind<F, R, E>,
    }
}

pin_project_lite::pin_project! {
    #[project = KindProjection]
    enum Kind<F, R, E> {
        Inner { #[pin] future: F },
        Lookup { future: BoxFuture<R, E> },
    }
}

impl<F, R, E> Future for ResponseFuture<F, R, E>
where
    F: Future<Output = Result<R, E>>,
{
    type Output = Result<R, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().kind.project() {
            KindProjection::Inner { future } => future.poll(cx),
            KindProjection::Lookup { future } => future.as_mut().poll(cx),
        }
    }
}

impl<S, T, B> Service<http::Request<B>> for SessionService<S, T>
where
    S: Service<http::Request<B>> + Clone + Send + 'static,
    S::Future: Send,
    B: Send + 'static,
    T: DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, S::Response, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
        match &self.source {
            SessionSource::Jwt(decoder) => {
                let result = decoder.from_headers::<T>(request.headers());
                let decoded = DecodedSession::from_source(result, &self.source);
                request.extensions_mut().insert(decoded);
                ResponseFuture {
                    kind: Kind::Inner {
                        future: self.inner.call(request),
                    },
                }
            }
            // Every other source may wait (a database): read first, then call the service.
            #[allow(unreachable_patterns)] // with the JWT source alone
            _ => {
                // The service polled ready is the one to call; a clone takes its place.
                let ready = self.inner.clone();
                let mut inner = std::mem::replace(&mut self.inner, ready);
                let source = self.source.clone();
                ResponseFuture {
                    kind: Kind::Lookup {
                        future: Box::pin(async move {
                            let result = source.session::<T>(request.headers()).await;
                            let decoded = DecodedSession::from_source(result, &source);
                            request.extensions_mut().insert(decoded);
                            inner.call(request).await
                        }),
                    },
                }
            }
        }
    }
}
