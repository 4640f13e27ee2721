//! Database-session benchmarks (`database::Store`), each against its baseline in the same
//! group and the same run, through the same harness (`Runtime::block_on` on a current-thread
//! tokio runtime per iteration, so its cost is in both rows and cancels out of the ratio):
//!
//! - `database_cache_hit`: `Store::from_cookie_header` on a cached token (1,000 sessions cached,
//!   rotated) against the JWT path, `Decoder::get_token::<Session>` on the reference v5 typical
//!   token, both in the same realistic `Cookie` header (ten unrelated cookies around the
//!   session cookie). `harness` is `block_on` of an empty future.
//! - `database_cache_miss_pg`: the store with its cache off (`cache_ttl(ZERO)` +
//!   `negative_cache_ttl(ZERO)`) against the exact SQL the store sends (read back from the
//!   server log) run with bare sqlx on a pool of the same size and settings, decoded the same
//!   way (`(Option<i64>, String)`). PostgreSQL over loopback, a throwaway cluster.
//! - `database_cache_miss_sqlite`: the same on a SQLite file.
//! - `source_session` (feature `tower`): what a framework integration does per request,
//!   `SessionSource::session::<Session>` on the request's headers, for a database session
//!   served from the cache against a v5 JWT session (the same realistic headers).
//!
//! Tables: @auth/prisma-adapter's (`prisma migrate` output) with 1,000 users and sessions.
//!
//! ```text
//! cargo bench --bench database --all-features            # then:
//! python3 benches/compare/database_ratios.py
//! ```
//!
//! After the criterion groups, the miss and hit comparisons are measured once more with the
//! two rows interleaved call by call (`DB_BENCH_ROUNDS`, default 3000), which a shared machine
//! disturbs less than rows measured seconds apart.
//!
//! `DB_BENCH_CALLGRIND=<case>` (cases: `hit`, `jwt`, `harness`, `miss_pg`, `bare_pg`,
//! `miss_sqlite`, `bare_sqlite`, and with feature `tower` `source_hit`, `source_jwt`; `all` runs them in turn into one profile) instead runs the case
//! `DB_BENCH_ITERS` times (default 1000) inside `cg_measure`, for callgrind: instructions per
//! call on the calling thread (the PostgreSQL server and sqlx's SQLite worker threads are not
//! counted), free of the machine's noise. One run per case:
//!
//! ```text
//! DB_BENCH_CALLGRIND=miss_pg DB_BENCH_ITERS=500 valgrind --tool=callgrind \
//!   --collect-atstart=no --toggle-collect='*cg_measure*' target/release/deps/database-<hash>
//! ```
//!
//! then `totals / DB_BENCH_ITERS` from the output file (`callgrind_annotate --inclusive=yes`
//! for where they go).

use std::hint::black_box;
use std::str::FromStr;
use std::time::Duration;

use criterion::{BenchmarkGroup, Criterion};
use nextauth_session::database::{Schema, Store};
#[cfg(feature = "tower")]
use nextauth_session::integrations::SessionSource;
use nextauth_session::{Decoder, Flavor, Session};
use tokio::runtime::Runtime;

#[allow(dead_code)]
#[path = "../tests/support/pg.rs"]
mod pg;

#[allow(dead_code)]
#[path = "support/db.rs"]
mod db;

const POOL_SIZE: u32 = 8;
const SEED: u64 = 0x6e65_7874_6175_7468;

/// What a framework integration does per request: `SessionSource::session::<Session>` for a
/// database session served from the cache, against a v5 JWT session.
#[cfg(feature = "tower")]
fn bench_source(c: &mut Criterion, s: &Setup) {
    let hit = SessionSource::from(s.hit_store.clone());
    let jwt = SessionSource::from(s.decoder.clone());
    let mut group = c.benchmark_group("source_session");
    short(&mut group);
    let sent = s.hit_store.queries_sent();
    let mut at = Cycle(0);
    group.bench_function("database_cache_hit", |b| {
        b.iter(|| {
            let headers = &s.db_header_maps[at.next()];
            s.rt.block_on(hit.session::<Session>(black_box(headers)))
                .expect("lookup")
                .expect("a session")
        });
    });
    group.bench_function("jwt_v5", |b| {
        b.iter(|| {
            s.rt.block_on(jwt.session::<Session>(black_box(&s.jwt_header_map)))
                .expect("decode")
                .expect("a session")
        });
    });
    group.finish();
    assert_eq!(
        s.hit_store.queries_sent(),
        sent,
        "a cache-hit iteration sent a query"
    );
}

/// Everything the groups measure, set up once.
struct Setup {
    rt: Runtime,
    rows: Vec<db::Row>,
    /// One realistic Cookie header per session.
    db_headers: Vec<String>,
    jwt_header: String,
    decoder: Decoder,
    /// The same headers as `HeaderMap`s, for `SessionSource::session`.
    #[cfg(feature = "tower")]
    db_header_maps: Vec<http::HeaderMap>,
    #[cfg(feature = "tower")]
    jwt_header_map: http::HeaderMap,
    hit_store: Store,
    pg_store: Store,
    pg_bare: sqlx::PgPool,
    pg_sql: String,
    sqlite_store: Store,
    sqlite_bare: sqlx::SqlitePool,
    sqlite_sql: String,
    _cluster: pg::Cluster,
    sqlite_dir: std::path::PathBuf,
}

fn rt() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn setup() -> Setup {
    let rt = rt();
    let rows = db::rows(SEED);
    let cluster = pg::start_cluster("bench");
    let expires = db::NOW_MS + db::VALID_FOR_MS;

    // PostgreSQL: fill, then the store (the pool Store::connect makes: 8 connections,
    // read-only) and a bare pool with the same settings.
    let (hit_store, pg_store, pg_bare, pg_sql) = rt.block_on(async {
        let admin = sqlx::PgPool::connect(&cluster.url).await.expect("connect");
        db::fill_pg(&admin, &rows, expires).await;
        let schema = Schema::by_name("prisma").expect("preset");
        let store = Store::connect(&cluster.url, schema)
            .await
            .expect("store")
            .fixed_time_ms(db::NOW_MS);
        let options = sqlx::postgres::PgConnectOptions::from_str(&cluster.url)
            .expect("url")
            .options([("default_transaction_read_only", "on")]);
        let bare = sqlx::postgres::PgPoolOptions::new()
            .max_connections(POOL_SIZE)
            .acquire_timeout(Duration::from_secs(3))
            .connect_with(options)
            .await
            .expect("bare pool");
        let cold = store
            .clone()
            .cache_ttl(Duration::ZERO)
            .negative_cache_ttl(Duration::ZERO);
        let sql = logged_lookup_sql(&admin, &cluster, &cold, &rows[0].token).await;
        assert_eq!(
            sql,
            postgres_sql(),
            "the SQL the store sends is not the one this bench reconstructs"
        );
        // The cache-hit store: a time to live longer than the run, so every measured call
        // is a hit (checked after the group by its query count).
        let hit = store.cache_ttl(Duration::from_secs(3600));
        admin.close().await;
        (hit, cold, bare, sql)
    });

    // SQLite: a file written once, then read by the store (read-only, 8 connections) and by a
    // bare pool with the same settings.
    let sqlite_dir =
        std::env::temp_dir().join(format!("nextauth-session-bench-{}", std::process::id()));
    std::fs::create_dir_all(&sqlite_dir).expect("temp dir");
    let path = sqlite_dir.join("app.db");
    let (sqlite_store, sqlite_bare) = rt.block_on(async {
        let writer = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=rwc", path.display()))
            .await
            .expect("sqlite");
        db::fill_sqlite(&writer, &rows, expires).await;
        writer.close().await;
        let url = format!("sqlite://{}", path.display());
        let store = Store::connect(&url, Schema::by_name("prisma").expect("preset"))
            .await
            .expect("sqlite store")
            .fixed_time_ms(db::NOW_MS)
            .cache_ttl(Duration::ZERO)
            .negative_cache_ttl(Duration::ZERO);
        let options = sqlx::sqlite::SqliteConnectOptions::from_str(&url)
            .expect("url")
            .read_only(true);
        let bare = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(POOL_SIZE)
            .acquire_timeout(Duration::from_secs(3))
            .connect_with(options)
            .await
            .expect("bare sqlite pool");
        (store, bare)
    });

    let case = db::token_case("v5-typical");
    let decoder = case
        .secrets
        .iter()
        .fold(Decoder::builder(Flavor::V5), |b, s| b.secret(s))
        .fixed_time(case.now)
        .build()
        .expect("decoder");
    let jwt_header = db::v5_header(decoder.cookie_name(), &case.token);
    let db_headers: Vec<String> = rows
        .iter()
        .map(|r| db::v5_header(hit_store.cookie_name_in_use(), &r.token))
        .collect();

    #[cfg(feature = "tower")]
    let header_map = |cookie: &str| {
        let mut map = http::HeaderMap::new();
        map.insert(http::header::COOKIE, cookie.parse().expect("header value"));
        map
    };
    let setup = Setup {
        rt,
        rows,
        #[cfg(feature = "tower")]
        db_header_maps: db_headers.iter().map(|h| header_map(h)).collect(),
        #[cfg(feature = "tower")]
        jwt_header_map: header_map(&jwt_header),
        db_headers,
        jwt_header,
        decoder,
        hit_store,
        pg_store,
        pg_bare,
        pg_sql,
        sqlite_store,
        sqlite_bare,
        sqlite_sql: sqlite_sql(),
        _cluster: cluster,
        sqlite_dir,
    };
    setup.check();
    setup
}

impl Setup {
    /// Every case answers what it should before it is measured, and the baselines read the
    /// same rows as the store.
    fn check(&self) {
        let jwt = self
            .decoder
            .get_token::<Session>(Some(&self.jwt_header), None)
            .expect("JWT session");
        assert_eq!(jwt.email.as_deref(), Some("ada.lovelace@example.com"));
        self.rt.block_on(async {
            for (row, header) in self.rows.iter().zip(&self.db_headers) {
                let s = self
                    .hit_store
                    .from_cookie_header(Some(header))
                    .await
                    .expect("lookup")
                    .expect("a session");
                assert_eq!(s.user()["email"], row.email.as_str());
            }
            assert_eq!(
                self.hit_store.queries_sent(),
                db::SESSIONS as u64,
                "cache filled"
            );
            let row = &self.rows[7];
            let store = self.pg_store.session(&row.token).await.unwrap().unwrap();
            let (expires, user, _) = bare_pg(&self.pg_bare, &self.pg_sql, &row.token)
                .await
                .unwrap();
            assert_eq!(expires, Some(store.expires_ms()));
            let user: serde_json::Value = serde_json::from_str(&user).unwrap();
            assert_eq!(user["id"], store.user()["id"]);
            assert_eq!(user["email"], row.email.as_str());
            let store = self
                .sqlite_store
                .session(&row.token)
                .await
                .unwrap()
                .unwrap();
            let (expires, text, user, _) =
                bare_sqlite(&self.sqlite_bare, &self.sqlite_sql, &row.token)
                    .await
                    .unwrap();
            assert_eq!((expires, text), (Some(store.expires_ms()), None));
            let user: serde_json::Value = serde_json::from_str(&user).unwrap();
            assert_eq!(user["id"], store.user()["id"]);
            assert!(
                self.pg_store
                    .session("no-such-token")
                    .await
                    .unwrap()
                    .is_none()
            );
        });
    }
}

/// The user columns of the Prisma `User` table, in declaration order, and whether each is an
/// instant (`TIMESTAMP(3)`).
const USER_COLUMNS: [(&str, bool); 7] = [
    ("id", false),
    ("name", false),
    ("email", false),
    ("emailVerified", true),
    ("image", false),
    ("createdAt", true),
    ("updatedAt", true),
];

const FROM_WHERE: &str =
    r#"FROM "Session" AS s JOIN "User" AS u ON u."id" = s."userId" WHERE s."sessionToken" = "#;

/// The lookup src/database/backend.rs builds for the prisma preset in PostgreSQL; checked
/// against the server log at startup.
fn postgres_sql() -> String {
    let millis = |c: &str| format!("floor(extract(epoch FROM {c}) * 1000)::int8");
    let members: Vec<String> = USER_COLUMNS
        .iter()
        .map(|(c, time)| {
            let column = format!("u.\"{c}\"");
            format!("'{c}', {}", if *time { millis(&column) } else { column })
        })
        .collect();
    format!(
        "SELECT {}, json_build_object({})::text, NULL::text {FROM_WHERE}$1 LIMIT 1",
        millis("s.\"expires\""),
        members.join(", ")
    )
}

/// The lookup backend.rs builds for the prisma preset in SQLite (same construction as the
/// PostgreSQL one, which the log confirms).
fn sqlite_sql() -> String {
    let e = "s.\"expires\"";
    let members: Vec<String> = USER_COLUMNS
        .iter()
        .map(|(c, _)| format!("'{c}', u.\"{c}\""))
        .collect();
    format!(
        "SELECT CASE typeof({e}) WHEN 'integer' THEN {e} WHEN 'real' THEN CAST({e} AS INTEGER) END, \
         CASE typeof({e}) WHEN 'text' THEN {e} END, json_object({}), NULL {FROM_WHERE}?1 LIMIT 1",
        members.join(", ")
    )
}

/// The statement the store executes, from the server log (`log_statement = all` for the
/// duration of one lookup).
async fn logged_lookup_sql(
    admin: &sqlx::PgPool,
    cluster: &pg::Cluster,
    store: &Store,
    token: &str,
) -> String {
    let set = |sql: &'static str| async move {
        sqlx::raw_sql(sql).execute(admin).await.expect(sql);
        sqlx::raw_sql("SELECT pg_reload_conf()")
            .execute(admin)
            .await
            .expect("reload");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    set("ALTER SYSTEM SET log_statement = 'all'").await;
    assert!(store.session(token).await.expect("lookup").is_some());
    set("ALTER SYSTEM RESET log_statement").await;
    let log = std::fs::read_to_string(cluster.dir.join("server.log")).expect("server log");
    log.lines()
        .rev()
        .find_map(|line| {
            let at = line.find("LOG:  execute ")?;
            let rest = &line[at + "LOG:  execute ".len()..];
            let (_name, sql) = rest.split_once(": ")?;
            sql.contains("\"sessionToken\"").then(|| sql.to_owned())
        })
        .expect("the lookup in the server log")
}

async fn bare_pg(
    pool: &sqlx::PgPool,
    sql: &str,
    token: &str,
) -> Result<(Option<i64>, String, Option<String>), sqlx::Error> {
    let row: Option<(Option<i64>, String, Option<String>)> =
        sqlx::query_as(sql).bind(token).fetch_optional(pool).await?;
    Ok(row.expect("a row"))
}

/// What the store's SQLite lookup selects: expires as an integer or as text, the user, the
/// session row.
type SqliteSelected = (Option<i64>, Option<String>, String, Option<String>);

async fn bare_sqlite(
    pool: &sqlx::SqlitePool,
    sql: &str,
    token: &str,
) -> Result<SqliteSelected, sqlx::Error> {
    let row: Option<SqliteSelected> = sqlx::query_as(sql).bind(token).fetch_optional(pool).await?;
    Ok(row.expect("a row"))
}

fn short(group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(40);
}

/// Cycles over the 1,000 sessions, so rows and cache entries are not always the same.
struct Cycle(usize);

impl Cycle {
    fn next(&mut self) -> usize {
        self.0 = (self.0 + 1) % db::SESSIONS;
        self.0
    }
}

fn bench_cache_hit(c: &mut Criterion, s: &Setup) {
    let mut group = c.benchmark_group("database_cache_hit");
    short(&mut group);
    let sent = s.hit_store.queries_sent();
    let mut at = Cycle(0);
    group.bench_function("store_from_cookie_header", |b| {
        b.iter(|| {
            let header = &s.db_headers[at.next()];
            s.rt.block_on(s.hit_store.from_cookie_header(black_box(Some(header))))
                .expect("lookup")
                .expect("a session")
        });
    });
    let mut at = Cycle(0);
    group.bench_function("store_session_token", |b| {
        b.iter(|| {
            let token = &s.rows[at.next()].token;
            s.rt.block_on(s.hit_store.session(black_box(token)))
                .expect("lookup")
                .expect("a session")
        });
    });
    group.bench_function("jwt_get_token_v5", |b| {
        b.iter(|| {
            s.rt.block_on(async {
                s.decoder
                    .get_token::<Session>(black_box(Some(&s.jwt_header)), None)
                    .expect("a session")
            })
        });
    });
    group.bench_function("harness", |b| {
        b.iter(|| s.rt.block_on(async { black_box(()) }));
    });
    group.finish();
    assert_eq!(
        s.hit_store.queries_sent(),
        sent,
        "a cache-hit iteration sent a query"
    );
}

/// A cache miss of the store against the same query with bare sqlx, in one group.
/// `bare(i)` runs the bare query for the token of row `i`.
fn bench_miss<R, F: Future<Output = R>>(
    c: &mut Criterion,
    s: &Setup,
    group: &str,
    store: &Store,
    bare: impl Fn(usize) -> F,
) {
    let mut group = c.benchmark_group(group);
    short(&mut group);
    let mut at = Cycle(0);
    group.bench_function("store_session", |b| {
        b.iter(|| {
            let token = &s.rows[at.next()].token;
            s.rt.block_on(store.session(black_box(token)))
                .expect("lookup")
                .expect("a session")
        });
    });
    let mut at = Cycle(0);
    group.bench_function("sqlx_bare", |b| {
        b.iter(|| s.rt.block_on(bare(black_box(at.next()))));
    });
    group.finish();
}

fn bench_miss_pg(c: &mut Criterion, s: &Setup) {
    bench_miss(
        c,
        s,
        "database_cache_miss_pg",
        &s.pg_store,
        |i| async move {
            bare_pg(&s.pg_bare, &s.pg_sql, &s.rows[i].token)
                .await
                .expect("query")
        },
    );
}

fn bench_miss_sqlite(c: &mut Criterion, s: &Setup) {
    bench_miss(
        c,
        s,
        "database_cache_miss_sqlite",
        &s.sqlite_store,
        |i| async move {
            bare_sqlite(&s.sqlite_bare, &s.sqlite_sql, &s.rows[i].token)
                .await
                .expect("query")
        },
    );
}

/// Medians of `rounds` calls of `a` and of `b`, alternated call by call (the order swapped
/// every round), so that drift on a shared machine hits both alike.
fn interleaved(rounds: usize, mut a: impl FnMut(), mut b: impl FnMut()) -> (f64, f64) {
    let (mut ta, mut tb) = (Vec::with_capacity(rounds), Vec::with_capacity(rounds));
    let time = |f: &mut dyn FnMut(), into: &mut Vec<f64>| {
        let t0 = std::time::Instant::now();
        f();
        into.push(t0.elapsed().as_secs_f64() * 1e6);
    };
    for _ in 0..rounds / 10 {
        a();
        b();
    }
    for round in 0..rounds {
        if round % 2 == 0 {
            time(&mut a, &mut ta);
            time(&mut b, &mut tb);
        } else {
            time(&mut b, &mut tb);
            time(&mut a, &mut ta);
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    (median(&mut ta), median(&mut tb))
}

/// The two miss comparisons once more, interleaved call by call (criterion measures one row
/// after the other, several seconds apart).
fn print_interleaved(s: &Setup) {
    let rounds: usize = std::env::var("DB_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    println!("\ninterleaved, {rounds} calls each, medians:");
    println!("| comparison | store µs | baseline µs | ratio |");
    println!("|---|---|---|---|");
    let (mut i, mut j) = (Cycle(0), Cycle(0));
    let (st, bare) = interleaved(
        rounds,
        || {
            let token = &s.rows[i.next()].token;
            black_box(s.rt.block_on(s.pg_store.session(token)).unwrap());
        },
        || {
            let token = &s.rows[j.next()].token;
            black_box(
                s.rt.block_on(bare_pg(&s.pg_bare, &s.pg_sql, token))
                    .unwrap(),
            );
        },
    );
    println!(
        "| miss, PostgreSQL: store / bare sqlx | {st:.1} | {bare:.1} | {:.2} |",
        st / bare
    );
    let (mut i, mut j) = (Cycle(0), Cycle(0));
    let (st, bare) = interleaved(
        rounds,
        || {
            let token = &s.rows[i.next()].token;
            black_box(s.rt.block_on(s.sqlite_store.session(token)).unwrap());
        },
        || {
            let token = &s.rows[j.next()].token;
            black_box(
                s.rt.block_on(bare_sqlite(&s.sqlite_bare, &s.sqlite_sql, token))
                    .unwrap(),
            );
        },
    );
    println!(
        "| miss, SQLite: store / bare sqlx | {st:.1} | {bare:.1} | {:.2} |",
        st / bare
    );
    let mut i = Cycle(0);
    let (st, jwt) = interleaved(
        rounds * 10,
        || {
            let header = &s.db_headers[i.next()];
            black_box(
                s.rt.block_on(s.hit_store.from_cookie_header(Some(header)))
                    .unwrap(),
            );
        },
        || {
            black_box(
                s.rt.block_on(async { s.decoder.get_token::<Session>(Some(&s.jwt_header), None) }),
            );
        },
    );
    println!(
        "| cache hit / JWT get_token | {st:.2} | {jwt:.2} | {:.2} |",
        st / jwt
    );
}

/// `iters` calls of `f`, the only code callgrind counts (`--toggle-collect='*cg_measure*'`).
#[inline(never)]
fn cg_measure(iters: usize, mut f: impl FnMut()) {
    for _ in 0..iters {
        f();
    }
}

/// The callgrind cases, in the order `all` runs them (one `--dump-after` file each).
const CASES: [&str; 7] = [
    "hit",
    "jwt",
    "harness",
    "miss_pg",
    "bare_pg",
    "miss_sqlite",
    "bare_sqlite",
];

fn callgrind(case: &str, s: &Setup) {
    let iters: usize = std::env::var("DB_BENCH_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let mut at = Cycle(0);
    let mut one: Box<dyn FnMut() + '_> = match case {
        "hit" => Box::new(|| {
            let header = &s.db_headers[at.next()];
            black_box(
                s.rt.block_on(s.hit_store.from_cookie_header(Some(header)))
                    .unwrap(),
            );
        }),
        "jwt" => Box::new(|| {
            black_box(s.rt.block_on(async {
                s.decoder
                    .get_token::<Session>(Some(&s.jwt_header), None)
                    .unwrap()
            }));
        }),
        "harness" => Box::new(|| s.rt.block_on(async { black_box(()) })),
        #[cfg(feature = "tower")]
        "source_hit" => {
            let source = SessionSource::from(s.hit_store.clone());
            Box::new(move || {
                let headers = &s.db_header_maps[at.next()];
                black_box(
                    s.rt.block_on(source.session::<Session>(headers))
                        .unwrap()
                        .unwrap(),
                );
            })
        }
        #[cfg(feature = "tower")]
        "source_jwt" => {
            let source = SessionSource::from(s.decoder.clone());
            Box::new(move || {
                black_box(
                    s.rt.block_on(source.session::<Session>(&s.jwt_header_map))
                        .unwrap()
                        .unwrap(),
                );
            })
        }
        "miss_pg" => Box::new(|| {
            let token = &s.rows[at.next()].token;
            black_box(s.rt.block_on(s.pg_store.session(token)).unwrap());
        }),
        "bare_pg" => Box::new(|| {
            let token = &s.rows[at.next()].token;
            black_box(
                s.rt.block_on(bare_pg(&s.pg_bare, &s.pg_sql, token))
                    .unwrap(),
            );
        }),
        "miss_sqlite" => Box::new(|| {
            let token = &s.rows[at.next()].token;
            black_box(s.rt.block_on(s.sqlite_store.session(token)).unwrap());
        }),
        "bare_sqlite" => Box::new(|| {
            let token = &s.rows[at.next()].token;
            black_box(
                s.rt.block_on(bare_sqlite(&s.sqlite_bare, &s.sqlite_sql, token))
                    .unwrap(),
            );
        }),
        other => panic!("unknown DB_BENCH_CALLGRIND case {other}"),
    };
    // Warm: statements prepared, caches and allocator in their steady state.
    for _ in 0..200 {
        one();
    }
    cg_measure(iters, &mut one);
    println!("{case}: {iters} iterations measured");
}

fn main() {
    let setup = setup();
    if let Ok(case) = std::env::var("DB_BENCH_CALLGRIND") {
        if case == "all" {
            for case in CASES {
                callgrind(case, &setup);
            }
        } else {
            callgrind(&case, &setup);
        }
    } else {
        let mut c = Criterion::default().configure_from_args();
        bench_cache_hit(&mut c, &setup);
        #[cfg(feature = "tower")]
        bench_source(&mut c, &setup);
        bench_miss_pg(&mut c, &setup);
        bench_miss_sqlite(&mut c, &setup);
        c.final_summary();
        print_interleaved(&setup);
    }
    let _ = std::fs::remove_dir_all(&setup.sqlite_dir);
}
