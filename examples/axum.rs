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
use nextauth_session::{Csrf, Decoder, Flavor, Session, User};
use serde_json::{Value, json};

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
async fn better_auth_session(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let cookie = headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join("; ");
    let cookie = (!cookie.is_empty()).then_some(cookie.as_str());
    let answer = match &state.source {
        #[cfg(feature = "better-auth")]
        SessionSource::BetterAuth(reader) => reader.cached_session(cookie),
        #[cfg(all(feature = "better-auth", any(feature = "postgres", feature = "sqlite")))]
        SessionSource::BetterAuthDatabase(reader, store) => reader.session(cookie, store).await,
        _ => return (StatusCode::NOT_FOUND, "better auth sessions only").into_response(),
    };
    #[allow(unreachable_code)]
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
    let flavor = match std::env::var("NEXTAUTH_FLAVOR").as_deref() {
        Err(_) | Ok("" | "v5") => Flavor::V5,
        Ok("v4") => Flavor::V4,
        Ok(other) => {
            eprintln!("NEXTAUTH_FLAVOR={other:?}: use v4 or v5");
            return ExitCode::from(2);
        }
    };
    let state = match configure(flavor).await {
        Ok(state) => state,
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
    let (strategy, cookie) = match &state.source {
        SessionSource::Jwt(decoder) => ("jwt", decoder.cookie_name().to_owned()),
        #[cfg(any(feature = "postgres", feature = "sqlite"))]
        SessionSource::Database(store) => ("database", store.cookie_name_in_use().to_owned()),
        _ => ("other", String::new()),
    };
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

/// The session source from the environment: the app's database when `DATABASE_URL` is set,
/// else the JWT decoder.
async fn configure(flavor: Flavor) -> Result<AppState, Box<dyn std::error::Error>> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    if let Some(mode) = var("BA_MODE") {
        return configure_better_auth(&mode).await;
    }
    let csrf = Csrf::from_env(flavor)?;
    let Some(url) = var("DATABASE_URL") else {
        return Ok(AppState {
            source: Decoder::from_env(flavor)?.into(),
            csrf,
        });
    };
    #[cfg(any(feature = "postgres", feature = "sqlite"))]
    {
        use nextauth_session::database::{Schema, Store};
        let name = var("DATABASE_SCHEMA").unwrap_or_else(|| "prisma".to_owned());
        let schema = Schema::by_name(&name)
            .ok_or(format!("DATABASE_SCHEMA={name:?} is not an adapter preset"))?;
        let ttl = var("SESSION_CACHE_TTL_MS")
            .map(|v| v.parse::<u64>())
            .transpose()?;
        // The references use `__Secure-` names behind https (AUTH_URL / NEXTAUTH_URL).
        let url_var = match flavor {
            Flavor::V4 => var("NEXTAUTH_URL"),
            _ => var("AUTH_URL").or_else(|| var("NEXTAUTH_URL")),
        };
        let secure = url_var.is_some_and(|u| u.starts_with("https://"));
        let mut store = Store::connect(&url, schema)
            .await?
            .flavor(flavor)
            .secure(secure);
        if let Some(ms) = ttl {
            let ttl = std::time::Duration::from_millis(ms);
            store = store.cache_ttl(ttl).negative_cache_ttl(ttl);
        }
        Ok(AppState {
            source: store.into(),
            csrf,
        })
    }
    #[cfg(not(any(feature = "postgres", feature = "sqlite")))]
    {
        let _ = url;
        Err("DATABASE_URL is set: build with --features postgres (or sqlite)".into())
    }
}

/// Better Auth (`BA_MODE=database` or `stateless`): the secrets and `__Secure-` names from
/// `BETTER_AUTH_SECRET(S)` / `BETTER_AUTH_URL`, the cookie cache from `BA_CACHE` (`compact`,
/// `jwt`, `jwe`, `none`), the app's database from `DATABASE_URL` in database mode.
#[cfg(feature = "better-auth")]
async fn configure_better_auth(mode: &str) -> Result<AppState, Box<dyn std::error::Error>> {
    use nextauth_session::better_auth::{BetterAuth, CacheStrategy};
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let cache = match var("BA_CACHE").as_deref() {
        None | Some("none") => None,
        Some("compact") => Some(CacheStrategy::Compact),
        Some("jwt") => Some(CacheStrategy::Jwt),
        Some("jwe") => Some(CacheStrategy::Jwe),
        Some(other) => return Err(format!("BA_CACHE={other:?}: compact, jwt, jwe or none").into()),
    };
    let stateless = mode == "stateless";
    let reader = BetterAuth::from_env_with(|b| {
        let b = b.stateless(stateless);
        match cache {
            Some(strategy) => b.cookie_cache(strategy),
            None => b,
        }
    })?;
    // The /posts route's CSRF check is Auth.js's; keyed here with the Better Auth secret only
    // so that the router has one.
    let csrf = Csrf::builder(Flavor::V5)
        .secret(
            var("BETTER_AUTH_SECRET")
                .or_else(|| var("AUTH_SECRET"))
                .unwrap_or_default(),
        )
        .build()
        .or_else(|_| Csrf::builder(Flavor::V5).secret("unused").build())?;
    let source = match (mode, var("DATABASE_URL")) {
        ("stateless", _) => reader.into(),
        #[cfg(any(feature = "postgres", feature = "sqlite"))]
        ("database", Some(url)) => {
            use nextauth_session::database::{Schema, Store};
            let schema = Schema::by_name("better-auth").expect("a preset");
            let mut store = Store::connect(&url, schema).await?;
            if let Some(ms) = var("SESSION_CACHE_TTL_MS") {
                let ttl = std::time::Duration::from_millis(ms.parse()?);
                store = store.cache_ttl(ttl).negative_cache_ttl(ttl);
            }
            SessionSource::from((reader, store))
        }
        (other, _) => {
            return Err(
                format!("BA_MODE={other:?}: stateless, or database with DATABASE_URL").into(),
            );
        }
    };
    Ok(AppState { source, csrf })
}

#[cfg(not(feature = "better-auth"))]
async fn configure_better_auth(_mode: &str) -> Result<AppState, Box<dyn std::error::Error>> {
    Err("BA_MODE is set: build with --features better-auth".into())
}
