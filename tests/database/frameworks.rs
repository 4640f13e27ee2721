//! Database sessions through the framework integrations: the same extractors and tower layer
//! as JWT sessions, with a `Store` as the router state; a database that is down answers `503`,
//! never `401`.

use axum::body::Body;
use axum::extract::FromRef;
use axum::routing::get;
use axum::{Extension, Json, Router};
use http::{Request, StatusCode, header};
use nextauth_session::integrations::SessionSource;
use nextauth_session::integrations::axum::{AuthSession, SessionRejection, SignedIn};
use nextauth_session::integrations::tower::{DecodedSession, SessionLayer};
use nextauth_session::{Session, User};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::pg;
use crate::prisma::{self, NOW_MS};

async fn user(AuthSession(session): AuthSession) -> Json<User> {
    Json(session.user())
}

async fn claims(AuthSession(claims): AuthSession<Value>) -> Json<Value> {
    Json(claims)
}

async fn optional(session: Option<AuthSession>) -> String {
    format!("{}", session.is_some())
}

async fn diagnose(session: Result<AuthSession, SessionRejection>) -> String {
    match session {
        Ok(_) => "session".to_owned(),
        Err(e) => e.to_string(),
    }
}

async fn page(SignedIn(session): SignedIn<Session>) -> String {
    session.email.unwrap_or_default()
}

fn router<S: Clone + Send + Sync + 'static>(state: S) -> Router
where
    SessionSource: FromRef<S>,
{
    Router::new()
        .route("/user", get(user))
        .route("/claims", get(claims))
        .route("/optional", get(optional))
        .route("/diagnose", get(diagnose))
        .route("/page", get(page))
        .with_state(state)
}

async fn get_body(router: &Router, path: &str, cookie: &str) -> (StatusCode, String) {
    let request = Request::get(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

#[tokio::test]
async fn extractors_read_database_sessions() {
    let url = pg::fresh_database("frameworks").await;
    let store = prisma::store(&url).await;
    let app = router(store.clone());
    let cookie = "authjs.session-token=tok";
    let (status, body) = get_body(&app, "/user", cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"name": "Ada", "email": "ada@example.com", "image": "https://example.com/a.png"})
    );
    // The claims view: the JWT strategy's claim names, plus every other user column.
    let (_, body) = get_body(&app, "/claims", cookie).await;
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"sub": "cm1", "name": "Ada", "email": "ada@example.com",
               "picture": "https://example.com/a.png", "emailVerified": null,
               "role": "admin", "exp": 1_750_000_060})
    );
    assert_eq!(get_body(&app, "/optional", cookie).await.1, "true");
    assert_eq!(get_body(&app, "/page", cookie).await.1, "ada@example.com");
    // No session: 401, None, a redirect.
    for cookie in ["authjs.session-token=unknown", "theme=dark"] {
        assert_eq!(
            get_body(&app, "/user", cookie).await.0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(get_body(&app, "/optional", cookie).await.1, "false");
        assert_eq!(
            get_body(&app, "/page", cookie).await.0,
            StatusCode::TEMPORARY_REDIRECT
        );
    }
    // Expired: the store's clock past `expires`.
    let expired = router(store.clone().fixed_time_ms(NOW_MS + 60_001));
    assert_eq!(
        get_body(&expired, "/user", cookie).await.0,
        StatusCode::UNAUTHORIZED
    );
    // A SessionSource as the state works the same.
    let source: SessionSource = store.into();
    assert_eq!(
        get_body(&router(source), "/user", cookie).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn database_down_is_503_for_every_extractor() {
    let cluster = pg::start_cluster("frameworks-down");
    let store = prisma::store(&cluster.url)
        .await
        .query_timeout(std::time::Duration::from_secs(2));
    let app = router(store.clone());
    let cookie = "authjs.session-token=tok";
    assert_eq!(get_body(&app, "/user", cookie).await.0, StatusCode::OK);
    pg::stop_cluster(&cluster);
    // Another token than the cached one: the lookup reaches the stopped server.
    let cookie = "authjs.session-token=other";
    for path in ["/user", "/optional", "/page"] {
        let (status, body) = get_body(&app, path, cookie).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert_eq!(body, "service unavailable", "{path}");
    }
    let (status, body) = get_body(&app, "/diagnose", cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.starts_with("session store unavailable: session store:"),
        "{body}"
    );
    // No cookie: no lookup, so no outage to report.
    assert_eq!(get_body(&app, "/optional", "theme=dark").await.1, "false");
}

async fn from_layer(Extension(decoded): Extension<DecodedSession>) -> String {
    match decoded.result() {
        Ok(Some(session)) => session.email.clone().unwrap_or_default(),
        Ok(None) => "none".to_owned(),
        Err(e) => format!("error: {e}"),
    }
}

#[tokio::test]
async fn tower_layer_looks_up_once_per_request() {
    let url = pg::fresh_database("frameworks_layer").await;
    let store = prisma::store(&url)
        .await
        .cache_ttl(std::time::Duration::ZERO)
        .negative_cache_ttl(std::time::Duration::ZERO);
    let app = Router::new()
        .route("/", get(from_layer))
        .route("/user", get(user))
        .with_state(store.clone())
        .layer(SessionLayer::<Session>::new(store.clone()));
    assert_eq!(
        get_body(&app, "/", "authjs.session-token=tok").await.1,
        "ada@example.com"
    );
    assert_eq!(get_body(&app, "/", "x=1").await.1, "none");
    assert_eq!(store.queries_sent(), 1);
    // The extractor reuses the layer's lookup: one query for the request, not two.
    assert_eq!(
        get_body(&app, "/user", "authjs.session-token=tok").await.0,
        StatusCode::OK
    );
    assert_eq!(store.queries_sent(), 2);
}
