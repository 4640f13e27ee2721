//! The tonic example (`examples/tonic.rs`, compiled into this test) through a real tonic server
//! on 127.0.0.1 and a real tonic client: JWT sessions through its synchronous interceptor, on
//! the quickstart token next-auth wrote (`fixtures/quickstart/`); database sessions through
//! the crate's tower layer, on the Auth.js prisma adapter's SQLite tables
//! (`fixtures/database/`), and a PostgreSQL server stopped mid-test for `UNAVAILABLE`.

use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Duration;

use http::uri::PathAndQuery;
use nextauth_session::database::{Schema, Store};
use nextauth_session::{Decoder, Flavor};
use serde_json::Value;
use tonic::metadata::MetadataValue;
use tonic::transport::Channel;
use tonic::{Code, Request};

#[path = "../examples/tonic.rs"]
#[allow(dead_code)] // its `main` runs the example, not this test
mod example;
use example::{WhoAmIReply, WhoAmIRequest};

#[path = "support/fixtures.rs"]
#[allow(dead_code)] // the support module serves several test binaries
mod fixtures;
use fixtures::{json_fixture, path, quickstart_v5_token};

#[path = "support/pg.rs"]
#[allow(dead_code)] // the support module serves several test binaries
mod pg;

/// A running server; stopped when dropped.
struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task.abort();
    }
}

async fn listener() -> (tokio::net::TcpListener, SocketAddr) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().unwrap();
    (listener, addr)
}

fn stop_signal() -> (tokio::sync::oneshot::Sender<()>, impl Future<Output = ()>) {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    (tx, async {
        let _ = rx.await;
    })
}

/// Serves `serve(listener, stop signal)` on a free loopback port.
async fn serve<F, Fut, E>(serve: F) -> Server
where
    F: FnOnce(tokio::net::TcpListener, Pin<Box<dyn Future<Output = ()> + Send>>) -> Fut,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: std::fmt::Debug,
{
    let (listener, addr) = listener().await;
    let (stop, signal) = stop_signal();
    let running = serve(listener, Box::pin(signal));
    let task = tokio::spawn(async move {
        running.await.expect("serves");
    });
    Server {
        addr,
        stop: Some(stop),
        task,
    }
}

async fn serve_jwt(decoder: Decoder) -> Server {
    serve(|listener, signal| example::serve_jwt(listener, decoder, signal)).await
}

async fn serve_store(store: Store) -> Server {
    serve(|listener, signal| example::serve_with_layer(listener, store, signal)).await
}

/// Calls `WhoAmI` with these metadata entries, as a gateway forwards the browser's headers.
async fn who_am_i(
    server: &Server,
    metadata: &[(&'static str, &str)],
) -> Result<WhoAmIReply, tonic::Status> {
    let channel = Channel::from_shared(format!("http://{}", server.addr))
        .unwrap()
        .connect()
        .await
        .expect("connect");
    let mut client = tonic::client::Grpc::new(channel);
    client.ready().await.expect("ready");
    let mut request = Request::new(WhoAmIRequest {});
    for (name, value) in metadata {
        request
            .metadata_mut()
            .append(*name, MetadataValue::try_from(*value).expect("ASCII"));
    }
    let codec = tonic_prost::ProstCodec::<WhoAmIRequest, WhoAmIReply>::default();
    client
        .unary(request, PathAndQuery::from_static(example::WHO_AM_I), codec)
        .await
        .map(tonic::Response::into_inner)
}

fn assert_unauthenticated(result: Result<WhoAmIReply, tonic::Status>, what: &str) {
    let status = result.expect_err(what);
    assert_eq!(status.code(), Code::Unauthenticated, "{what}: {status:?}");
    assert_eq!(
        status.message(),
        example::UNAUTHENTICATED,
        "{what}: the message must not say why"
    );
}

#[tokio::test]
async fn jwt_sessions_through_the_interceptor() {
    let (decoder, token, payload) = quickstart_v5_token();
    let server = serve_jwt(decoder).await;
    let want = WhoAmIReply {
        name: payload["name"].as_str().unwrap().to_owned(),
        email: payload["email"].as_str().unwrap().to_owned(),
        image: payload["picture"].as_str().unwrap().to_owned(),
    };

    let cookie = format!("theme=dark; authjs.session-token={token}");
    assert_eq!(
        who_am_i(&server, &[("cookie", &cookie)]).await.unwrap(),
        want
    );
    // A gateway may forward the cookies as several `cookie` entries (HTTP/2).
    let split = [
        ("cookie", "theme=dark"),
        ("cookie", &format!("authjs.session-token={token}")),
    ];
    assert_eq!(who_am_i(&server, &split).await.unwrap(), want);
    // A Bearer token instead of a cookie.
    let bearer = format!("Bearer {token}");
    assert_eq!(
        who_am_i(&server, &[("authorization", &bearer)])
            .await
            .unwrap(),
        want
    );

    assert_unauthenticated(who_am_i(&server, &[]).await, "no metadata");
    assert_unauthenticated(
        who_am_i(&server, &[("cookie", "theme=dark")]).await,
        "no session cookie",
    );
    let parts: Vec<&str> = token.split('.').collect();
    let mut ct = parts[3].to_owned();
    ct.replace_range(0..1, if ct.starts_with('A') { "B" } else { "A" });
    let tampered = format!(
        "authjs.session-token={}.{}.{}.{}.{}",
        parts[0], parts[1], parts[2], ct, parts[4]
    );
    assert_unauthenticated(
        who_am_i(&server, &[("cookie", &tampered)]).await,
        "tampered",
    );
    // The same token, another secret.
    let other = Decoder::builder(Flavor::V5)
        .secret("not the secret")
        .fixed_time(
            json_fixture("quickstart/params.json")["v5.token"]["now"]
                .as_i64()
                .unwrap(),
        )
        .build()
        .unwrap();
    let other_server = serve_jwt(other).await;
    assert_unauthenticated(
        who_am_i(&other_server, &[("cookie", &cookie)]).await,
        "wrong secret",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_sessions_through_the_tower_layer() {
    let cases = json_fixture("database/cases.json");
    let dump = std::fs::read_to_string(path("database/sqlite/prisma.sql")).unwrap();
    let url = pg::restore("sqlite", &dump, "tonic").await;
    let base = Store::connect(&url, Schema::by_name("prisma").unwrap())
        .await
        .unwrap();
    let mut checked = 0;
    for id in [
        "sqlite/prisma/v5/valid",
        "sqlite/prisma/v5/valid-magic-link-user",
        "sqlite/prisma/v5/expired-by-1ms",
        "sqlite/prisma/v5/unknown-token",
        "sqlite/prisma/v5/absent-cookie",
    ] {
        let case = cases["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("no case {id}"));
        let store = base
            .clone()
            .fixed_time_ms(case["now_ms"].as_i64().unwrap())
            .flavor(Flavor::V5);
        let server = serve_store(store).await;
        let metadata: Vec<(&'static str, &str)> = case["cookie"]
            .as_str()
            .map(|c| ("cookie", c))
            .into_iter()
            .collect();
        let got = who_am_i(&server, &metadata).await;
        match case["session"]["user"].as_object() {
            Some(user) => {
                let reply = got.unwrap_or_else(|e| panic!("{id}: {e:?}"));
                let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
                assert_eq!(reply.name, text(&user["name"]), "{id}");
                assert_eq!(reply.email, text(&user["email"]), "{id}");
                assert_eq!(reply.image, text(&user["image"]), "{id}");
            }
            None => assert_unauthenticated(got, id),
        }
        checked += 1;
    }
    assert_eq!(checked, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_down_is_unavailable() {
    let cluster = pg::start_cluster("tonic-down");
    let pool = sqlx::PgPool::connect(&cluster.url).await.unwrap();
    sqlx::raw_sql(
        r#"
        CREATE TABLE "User" (id TEXT PRIMARY KEY, name TEXT, email TEXT NOT NULL,
          "emailVerified" TIMESTAMP(3), image TEXT);
        CREATE TABLE "Session" ("sessionToken" TEXT NOT NULL UNIQUE, "userId" TEXT NOT NULL,
          expires TIMESTAMP(3) NOT NULL);
        INSERT INTO "User" VALUES ('cm1', 'Ada', 'ada@example.com', NULL, NULL);
        INSERT INTO "Session" VALUES ('tok', 'cm1', '2025-06-15T15:07:40.000');
        "#,
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let store = Store::connect(&cluster.url, Schema::by_name("prisma").unwrap())
        .await
        .unwrap()
        .fixed_time_ms(1_750_000_000_000)
        .query_timeout(Duration::from_secs(2));
    let server = serve_store(store).await;
    let reply = who_am_i(&server, &[("cookie", "authjs.session-token=tok")])
        .await
        .unwrap();
    assert_eq!(reply.email, "ada@example.com");
    pg::stop_cluster(&cluster);
    // Another token than the cached one: the lookup reaches the stopped server.
    let status = who_am_i(&server, &[("cookie", "authjs.session-token=other")])
        .await
        .expect_err("the database is down");
    assert_eq!(status.code(), Code::Unavailable, "{status:?}");
    // No cookie: no lookup, so no outage to report.
    assert_unauthenticated(
        who_am_i(&server, &[("cookie", "theme=dark")]).await,
        "no cookie",
    );
}
