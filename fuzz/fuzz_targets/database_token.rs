//! The database session path up to and including the query: an arbitrary `Cookie` header
//! through `Store::from_cookie_header` (session cookie finding, chunk joining,
//! percent-decoding, the token checks made before any query: empty, longer than
//! `MAX_TOKEN_LEN`, NUL), and the same bytes as a token through `Store::session`. The store
//! reads a real SQLite database in memory (the drizzle adapter's tables), with its cache off
//! so every input queries; only the public API.
//!
//! Input layout (see fuzz/README.md and seed-corpus.py): one flags byte, then the cookie
//! header. Flags: bit 0 v4 cookie names (else v5), bit 1 `__Secure-` names, bit 2 the cookie
//! name `my-app.session`.
#![no_main]

use std::sync::LazyLock;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use nextauth_session::Flavor;
use nextauth_session::database::{MAX_TOKEN_LEN, Schema, Store};

/// The time of fixtures/database/cases.json's first cases.
const NOW_MS: i64 = 1_750_000_600_000;
const CUSTOM_NAME: &str = "my-app.session";
/// Session rows: (token, expires in unix ms). A fixture token, one that needs
/// percent-decoding in a cookie, one with a character JavaScript would see as two UTF-16
/// units, and an expired one.
const ROWS: [(&str, i64); 4] = [
    ("24dc1c1a-1c3f-4650-865a-957d122cce27", NOW_MS + 60_000),
    ("tok en;=%", NOW_MS + 60_000),
    ("\u{1F600}", NOW_MS + 60_000),
    ("expired", NOW_MS - 1),
];

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime")
});

static STORES: LazyLock<Vec<Store>> = LazyLock::new(|| {
    RUNTIME.block_on(async {
        // One connection that never closes: the in-memory database lives as long as it.
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect("sqlite::memory:")
            .await
            .expect("SQLite in memory");
        sqlx::raw_sql(
            r#"CREATE TABLE "user" (id TEXT PRIMARY KEY, name TEXT, email TEXT, "emailVerified" INTEGER, image TEXT);
               CREATE TABLE "session" ("sessionToken" TEXT PRIMARY KEY, "userId" TEXT NOT NULL, expires INTEGER NOT NULL);
               INSERT INTO "user" VALUES ('u1', 'Ada', 'ada@example.com', NULL, NULL);"#,
        )
        .execute(&pool)
        .await
        .expect("tables");
        for (token, expires) in ROWS {
            sqlx::query(r#"INSERT INTO "session" VALUES (?, 'u1', ?)"#)
                .bind(token)
                .bind(expires)
                .execute(&pool)
                .await
                .expect("a row");
        }
        let store = Store::from_sqlite_pool(pool, Schema::by_name("drizzle").expect("a preset"))
            .await
            .expect("the drizzle shape")
            .fixed_time_ms(NOW_MS)
            .cache_ttl(Duration::ZERO)
            .negative_cache_ttl(Duration::ZERO)
            .cache_capacity(0);
        (0u8..8)
            .map(|flags| {
                let flavor = if flags & 1 != 0 { Flavor::V4 } else { Flavor::V5 };
                let store = store.clone().flavor(flavor).secure(flags & 2 != 0);
                if flags & 4 != 0 {
                    store.cookie_name(CUSTOM_NAME).expect("a token name")
                } else {
                    store
                }
            })
            .collect()
    })
});

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let store = &STORES[usize::from(flags & 7)];
    RUNTIME.block_on(async {
        let found = store.from_cookie_header(Some(text)).await;
        // Only a live row's session, and never a database error.
        match &found {
            Ok(Some(session)) => assert_eq!(session.user()["id"], "u1"),
            Ok(None) => {}
            Err(e) => assert!(!matches!(e, nextauth_session::Error::Store(_)), "{e:?}"),
        }
        // The same bytes as a token: found exactly when they are a live row's token.
        let direct = store.session(text).await.expect("no database error");
        let live = ROWS
            .iter()
            .any(|(token, expires)| *token == text && *expires >= NOW_MS);
        assert_eq!(direct.is_some(), live, "{text:?}");
        if text.len() > MAX_TOKEN_LEN || text.is_empty() || text.contains('\0') {
            assert!(direct.is_none());
        }
    });
});
