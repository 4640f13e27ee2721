//! The axum extractors, the tower layer and the CSRF check, driven in-process through a
//! `Router` with `tower::ServiceExt::oneshot`, on cookies written by the real libraries:
//! `fixtures/requests.json`, `fixtures/quickstart/` (next-auth 4.24.15, @auth/core 0.41.3) and
//! `fixtures/csrf.json` (their CSRF code and the v4 middleware's sign-in redirects).

use axum::body::Body;
use axum::extract::FromRef;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use http::{HeaderValue, Request, StatusCode, header};
use nextauth_session::integrations::SessionSource;
use nextauth_session::integrations::axum::{
    AuthSession, CsrfVerified, SessionRejection, SignInPage, SignedIn,
};
use nextauth_session::integrations::tower::{DecodedSession, SessionLayer};
use nextauth_session::{Csrf, CsrfError, Decoder, Error, Flavor, Session, User};
use serde_json::{Value, json};
use tower::ServiceExt;

/// The interop binary's fixture helpers (this binary uses `js_json_eq`).
#[path = "interop/common.rs"]
#[allow(dead_code)]
mod common;
use common::js_json_eq;

// Fixture helpers shared with the other test binaries.
#[path = "support/fixtures.rs"]
#[allow(dead_code)] // the support module serves several test binaries
mod fixtures;
use fixtures::{
    case_csrf, case_decoder, csrf_expected, csrf_secrets, json_fixture, quickstart_v5,
    request_case, text_fixture,
};

// ---- the app under test ------------------------------------------------------------------

#[derive(Clone)]
struct AppState {
    decoder: Decoder,
    csrf: Csrf,
}

impl FromRef<AppState> for SessionSource {
    fn from_ref(state: &AppState) -> Self {
        state.decoder.clone().into()
    }
}

impl FromRef<AppState> for Csrf {
    fn from_ref(state: &AppState) -> Self {
        state.csrf.clone()
    }
}

async fn claims(AuthSession(claims): AuthSession<Value>) -> Json<Value> {
    Json(claims)
}

async fn user(AuthSession(session): AuthSession) -> Json<User> {
    Json(session.user())
}

async fn optional(session: Option<AuthSession<Value>>) -> Json<Value> {
    Json(json!({ "session": session.map(|AuthSession(c)| c) }))
}

async fn diagnose(session: Result<AuthSession<Value>, SessionRejection>) -> String {
    match session {
        Ok(_) => "session".to_owned(),
        Err(SessionRejection::Missing) => "missing".to_owned(),
        Err(SessionRejection::Invalid(e)) => format!("invalid: {e}"),
        Err(other) => format!("other: {other}"),
    }
}

async fn signed_in(SignedIn(session): SignedIn) -> String {
    format!("hello {}", session.name.unwrap_or_default())
}

async fn create(
    _csrf: CsrfVerified,
    AuthSession(session): AuthSession,
    Json(body): Json<Value>,
) -> Json<Value> {
    Json(json!({ "ok": true, "by": session.email, "body": body }))
}

fn app(decoder: Decoder, csrf: Csrf) -> Router {
    Router::new()
        .route("/claims", get(claims))
        .route("/user", get(user))
        .route("/optional", get(optional))
        .route("/diagnose", get(diagnose))
        .route("/posts", post(create))
        .fallback(get(signed_in))
        .with_state(AppState { decoder, csrf })
}

/// Any CSRF check: the session routes do not use it.
fn some_csrf() -> Csrf {
    Csrf::builder(Flavor::V5)
        .secret("unused csrf secret")
        .build()
        .unwrap()
}

fn get_req(uri: &str, cookie: Option<&str>, authorization: Option<&str>) -> Request<Body> {
    let mut b = Request::get(uri);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    if let Some(a) = authorization {
        b = b.header(header::AUTHORIZATION, a);
    }
    b.body(Body::empty()).unwrap()
}

struct Reply {
    status: StatusCode,
    location: Option<String>,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

async fn send(router: &Router, request: Request<Body>) -> Reply {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    Reply {
        status,
        location,
        body: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

fn assert_generic_401(reply: &Reply, what: &str) {
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{what}");
    assert_eq!(
        reply.body, "unauthorized",
        "{what}: the body must not say why"
    );
}

// ---- the named cases of the issue -----------------------------------------------------------

#[tokio::test]
async fn valid_session() {
    let (decoder, cookie, payload) = quickstart_v5();
    let router = app(decoder, some_csrf());
    let reply = send(&router, get_req("/claims", Some(&cookie), None)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(js_json_eq(&reply.json(), &payload), "{}", reply.body);
    let reply = send(&router, get_req("/user", Some(&cookie), None)).await;
    assert_eq!(
        reply.json(),
        json!({ "name": payload["name"], "email": payload["email"], "image": payload["picture"] })
    );
    let reply = send(&router, get_req("/optional", Some(&cookie), None)).await;
    assert!(js_json_eq(&reply.json()["session"], &payload));
    let reply = send(&router, get_req("/diagnose", Some(&cookie), None)).await;
    assert_eq!(reply.body, "session");
}

#[tokio::test]
async fn chunked_session() {
    let params = json_fixture("quickstart/params.json");
    let p = &params["v5-chunked.cookie"];
    let decoder = Decoder::builder(Flavor::V5)
        .secret(p["secret"].as_str().unwrap())
        .fixed_time(p["now"].as_i64().unwrap())
        .build()
        .unwrap();
    let cookie = text_fixture("quickstart/v5-chunked.cookie");
    assert!(cookie.contains("authjs.session-token.1="));
    let router = app(decoder, some_csrf());
    let reply = send(&router, get_req("/claims", Some(&cookie), None)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(js_json_eq(&reply.json(), &p["payload"]));
}

#[tokio::test]
async fn missing_session() {
    let (decoder, _, _) = quickstart_v5();
    let router = app(decoder, some_csrf());
    for cookie in [None, Some("theme=dark; _ga=GA1.1.1.2")] {
        let reply = send(&router, get_req("/claims", cookie, None)).await;
        assert_generic_401(&reply, "missing");
        let reply = send(&router, get_req("/optional", cookie, None)).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.json(), json!({ "session": null }));
        let reply = send(&router, get_req("/diagnose", cookie, None)).await;
        assert_eq!(reply.body, "missing");
    }
}

#[tokio::test]
async fn expired_session() {
    let case = request_case("v5-expired");
    assert!(
        case["reference"]["fetch-request"]["payload"].is_null(),
        "the reference rejects it"
    );
    let router = app(case_decoder(&case).unwrap(), some_csrf());
    let cookie = case["cookie"].as_str();
    assert_generic_401(
        &send(&router, get_req("/claims", cookie, None)).await,
        "expired",
    );
    let reply = send(&router, get_req("/optional", cookie, None)).await;
    assert_eq!(reply.json(), json!({ "session": null }));
    let reply = send(&router, get_req("/diagnose", cookie, None)).await;
    assert!(
        reply.body.starts_with("invalid: session expired"),
        "{}",
        reply.body
    );
}

#[tokio::test]
async fn tampered_session() {
    let (decoder, cookie, _) = quickstart_v5();
    let router = app(decoder, some_csrf());
    // Flip one character of the ciphertext part (the fourth part of the JWE).
    let token = text_fixture("quickstart/v5.token");
    let parts: Vec<&str> = token.split('.').collect();
    let mut ct = parts[3].to_owned();
    let flipped = if ct.starts_with('A') { "B" } else { "A" };
    ct.replace_range(0..1, flipped);
    let tampered = format!(
        "authjs.session-token={}.{}.{}.{}.{}",
        parts[0], parts[1], parts[2], ct, parts[4]
    );
    assert_ne!(tampered, cookie);
    assert_generic_401(
        &send(&router, get_req("/claims", Some(&tampered), None)).await,
        "tampered",
    );
    let reply = send(&router, get_req("/optional", Some(&tampered), None)).await;
    assert_eq!(reply.json(), json!({ "session": null }));
    let reply = send(&router, get_req("/diagnose", Some(&tampered), None)).await;
    assert_eq!(reply.body, "invalid: decryption failed");
    // Same outcome and the same body for a wrong secret.
    let other = Decoder::builder(Flavor::V5)
        .secret("not the secret")
        .fixed_time(1_750_000_060)
        .build()
        .unwrap();
    let router = app(other, some_csrf());
    let reply = send(&router, get_req("/claims", Some(&cookie), None)).await;
    assert_generic_401(&reply, "wrong secret");
}

// ---- every request fixture through the extractor -------------------------------------------

#[tokio::test]
async fn every_request_fixture_through_the_extractor() {
    let fixtures = json_fixture("requests.json");
    let cases = fixtures["cases"].as_array().unwrap();
    let (mut sessions, mut rejected) = (0, 0);
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let Some(decoder) = case_decoder(case) else {
            assert_eq!(case["policy"]["expect"], "error:no-secret", "{id}");
            continue;
        };
        // What the crate must give: the policy's expectation, else the reference's (v4: the
        // pages-API request, v5: the fetch Request).
        let want: Option<&Value> = match case["policy"].get("expect") {
            Some(expect) if expect == "session" => Some(&case["policy"]["expect_payload"]),
            Some(_) => None,
            None => {
                let shape = if case["flavor"] == "v4" {
                    "pages-api"
                } else {
                    "fetch-request"
                };
                Some(&case["reference"][shape]["payload"]).filter(|p| !p.is_null())
            }
        };
        let router = app(decoder, some_csrf());
        let (cookie, auth) = (case["cookie"].as_str(), case["authorization"].as_str());
        let reply = send(&router, get_req("/claims", cookie, auth)).await;
        let optional = send(&router, get_req("/optional", cookie, auth)).await;
        match want {
            Some(payload) => {
                assert_eq!(reply.status, StatusCode::OK, "{id}: {}", reply.body);
                assert!(js_json_eq(&reply.json(), payload), "{id}: payload differs");
                assert!(js_json_eq(&optional.json()["session"], payload), "{id}");
                sessions += 1;
            }
            None => {
                assert_generic_401(&reply, id);
                assert_eq!(optional.json(), json!({ "session": null }), "{id}");
                rejected += 1;
            }
        }
    }
    assert!(
        sessions > 40 && rejected > 40,
        "too few cases: {sessions} sessions, {rejected} rejected"
    );
}

// ---- sign-in redirects -------------------------------------------------------------------

#[tokio::test]
async fn sign_in_redirects_match_the_v4_middleware() {
    let (decoder, cookie, payload) = quickstart_v5();
    let fixtures = json_fixture("csrf.json");
    let cases = fixtures["sign_in_redirects"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let mut router = app(decoder.clone(), some_csrf());
        if let Some(page) = case["sign_in_page"].as_str() {
            router = router.layer(Extension(SignInPage::new(page)));
        }
        let target = case["request"].as_str().unwrap();
        let reply = send(&router, get_req(target, None, None)).await;
        match case["reference"].as_object() {
            Some(reference) => {
                assert_eq!(
                    reply.status.as_u16(),
                    reference["status"].as_u64().unwrap() as u16,
                    "{id}"
                );
                assert_eq!(
                    reply.location.as_deref(),
                    reference["location"].as_str(),
                    "{id}"
                );
            }
            // The middleware lets a request for the sign-in page through; a Rust route that
            // requires a session cannot, and answers 401 instead of redirecting in a loop.
            None => {
                assert_generic_401(&reply, id);
                assert_eq!(reply.location, None, "{id}");
            }
        }
        // With a session, the handler runs.
        let reply = send(&router, get_req(target, Some(&cookie), None)).await;
        assert_eq!(reply.status, StatusCode::OK, "{id}");
        assert_eq!(
            reply.body,
            format!("hello {}", payload["name"].as_str().unwrap())
        );
    }
}

// ---- CSRF --------------------------------------------------------------------------------

#[test]
fn every_csrf_fixture_gives_the_reference_verdict() {
    let fixtures = json_fixture("csrf.json");
    let cases = fixtures["cases"].as_array().unwrap();
    assert!(cases.len() >= 60, "fixtures look truncated");
    let (mut verified, mut refused) = (0, 0);
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let csrf = case_csrf(case);
        assert_eq!(csrf.cookie_name(), case["cookie_name"], "{id}");
        let (cookie, submitted) = (case["cookie"].as_str(), case["submitted"].as_str());
        let verdict = csrf.verify(cookie, submitted);
        assert_eq!(verdict.is_ok(), csrf_expected(case), "{id}: {verdict:?}");
        // The trusted token is the reference's `csrfToken` for a cookie it trusts.
        let reference = &case["reference"];
        if case["policy"].is_null() {
            assert_eq!(
                csrf.token(cookie).as_deref(),
                reference["token"].as_str(),
                "{id}"
            );
            // The error kind follows from the reference's view of the cookie.
            match verdict {
                Ok(()) => verified += 1,
                Err(e) => {
                    refused += 1;
                    let want = if reference["cookie_value"].as_str().is_none_or(str::is_empty) {
                        CsrfError::MissingCookie
                    } else if reference["trusted"] == false {
                        CsrfError::InvalidCookie
                    } else if submitted.is_none() {
                        CsrfError::MissingToken
                    } else {
                        CsrfError::Mismatch
                    };
                    assert_eq!(e, want, "{id}");
                }
            }
        } else if case["policy"]["expect_verified"] == true {
            // Trusted under our policy: the token is the cookie's, which was submitted.
            assert_eq!(csrf.token(cookie).as_deref(), submitted, "{id}");
        } else {
            assert_eq!(csrf.token(cookie), None, "{id}");
        }
    }
    assert!(verified >= 15 && refused >= 40, "{verified} / {refused}");
}

/// Every CSRF fixture again, through the router: a POST with a valid session cookie next to
/// the fixture's cookies, and the submitted token in `X-CSRF-Token`.
#[tokio::test]
async fn csrf_fixtures_through_the_router() {
    let fixtures = json_fixture("csrf.json");
    let session_case = |flavor: &str| request_case(&format!("{flavor}-unchunked-only"));
    let mut ok = 0;
    for case in fixtures["cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let flavor_name = case["flavor"].as_str().unwrap();
        let session = session_case(flavor_name);
        let router = app(case_decoder(&session).unwrap(), case_csrf(case));
        let session_cookie = session["cookie"].as_str().unwrap();
        let cookie = match case["cookie"].as_str() {
            Some(c) => format!("{session_cookie}; {c}"),
            None => session_cookie.to_owned(),
        };
        let mut request = Request::post("/posts")
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(token) = case["submitted"].as_str() {
            request = request.header("x-csrf-token", HeaderValue::from_str(token).unwrap());
        }
        let request = request.body(Body::from(r#"{"title":"hi"}"#)).unwrap();
        let reply = send(&router, request).await;
        if csrf_expected(case) {
            assert_eq!(reply.status, StatusCode::OK, "{id}: {}", reply.body);
            assert_eq!(reply.json()["ok"], true, "{id}");
            assert_eq!(reply.json()["body"], json!({ "title": "hi" }), "{id}");
            ok += 1;
        } else {
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{id}");
            assert_eq!(reply.body, "forbidden: csrf check failed", "{id}");
        }
    }
    assert!(ok >= 15, "{ok}");
}

#[tokio::test]
async fn csrf_header_name_is_configurable_and_session_still_required() {
    let fixtures = json_fixture("csrf.json");
    let case = fixtures["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "v5-valid-encoded")
        .unwrap();
    let csrf = csrf_secrets(case)
        .into_iter()
        .fold(Csrf::builder(Flavor::V5), |b, s| b.secret(s))
        .header_name("X-XSRF-Token")
        .build()
        .unwrap();
    let session = request_case("v5-unchunked-only");
    let router = app(case_decoder(&session).unwrap(), csrf);
    let token = case["submitted"].as_str().unwrap();
    let post_with = |header_name: &str, cookie: String| {
        Request::post("/posts")
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header_name, token)
            .body(Body::from("{}"))
            .unwrap()
    };
    let both = format!(
        "{}; {}",
        session["cookie"].as_str().unwrap(),
        case["cookie"].as_str().unwrap()
    );
    let reply = send(&router, post_with("x-xsrf-token", both.clone())).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let reply = send(&router, post_with("x-csrf-token", both)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    // A valid CSRF pair without a session: the CSRF check passes, the session check does not.
    let reply = send(
        &router,
        post_with("x-xsrf-token", case["cookie"].as_str().unwrap().to_owned()),
    )
    .await;
    assert_generic_401(&reply, "csrf without session");
}

// ---- the tower layer ---------------------------------------------------------------------

async fn from_layer(Extension(decoded): Extension<DecodedSession<Value>>) -> String {
    match decoded.result() {
        Ok(Some(claims)) => format!("session {}", claims["name"].as_str().unwrap_or("")),
        Ok(None) => "none".to_owned(),
        Err(e) => format!("error: {e}"),
    }
}

#[tokio::test]
async fn tower_layer_decodes_once_into_the_extensions() {
    let (decoder, cookie, payload) = quickstart_v5();
    let router = Router::new()
        .route("/", get(from_layer))
        .layer(SessionLayer::<Value>::new(decoder.clone()));
    let reply = send(&router, get_req("/", Some(&cookie), None)).await;
    assert_eq!(
        reply.body,
        format!("session {}", payload["name"].as_str().unwrap())
    );
    assert_eq!(
        send(&router, get_req("/", Some("theme=dark"), None))
            .await
            .body,
        "none"
    );
    let garbage = "authjs.session-token=not-a-token";
    assert!(
        send(&router, get_req("/", Some(garbage), None))
            .await
            .body
            .starts_with("error: not an encrypted session token")
    );

    // The layer's result is bound to the decoder that produced it: a route whose state holds
    // another decoder (here with the wrong secret) reads its own session and gets none.
    let wrong = Decoder::builder(Flavor::V5)
        .secret("wrong secret")
        .fixed_time(1_750_000_060)
        .build()
        .unwrap();
    let other_state = app(wrong, some_csrf()).layer(SessionLayer::<Value>::new(decoder.clone()));
    assert_generic_401(
        &send(&other_state, get_req("/claims", Some(&cookie), None)).await,
        "the layer's session is not the route's",
    );
    // The same decoder (a clone) in the state and the layer: the extractor takes the layer's
    // result.
    let same = app(decoder.clone(), some_csrf()).layer(SessionLayer::<Value>::new(decoder));
    let reply = send(&same, get_req("/claims", Some(&cookie), None)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(js_json_eq(&reply.json(), &payload));
}

/// Two session domains under one global layer: the app's users (the layer's decoder) and an
/// admin area with its own secret and cookie name. Before the fix, the admin routes accepted
/// the layer's session of an app user.
#[tokio::test]
async fn one_global_layer_does_not_let_one_domain_into_another() {
    let (app_decoder, app_cookie, _) = quickstart_v5();
    let admin = Decoder::builder(Flavor::V5)
        .secret("the admin area's own secret, 32 characters or more")
        .cookie_name("admin.session-token")
        .fixed_time(1_750_000_060)
        .build()
        .unwrap();
    let admin_token = admin
        .encoder()
        .encode(&json!({"name": "root", "email": "root@example.com"}))
        .unwrap();
    let admin_cookie = format!("admin.session-token={admin_token}");
    let router = Router::new()
        .nest(
            "/admin",
            Router::new()
                .route("/claims", get(claims))
                .with_state(admin.clone()),
        )
        .route("/claims", get(claims))
        .with_state(app_decoder.clone())
        .layer(SessionLayer::<Value>::new(app_decoder));
    // An app user is a user of the app, not of the admin area.
    assert_eq!(
        send(&router, get_req("/claims", Some(&app_cookie), None))
            .await
            .status,
        StatusCode::OK
    );
    assert_generic_401(
        &send(&router, get_req("/admin/claims", Some(&app_cookie), None)).await,
        "an app session on an admin route",
    );
    // The admin reads the admin area, and not the app.
    let reply = send(&router, get_req("/admin/claims", Some(&admin_cookie), None)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["name"], "root");
    assert_generic_401(
        &send(&router, get_req("/claims", Some(&admin_cookie), None)).await,
        "an admin session on an app route",
    );
}

#[test]
fn rejections_are_send_sync_and_keep_the_error_for_logs() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<SessionRejection>();
    assert_send_sync::<DecodedSession<Session>>();
    assert_send_sync::<SessionLayer<Session>>();
    let invalid = SessionRejection::Invalid(Error::DecryptionFailed);
    assert_eq!(invalid.error(), Some(&Error::DecryptionFailed));
    assert_eq!(invalid.to_string(), "invalid session: decryption failed");
    assert_eq!(SessionRejection::Missing.error(), None);
}
