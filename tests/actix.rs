//! The actix-web extractors and middleware (feature `actix`) through a real actix-web server on
//! 127.0.0.1 (an ephemeral port, one worker), called with plain HTTP/1.1 requests over TCP, on
//! sessions written by the real libraries: `fixtures/requests.json`, `fixtures/quickstart/`
//! (next-auth 4.24.15, @auth/core 0.41.3), `fixtures/csrf.json` (their CSRF code and the v4
//! middleware's sign-in redirects), `fixtures/database/` (the Auth.js adapters' tables, in
//! SQLite) and `fixtures/better-auth/` (better-auth 1.7.25), plus a PostgreSQL server that is
//! stopped mid-test for the `503` of a database that is down.
//!
//! Most tests serve many fixture cases at once: one scope per case, selected by an `x-case`
//! request header (a guard), each with its own `web::Data<SessionSource>` (and `Csrf`, and
//! `SignInPage`), so that the request paths are the fixtures' own.

use std::net::SocketAddr;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpResponse, HttpServer, guard, web};
use nextauth_session::better_auth::{BetterAuth, CacheStrategy};
use nextauth_session::database::{Schema, Store};
use nextauth_session::integrations::DecodedSession;
use nextauth_session::integrations::SessionSource;
use nextauth_session::integrations::actix::{
    AuthSession, CsrfRejection, CsrfVerified, OptionalAuthSession, SessionMiddleware,
    SessionRejection, SignInPage, SignInRedirect, SignedIn,
};
use nextauth_session::{Csrf, CsrfError, Decoder, Error, Flavor, Session};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The interop binary's fixture helpers (this binary uses `js_json_eq`).
#[path = "interop/common.rs"]
#[allow(dead_code)]
mod common;
use common::js_json_eq;

#[path = "support/fixtures.rs"]
#[allow(dead_code)] // the support module serves several test binaries
mod fixtures;
use fixtures::{
    by_id, case_csrf, case_decoder, csrf_expected, flavor, json_fixture, path, quickstart_v5,
    request_case, text_fixture,
};

#[path = "support/prisma.rs"]
#[allow(dead_code)] // the support module serves several test binaries
mod prisma;

#[path = "support/pg.rs"]
#[allow(dead_code)] // the support module serves several test binaries
mod pg;

// ---- a real server and a real client --------------------------------------------------------

/// An actix-web server on 127.0.0.1, stopped (and its thread joined) when dropped.
struct Server {
    addr: SocketAddr,
    handle: ServerHandle,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        // The stop command is sent at once; the returned future only waits for it.
        drop(self.handle.stop(false));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts `HttpServer::new($factory)` on its own thread (an actix system) on a free loopback
/// port, with one worker.
macro_rules! serve {
    ($factory:expr) => {{
        let factory = $factory;
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = HttpServer::new(factory)
                    .workers(1)
                    .disable_signals()
                    .shutdown_timeout(1)
                    .bind(("127.0.0.1", 0))
                    .expect("bind 127.0.0.1:0");
                let addr = server.addrs()[0];
                let server = server.run();
                tx.send((addr, server.handle())).expect("the test waits");
                server.await.expect("server runs");
            });
        });
        let (addr, handle) = rx.recv().expect("the server started");
        Server {
            addr,
            handle,
            thread: Some(thread),
        }
    }};
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request on a new connection (`Connection: close`), the whole reply read.
async fn send(
    server: &Server,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Reply {
    let mut stream = tokio::net::TcpStream::connect(server.addr)
        .await
        .expect("connect");
    let mut request =
        format!("{method} {target} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!("content-length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut raw))
        .await
        .expect("the server answers within 30 s")
        .expect("read");
    parse_reply(&raw)
}

fn parse_reply(raw: &[u8]) -> Reply {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header block");
    let head = std::str::from_utf8(&raw[..split]).expect("ASCII head");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("status line");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("status line {status_line:?}"));
    let headers: Vec<(String, String)> = lines
        .map(|l| {
            let (n, v) = l.split_once(':').expect("a header line");
            (n.trim().to_owned(), v.trim().to_owned())
        })
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    if chunked {
        body = dechunk(&body);
    }
    Reply {
        status,
        headers,
        body: String::from_utf8(body).expect("UTF-8 body"),
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("chunk size");
        let size_text = std::str::from_utf8(&data[..line_end]).expect("ASCII");
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16)
            .expect("hex size");
        data = &data[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

async fn get(server: &Server, target: &str, headers: &[(&str, &str)]) -> Reply {
    send(server, "GET", target, headers, "").await
}

fn assert_generic_401(reply: &Reply, what: &str) {
    assert_eq!(reply.status, 401, "{what}: {}", reply.body);
    assert_eq!(
        reply.body, "unauthorized",
        "{what}: the body must not say why"
    );
    assert_eq!(
        reply.header("content-type"),
        Some("text/plain; charset=utf-8"),
        "{what}"
    );
}

fn assert_503(reply: &Reply, what: &str) {
    assert_eq!(reply.status, 503, "{what}: {}", reply.body);
    assert_eq!(reply.body, "service unavailable", "{what}");
}

// ---- the handlers -----------------------------------------------------------------------------

async fn claims(AuthSession(claims): AuthSession<Value>) -> HttpResponse {
    HttpResponse::Ok().json(claims)
}

async fn user(AuthSession(session): AuthSession) -> HttpResponse {
    HttpResponse::Ok().json(session.user())
}

async fn optional(OptionalAuthSession(session): OptionalAuthSession<Value>) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "session": session }))
}

/// actix-web's own `Option<E>`: every rejection is `None`.
async fn plain_option(session: Option<AuthSession<Value>>) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "session": session.map(|AuthSession(c)| c) }))
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
    body: web::Json<Value>,
) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "ok": true, "by": session.email, "body": body.into_inner() }))
}

async fn from_middleware(decoded: web::ReqData<DecodedSession<Value>>) -> String {
    match decoded.result() {
        Ok(Some(claims)) => format!("session {}", claims["name"].as_str().unwrap_or("")),
        Ok(None) => "none".to_owned(),
        Err(e) => format!("error: {e}"),
    }
}

fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/claims", web::get().to(claims))
        .route("/user", web::get().to(user))
        .route("/optional", web::get().to(optional))
        .route("/plain-option", web::get().to(plain_option))
        .route("/diagnose", web::get().to(diagnose))
        .route("/layer", web::get().to(from_middleware))
        .route("/posts", web::post().to(create))
        .default_service(web::get().to(signed_in));
}

/// The configuration of one case's scope.
#[derive(Clone)]
struct Case {
    source: SessionSource,
    csrf: Csrf,
    sign_in: Option<SignInPage>,
}

impl Case {
    fn new(source: impl Into<SessionSource>) -> Self {
        Self {
            source: source.into(),
            csrf: some_csrf(),
            sign_in: None,
        }
    }
}

/// One scope per case, at the root, selected by the `x-case: <index>` header.
fn case_scopes(cases: &[Case]) -> Vec<actix_web::Scope> {
    cases
        .iter()
        .enumerate()
        .map(|(i, case)| {
            let want = i.to_string();
            let mut scope = web::scope("")
                .guard(guard::fn_guard(move |ctx| {
                    ctx.head()
                        .headers()
                        .get("x-case")
                        .is_some_and(|v| v.as_bytes() == want.as_bytes())
                }))
                .app_data(web::Data::new(case.source.clone()))
                .app_data(web::Data::new(case.csrf.clone()));
            if let Some(page) = &case.sign_in {
                scope = scope.app_data(page.clone());
            }
            scope.configure(routes)
        })
        .collect()
}

/// A server for `cases` (see [`case_scopes`]).
fn serve_cases(cases: Vec<Case>) -> Server {
    serve!(move || {
        case_scopes(&cases)
            .into_iter()
            .fold(App::new(), |app, scope| app.service(scope))
    })
}

/// Any CSRF check: the session routes do not use it.
fn some_csrf() -> Csrf {
    Csrf::builder(Flavor::V5)
        .secret("unused csrf secret")
        .build()
        .unwrap()
}

// ---- JWT sessions -----------------------------------------------------------------------------

#[tokio::test]
async fn jwt_session_through_every_extractor() {
    let (decoder, cookie, payload) = quickstart_v5();
    let server = serve_cases(vec![Case::new(decoder)]);
    fn with(cookie: &str) -> [(&str, &str); 2] {
        [("x-case", "0"), ("cookie", cookie)]
    }
    let cookie = cookie.as_str();

    let reply = get(&server, "/claims", &with(cookie)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(js_json_eq(&reply.json(), &payload), "{}", reply.body);
    let reply = get(&server, "/user", &with(cookie)).await;
    assert_eq!(
        reply.json(),
        json!({ "name": payload["name"], "email": payload["email"], "image": payload["picture"] })
    );
    for route in ["/optional", "/plain-option"] {
        let reply = get(&server, route, &with(cookie)).await;
        assert!(js_json_eq(&reply.json()["session"], &payload), "{route}");
    }
    assert_eq!(
        get(&server, "/diagnose", &with(cookie)).await.body,
        "session"
    );
    let reply = get(&server, "/dashboard", &with(cookie)).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.body,
        format!("hello {}", payload["name"].as_str().unwrap())
    );

    // No session: 401, None, a redirect.
    for cookie in ["theme=dark", "_ga=GA1.1.1.2"] {
        assert_generic_401(&get(&server, "/claims", &with(cookie)).await, "missing");
        for route in ["/optional", "/plain-option"] {
            let reply = get(&server, route, &with(cookie)).await;
            assert_eq!(reply.json(), json!({ "session": null }), "{route}");
        }
        assert_eq!(
            get(&server, "/diagnose", &with(cookie)).await.body,
            "missing"
        );
        let reply = get(&server, "/dashboard?tab=1", &with(cookie)).await;
        assert_eq!(reply.status, 307);
        assert_eq!(
            reply.header("location"),
            Some("/api/auth/signin?callbackUrl=%2Fdashboard%3Ftab%3D1")
        );
    }

    // Tampered (one character of the ciphertext): 401 with the same body, None, a redirect.
    let token = text_fixture("quickstart/v5.token");
    let parts: Vec<&str> = token.split('.').collect();
    let mut ct = parts[3].to_owned();
    let flipped = if ct.starts_with('A') { "B" } else { "A" };
    ct.replace_range(0..1, flipped);
    let tampered = format!(
        "authjs.session-token={}.{}.{}.{}.{}",
        parts[0], parts[1], parts[2], ct, parts[4]
    );
    assert_generic_401(&get(&server, "/claims", &with(&tampered)).await, "tampered");
    let reply = get(&server, "/optional", &with(&tampered)).await;
    assert_eq!(reply.json(), json!({ "session": null }));
    assert_eq!(
        get(&server, "/diagnose", &with(&tampered)).await.body,
        "invalid: decryption failed"
    );
    assert_eq!(
        get(&server, "/dashboard", &with(&tampered)).await.status,
        307
    );

    // The same token as a Bearer token (no cookie).
    let bearer = format!("Bearer {token}");
    let reply = get(
        &server,
        "/claims",
        &[("x-case", "0"), ("authorization", &bearer)],
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(js_json_eq(&reply.json(), &payload));
}

#[tokio::test]
async fn expired_session_and_wrong_secret() {
    let case = request_case("v5-expired");
    assert!(
        case["reference"]["fetch-request"]["payload"].is_null(),
        "the reference rejects it"
    );
    let (_, cookie, _) = quickstart_v5();
    let wrong = Decoder::builder(Flavor::V5)
        .secret("not the secret")
        .fixed_time(1_750_000_060)
        .build()
        .unwrap();
    let server = serve_cases(vec![
        Case::new(case_decoder(&case).unwrap()),
        Case::new(wrong),
    ]);
    let expired = case["cookie"].as_str().unwrap();
    assert_generic_401(
        &get(&server, "/claims", &[("x-case", "0"), ("cookie", expired)]).await,
        "expired",
    );
    let reply = get(
        &server,
        "/diagnose",
        &[("x-case", "0"), ("cookie", expired)],
    )
    .await;
    assert!(
        reply.body.starts_with("invalid: session expired"),
        "{}",
        reply.body
    );
    assert_generic_401(
        &get(&server, "/claims", &[("x-case", "1"), ("cookie", &cookie)]).await,
        "wrong secret",
    );
}

/// Every requests.json case through `AuthSession` and `OptionalAuthSession`: the reference's
/// payload (or the policy's), or a generic 401 and `None`.
#[tokio::test]
async fn every_request_fixture_through_the_extractors() {
    let fixtures = json_fixture("requests.json");
    let mut served = Vec::new();
    let mut cases = Vec::new();
    for case in fixtures["cases"].as_array().unwrap() {
        let Some(decoder) = case_decoder(case) else {
            assert_eq!(
                case["policy"]["expect"], "error:no-secret",
                "{}",
                case["id"]
            );
            continue;
        };
        cases.push(Case::new(decoder));
        served.push(case);
    }
    let server = serve_cases(cases);
    let (mut sessions, mut rejected) = (0, 0);
    for (i, case) in served.iter().enumerate() {
        let id = case["id"].as_str().unwrap();
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
        let index = i.to_string();
        let mut headers = vec![("x-case", index.as_str())];
        if let Some(cookie) = case["cookie"].as_str() {
            headers.push(("cookie", cookie));
        }
        if let Some(authorization) = case["authorization"].as_str() {
            headers.push(("authorization", authorization));
        }
        let reply = get(&server, "/claims", &headers).await;
        let optional = get(&server, "/optional", &headers).await;
        match want {
            Some(payload) => {
                assert_eq!(reply.status, 200, "{id}: {}", reply.body);
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

#[tokio::test]
async fn sign_in_redirects_match_the_v4_middleware() {
    let (decoder, cookie, payload) = quickstart_v5();
    let fixtures = json_fixture("csrf.json");
    let redirects = fixtures["sign_in_redirects"].as_array().unwrap();
    assert!(redirects.len() >= 10);
    let cases = redirects
        .iter()
        .map(|case| Case {
            sign_in: case["sign_in_page"].as_str().map(SignInPage::new),
            ..Case::new(decoder.clone())
        })
        .collect();
    let server = serve_cases(cases);
    for (i, case) in redirects.iter().enumerate() {
        let id = case["id"].as_str().unwrap();
        let index = i.to_string();
        let target = case["request"].as_str().unwrap();
        let reply = get(&server, target, &[("x-case", &index)]).await;
        match case["reference"].as_object() {
            Some(reference) => {
                assert_eq!(
                    u64::from(reply.status),
                    reference["status"].as_u64().unwrap(),
                    "{id}"
                );
                assert_eq!(
                    reply.header("location"),
                    reference["location"].as_str(),
                    "{id}"
                );
            }
            // The middleware lets a request for the sign-in page through; a Rust route that
            // requires a session cannot, and answers 401 instead of redirecting in a loop.
            None => {
                assert_generic_401(&reply, id);
                assert_eq!(reply.header("location"), None, "{id}");
            }
        }
        let reply = get(&server, target, &[("x-case", &index), ("cookie", &cookie)]).await;
        assert_eq!(reply.status, 200, "{id}");
        assert_eq!(
            reply.body,
            format!("hello {}", payload["name"].as_str().unwrap())
        );
    }
}

// ---- CSRF -------------------------------------------------------------------------------------

/// Every CSRF fixture through the server: a POST with a valid session cookie next to the
/// fixture's cookies, and the submitted token in `X-CSRF-Token`.
#[tokio::test]
async fn csrf_fixtures_through_the_server() {
    let fixtures = json_fixture("csrf.json");
    let csrf_cases = fixtures["cases"].as_array().unwrap();
    let session_case = |flavor: &str| request_case(&format!("{flavor}-unchunked-only"));
    let cases = csrf_cases
        .iter()
        .map(|case| Case {
            csrf: case_csrf(case),
            ..Case::new(case_decoder(&session_case(case["flavor"].as_str().unwrap())).unwrap())
        })
        .collect();
    let server = serve_cases(cases);
    let mut ok = 0;
    for (i, case) in csrf_cases.iter().enumerate() {
        let id = case["id"].as_str().unwrap();
        let session = session_case(case["flavor"].as_str().unwrap());
        let session_cookie = session["cookie"].as_str().unwrap();
        let cookie = match case["cookie"].as_str() {
            Some(c) => format!("{session_cookie}; {c}"),
            None => session_cookie.to_owned(),
        };
        let index = i.to_string();
        let mut headers = vec![
            ("x-case", index.as_str()),
            ("cookie", cookie.as_str()),
            ("content-type", "application/json"),
        ];
        if let Some(token) = case["submitted"].as_str() {
            headers.push(("x-csrf-token", token));
        }
        let reply = send(&server, "POST", "/posts", &headers, r#"{"title":"hi"}"#).await;
        if csrf_expected(case) {
            assert_eq!(reply.status, 200, "{id}: {}", reply.body);
            assert_eq!(reply.json()["ok"], true, "{id}");
            assert_eq!(reply.json()["body"], json!({ "title": "hi" }), "{id}");
            ok += 1;
        } else {
            assert_eq!(reply.status, 403, "{id}");
            assert_eq!(reply.body, "forbidden: csrf check failed", "{id}");
        }
    }
    assert!(ok >= 15, "{ok}");
    // A valid CSRF pair without a session: the CSRF check passes, the session check does not.
    let (i, case) = csrf_cases
        .iter()
        .enumerate()
        .find(|(_, c)| c["id"] == "v5-valid-encoded")
        .unwrap();
    let index = i.to_string();
    let reply = send(
        &server,
        "POST",
        "/posts",
        &[
            ("x-case", &index),
            ("cookie", case["cookie"].as_str().unwrap()),
            ("content-type", "application/json"),
            ("x-csrf-token", case["submitted"].as_str().unwrap()),
        ],
        "{}",
    )
    .await;
    assert_generic_401(&reply, "csrf without session");
}

// ---- the middleware: once per request, bound to its source ------------------------------------

#[tokio::test]
async fn middleware_decodes_into_the_extensions() {
    let (decoder, cookie, payload) = quickstart_v5();
    let source = SessionSource::from(decoder);
    let server = serve!(move || {
        App::new()
            .app_data(web::Data::new(source.clone()))
            .wrap(SessionMiddleware::<Value>::new(source.clone()))
            .configure(routes)
    });
    let name = payload["name"].as_str().unwrap();
    let reply = get(&server, "/layer", &[("cookie", &cookie)]).await;
    assert_eq!(reply.body, format!("session {name}"));
    assert_eq!(
        get(&server, "/layer", &[("cookie", "theme=dark")])
            .await
            .body,
        "none"
    );
    let reply = get(
        &server,
        "/layer",
        &[("cookie", "authjs.session-token=not-a-token")],
    )
    .await;
    assert!(
        reply
            .body
            .starts_with("error: not an encrypted session token"),
        "{}",
        reply.body
    );
    // The extractors take the middleware's result for the same source.
    let reply = get(&server, "/claims", &[("cookie", &cookie)]).await;
    assert_eq!(reply.status, 200);
    assert!(js_json_eq(&reply.json(), &payload));
}

/// Two session domains under one middleware on the whole app: the app's users (the
/// middleware's decoder) and an admin scope with its own secret and cookie name. An extractor
/// that took any `DecodedSession` would let an app user into the admin scope.
#[tokio::test]
async fn one_global_middleware_does_not_let_one_domain_into_another() {
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
    let app_source = SessionSource::from(app_decoder);
    let admin_source = SessionSource::from(admin);
    let server = serve!(move || {
        App::new()
            .app_data(web::Data::new(app_source.clone()))
            .wrap(SessionMiddleware::<Value>::new(app_source.clone()))
            .service(
                web::scope("/admin")
                    .app_data(web::Data::new(admin_source.clone()))
                    .route("/claims", web::get().to(claims))
                    .route("/dashboard", web::get().to(signed_in)),
            )
            .route("/claims", web::get().to(claims))
    });
    // An app user is a user of the app, not of the admin area.
    assert_eq!(
        get(&server, "/claims", &[("cookie", &app_cookie)])
            .await
            .status,
        200
    );
    assert_generic_401(
        &get(&server, "/admin/claims", &[("cookie", &app_cookie)]).await,
        "an app session on an admin route",
    );
    let reply = get(&server, "/admin/dashboard", &[("cookie", &app_cookie)]).await;
    assert_eq!(reply.status, 307, "an app session on an admin page");
    // The callback is the whole path, scope prefix included.
    assert_eq!(
        reply.header("location"),
        Some("/api/auth/signin?callbackUrl=%2Fadmin%2Fdashboard")
    );
    // The admin reads the admin area, and not the app.
    let reply = get(&server, "/admin/claims", &[("cookie", &admin_cookie)]).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["name"], "root");
    assert_generic_401(
        &get(&server, "/claims", &[("cookie", &admin_cookie)]).await,
        "an admin session on an app route",
    );
}

#[tokio::test]
async fn a_route_without_its_configuration_answers_500() {
    let server = serve!(|| App::new().configure(routes));
    for route in ["/claims", "/optional", "/dashboard"] {
        let reply = get(&server, route, &[("cookie", "authjs.session-token=x")]).await;
        assert_eq!(reply.status, 500, "{route}");
        assert_eq!(reply.body, "internal server error", "{route}");
    }
    let reply = get(&server, "/diagnose", &[]).await;
    assert_eq!(
        reply.body,
        "other: no web::Data<SessionSource> in the app data"
    );
    let reply = send(
        &server,
        "POST",
        "/posts",
        &[("content-type", "application/json")],
        "{}",
    )
    .await;
    assert_eq!(reply.status, 500);
}

// ---- database sessions ------------------------------------------------------------------------

/// A served case's id, request headers and expected session (see [`served_case`]).
type ServedCase<'a> = (
    &'a str,
    Vec<(&'static str, &'a str)>,
    Option<&'a serde_json::Map<String, Value>>,
);

/// Fixture case `case`, served by the scope at `index` (see [`case_scopes`]): its id, the
/// headers that reach that scope with the case's cookie, and the session the reference found
/// unless a policy row (an id containing one of `policy`) says this crate finds none.
fn served_case<'a>(index: &'a str, case: &'a Value, policy: &[&str]) -> ServedCase<'a> {
    let id = case["id"].as_str().unwrap();
    let mut headers = vec![("x-case", index)];
    if let Some(cookie) = case["cookie"].as_str() {
        headers.push(("cookie", cookie));
    }
    let want = case["session"]
        .as_object()
        .filter(|_| !policy.iter().any(|p| id.contains(p)));
    (id, headers, want)
}

/// The Auth.js adapters' SQLite tables (`fixtures/database/sqlite/prisma.sql`) and every case
/// the references answered on them, through `AuthSession` and `SignedIn`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_sessions_from_the_fixtures() {
    let file = json_fixture("database/cases.json");
    let dump = std::fs::read_to_string(path("database/sqlite/prisma.sql")).unwrap();
    let url = pg::restore("sqlite", &dump, "actix").await;
    let base = Store::connect(&url, Schema::by_name("prisma").unwrap())
        .await
        .unwrap();
    // The policy rows of tests/database/fixtures.rs: the references find a session, we do not.
    let policy = ["legacy", "v4/double-quoted"];
    let served: Vec<&Value> = file["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["database"] == "sqlite/prisma")
        .collect();
    assert!(served.len() > 50);
    let cases = served
        .iter()
        .map(|case| {
            let store = base
                .clone()
                .fixed_time_ms(case["now_ms"].as_i64().unwrap())
                .flavor(flavor(case["library"].as_str().unwrap()))
                .secure(case["secure"].as_bool().unwrap_or(false));
            let name = case["cookie_name"].as_str().unwrap();
            let store = if store.cookie_name_in_use() == name {
                store
            } else {
                store.cookie_name(name).unwrap()
            };
            Case::new(store)
        })
        .collect();
    let server = serve_cases(cases);
    let (mut found, mut none) = (0, 0);
    for (i, case) in served.iter().enumerate() {
        let index = i.to_string();
        let (id, headers, want) = served_case(&index, case, &policy);
        let reply = get(&server, "/user", &headers).await;
        let page = get(&server, "/dashboard", &headers).await;
        match want {
            Some(session) => {
                found += 1;
                assert_eq!(reply.status, 200, "{id}: {}", reply.body);
                let user = &session["user"];
                assert_eq!(
                    reply.json(),
                    json!({"name": user["name"], "email": user["email"], "image": user["image"]}),
                    "{id}"
                );
                assert_eq!(page.status, 200, "{id}");
            }
            None => {
                none += 1;
                assert_generic_401(&reply, id);
                assert_eq!(page.status, 307, "{id}");
            }
        }
    }
    assert!(found > 20 && none > 20, "found {found}, none {none}");
}

/// The middleware looks the session up once per request: the extractors of the same source
/// reuse its lookup.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn middleware_looks_up_once_per_request() {
    let url = pg::fresh_database("actix_layer").await;
    let store = prisma::store(&url)
        .await
        .cache_ttl(Duration::ZERO)
        .negative_cache_ttl(Duration::ZERO);
    let source = SessionSource::from(store.clone());
    let server = serve!(move || {
        App::new()
            .app_data(web::Data::new(source.clone()))
            .wrap(SessionMiddleware::<Value>::new(source.clone()))
            .wrap(SessionMiddleware::<Session>::new(source.clone()))
            .configure(routes)
    });
    let cookie = [("cookie", "authjs.session-token=tok")];
    assert_eq!(get(&server, "/layer", &cookie).await.body, "session Ada");
    // Two middlewares (one per claims type): two lookups.
    assert_eq!(store.queries_sent(), 2);
    // `/user` (AuthSession<Session>) takes the lookup of the `Session` middleware.
    let reply = get(&server, "/user", &cookie).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["email"], "ada@example.com");
    assert_eq!(store.queries_sent(), 4);
    // No cookie: no lookup.
    assert_eq!(
        get(&server, "/layer", &[("cookie", "x=1")]).await.body,
        "none"
    );
    assert_eq!(store.queries_sent(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_down_is_503_for_every_extractor() {
    let cluster = pg::start_cluster("actix-down");
    let store = prisma::store(&cluster.url)
        .await
        .query_timeout(Duration::from_secs(2));
    let source = SessionSource::from(store);
    let server = serve!(move || {
        App::new()
            .app_data(web::Data::new(source.clone()))
            .configure(routes)
    });
    let cookie = [("cookie", "authjs.session-token=tok")];
    assert_eq!(get(&server, "/user", &cookie).await.status, 200);
    pg::stop_cluster(&cluster);
    // Another token than the cached one: the lookup reaches the stopped server.
    let cookie = [("cookie", "authjs.session-token=other")];
    for route in ["/user", "/optional", "/dashboard"] {
        assert_503(&get(&server, route, &cookie).await, route);
    }
    let reply = get(&server, "/diagnose", &cookie).await;
    assert!(
        reply
            .body
            .starts_with("other: session store unavailable: session store:"),
        "{}",
        reply.body
    );
    // actix-web's `Option<AuthSession>` turns the outage into "no session", which is why the
    // crate has `OptionalAuthSession`.
    let reply = get(&server, "/plain-option", &cookie).await;
    assert_eq!(reply.json(), json!({ "session": null }));
    // No cookie: no lookup, so no outage to report.
    let reply = get(&server, "/optional", &[("cookie", "theme=dark")]).await;
    assert_eq!(reply.json(), json!({ "session": null }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_down_through_the_middleware_is_503() {
    let cluster = pg::start_cluster("actix-down-layer");
    let store = prisma::store(&cluster.url)
        .await
        .query_timeout(Duration::from_secs(2));
    let source = SessionSource::from(store);
    let server = serve!(move || {
        App::new()
            .app_data(web::Data::new(source.clone()))
            .wrap(SessionMiddleware::<Value>::new(source.clone()))
            .configure(routes)
    });
    pg::stop_cluster(&cluster);
    let cookie = [("cookie", "authjs.session-token=tok")];
    let reply = get(&server, "/layer", &cookie).await;
    assert!(
        reply.body.starts_with("error: session store:"),
        "{}",
        reply.body
    );
    for route in ["/claims", "/optional", "/dashboard"] {
        assert_503(&get(&server, route, &cookie).await, route);
    }
}

// ---- Better Auth ------------------------------------------------------------------------------

/// A Better Auth reader for a configuration of `fixtures/better-auth/cases.json`.
fn better_auth_reader(config: &Value, now_ms: i64) -> BetterAuth {
    let mut b = BetterAuth::builder()
        .secure(config["secure"].as_bool().unwrap())
        .fixed_time_ms(now_ms);
    for secret in config["secrets"].as_array().unwrap() {
        b = b.secret(secret.as_str().unwrap());
    }
    if let Some(prefix) = config["cookie_prefix"].as_str() {
        b = b.cookie_prefix(prefix);
    }
    if let Some(name) = config["session_token_name"].as_str() {
        b = b.session_token_name(name);
    }
    match config["cache"].as_str() {
        Some("compact") => b = b.cookie_cache(CacheStrategy::Compact),
        Some("jwt") => b = b.cookie_cache(CacheStrategy::Jwt),
        Some("jwe") => b = b.cookie_cache(CacheStrategy::Jwe),
        None => {}
        Some(other) => panic!("strategy {other}"),
    }
    if let Some(version) = config["cache_version"].as_str() {
        b = b.cache_version(version);
    }
    b.stateless(config["stateless"].as_bool().unwrap())
        .build()
        .unwrap()
}

/// Every case of two configurations (stateless; database mode in SQLite without a cookie
/// cache) through `AuthSession<Value>`: the claims view of better-auth's `getSession` answer,
/// or 401 where it answered none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn better_auth_sessions_stateless_and_database() {
    let file = json_fixture("better-auth/cases.json");
    let config = |id: &str| by_id(&file["configs"], id);
    let db = by_id(&file["databases"], "sqlite/db-nocache");
    let dump =
        std::fs::read_to_string(path("better-auth").join(db["dump"].as_str().unwrap())).unwrap();
    let url = pg::restore("sqlite", &dump, "actix_ba").await;
    let store = Store::connect(&url, Schema::by_name("better-auth").unwrap())
        .await
        .unwrap();
    // The policy rows of tests/better_auth: better-auth finds a session, this crate does not.
    let policy = ["token-quoted", "token-sig-unused-bits", "cache-padded"];
    let served: Vec<&Value> = file["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["config"] == "stateless" || c["config"] == "sqlite-db-nocache")
        .collect();
    let cases = served
        .iter()
        .map(|case| {
            let now = case["now_ms"].as_i64().unwrap();
            let reader = better_auth_reader(&config(case["config"].as_str().unwrap()), now);
            if case["config"] == "stateless" {
                Case::new(reader)
            } else {
                Case::new((reader, store.clone().fixed_time_ms(now)))
            }
        })
        .collect();
    let server = serve_cases(cases);
    let (mut found, mut none) = (0, 0);
    for (i, case) in served.iter().enumerate() {
        let index = i.to_string();
        let (id, headers, want) = served_case(&index, case, &policy);
        let reply = get(&server, "/claims", &headers).await;
        match want {
            Some(session) => {
                found += 1;
                assert_eq!(reply.status, 200, "{id}: {}", reply.body);
                let claims = reply.json();
                assert_eq!(claims["sub"], session["user"]["id"], "{id}");
                assert_eq!(claims["email"], session["user"]["email"], "{id}");
                assert_eq!(claims["name"], session["user"]["name"], "{id}");
            }
            None => {
                none += 1;
                assert_generic_401(&reply, id);
            }
        }
    }
    assert!(found > 10 && none > 10, "found {found}, none {none}");
}

#[test]
fn rejections_keep_the_error_for_logs() {
    let invalid = SessionRejection::Invalid(Error::DecryptionFailed);
    assert_eq!(invalid.error(), Some(&Error::DecryptionFailed));
    assert_eq!(invalid.to_string(), "invalid session: decryption failed");
    assert_eq!(SessionRejection::Missing.error(), None);
    assert_eq!(
        CsrfRejection::Failed(CsrfError::Mismatch).to_string(),
        "csrf check failed: the submitted csrf token does not match the cookie"
    );
    fn assert_error<E: actix_web::ResponseError>() {}
    assert_error::<SessionRejection>();
    assert_error::<SignInRedirect>();
    assert_error::<CsrfRejection>();
}
