//! The service of the load benchmark (`benches/service/run.sh`): one axum server on 127.0.0.1
//! with the same small handler (the session's user as JSON) behind each way of reading a
//! session, plus the routes that mint the cookies the load generator sends. Not an example to
//! copy (see `examples/axum.rs`): it exists to be measured.
//!
//! Environment: `BIND_ADDR` (default `127.0.0.1:0`; the bound address is printed as
//! `listening on ADDR`), `AUTH_SECRET` (the JWT apps' secret, v4 and v5), `DATABASE_URL`
//! (optional: PostgreSQL with @auth/pg-adapter's tables, for `/db*`), `BETTER_AUTH_SECRET`
//! (optional, for `/ba`).
//!
//! Routes (every session route answers `{"name","email","image"}`, `401` without a session):
//! - `GET /plain`: no session check, the same body shape (a fixed user);
//! - `GET /jwt`, `GET /jwt-v4`: `AuthSession<Session>` over a v5 / v4 `Decoder`;
//! - `GET /layer`: the same handler behind `SessionLayer` (the extractor takes the layer's
//!   result);
//! - `GET /db`, `GET /db-nocache`: database sessions, the store's cache on (5 s) / off (every
//!   request a PostgreSQL query);
//! - `GET /ba`: Better Auth, the `compact` cookie cache (`BetterAuth::cached_session`);
//! - `GET /mint/{v5,v4,v5-chunked,db,ba}`: a `Cookie` header for that case (`db` inserts a
//!   user and a session row first).

use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use nextauth_session::better_auth::{BetterAuth, CacheStrategy};
use nextauth_session::database::{Schema, Store};
use nextauth_session::integrations::SessionSource;
use nextauth_session::integrations::axum::AuthSession;
use nextauth_session::integrations::tower::SessionLayer;
use nextauth_session::{Decoder, Flavor, Session, User};
use serde_json::{Map, Value, json};

async fn plain() -> Json<User> {
    Json(User {
        name: Some("Ada Lovelace".into()),
        email: Some("ada@example.com".into()),
        image: Some("https://avatars.example.com/ada.png".into()),
    })
}

async fn user(AuthSession(session): AuthSession<Session>) -> Json<User> {
    Json(session.user())
}

/// The claims of a typical session (what the apps' Credentials sign-in writes).
fn typical() -> Value {
    json!({
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "picture": "https://avatars.example.com/ada.png",
        "sub": "user-ada",
    })
}

/// A session large enough for 4 chunks (an app that keeps OAuth tokens in the JWT).
fn large() -> Value {
    let mut claims = typical();
    let filler: String = (0..10_500)
        .map(|i| char::from(b'a' + ((i * 7 + i / 13) % 26) as u8))
        .collect();
    claims["access_token"] = Value::String(filler);
    claims
}

#[derive(Clone)]
struct Mint {
    v5: Decoder,
    v4: Decoder,
    store: Option<sqlx::PgPool>,
    better_auth: Option<BetterAuth>,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The Better Auth session's dates: fixed ISO 8601 instants of the length better-auth writes
/// (`Date.prototype.toJSON`), the expiry far enough ahead that the session stays valid for
/// any run; only the cookie cache's own expiry follows the clock (the encoder sets it).
const CREATED_AT: &str = "2025-06-15T12:00:00.000Z";
const EXPIRES_AT: &str = "2099-06-15T12:00:00.000Z";

async fn mint(
    State(mint): State<Mint>,
    axum::extract::Path(case): axum::extract::Path<String>,
) -> Response {
    let result: Result<String, String> = match case.as_str() {
        "v5" => token_cookie(&mint.v5, &typical()),
        "v4" => token_cookie(&mint.v4, &typical()),
        "v5-chunked" => token_cookie(&mint.v5, &large()),
        "db" => match &mint.store {
            Some(pool) => db_session(pool).await,
            None => Err("DATABASE_URL is not set".into()),
        },
        "ba" => match &mint.better_auth {
            Some(reader) => ba_cookies(reader),
            None => Err("BETTER_AUTH_SECRET is not set".into()),
        },
        _ => Err("unknown case".into()),
    };
    match result {
        Ok(cookie) => cookie.into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e).into_response(),
    }
}

fn token_cookie(decoder: &Decoder, claims: &Value) -> Result<String, String> {
    let encoder = decoder.encoder();
    let token = encoder.encode(claims).map_err(|e| e.to_string())?;
    Ok(encoder.cookie_header(&token))
}

/// A user and a session row in @auth/pg-adapter's tables; the cookie names the session.
async fn db_session(pool: &sqlx::PgPool) -> Result<String, String> {
    let token = format!(
        "{:032x}",
        u128::from(now_ms().unsigned_abs()) * 0x9e37_79b9_7f4a_7c15
    );
    let token = format!(
        "{}-{}-4{}-a{}-{}",
        &token[..8],
        &token[8..12],
        &token[13..16],
        &token[17..20],
        &token[20..32]
    );
    let id: i32 = sqlx::query_scalar(
        r#"INSERT INTO users (name, email, image) VALUES ($1, $2, $3) RETURNING id"#,
    )
    .bind("Ada Lovelace")
    .bind(format!("ada-{token}@example.com"))
    .bind("https://avatars.example.com/ada.png")
    .fetch_one(pool)
    .await
    .map_err(|e| e.to_string())?;
    sqlx::query(
        r#"INSERT INTO sessions ("userId", expires, "sessionToken") VALUES ($1, now() + interval '30 days', $2)"#,
    )
    .bind(id)
    .bind(&token)
    .execute(pool)
    .await
    .map_err(|e| e.to_string())?;
    Ok(format!("authjs.session-token={token}"))
}

/// Better Auth's sign-in cookies (session token + compact cache), the cache minted now.
fn ba_cookies(reader: &BetterAuth) -> Result<String, String> {
    let obj = |v: Value| match v {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    let session = obj(json!({
        "expiresAt": EXPIRES_AT,
        "token": "bench0session0token0000000000000",
        "createdAt": CREATED_AT,
        "updatedAt": CREATED_AT,
        "ipAddress": "127.0.0.1",
        "userAgent": "wrk",
        "userId": "bench0user0id000000000000000000",
        "id": "bench0session0id0000000000000000",
    }));
    let user = obj(json!({
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "emailVerified": false,
        "image": "https://avatars.example.com/ada.png",
        "createdAt": CREATED_AT,
        "updatedAt": CREATED_AT,
        "id": "bench0user0id000000000000000000",
    }));
    let cookies = reader
        .encoder()
        .set_cookies(&session, &user)
        .map_err(|e| e.to_string())?;
    Ok(cookies
        .iter()
        .map(|c| c.split(';').next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("; "))
}

fn routes<S: Into<SessionSource>>(path: &str, source: S) -> Router {
    Router::new()
        .route(path, get(user))
        .with_state(source.into())
}

async fn run() -> Result<(), String> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let secret = env("AUTH_SECRET").ok_or("AUTH_SECRET is not set")?;
    let jwt = |flavor| {
        Decoder::builder(flavor)
            .secret(secret.as_str())
            .build()
            .map_err(|e| e.to_string())
    };
    let (v5, v4) = (jwt(Flavor::V5)?, jwt(Flavor::V4)?);
    let layered = Router::new()
        .route("/layer", get(user))
        .route_layer(SessionLayer::<Session>::new(v5.clone()))
        .with_state(SessionSource::from(v5.clone()));
    let mut app = Router::new()
        .route("/plain", get(plain))
        .merge(routes("/jwt", v5.clone()))
        .merge(routes("/jwt-v4", v4.clone()))
        .merge(layered);

    let mut pool = None;
    if let Some(url) = env("DATABASE_URL") {
        let schema = Schema::by_name("pg").ok_or("no pg schema")?;
        let cached = Store::connect(&url, schema.clone())
            .await
            .map_err(|e| e.to_string())?;
        let uncached = Store::connect(&url, schema)
            .await
            .map_err(|e| e.to_string())?
            .cache_ttl(Duration::ZERO)
            .negative_cache_ttl(Duration::ZERO);
        app = app
            .merge(routes("/db", cached))
            .merge(routes("/db-nocache", uncached));
        pool = Some(
            sqlx::PgPool::connect(&url)
                .await
                .map_err(|e| e.to_string())?,
        );
    }
    let mut better_auth = None;
    if let Some(secret) = env("BETTER_AUTH_SECRET") {
        let reader = BetterAuth::builder()
            .secret(secret)
            .cookie_cache(CacheStrategy::Compact)
            .build()
            .map_err(|e| e.to_string())?;
        app = app.merge(routes("/ba", reader.clone()));
        better_auth = Some(reader);
    }
    let app = app.merge(
        Router::new()
            .route("/mint/{case}", get(mint))
            .with_state(Mint {
                v5,
                v4,
                store: pool,
                better_auth,
            }),
    );

    let addr = env("BIND_ADDR").unwrap_or_else(|| "127.0.0.1:0".into());
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| format!("bind {addr}: {e}"))?;
    let bound = listener.local_addr().map_err(|e| e.to_string())?;
    if !bound.ip().is_loopback() {
        return Err(format!("{bound} is not a loopback address"));
    }
    println!("listening on {bound}");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench server: {e}");
            ExitCode::FAILURE
        }
    }
}
