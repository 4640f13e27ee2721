//! The Auth.js prisma adapter's tables in PostgreSQL with one user and one session (`tok`,
//! expiring at 2025-06-15T15:07:40Z), for the tests that stop the database mid-test.
//!
//! Each test binary compiles this module on its own; it is included with
//! `#[allow(dead_code)]`.

use nextauth_session::database::{Schema, Store};

/// The store's fixed clock: before the session expires.
pub const NOW_MS: i64 = 1_750_000_000_000;

const TABLES: &str = r#"
CREATE TABLE "User" (id TEXT PRIMARY KEY, name TEXT, email TEXT NOT NULL,
  "emailVerified" TIMESTAMP(3), image TEXT, role TEXT);
CREATE TABLE "Session" ("sessionToken" TEXT NOT NULL UNIQUE, "userId" TEXT NOT NULL,
  expires TIMESTAMP(3) NOT NULL);
INSERT INTO "User" VALUES ('cm1', 'Ada', 'ada@example.com', NULL, 'https://example.com/a.png', 'admin');
INSERT INTO "Session" VALUES ('tok', 'cm1', '2025-06-15T15:07:40.000');
"#;

/// Creates the tables in the (empty) database at `url` and a store on them at [`NOW_MS`].
pub async fn store(url: &str) -> Store {
    let pool = sqlx::PgPool::connect(url).await.unwrap();
    sqlx::raw_sql(TABLES).execute(&pool).await.unwrap();
    pool.close().await;
    Store::connect(url, Schema::by_name("prisma").unwrap())
        .await
        .unwrap()
        .fixed_time_ms(NOW_MS)
}
