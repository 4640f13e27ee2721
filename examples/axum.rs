//! An axum service that reads the session of a Next.js app (NextAuth.js v4 or Auth.js v5).
//!
//! ```text
//! AUTH_SECRET=... cargo run --example axum --features axum
//! NEXTAUTH_FLAVOR=v4 NEXTAUTH_SECRET=... BIND_ADDR=0.0.0.0:8080 cargo run --example axum --features axum
//! ```
//!
//! Configuration, all from the environment:
//! - the secrets and cookie names as the references read them (`AUTH_SECRET`,
//!   `AUTH_SECRET_1..3`, `NEXTAUTH_SECRET`, `AUTH_URL` / `NEXTAUTH_URL`): see
//!   `Decoder::from_env` and `Csrf::from_env`;
//! - `NEXTAUTH_FLAVOR`: `v5` (default, Auth.js / next-auth@5) or `v4` (next-auth@4);
//! - `DATABASE_URL`: set it when the app uses database sessions (`strategy: "database"`, the
//!   default with an adapter): `postgres://...` (feature `postgres`) or `sqlite://...`
//!   (feature `sqlite`). `DATABASE_SCHEMA` names the adapter's tables (`pg`, `drizzle`,
//!   `prisma`, `kysely`; default `prisma`), `SESSION_CACHE_TTL_MS` the cache's time to live
//!   (default 5000);
//! - `BIND_ADDR`: the address to listen on, default `127.0.0.1:3001`;
//! - `SIGN_IN_URL`: where `/dashboard` sends visitors without a session, default
//!   `/api/auth/signin` (set the Next.js app's absolute URL when it runs on another origin).
//!
//! Routes:
//! - `GET /` public: `{"signed_in": bool}` (an optional session);
//! - `GET /me`: the session's user as JSON (`{"name", "email", "image"}`), `401` without a
//!   session, `503` when the database of database sessions cannot answer;
//! - `GET /session` (database sessions): exactly the body the app's `GET /api/auth/session`
//!   answers, `401` without a session;
//! - `GET /dashboard`: a page for signed-in users; others are redirected to the Next.js
//!   sign-in page (`/api/auth/signin?callbackUrl=/dashboard`), as next-auth's middleware does;
//! - `POST /posts`: a state-changing route: needs a session and the CSRF double-submit check
//!   (the app's CSRF cookie plus its token in `X-CSRF-Token`, as returned by the frontend's
//!   `getCsrfToken()`); answers `{"ok": true, "by": <email>}`, `401` without a session, `403`
//!   when the CSRF check fails.
//!
//! Try it with a cookie copied from the browser:
//! ```text
//! curl -i http://127.0.0.1:3001/me -H 'Cookie: authjs.session-token=eyJhbGciOiJkaXIi...'
//! ```

use std::process::ExitCode;

use axum::extract::{FromRef, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use nextauth_session::integrations::SessionSource;
use nextauth_session::integrations::axum::{AuthSession, CsrfVerified, SignInPage, SignedIn};
use nextauth_session::{Csrf, Session, User};
use serde_json::{Value, json};

/// The configuration both example services read from the environment.
#[path = "support/config.rs"]
mod config;

/// The router state: where sessions come from (a JWT decoder or the app's database) and the
/// CSRF check, both built once.
#[derive(Clone)]
struct AppState {
    source: SessionSource,
    csrf: Csrf,
}

impl FromRef<AppState> for SessionSource {
    fn from_ref(state: &AppState) -> Self {
        state.source.clone()
    }
}

impl FromRef<AppState> for Csrf {
    fn from_ref(state: &AppState) -> Self {
        state.csrf.clone()
    }
}

async fn index(session: Option<AuthSession>) -> Json<Value> {
    Json(json!({ "signed_in": session.is_some() }))
}

async fn me(AuthSession(session): AuthSession) -> Json<User> {
    Json(session.user())
}

async fn dashboard(SignedIn(session): SignedIn) -> String {
    config::dashboard_page(&session)
}

/// The CSRF extractor runs before the handler body: a request that fails it never gets here.
async fn create_post(
    _csrf: CsrfVerified,
    AuthSession(session): AuthSession<Session>,
    Json(post): Json<Value>,
) -> Json<Value> {
    Json(config::post_created(&session, &post))
}

/// Database sessions: the body of the app's own `GET /api/auth/session`.
async fn session_body(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match &state.source {
        #[cfg(any(feature = "postgres", feature = "sqlite"))]
        SessionSource::Database(store) => match store.from_headers(&headers).await {
            Ok(Some(session)) => (
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                session.response_json(),
            )
                .into_response(),
            Ok(None) => (StatusCode::UNAUTHORIZED, "unauthorized").into_response(),
            Err(e) => {
                eprintln!("session store: {e}");
                (StatusCode::SERVICE_UNAVAILABLE, "service unavailable").into_response()
            }
        },
        _ => {
            let _ = headers;
            (StatusCode::NOT_FOUND, "database sessions only").into_response()
        }
    }
}

/// Better Auth sessions: the body of the app's own `GET /api/auth/get-session`.
#[cfg(feature = "better-auth")]
async fn better_auth_session(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let cookie = headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join("; ");
    let cookie = (!cookie.is_empty()).then_some(cookie.as_str());
    let answer = match &state.source {
        SessionSource::BetterAuth(reader) => reader.cached_session(cookie),
        #[cfg(any(feature = "postgres", feature = "sqlite"))]
        SessionSource::BetterAuthDatabase(reader, store) => reader.session(cookie, store).await,
        _ => return (StatusCode::NOT_FOUND, "better auth sessions only").into_response(),
    };
    match answer {
        Ok(Some(session)) => Json(session).into_response(),
        Ok(None) => (StatusCode::UNAUTHORIZED, "unauthorized").into_response(),
        Err(nextauth_session::Error::Store(e)) => {
            eprintln!("session store: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, "service unavailable").into_response()
        }
        Err(e) => {
            eprintln!("better auth session: {e}");
            (StatusCode::UNAUTHORIZED, "unauthorized").into_response()
        }
    }
}

#[cfg(not(feature = "better-auth"))]
async fn better_auth_session() -> Response {
    (StatusCode::NOT_FOUND, "better auth sessions only").into_response()
}

fn app(state: AppState, sign_in: SignInPage) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/me", get(me))
        .route("/better-auth/session", get(better_auth_session))
        .route("/session", get(session_body))
        .route("/dashboard", get(dashboard))
        .route("/posts", post(create_post))
        .layer(Extension(sign_in))
        .with_state(state)
}

#[tokio::main]
async fn main() -> ExitCode {
    let flavor = match config::flavor() {
        Ok(flavor) => flavor,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let state = match config::configure(flavor).await {
        Ok(config::Config { source, csrf }) => AppState { source, csrf },
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
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (strategy, cookie) = config::describe(&state.source);
    eprintln!(
        "listening on http://{} ({flavor:?}, {strategy} sessions, session cookie {cookie}, csrf cookie {})",
        listener.local_addr().map_or(addr, |a| a.to_string()),
        state.csrf.cookie_name(),
    );
    let shutdown = async {
        // Ctrl-C stops the server; if the signal handler cannot be installed, run until killed.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    match axum::serve(listener, app(state, sign_in))
        .with_graceful_shutdown(shutdown)
        .await
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("server error: {e}");
            ExitCode::FAILURE
        }
    }
}
