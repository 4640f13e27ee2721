//! What the store does beyond the references' answers: errors of its own for a database that
//! is down, slow or of the wrong shape, the cache (single flight, negative entries, time to
//! live, expiry on every call), input bounds, read-only connections. Real PostgreSQL and
//! SQLite; rows written here with plain SQL in the @auth/pg-adapter and drizzle shapes.

use std::time::Duration;

use nextauth_session::database::{Column, DatabaseSession, MAX_TOKEN_LEN, Schema, Store};
use nextauth_session::{Error, Flavor, StoreError};
use serde_json::json;

use crate::pg;

/// @auth/pg-adapter's tables (its schema.sql), one user and sessions with the given expiries.
const PG_TABLES: &str = r#"
CREATE TABLE users (id SERIAL PRIMARY KEY, name VARCHAR(255), email VARCHAR(255),
  "emailVerified" TIMESTAMPTZ, image TEXT);
CREATE TABLE sessions (id SERIAL PRIMARY KEY, "userId" INTEGER NOT NULL,
  expires TIMESTAMPTZ NOT NULL, "sessionToken" VARCHAR(255) NOT NULL);
INSERT INTO users (name, email, "emailVerified", image)
  VALUES ('Ada', 'ada@example.com', '2025-06-01T10:00:00.123Z', NULL);
"#;

const NOW_MS: i64 = 1_750_000_000_000;

async fn pg_with_sessions(sessions: &[(&str, i64)]) -> (String, sqlx::PgPool) {
    let url = pg::fresh_database("behaviour").await;
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::raw_sql(PG_TABLES).execute(&pool).await.unwrap();
    for (token, expires_ms) in sessions {
        insert_pg_session(&pool, token, *expires_ms).await;
    }
    (url, pool)
}

async fn insert_pg_session(pool: &sqlx::PgPool, token: &str, expires_ms: i64) {
    sqlx::query(
        r#"INSERT INTO sessions ("userId", expires, "sessionToken")
           VALUES (1, to_timestamp($1::float8 / 1000), $2)"#,
    )
    .bind(expires_ms as f64)
    .bind(token)
    .execute(pool)
    .await
    .unwrap();
}

async fn store(url: &str) -> Store {
    Store::connect(url, Schema::by_name("pg").unwrap())
        .await
        .unwrap()
        .fixed_time_ms(NOW_MS)
}

#[tokio::test]
async fn found_at_expires_and_gone_one_millisecond_later() {
    let (url, _pool) = pg_with_sessions(&[("tok-a", NOW_MS)]).await;
    let found = store(&url).await.session("tok-a").await.unwrap().unwrap();
    assert_eq!(found.expires_ms(), NOW_MS);
    assert_eq!(found.user_id(), &json!(1));
    assert_eq!(found.user()["emailVerified"], "2025-06-01T10:00:00.123Z");
    let later = store(&url).await.fixed_time_ms(NOW_MS + 1);
    assert_eq!(later.session("tok-a").await.unwrap(), None);
}

#[tokio::test]
async fn database_down_is_an_error_not_signed_out() {
    let cluster = pg::start_cluster("down");
    let admin = sqlx::PgPool::connect(&cluster.url).await.unwrap();
    sqlx::raw_sql(PG_TABLES).execute(&admin).await.unwrap();
    insert_pg_session(&admin, "tok", NOW_MS + 60_000).await;
    admin.close().await;
    let store = store(&cluster.url)
        .await
        .query_timeout(Duration::from_secs(2));
    assert!(store.session("tok").await.unwrap().is_some());
    pg::stop_cluster(&cluster);
    let cold = store.clone().cache_ttl(Duration::ZERO);
    let err = cold.session("tok").await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Store(StoreError::Unavailable | StoreError::Timeout { .. })
        ),
        "{err:?}"
    );
    // Connecting to nothing: a port nobody listens on.
    let err = Store::connect(
        &cluster.url, // the stopped cluster's port
        Schema::by_name("pg").unwrap(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::Store(_)), "{err:?}");
    assert!(!format!("{err}").contains("postgres@"), "{err}");
}

#[tokio::test]
async fn slow_database_times_out() {
    let (url, pool) = pg_with_sessions(&[("tok", NOW_MS + 60_000)]).await;
    let store = store(&url)
        .await
        .query_timeout(Duration::from_millis(300))
        .cache_ttl(Duration::ZERO)
        .negative_cache_ttl(Duration::ZERO);
    // Another transaction holds an exclusive lock: the lookup waits.
    let mut tx = pool.begin().await.unwrap();
    sqlx::raw_sql("LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *tx)
        .await
        .unwrap();
    let err = store.session("tok").await.unwrap_err();
    assert_eq!(err, Error::Store(StoreError::Timeout { ms: 300 }));
    assert_eq!(
        err.to_string(),
        "session store: the lookup timed out after 300 ms"
    );
    tx.rollback().await.unwrap();
    assert!(store.session("tok").await.unwrap().is_some());
}

#[tokio::test]
async fn wrong_schema_is_found_at_connect() {
    let (url, pool) = pg_with_sessions(&[]).await;
    for (schema, needle) in [
        (Schema::by_name("drizzle").unwrap(), "no table \"user\""),
        (
            Schema::by_name("pg")
                .unwrap()
                .column(Column::SessionToken, "session_token")
                .unwrap(),
            "no column \"session_token\" in \"sessions\"",
        ),
    ] {
        let err = Store::connect(&url, schema).await.unwrap_err();
        assert!(
            matches!(&err, Error::Store(StoreError::Schema(m)) if m.contains(needle)),
            "{err:?}"
        );
    }
    // A join over mismatched types (text = integer) fails when the query is first run.
    sqlx::raw_sql(r#"ALTER TABLE sessions ALTER COLUMN "userId" TYPE TEXT"#)
        .execute(&pool)
        .await
        .unwrap();
    let err = Store::connect(&url, Schema::by_name("pg").unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Store(StoreError::Schema(m)) if m.contains("42883")),
        "{err:?}"
    );
}

#[tokio::test]
async fn debug_never_shows_the_connection() {
    let url = pg::fresh_database("debug").await;
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::raw_sql(PG_TABLES).execute(&pool).await.unwrap();
    sqlx::raw_sql("ALTER ROLE postgres PASSWORD 'hunter2-db-password'")
        .execute(&pool)
        .await
        .unwrap();
    let with_password = url.replace("postgres@", "postgres:hunter2-db-password@");
    let store = Store::connect(&with_password, Schema::by_name("pg").unwrap())
        .await
        .unwrap();
    let debug = format!("{store:?}");
    assert_eq!(
        debug,
        "Store { database: \"postgres\", schema: \"pg\", cookie_name: \"authjs.session-token\", \
         cache: Settings { ttl: 5s, negative_ttl: 1s, capacity: 10000 }, query_timeout: 3s, \
         fixed_time_ms: None, .. }"
    );
    assert!(!debug.contains("hunter2") && !debug.contains("127.0.0.1"));
    // A wrong password: an error without the URL.
    let wrong = url.replace("postgres@", "postgres:wrong@");
    let _ = wrong; // trust authentication accepts any password on this cluster
}

#[tokio::test]
async fn connections_are_read_only() {
    let (url, _pool) = pg_with_sessions(&[]).await;
    let store = store(&url).await;
    // The store's own pool refuses writes: shown through a write attempt on a connection
    // made the same way.
    let options: sqlx::postgres::PgConnectOptions = url.parse().unwrap();
    let ro = sqlx::PgPool::connect_with(options.options([("default_transaction_read_only", "on")]))
        .await
        .unwrap();
    let err = sqlx::raw_sql("DELETE FROM sessions")
        .execute(&ro)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("read-only"), "{err}");
    assert_eq!(store.session("nothing").await.unwrap(), None);
}

#[tokio::test]
async fn tokens_that_never_reach_the_database() {
    let (url, _pool) = pg_with_sessions(&[("tok", NOW_MS + 60_000)]).await;
    let store = store(&url).await;
    let long = "a".repeat(MAX_TOKEN_LEN + 1);
    for token in ["", "tok\0", "\0", long.as_str()] {
        assert_eq!(store.session(token).await.unwrap(), None, "{token:?}");
    }
    assert_eq!(store.queries_sent(), 0);
    // SQL metacharacters are data.
    for token in ["' OR 1=1 --", "tok' --", "%", "tok%", "TOK"] {
        assert_eq!(store.session(token).await.unwrap(), None, "{token:?}");
    }
    assert_eq!(store.queries_sent(), 5);
    let exact = "b".repeat(MAX_TOKEN_LEN);
    assert_eq!(store.session(&exact).await.unwrap(), None);
    assert_eq!(store.queries_sent(), 6);
}

#[tokio::test]
async fn single_flight_and_negative_cache() {
    let (url, _pool) = pg_with_sessions(&[("tok", NOW_MS + 60_000)]).await;
    let store = store(&url).await;
    let tasks: Vec<_> = (0..64)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let token = if i % 2 == 0 { "tok" } else { "unknown" };
                store.session(token).await.unwrap().is_some() == (i % 2 == 0)
            })
        })
        .collect();
    for task in tasks {
        assert!(task.await.unwrap());
    }
    assert_eq!(store.queries_sent(), 2, "one query per distinct token");
}

#[tokio::test]
async fn time_to_live_makes_sign_out_visible() {
    let (url, pool) = pg_with_sessions(&[("tok", NOW_MS + 60_000)]).await;
    let store = store(&url)
        .await
        .cache_ttl(Duration::from_millis(300))
        .negative_cache_ttl(Duration::from_millis(300));
    assert!(store.session("tok").await.unwrap().is_some());
    sqlx::raw_sql(r#"DELETE FROM sessions"#)
        .execute(&pool)
        .await
        .unwrap();
    // Within the time to live, the cached session; after it, the sign-out.
    assert!(store.session("tok").await.unwrap().is_some());
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(store.session("tok").await.unwrap(), None);
    assert_eq!(store.queries_sent(), 2);
    // A session created after a negative entry is seen once that entry expires.
    insert_pg_session(&pool, "tok", NOW_MS + 60_000).await;
    assert_eq!(store.session("tok").await.unwrap(), None);
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert!(store.session("tok").await.unwrap().is_some());
    // No cache at all.
    let uncached = store
        .clone()
        .cache_ttl(Duration::ZERO)
        .negative_cache_ttl(Duration::ZERO);
    for _ in 0..3 {
        assert!(uncached.session("tok").await.unwrap().is_some());
    }
    assert_eq!(uncached.queries_sent(), 3);
}

#[tokio::test]
async fn expiry_is_checked_on_cache_hits() {
    // The system clock here: a session that expires 3 s from now (room for a loaded machine
    // to connect and read it while it is valid), a long cache TTL.
    let clock = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64
    };
    let now = clock();
    let expires = now + 3_000;
    let (url, pool) = pg_with_sessions(&[("short", expires), ("extended", expires)]).await;
    let store = Store::connect(&url, Schema::by_name("pg").unwrap())
        .await
        .unwrap()
        .cache_ttl(Duration::from_secs(60));
    assert!(store.session("short").await.unwrap().is_some());
    assert!(store.session("extended").await.unwrap().is_some());
    // The app extends one session (updateAge) while both are cached.
    sqlx::query(r#"UPDATE sessions SET expires = expires + interval '1 day' WHERE "sessionToken" = 'extended'"#)
        .execute(&pool)
        .await
        .unwrap();
    let past_expiry = u64::try_from(expires + 200 - clock()).unwrap_or(0);
    tokio::time::sleep(Duration::from_millis(past_expiry)).await;
    assert_eq!(store.session("short").await.unwrap(), None);
    let extended = store.session("extended").await.unwrap().unwrap();
    assert!(extended.expires_ms() > now + 86_000_000);
    assert_eq!(store.queries_sent(), 4, "each row read again once");
    // The expired row, read again and still expired, is not read a third time.
    assert_eq!(store.session("short").await.unwrap(), None);
    assert_eq!(store.queries_sent(), 4);
}

#[tokio::test]
async fn request_level_cookie_finding() {
    let (url, _pool) = pg_with_sessions(&[("tok-1", NOW_MS + 1), ("tok-2", NOW_MS + 2)]).await;
    let v5 = store(&url).await;
    let expect = |s: Option<DatabaseSession>| s.map(|s| s.expires_ms() - NOW_MS);
    let cases: [(&str, Option<i64>); 9] = [
        ("authjs.session-token=tok-1", Some(1)),
        ("a=1; authjs.session-token=tok-2; b=2", Some(2)),
        (
            "authjs.session-token=tok-1; authjs.session-token=tok-2",
            Some(1),
        ),
        (
            "authjs.session-token=nope; authjs.session-token=tok-2",
            None,
        ),
        (
            "authjs.session-token.1=-2; authjs.session-token.0=tok",
            Some(2),
        ),
        ("authjs.session-token=tok%2D1", Some(1)),
        ("next-auth.session-token=tok-1", None),
        ("__Secure-authjs.session-token=tok-1", None),
        ("", None),
    ];
    for (header, want) in cases {
        let got = v5.from_cookie_header(Some(header)).await.unwrap();
        assert_eq!(expect(got), want, "{header}");
    }
    assert_eq!(v5.from_cookie_header(None).await.unwrap(), None);
    let v4_secure = v5.clone().flavor(Flavor::V4).secure(true);
    assert_eq!(
        v4_secure.cookie_name_in_use(),
        "__Secure-next-auth.session-token"
    );
    let got = v4_secure
        .from_cookie_header(Some("__Secure-next-auth.session-token=tok-2"))
        .await
        .unwrap();
    assert_eq!(expect(got), Some(2));
    let mut headers = http::HeaderMap::new();
    headers.append("cookie", "x=1".parse().unwrap());
    headers.append("cookie", "authjs.session-token=tok-2".parse().unwrap());
    assert_eq!(expect(v5.from_headers(&headers).await.unwrap()), Some(2));
    for bad in [
        "",
        "sess; Domain=evil.com",
        "a b",
        "a\r\nSet-Cookie: x=1",
        "a=b",
        "é",
    ] {
        assert!(
            matches!(v5.clone().cookie_name(bad), Err(Error::Config(_))),
            "{bad:?}"
        );
    }
    let custom = v5.clone().cookie_name("my-app.session_token").unwrap();
    let got = custom
        .from_cookie_header(Some("my-app.session_token=tok-1"))
        .await
        .unwrap();
    assert_eq!(expect(got), Some(1));
    let err = v5
        .from_cookie_header(Some("authjs.session-token.0=a; authjs.session-token.2=b"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InconsistentChunks(_)), "{err:?}");
}

#[tokio::test]
async fn sqlite_times_as_the_adapters_store_them() {
    let dir = std::env::temp_dir().join(format!("nextauth-session-sqlite-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("times.db");
    let _ = std::fs::remove_file(&path);
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let writer = sqlx::SqlitePool::connect(&url).await.unwrap();
    // The drizzle adapter's SQLite tables: integer milliseconds (`timestamp_ms`). One row
    // holds ISO text instead, as Prisma's driver adapters write.
    sqlx::raw_sql(
        r#"CREATE TABLE "user" (id TEXT PRIMARY KEY, name TEXT, email TEXT, "emailVerified" INTEGER, image TEXT);
           CREATE TABLE "session" ("sessionToken" TEXT PRIMARY KEY, "userId" TEXT NOT NULL, expires INTEGER NOT NULL);
           INSERT INTO "user" VALUES ('u1', NULL, 'a@example.com', 1750000000123, NULL);
           INSERT INTO "session" VALUES ('int', 'u1', 1750000060000);
           INSERT INTO "session" VALUES ('text', 'u1', '2025-06-15T15:07:40.000Z');"#,
    )
    .execute(&writer)
    .await
    .unwrap();
    writer.close().await;
    let store = Store::connect(
        &format!("sqlite://{}", path.display()),
        Schema::by_name("drizzle").unwrap(),
    )
    .await
    .unwrap()
    .fixed_time_ms(NOW_MS);
    let int = store.session("int").await.unwrap().unwrap();
    assert_eq!(int.expires(), "2025-06-15T15:07:40.000Z");
    assert_eq!(
        serde_json::Value::Object(int.user().clone()),
        json!({"id": "u1", "name": null, "email": "a@example.com",
               "emailVerified": "2025-06-15T15:06:40.123Z", "image": null})
    );
    let text = store.session("text").await.unwrap().unwrap();
    assert_eq!(text.expires_ms(), 1_750_000_060_000);
    // Read-only: the store's connection cannot write even by mistake (mode=ro).
    let ro = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=ro", path.display()))
        .await
        .unwrap();
    assert!(
        sqlx::raw_sql("DELETE FROM session")
            .execute(&ro)
            .await
            .is_err()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
