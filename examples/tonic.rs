//! A tonic (gRPC) service that reads the session of a Next.js app from the `cookie` metadata a
//! gateway forwards from the browser.
//!
//! ```text
//! AUTH_SECRET=... cargo run --example tonic --features tower
//! DATABASE_URL=sqlite://app.db cargo run --example tonic --features tower,sqlite
//! ```
//!
//! - JWT sessions (`AUTH_SECRET` / `NEXTAUTH_SECRET`, `NEXTAUTH_FLAVOR`, as
//!   `Decoder::from_env`): [`JwtInterceptor`], a synchronous `tonic::service::Interceptor`,
//!   decodes the session cookie (or an `authorization: Bearer` token) and puts the [`Session`]
//!   into the request's extensions;
//! - database sessions (`DATABASE_URL`, `DATABASE_SCHEMA`, features `postgres` / `sqlite`): a
//!   lookup cannot run in a synchronous interceptor, so the crate's tower layer
//!   (`integrations::tower::SessionLayer`, on `Server::builder().layer(...)`) reads the session
//!   once per call, and [`RequireSession`], an interceptor, turns its outcome into the
//!   `Session` extension or a status.
//!
//! Either way the handler finds the `Session` in `request.extensions()`. Without a usable
//! session a call ends with `UNAUTHENTICATED` and the same message whatever went wrong; when
//! the database cannot answer, with `UNAVAILABLE` (a database that is down is not "signed out").
//!
//! The service is written by hand (no `.proto` file, no `protoc`): one unary method,
//! `/session.v1.Sessions/WhoAmI`, with prost messages declared with `#[derive(prost::Message)]`.
//! `BIND_ADDR` sets the address, default `127.0.0.1:50051`.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;
use std::task::{Context, Poll};

use nextauth_session::integrations::tower::{DecodedSession, SessionLayer};
use nextauth_session::{Decoder, Error, Flavor, Session};
use tonic::body::Body;
use tonic::server::NamedService;
use tonic::service::Interceptor;
use tonic::{Request, Response, Status};

/// The request of `WhoAmI`: no fields.
#[derive(Clone, PartialEq, prost::Message)]
pub struct WhoAmIRequest {}

/// The reply of `WhoAmI`: the session's user.
#[derive(Clone, PartialEq, prost::Message)]
pub struct WhoAmIReply {
    /// The user's name (empty when the session has none).
    #[prost(string, tag = "1")]
    pub name: String,
    /// The user's e-mail address (empty when the session has none).
    #[prost(string, tag = "2")]
    pub email: String,
    /// The user's image URL (empty when the session has none).
    #[prost(string, tag = "3")]
    pub image: String,
}

/// The service's name.
pub const SERVICE: &str = "session.v1.Sessions";
/// The path of its one method.
pub const WHO_AM_I: &str = "/session.v1.Sessions/WhoAmI";

/// The message of every `UNAUTHENTICATED` status: the same whatever went wrong.
pub const UNAUTHENTICATED: &str = "unauthenticated";

/// The handler: the session an interceptor put into the extensions.
fn who_am_i(request: &Request<WhoAmIRequest>) -> Result<Response<WhoAmIReply>, Status> {
    let session = request
        .extensions()
        .get::<Session>()
        // Only a server without an interceptor gets here.
        .ok_or_else(|| Status::unauthenticated(UNAUTHENTICATED))?;
    let user = session.user();
    Ok(Response::new(WhoAmIReply {
        name: user.name.unwrap_or_default(),
        email: user.email.unwrap_or_default(),
        image: user.image.unwrap_or_default(),
    }))
}

/// The gRPC service, written as the code `tonic-build` would generate: a
/// `tower::Service<http::Request<Body>>` that routes by path and runs the unary method with
/// prost's codec.
#[derive(Debug, Clone, Default)]
pub struct SessionsServer;

impl NamedService for SessionsServer {
    const NAME: &'static str = SERVICE;
}

impl tower::Service<http::Request<Body>> for SessionsServer {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        if request.uri().path() != WHO_AM_I {
            return Box::pin(async { Ok(Status::unimplemented("").into_http()) });
        }
        Box::pin(async move {
            let codec = tonic_prost::ProstCodec::<WhoAmIReply, WhoAmIRequest>::default();
            let method =
                tower::service_fn(
                    |request: Request<WhoAmIRequest>| async move { who_am_i(&request) },
                );
            Ok(tonic::server::Grpc::new(codec).unary(method, request).await)
        })
    }
}

/// JWT sessions: decodes the session cookie from the `cookie` metadata (every line, as a
/// gateway may forward several), or an `authorization: Bearer` token, synchronously, and puts
/// the [`Session`] into the request's extensions; `UNAUTHENTICATED` without a usable one.
#[derive(Debug, Clone)]
pub struct JwtInterceptor {
    decoder: Decoder,
}

impl JwtInterceptor {
    /// An interceptor decoding sessions with `decoder`.
    pub fn new(decoder: Decoder) -> Self {
        Self { decoder }
    }
}

impl Interceptor for JwtInterceptor {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        // gRPC metadata is HTTP/2 headers: the decoder reads them as it reads a request's.
        let headers = request.metadata().clone().into_headers();
        match self.decoder.from_headers::<Session>(&headers) {
            Ok(Some(session)) => {
                request.extensions_mut().insert(session);
                Ok(request)
            }
            // No session, or an unusable one (expired, wrong secret, tampered): one answer.
            Ok(None) | Err(_) => Err(Status::unauthenticated(UNAUTHENTICATED)),
        }
    }
}

/// Database sessions (and any source the tower layer reads): turns the [`DecodedSession`] that
/// `SessionLayer::<Session>` stored into the [`Session`] extension, `UNAUTHENTICATED` without a
/// usable session, or `UNAVAILABLE` when the session store could not answer.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequireSession;

impl Interceptor for RequireSession {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        let decoded = request
            .extensions_mut()
            .remove::<DecodedSession<Session>>()
            .ok_or_else(|| Status::internal("no SessionLayer::<Session> on the server"))?;
        match decoded.into_result() {
            Ok(Some(session)) => {
                request.extensions_mut().insert(session);
                Ok(request)
            }
            Err(Error::Store(_)) => Err(Status::unavailable("session store unavailable")),
            Ok(None) | Err(_) => Err(Status::unauthenticated(UNAUTHENTICATED)),
        }
    }
}

/// Serves the JWT variant on `listener` until `shutdown` completes.
pub async fn serve_jwt(
    listener: tokio::net::TcpListener,
    decoder: Decoder,
    shutdown: impl Future<Output = ()>,
) -> Result<(), tonic::transport::Error> {
    let service = tonic::service::interceptor::InterceptedService::new(
        SessionsServer,
        JwtInterceptor::new(decoder),
    );
    tonic::transport::Server::builder()
        .add_service(service)
        .serve_with_incoming_shutdown(
            tonic::transport::server::TcpIncoming::from(listener),
            shutdown,
        )
        .await
}

/// Serves the layer variant (database sessions: `source` is a `Store`, or any other
/// `SessionSource`) on `listener` until `shutdown` completes.
pub async fn serve_with_layer(
    listener: tokio::net::TcpListener,
    source: impl Into<nextauth_session::integrations::SessionSource>,
    shutdown: impl Future<Output = ()>,
) -> Result<(), tonic::transport::Error> {
    let service =
        tonic::service::interceptor::InterceptedService::new(SessionsServer, RequireSession);
    tonic::transport::Server::builder()
        .layer(SessionLayer::<Session>::new(source))
        .add_service(service)
        .serve_with_incoming_shutdown(
            tonic::transport::server::TcpIncoming::from(listener),
            shutdown,
        )
        .await
}

#[tokio::main]
async fn main() -> ExitCode {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let flavor = match var("NEXTAUTH_FLAVOR").as_deref() {
        None | Some("v5") => Flavor::V5,
        Some("v4") => Flavor::V4,
        Some(other) => {
            eprintln!("NEXTAUTH_FLAVOR={other:?}: use v4 or v5");
            return ExitCode::from(2);
        }
    };
    let addr = var("BIND_ADDR").unwrap_or_else(|| "127.0.0.1:50051".to_owned());
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let bound = listener.local_addr().map_or(addr, |a| a.to_string());
    let shutdown = async {
        // Ctrl-C stops the server; if the signal handler cannot be installed, run until killed.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let served = match var("DATABASE_URL") {
        #[cfg(any(feature = "postgres", feature = "sqlite"))]
        Some(url) => {
            use nextauth_session::database::{Schema, Store};
            let name = var("DATABASE_SCHEMA").unwrap_or_else(|| "prisma".to_owned());
            let Some(schema) = Schema::by_name(&name) else {
                eprintln!("DATABASE_SCHEMA={name:?} is not an adapter preset");
                return ExitCode::from(2);
            };
            let store = match Store::connect(&url, schema).await {
                Ok(store) => store.flavor(flavor),
                Err(e) => {
                    eprintln!("cannot connect to the database: {e}");
                    return ExitCode::from(2);
                }
            };
            eprintln!("listening on http://{bound} (gRPC, {flavor:?}, database sessions)");
            serve_with_layer(listener, store, shutdown).await
        }
        #[cfg(not(any(feature = "postgres", feature = "sqlite")))]
        Some(_) => {
            eprintln!("DATABASE_URL is set: build with --features postgres (or sqlite)");
            return ExitCode::from(2);
        }
        None => {
            let decoder = match Decoder::from_env(flavor) {
                Ok(decoder) => decoder,
                Err(e) => {
                    eprintln!("cannot configure the decoder: {e}");
                    return ExitCode::from(2);
                }
            };
            eprintln!("listening on http://{bound} (gRPC, {flavor:?}, JWT sessions)");
            serve_jwt(listener, decoder, shutdown).await
        }
    };
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("server error: {e}");
            ExitCode::FAILURE
        }
    }
}
