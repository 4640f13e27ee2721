//! Better Auth sessions through the axum extractors: a `BetterAuth` reader as the router
//! state, the session reaching `AuthSession<Session>` as the claims view.

use axum::body::Body;
use axum::routing::get;
use axum::{Json, Router};
use http::{Request, StatusCode, header};
use nextauth_session::integrations::axum::AuthSession;
use nextauth_session::{Session, User};
use serde_json::Value;
use tower::ServiceExt;

use crate::cache::{load, reader};

async fn user(AuthSession(session): AuthSession<Session>) -> Json<User> {
    Json(session.user())
}

async fn claims(AuthSession(claims): AuthSession<Value>) -> Json<Value> {
    Json(claims)
}

#[tokio::test]
async fn stateless_sessions_reach_the_extractors() {
    let file = load();
    let case = file
        .cases
        .iter()
        .find(|c| c.id == "stateless/valid")
        .expect("the stateless/valid case");
    let config = file.configs.iter().find(|c| c.id == case.config).unwrap();
    let want = case.session.as_ref().expect("a session");
    let app = Router::new()
        .route("/user", get(user))
        .route("/claims", get(claims))
        .with_state(reader(config, case.now_ms));
    let send = |path: &str, cookie: Option<&str>| {
        let mut request = Request::get(path);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        app.clone().oneshot(request.body(Body::empty()).unwrap())
    };
    let response = send("/user", case.cookie.as_deref()).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    let got: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(got["name"], want["user"]["name"]);
    assert_eq!(got["email"], want["user"]["email"]);
    let response = send("/claims", case.cookie.as_deref()).await.unwrap();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    let claims: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(claims["sub"], want["user"]["id"]);
    assert!(claims["exp"].as_i64().is_some());
    // No cookies, or a tampered token: 401.
    assert_eq!(
        send("/user", None).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let tampered = case
        .cookie
        .as_deref()
        .unwrap()
        .replacen("session_token=", "session_token=x", 1);
    assert_eq!(
        send("/user", Some(&tampered)).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
}
