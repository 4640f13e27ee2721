//! A `Cookie` line that is not UTF-8 (review finding: `Store::from_headers` dropped it whole,
//! and the session cookie on it with it, so the request looked signed out). The line is read
//! byte-wise as Latin-1, as Node reads it. SQLite in memory, the drizzle adapter's tables.

use http::header::{COOKIE, HeaderMap, HeaderValue};
use nextauth_session::Error;
use nextauth_session::database::{Schema, Store};

const NOW_MS: i64 = 1_750_000_000_000;

async fn store() -> Store {
    // One connection that never closes: an in-memory database lives as long as it.
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect("sqlite::memory:")
        .await
        .unwrap();
    sqlx::raw_sql(
        r#"CREATE TABLE "user" (id TEXT PRIMARY KEY, name TEXT, email TEXT, "emailVerified" INTEGER, image TEXT);
           CREATE TABLE "session" ("sessionToken" TEXT PRIMARY KEY, "userId" TEXT NOT NULL, expires INTEGER NOT NULL);
           INSERT INTO "user" VALUES ('u1', 'Ada', 'ada@example.com', NULL, NULL);
           INSERT INTO "session" VALUES ('tok-1', 'u1', 1750000060000);
           INSERT INTO "session" VALUES ('tokxy', 'u1', 1750000060000);"#,
    )
    .execute(&pool)
    .await
    .unwrap();
    Store::from_sqlite_pool(pool, Schema::by_name("drizzle").unwrap())
        .await
        .unwrap()
        .fixed_time_ms(NOW_MS)
}

fn headers(lines: &[&[u8]]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for line in lines {
        map.append(COOKIE, HeaderValue::from_bytes(line).unwrap());
    }
    map
}

#[tokio::test]
async fn the_session_cookie_on_a_latin1_line_is_found() {
    let store = store().await;
    // Another app's Latin-1 cookie (`theme=café`, one byte 0xE9) on the session's line.
    let map = headers(&[b"theme=caf\xe9; authjs.session-token=tok-1"]);
    let session = store.from_headers(&map).await.unwrap().expect("a session");
    assert_eq!(session.user()["id"], "u1");
    // Chunks over a UTF-8 and a Latin-1 line.
    let map = headers(&[
        b"authjs.session-token.0=tok",
        b"x=\xff; authjs.session-token.1=xy",
    ]);
    let session = store.from_headers(&map).await.unwrap().expect("a session");
    assert_eq!(session.user()["id"], "u1");
    // A Latin-1 value is looked up as the text Node reads (and found in no row).
    let map = headers(&[b"authjs.session-token=tok-\xe9"]);
    assert_eq!(store.from_headers(&map).await.unwrap(), None);
    // The header limit is checked on the raw lines, before they are decoded.
    let big = vec![0xE9u8; 300 * 1024];
    assert_eq!(
        store.from_headers(&headers(&[&big])).await,
        Err(Error::TooLarge {
            what: "cookie header",
            limit: 256 * 1024
        })
    );
}
