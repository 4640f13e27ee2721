//! Behaviour that mutation testing (`.ci/mutants.sh`, group `database`) found unpinned by the
//! other tests: how the lookup reads columns by their declared type, and how it reports rows
//! it cannot read. Real PostgreSQL and SQLite; tables written with plain SQL in the adapters'
//! shapes, with the extra columns an app adds to them.

use nextauth_session::database::{Schema, Store};
use nextauth_session::{Error, StoreError};
use serde_json::json;

use crate::pg;

/// The drizzle adapter's SQLite tables, one user `u1`.
const DRIZZLE_SQLITE: &str = r#"
CREATE TABLE "session" ("sessionToken" TEXT PRIMARY KEY, "userId" TEXT NOT NULL, expires INTEGER NOT NULL);
INSERT INTO "session" VALUES ('good', 'u1', 4102444800000);
"#;

/// A fresh SQLite file holding `sql`; its directory (removed by the caller) and URL.
async fn sqlite_with(label: &str, sql: &str) -> (std::path::PathBuf, String) {
    let dir = std::env::temp_dir().join(format!(
        "nextauth-session-mutants-{label}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("store.db");
    let _ = std::fs::remove_file(&path);
    let writer = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=rwc", path.display()))
        .await
        .unwrap();
    sqlx::raw_sql(sql).execute(&writer).await.unwrap();
    writer.close().await;
    (dir, format!("sqlite://{}", path.display()))
}

/// A value the database returns but that cannot be read as the column's type (here: an
/// expiry stored as text that is not UTF-8) is a schema error, not "the database is
/// unavailable": the database answered, and retrying will not help.
#[tokio::test]
async fn an_unreadable_column_value_is_a_schema_error() {
    let (dir, url) = sqlite_with(
        "decode",
        &format!(
            r#"CREATE TABLE "user" (id TEXT PRIMARY KEY, name TEXT, email TEXT, "emailVerified" INTEGER, image TEXT);
               INSERT INTO "user" VALUES ('u1', 'Ada', 'ada@example.com', NULL, NULL);
               {DRIZZLE_SQLITE}
               INSERT INTO "session" VALUES ('bad', 'u1', CAST(X'FF' AS TEXT));"#
        ),
    )
    .await;
    let store = Store::connect(&url, Schema::by_name("drizzle").unwrap())
        .await
        .unwrap();
    assert!(store.session("good").await.unwrap().is_some());
    match store.session("bad").await {
        Err(Error::Store(StoreError::Schema(message))) => {
            assert_eq!(message, "a column of an unexpected type");
        }
        other => panic!("{other:?}"),
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// SQLite user columns declared with `DATE` or `TIME` in their type (`DATE`, `TIMESTAMP`,
/// `DATETIME`) are instants, whether they hold integer milliseconds or text such as
/// SQLite's `CURRENT_TIMESTAMP`; other columns keep what they hold, even text that looks
/// like a date.
#[tokio::test]
async fn sqlite_user_columns_are_instants_by_declared_type() {
    let (dir, url) = sqlite_with(
        "declared",
        &format!(
            r#"CREATE TABLE "user" (id TEXT PRIMARY KEY, name TEXT, email TEXT, "emailVerified" INTEGER, image TEXT,
                 "lastSeen" TIMESTAMP, "birthday" DATE, "createdAt" DATETIME, "note" TEXT);
               INSERT INTO "user" VALUES ('u1', 'Ada', 'ada@example.com', NULL, NULL,
                 1750000060000, '2025-06-15 15:07:40', '2025-06-15T15:07:40Z', '2025-06-15 15:07:40');
               {DRIZZLE_SQLITE}"#
        ),
    )
    .await;
    let store = Store::connect(&url, Schema::by_name("drizzle").unwrap())
        .await
        .unwrap();
    let session = store.session("good").await.unwrap().unwrap();
    assert_eq!(
        serde_json::Value::Object(session.user().clone()),
        json!({"id": "u1", "name": "Ada", "email": "ada@example.com", "emailVerified": null,
               "image": null, "lastSeen": "2025-06-15T15:07:40.000Z",
               "birthday": "2025-06-15T15:07:40.000Z", "createdAt": "2025-06-15T15:07:40.000Z",
               "note": "2025-06-15 15:07:40"})
    );
    // The Auth.js presets answer the user only: no session row.
    assert_eq!(session.session_row(), None);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Better Auth's tables in SQLite with its time columns declared `INTEGER` (milliseconds, as
/// its drizzle schema writes them): the session row's instants are ISO strings all the same,
/// and `emailVerified` is a boolean.
#[tokio::test]
async fn better_auth_session_times_in_integer_columns() {
    let (dir, url) = sqlite_with(
        "ba-integer",
        r#"CREATE TABLE "user" (id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL,
             "emailVerified" INTEGER NOT NULL, image TEXT, "createdAt" INTEGER NOT NULL,
             "updatedAt" INTEGER NOT NULL);
           CREATE TABLE "session" (id TEXT PRIMARY KEY, "expiresAt" INTEGER NOT NULL,
             token TEXT NOT NULL UNIQUE, "createdAt" INTEGER NOT NULL, "updatedAt" INTEGER NOT NULL,
             "ipAddress" TEXT, "userAgent" TEXT, "userId" TEXT NOT NULL);
           INSERT INTO "user" VALUES ('u1', 'Ada', 'ada@example.com', 1, NULL, 1750000000000, 1750000000000);
           INSERT INTO "session" VALUES ('s1', 1750604800000, 'tok', 1750000000000, 1750000060000,
             '127.0.0.1', 'test', 'u1');"#,
    )
    .await;
    let store = Store::connect(&url, Schema::by_name("better-auth").unwrap())
        .await
        .unwrap()
        .fixed_time_ms(1_750_000_100_000);
    let session = store.session("tok").await.unwrap().unwrap();
    assert_eq!(session.expires_ms(), 1_750_604_800_000);
    assert_eq!(
        serde_json::Value::Object(session.session_row().unwrap().clone()),
        json!({"id": "s1", "expiresAt": "2025-06-22T15:06:40.000Z", "token": "tok",
               "createdAt": "2025-06-15T15:06:40.000Z", "updatedAt": "2025-06-15T15:07:40.000Z",
               "ipAddress": "127.0.0.1", "userAgent": "test", "userId": "u1"})
    );
    assert_eq!(session.user()["emailVerified"], json!(true));
    assert_eq!(session.user()["createdAt"], "2025-06-15T15:06:40.000Z");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// PostgreSQL `bigint` and `numeric` user columns come back as strings, as node-postgres
/// returns them to the adapter; `integer` stays a number.
#[tokio::test]
async fn postgres_bigint_and_numeric_are_strings() {
    let url = pg::fresh_database("mutants_bigint").await;
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::raw_sql(
        r#"CREATE TABLE users (id SERIAL PRIMARY KEY, name VARCHAR(255), email VARCHAR(255),
             "emailVerified" TIMESTAMPTZ, image TEXT, credits BIGINT, balance NUMERIC(10, 2),
             visits INTEGER);
           CREATE TABLE sessions (id SERIAL PRIMARY KEY, "userId" INTEGER NOT NULL,
             expires TIMESTAMPTZ NOT NULL, "sessionToken" VARCHAR(255) NOT NULL);
           INSERT INTO users (name, email, credits, balance, visits)
             VALUES ('Ada', 'ada@example.com', 9007199254740993, 12.50, 7);
           INSERT INTO sessions ("userId", expires, "sessionToken")
             VALUES (1, '2100-01-01T00:00:00Z', 'tok');"#,
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let store = Store::connect(&url, Schema::by_name("pg").unwrap())
        .await
        .unwrap();
    let session = store.session("tok").await.unwrap().unwrap();
    assert_eq!(session.user()["credits"], json!("9007199254740993"));
    assert_eq!(session.user()["balance"], json!("12.50"));
    assert_eq!(session.user()["visits"], json!(7));
    assert_eq!(session.session_row(), None);
}

/// A user table wider than one JSON-building call takes (50 columns each): all 120 extra
/// columns come back, each with its value, in PostgreSQL and in SQLite.
#[tokio::test]
async fn wide_user_tables_keep_every_column_in_order() {
    let extra: Vec<String> = (0..120).map(|i| format!("c{i:03}")).collect();
    let expected = {
        let mut user = serde_json::Map::new();
        user.insert("id".into(), json!(1));
        user.insert("name".into(), json!("Ada"));
        user.insert("email".into(), json!("ada@example.com"));
        user.insert("emailVerified".into(), json!(null));
        user.insert("image".into(), json!(null));
        for (i, name) in extra.iter().enumerate() {
            user.insert(name.clone(), json!(format!("v{i}")));
        }
        user
    };
    let columns: String = extra.iter().map(|c| format!(", \"{c}\" TEXT")).collect();
    let names: String = extra.iter().map(|c| format!(", \"{c}\"")).collect();
    let values: String = (0..extra.len()).map(|i| format!(", 'v{i}'")).collect();

    let url = pg::fresh_database("mutants_wide").await;
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::raw_sql(&format!(
        r#"CREATE TABLE users (id SERIAL PRIMARY KEY, name VARCHAR(255), email VARCHAR(255),
             "emailVerified" TIMESTAMPTZ, image TEXT{columns});
           CREATE TABLE sessions (id SERIAL PRIMARY KEY, "userId" INTEGER NOT NULL,
             expires TIMESTAMPTZ NOT NULL, "sessionToken" VARCHAR(255) NOT NULL);
           INSERT INTO users (name, email{names}) VALUES ('Ada', 'ada@example.com'{values});
           INSERT INTO sessions ("userId", expires, "sessionToken")
             VALUES (1, '2100-01-01T00:00:00Z', 'tok');"#
    ))
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let store = Store::connect(&url, Schema::by_name("pg").unwrap())
        .await
        .unwrap();
    let session = store.session("tok").await.unwrap().unwrap();
    assert!(
        session.user().iter().eq(expected.iter()),
        "{:?}",
        session.user()
    );

    let (dir, url) = sqlite_with(
        "wide",
        &format!(
            r#"CREATE TABLE "user" (id INTEGER PRIMARY KEY, name TEXT, email TEXT, "emailVerified" INTEGER, image TEXT{columns});
               INSERT INTO "user" (id, name, email{names}) VALUES (1, 'Ada', 'ada@example.com'{values});
               CREATE TABLE "session" ("sessionToken" TEXT PRIMARY KEY, "userId" INTEGER NOT NULL, expires INTEGER NOT NULL);
               INSERT INTO "session" VALUES ('tok', 1, 4102444800000);"#
        ),
    )
    .await;
    let store = Store::connect(&url, Schema::by_name("drizzle").unwrap())
        .await
        .unwrap();
    let session = store.session("tok").await.unwrap().unwrap();
    assert!(
        session.user().iter().eq(expected.iter()),
        "{:?}",
        session.user()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A schema's `Debug` names its tables and columns as configured (quoted, as strings), so a
/// logged configuration says what the lookup reads.
#[test]
fn schema_debug_shows_the_configured_names() {
    let schema = Schema::by_name("prisma")
        .unwrap()
        .user_table("app_users")
        .unwrap()
        .column(
            nextauth_session::database::Column::SessionToken,
            "token_hash",
        )
        .unwrap();
    let debug = format!("{schema:?}");
    for name in [
        r#""app_users""#,
        r#""Session""#,
        r#""token_hash""#,
        r#""createdAt""#,
    ] {
        assert!(debug.contains(name), "{name} in {debug}");
    }
}
