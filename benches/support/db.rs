//! What the database benchmarks share: @auth/prisma-adapter's tables (as `prisma migrate`
//! creates them in PostgreSQL and in SQLite) filled with 1,000 users and their sessions,
//! deterministic UUID-shaped tokens, a seeded generator and the realistic `Cookie` header of
//! the request fixtures.

use serde::Deserialize;

/// Sessions (and users) in the benchmark tables.
pub const SESSIONS: usize = 1_000;

/// The instant the benchmarks check expiry at (fixed, so the rows never expire mid-run).
pub const NOW_MS: i64 = 1_750_000_000_000;

/// Every session expires 30 days after [`NOW_MS`]; the load run, on the real clock, writes
/// its rows relative to the current time instead.
pub const VALID_FOR_MS: i64 = 30 * 86_400_000;

/// @auth/prisma-adapter's documented schema as `prisma migrate` writes it for PostgreSQL
/// (User and Session; the lookup reads nothing else).
pub const PG_TABLES: &str = r#"
CREATE TABLE "User" ("id" TEXT NOT NULL, "name" TEXT, "email" TEXT NOT NULL, "emailVerified" TIMESTAMP(3), "image" TEXT, "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP, "updatedAt" TIMESTAMP(3) NOT NULL, CONSTRAINT "User_pkey" PRIMARY KEY ("id"));
CREATE TABLE "Session" ("sessionToken" TEXT NOT NULL, "userId" TEXT NOT NULL, "expires" TIMESTAMP(3) NOT NULL, "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP, "updatedAt" TIMESTAMP(3) NOT NULL);
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
CREATE UNIQUE INDEX "Session_sessionToken_key" ON "Session"("sessionToken");
ALTER TABLE "Session" ADD CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
"#;

/// The same schema as `prisma migrate` writes it for SQLite (`DateTime` as unix ms).
pub const SQLITE_TABLES: &str = r#"
CREATE TABLE "User" ("id" TEXT NOT NULL PRIMARY KEY, "name" TEXT, "email" TEXT NOT NULL, "emailVerified" DATETIME, "image" TEXT, "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, "updatedAt" DATETIME NOT NULL);
CREATE TABLE "Session" ("sessionToken" TEXT NOT NULL, "userId" TEXT NOT NULL, "expires" DATETIME NOT NULL, "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, "updatedAt" DATETIME NOT NULL, CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE);
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
CREATE UNIQUE INDEX "Session_sessionToken_key" ON "Session"("sessionToken");
"#;

/// SplitMix64: a seeded, reproducible sequence (no `rand` in the dev-dependencies).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (the modulo bias is irrelevant here).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// A UUID v4-shaped token, as the adapters' `randomUUID()` writes.
    pub fn uuid(&mut self) -> String {
        let (a, b) = (self.next_u64(), self.next_u64());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            8 + (b >> 62),
            (b >> 48) & 0xfff,
            b & 0xffff_ffff_ffff
        )
    }
}

/// One user and its session.
pub struct Row {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub token: String,
}

/// `SESSIONS` users and sessions, the same for a given seed.
pub fn rows(seed: u64) -> Vec<Row> {
    let mut rng = Rng::new(seed);
    (0..SESSIONS)
        .map(|i| Row {
            user_id: format!("cm{:022x}", rng.next_u64() as u128 * 0x1_0000 + i as u128),
            name: format!("User {i}"),
            email: format!("user-{i}@example.com"),
            token: rng.uuid(),
        })
        .collect()
}

/// Inserts `rows` into the PostgreSQL tables, sessions expiring at `expires_ms`; every other
/// user has a verified email, all have an image URL.
pub async fn fill_pg(pool: &sqlx::PgPool, rows: &[Row], expires_ms: i64) {
    sqlx::raw_sql(PG_TABLES)
        .execute(pool)
        .await
        .expect("tables");
    let mut tx = pool.begin().await.expect("begin");
    for (i, row) in rows.iter().enumerate() {
        sqlx::query(
            r#"INSERT INTO "User" (id, name, email, "emailVerified", image, "updatedAt")
               VALUES ($1, $2, $3, CASE WHEN $4 THEN to_timestamp(1749000000.123) AT TIME ZONE 'UTC' END,
                       'https://avatars.githubusercontent.com/u/' || $5 || '?v=4', now() AT TIME ZONE 'UTC')"#,
        )
        .bind(&row.user_id)
        .bind(&row.name)
        .bind(&row.email)
        .bind(i % 2 == 0)
        .bind(i.to_string())
        .execute(&mut *tx)
        .await
        .expect("user");
        sqlx::query(
            r#"INSERT INTO "Session" ("sessionToken", "userId", expires, "updatedAt")
               VALUES ($1, $2, to_timestamp($3::float8 / 1000) AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')"#,
        )
        .bind(&row.token)
        .bind(&row.user_id)
        .bind(expires_ms as f64)
        .execute(&mut *tx)
        .await
        .expect("session");
    }
    tx.commit().await.expect("commit");
    sqlx::raw_sql(r#"ANALYZE "User"; ANALYZE "Session""#)
        .execute(pool)
        .await
        .expect("analyze");
}

/// Inserts `rows` into the SQLite tables (times as integer milliseconds, as Prisma does).
pub async fn fill_sqlite(pool: &sqlx::SqlitePool, rows: &[Row], expires_ms: i64) {
    sqlx::raw_sql(SQLITE_TABLES)
        .execute(pool)
        .await
        .expect("tables");
    let mut tx = pool.begin().await.expect("begin");
    for (i, row) in rows.iter().enumerate() {
        sqlx::query(
            r#"INSERT INTO "User" (id, name, email, "emailVerified", image, "createdAt", "updatedAt")
               VALUES (?1, ?2, ?3, ?4, 'https://avatars.githubusercontent.com/u/' || ?5 || '?v=4', ?6, ?6)"#,
        )
        .bind(&row.user_id)
        .bind(&row.name)
        .bind(&row.email)
        .bind((i % 2 == 0).then_some(1_749_000_000_123_i64))
        .bind(i.to_string())
        .bind(NOW_MS - 86_400_000)
        .execute(&mut *tx)
        .await
        .expect("user");
        sqlx::query(
            r#"INSERT INTO "Session" ("sessionToken", "userId", expires, "createdAt", "updatedAt")
               VALUES (?1, ?2, ?3, ?4, ?4)"#,
        )
        .bind(&row.token)
        .bind(&row.user_id)
        .bind(expires_ms)
        .bind(NOW_MS - 86_400_000)
        .execute(&mut *tx)
        .await
        .expect("session");
    }
    tx.commit().await.expect("commit");
}

#[derive(Deserialize)]
struct Fixtures<C> {
    cases: Vec<C>,
}

#[derive(Deserialize)]
struct RequestCase {
    id: String,
    cookie: Option<String>,
}

#[derive(Deserialize)]
pub struct TokenCase {
    pub id: String,
    pub secrets: Vec<String>,
    pub now: i64,
    pub token: String,
}

fn load<C: for<'de> Deserialize<'de>>(file: &str) -> Vec<C> {
    let path = format!("{}/fixtures/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    serde_json::from_str::<Fixtures<C>>(&text)
        .unwrap_or_else(|e| panic!("parsing {path}: {e}"))
        .cases
}

/// The fixture token `id` of `fixtures/tokens.json`.
pub fn token_case(id: &str) -> TokenCase {
    load::<TokenCase>("tokens.json")
        .into_iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("fixture {id} is missing"))
}

/// The `Cookie` header of the fixture `v5-unchunked-among-unrelated` (a session cookie in the
/// middle of ten unrelated ones: csrf token, callback URL, analytics, preferences) with the
/// session cookie `session_name=value` in the middle instead of the fixture's.
pub fn v5_header(session_name: &str, value: &str) -> String {
    let id = "v5-unchunked-among-unrelated";
    let case = load::<RequestCase>("requests.json")
        .into_iter()
        .find(|c| c.id == id)
        .expect("fixture v5-unchunked-among-unrelated");
    let mut others: Vec<String> = case
        .cookie
        .expect("cookie header")
        .split("; ")
        .filter(|pair| !pair.starts_with(&format!("{session_name}=")))
        .map(str::to_owned)
        .collect();
    assert!(others.len() >= 8, "{id}: {} other cookies", others.len());
    let middle = others.len() / 2;
    others.insert(middle, format!("{session_name}={value}"));
    others.join("; ")
}
