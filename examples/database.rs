//! Database sessions with no server: a SQLite file in a temporary directory with the tables of
//! @auth/prisma-adapter's documented schema (as Prisma creates them in SQLite), one user and
//! one session inserted the way the adapter writes them, then looked up as a Rust service
//! would, from the request's `Cookie` header.
//!
//! ```text
//! cargo run --example database --features sqlite
//! ```
//!
//! Against the app's real database, the same three lines with its URL and adapter:
//! `Store::connect("postgres://app@127.0.0.1/app", Schema::by_name("prisma").unwrap())`.

use std::process::ExitCode;

use nextauth_session::database::{Schema, Store};

/// The tables `prisma migrate` creates in SQLite for the adapter's documented models (User
/// and Session; Account and VerificationToken are not read). Prisma stores `DateTime` as
/// unix milliseconds.
const TABLES: &str = r#"
CREATE TABLE "User" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT,
    "email" TEXT NOT NULL,
    "emailVerified" DATETIME,
    "image" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
CREATE TABLE "Session" (
    "sessionToken" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "expires" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "Session_sessionToken_key" ON "Session"("sessionToken");
"#;

const TOKEN: &str = "e3458ff6-1c1b-4d2a-9c55-0e4a0c0b7d21";

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("nextauth-session-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("app.db");
    let result = demo(&path).await;
    std::fs::remove_dir_all(&dir)?;
    result
}

async fn demo(path: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    // What the Next.js app did when Ada signed in: its adapter wrote these rows.
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as i64;
    let app = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=rwc", path.display())).await?;
    sqlx::raw_sql(TABLES).execute(&app).await?;
    sqlx::query(
        r#"INSERT INTO "User" (id, name, email, "emailVerified", image, "createdAt", "updatedAt")
           VALUES ('cm1ada', 'Ada Lovelace', 'ada@example.com', ?1, NULL, ?1, ?1)"#,
    )
    .bind(now_ms)
    .execute(&app)
    .await?;
    sqlx::query(
        r#"INSERT INTO "Session" ("sessionToken", "userId", expires, "createdAt", "updatedAt")
           VALUES (?1, 'cm1ada', ?2, ?3, ?3)"#,
    )
    .bind(TOKEN)
    .bind(now_ms + 30 * 24 * 3600 * 1000)
    .bind(now_ms)
    .execute(&app)
    .await?;
    app.close().await;

    // The Rust service: one store per process, then one lookup per request.
    let store = Store::connect(
        &format!("sqlite://{}", path.display()),
        Schema::by_name("prisma").expect("a preset"),
    )
    .await?;
    let cookie = format!("theme=dark; authjs.session-token={TOKEN}");
    match store.from_cookie_header(Some(&cookie)).await? {
        Some(session) => {
            println!(
                "GET /api/auth/session would answer: {}",
                session.response_json()
            );
            println!(
                "the whole user row: {}",
                serde_json::Value::Object(session.user().clone())
            );
        }
        None => println!("no session"),
    }
    let unknown = store
        .from_cookie_header(Some(
            "authjs.session-token=00000000-0000-4000-8000-000000000000",
        ))
        .await?;
    println!("an unknown token: {unknown:?}");
    Ok(())
}
