//! An actix-web service that reads the session of a Next.js app (NextAuth.js v4, Auth.js v5, or
//! Better Auth): the same service as `examples/axum.rs`, with the same routes and the same
//! environment, on actix-web 4 (`integrations::actix`).
//!
//! ```text
//! AUTH_SECRET=... cargo run --example actix --features actix
//! NEXTAUTH_FLAVOR=v4 NEXTAUTH_SECRET=... BIND_ADDR=0.0.0.0:8080 cargo run --example actix --features actix
//! ```
//!
//! Configuration, all from the environment (read by `examples/support/config.rs`, shared with
//! the axum example):
//! - the secrets and cookie names as the references read them (`AUTH_SECRET`,
//!   `AUTH_SECRET_1..3`, `NEXTAUTH_SECRET`, `AUTH_URL` / `NEXTAUTH_URL`): see
//!   `Decoder::from_env` and `Csrf::from_env`;
//! - `NEXTAUTH_FLAVOR`: `v5` (default, Auth.js / next-auth@5) or `v4` (next-auth@4);
//! - `DATABASE_URL`: set it when the app uses database sessions: `postgres://...` (feature
//!   `postgres`) or `sqlite://...` (feature `sqlite`); `DATABASE_SCHEMA` names the adapter's
//!   tables (`pg`, `drizzle`, `prisma`, `kysely`; default `prisma`), `SESSION_CACHE_TTL_MS` the
//!   cache's time to live (default 5000);
//! - `BA_MODE` (`database` or `stateless`, feature `better-auth`): Better Auth sessions, with
//!   `BETTER_AUTH_SECRET(S)`, `BETTER_AUTH_URL`, `BA_CACHE` (`compact`, `jwt`, `jwe`, `none`);
//! - `BIND_ADDR`: the address to listen on, default `127.0.0.1:3001`;
//! - `SIGN_IN_URL`: where `/dashboard` sends visitors without a session, default
//!   `/api/auth/signin`.
//!
//! Routes: `GET /` (`{"signed_in": bool}`), `GET /me` (the user, `401` without a session, `503`
//! when the database cannot answer), `GET /session` (database sessions: the app's own
//! `GET /api/auth/session` body), `GET /better-auth/session` (Better Auth: the app's
//! `GET /api/auth/get-session` body), `GET /dashboard` (a redirect to the sign-in page without a
//! session), `POST /posts` (a session and the CSRF double-submit check).
//!
//! The middleware reads each request's session once; the extractors of the routes reuse it.

use std::process::ExitCode;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use nextauth_session::integrations::SessionSource;
use nextauth_session::integrations::actix::{
    AuthSession, CsrfVerified, OptionalAuthSession, SessionMiddleware, SignInPage, SignedIn,
};
use nextauth_session::{Session, User};
use serde_json::{Value, json};

/// The configuration both example services read from the environment.
#[path = "support/config.rs"]
mod config;

async fn index(OptionalAuthSession(session): OptionalAuthSession) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "signed_in": session.is_some() }))
}

async fn me(AuthSession(session): AuthSession) -> web::Json<User> {
    web::Json(session.user())
}

async fn dashboard(SignedIn(session): SignedIn) -> String {
    config::dashboard_page(&session)
}

/// The CSRF extractor runs before the handler body: a request that fails it never gets here.
async fn create_post(
    _csrf: CsrfVerified,
    AuthSession(session): AuthSession<Session>,
    post: web::Json<Value>,
) -> HttpResponse {
    HttpResponse::Ok().json(config::post_created(&session, &post))
}

/// Every `Cookie` line of the request as one header, as the references read them.
#[cfg_attr(
    not(any(feature = "postgres", feature = "sqlite", feature = "better-auth")),
    allow(dead_code)
)]
fn cookie_header(request: &HttpRequest) -> Option<String> {
    let lines: Vec<&str> = request
        .headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .collect();
    (!lines.is_empty()).then(|| lines.join("; "))
}

fn text(status: StatusCode, body: &'static str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(ContentType::plaintext())
        .body(body)
}

/// Database sessions: the body of the app's own `GET /api/auth/session`.
async fn session_body(source: web::Data<SessionSource>, request: HttpRequest) -> HttpResponse {
    match source.get_ref() {
        #[cfg(any(feature = "postgres", feature = "sqlite"))]
        SessionSource::Database(store) => {
            match store
                .from_cookie_header(cookie_header(&request).as_deref())
                .await
            {
                Ok(Some(session)) => HttpResponse::Ok()
                    .content_type(ContentType::json())
                    .body(session.response_json()),
                Ok(None) => text(StatusCode::UNAUTHORIZED, "unauthorized"),
                Err(e) => {
                    eprintln!("session store: {e}");
                    text(StatusCode::SERVICE_UNAVAILABLE, "service unavailable")
                }
            }
        }
        _ => {
            let _ = request;
            text(StatusCode::NOT_FOUND, "database sessions only")
        }
    }
}

/// Better Auth sessions: the body of the app's own `GET /api/auth/get-session`.
#[cfg(feature = "better-auth")]
async fn better_auth_session(
    source: web::Data<SessionSource>,
    request: HttpRequest,
) -> HttpResponse {
    let cookie = cookie_header(&request);
    let cookie = cookie.as_deref();
    let answer = match source.get_ref() {
        SessionSource::BetterAuth(reader) => reader.cached_session(cookie),
        #[cfg(any(feature = "postgres", feature = "sqlite"))]
        SessionSource::BetterAuthDatabase(reader, store) => reader.session(cookie, store).await,
        _ => return text(StatusCode::NOT_FOUND, "better auth sessions only"),
    };
    match answer {
        Ok(Some(session)) => HttpResponse::Ok().json(session),
        Ok(None) => text(StatusCode::UNAUTHORIZED, "unauthorized"),
        Err(nextauth_session::Error::Store(e)) => {
            eprintln!("session store: {e}");
            text(StatusCode::SERVICE_UNAVAILABLE, "service unavailable")
        }
        Err(e) => {
            eprintln!("better auth session: {e}");
            text(StatusCode::UNAUTHORIZED, "unauthorized")
        }
    }
}

#[cfg(not(feature = "better-auth"))]
async fn better_auth_session() -> HttpResponse {
    text(StatusCode::NOT_FOUND, "better auth sessions only")
}

fn main() -> ExitCode {
    // actix-web runs on its own runtime (an actix system: one thread per worker).
    actix_web::rt::System::new().block_on(run())
}

async fn run() -> ExitCode {
    let flavor = match config::flavor() {
        Ok(flavor) => flavor,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let config::Config { source, csrf } = match config::configure(flavor).await {
        Ok(config) => config,
        Err(e) => {
            eprintln!("cannot configure the session source: {e}");
            return ExitCode::from(2);
        }
    };
    let sign_in = std::env::var("SIGN_IN_URL")
        .ok()
        .filter(|url| !url.is_empty())
        .map_or_else(SignInPage::default, SignInPage::new);
    let addr = std::env::var("BIND_ADDR").unwrap_or_else(|_| "127.0.0.1:3001".to_owned());
    let (strategy, cookie) = config::describe(&source);
    let csrf_cookie = csrf.cookie_name().to_owned();
    let (source, csrf) = (web::Data::new(source), web::Data::new(csrf));
    let server = HttpServer::new(move || {
        App::new()
            .app_data(source.clone())
            .app_data(csrf.clone())
            .app_data(sign_in.clone())
            // Reads each request's session once; the extractors of the same source reuse it.
            .wrap(SessionMiddleware::<Session>::new(source.get_ref().clone()))
            .route("/", web::get().to(index))
            .route("/me", web::get().to(me))
            .route("/session", web::get().to(session_body))
            .route("/better-auth/session", web::get().to(better_auth_session))
            .route("/dashboard", web::get().to(dashboard))
            .route("/posts", web::post().to(create_post))
    });
    let server = match server.bind(&addr) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let bound = server
        .addrs()
        .first()
        .map_or(addr, std::string::ToString::to_string);
    eprintln!(
        "listening on http://{bound} ({flavor:?}, {strategy} sessions, session cookie {cookie}, csrf cookie {csrf_cookie})"
    );
    // SIGINT and SIGTERM stop the server gracefully (actix-web's own signal handling).
    match server.run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("server error: {e}");
            ExitCode::FAILURE
        }
    }
}
