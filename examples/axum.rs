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
//! - `BIND_ADDR`: the address to listen on, default `127.0.0.1:3001`;
//! - `SIGN_IN_URL`: where `/dashboard` sends visitors without a session, default
//!   `/api/auth/signin` (set the Next.js app's absolute URL when it runs on another origin).
//!
//! Routes:
//! - `GET /` public: `{"signed_in": bool}` (an optional session);
//! - `GET /me`: the session's user as JSON (`{"name", "email", "image"}`), `401` without a
//!   session;
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

use axum::extract::FromRef;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use nextauth_session::integrations::axum::{AuthSession, CsrfVerified, SignInPage, SignedIn};
use nextauth_session::{Csrf, Decoder, Flavor, Session, User};
use serde_json::{Value, json};

/// The router state: the session decoder and the CSRF check, both built once.
#[derive(Clone)]
struct AppState {
    decoder: Decoder,
    csrf: Csrf,
}

impl FromRef<AppState> for Decoder {
    fn from_ref(state: &AppState) -> Self {
        state.decoder.clone()
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
    format!(
        "welcome to your dashboard, {}",
        session.name.as_deref().unwrap_or("user")
    )
}

/// The CSRF extractor runs before the handler body: a request that fails it never gets here.
async fn create_post(
    _csrf: CsrfVerified,
    AuthSession(session): AuthSession<Session>,
    Json(post): Json<Value>,
) -> Json<Value> {
    Json(json!({ "ok": true, "by": session.email, "title": post.get("title") }))
}

fn app(state: AppState, sign_in: SignInPage) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/me", get(me))
        .route("/dashboard", get(dashboard))
        .route("/posts", post(create_post))
        .layer(Extension(sign_in))
        .with_state(state)
}

#[tokio::main]
async fn main() -> ExitCode {
    let flavor = match std::env::var("NEXTAUTH_FLAVOR").as_deref() {
        Err(_) | Ok("" | "v5") => Flavor::V5,
        Ok("v4") => Flavor::V4,
        Ok(other) => {
            eprintln!("NEXTAUTH_FLAVOR={other:?}: use v4 or v5");
            return ExitCode::from(2);
        }
    };
    let state = match Decoder::from_env(flavor).and_then(|decoder| {
        Ok(AppState {
            decoder,
            csrf: Csrf::from_env(flavor)?,
        })
    }) {
        Ok(state) => state,
        Err(e) => {
            eprintln!("cannot configure the session decoder: {e}");
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
    eprintln!(
        "listening on http://{} ({flavor:?}, session cookie {}, csrf cookie {})",
        listener.local_addr().map_or(addr, |a| a.to_string()),
        state.decoder.cookie_name(),
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
