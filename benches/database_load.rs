//! Database sessions under load: 64 tokio tasks on a multi-thread runtime share one
//! `database::Store` over a PostgreSQL pool of 8 connections (`PgPoolOptions` +
//! `Store::from_pg_pool`) and make 10,000 lookups in all (`from_cookie_header` with a
//! realistic Cookie header) over 1,000 sessions, tokens drawn at random (seeded). Runs:
//!
//! - `cache 5 s`: the default cache (5 s for sessions, 1 s for unknown tokens);
//! - `cache off`: `cache_ttl(ZERO)` + `negative_cache_ttl(ZERO)`, every lookup a query;
//! - `cache 5 s, 20% unknown`: one lookup in five carries a token of no session, drawn from
//!   200 forged tokens (the negative cache).
//!
//! Prints one table: latency per lookup (p50 / p99 / max), throughput, the queries the store
//! sent (`Store::queries_sent`) and, counted independently on the server, the index scans of
//! `Session_sessionToken_key` (`pg_stat_user_indexes`, minus the store's schema check) against
//! the bound: distinct tokens per time-to-live window. Exits non-zero on any error, any wrong
//! answer, or more queries than the bound.
//!
//! ```text
//! cargo bench --bench database_load --all-features
//! ```

use std::collections::HashSet;
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use nextauth_session::database::{Schema, Store};

#[allow(dead_code)]
#[path = "../tests/support/pg.rs"]
mod pg;

#[allow(dead_code)]
#[path = "support/db.rs"]
mod db;

const TASKS: usize = 64;
const LOOKUPS: usize = 10_000;
const POOL_SIZE: u32 = 8;
const UNKNOWN_TOKENS: usize = 200;
const SEED: u64 = 0x6c6f_6164;
/// The store's defaults, restated to compute the bound.
const TTL: Duration = Duration::from_secs(5);
const NEGATIVE_TTL: Duration = Duration::from_secs(1);

struct Run {
    name: &'static str,
    cache: bool,
    unknown_percent: u64,
    /// Whether the same lookups run once, untimed, before the timed pass (a warm cache).
    warm: bool,
}

/// One lookup to make: the header and the email expected (`None`: no session).
struct Pick {
    header: Arc<str>,
    email: Option<Arc<str>>,
    token: usize,
}

struct Outcome {
    name: &'static str,
    errors: usize,
    wrong: usize,
    first_error: Option<String>,
    wall: Duration,
    latencies: Vec<Duration>,
    queries: u64,
    db_scans: Option<i64>,
    distinct_known: usize,
    distinct_unknown: usize,
    bound: Option<u64>,
}

fn main() -> ExitCode {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let cluster = pg::start_cluster("load");
    let rows = db::rows(SEED);
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as i64;
    let admin = rt.block_on(async {
        let admin = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .connect(&cluster.url)
            .await
            .expect("connect");
        db::fill_pg(&admin, &rows, now_ms + db::VALID_FOR_MS).await;
        admin
    });
    let name = "authjs.session-token";
    let known: Vec<(Arc<str>, Arc<str>)> = rows
        .iter()
        .map(|r| {
            (
                db::v5_header(name, &r.token).into(),
                r.email.as_str().into(),
            )
        })
        .collect();
    let mut rng = db::Rng::new(SEED ^ 0xf0f0);
    let unknown: Vec<Arc<str>> = (0..UNKNOWN_TOKENS)
        .map(|_| db::v5_header(name, &rng.uuid()).into())
        .collect();

    let runs = [
        Run {
            name: "cache 5 s (cold: every token's first lookup misses)",
            cache: true,
            unknown_percent: 0,
            warm: false,
        },
        Run {
            name: "cache 5 s (warm: the same lookups again)",
            cache: true,
            unknown_percent: 0,
            warm: true,
        },
        Run {
            name: "cache off",
            cache: false,
            unknown_percent: 0,
            warm: false,
        },
        Run {
            name: "cache 5 s, 20% unknown (cold)",
            cache: true,
            unknown_percent: 20,
            warm: false,
        },
    ];
    let mut outcomes = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        let mut rng = db::Rng::new(SEED + i as u64);
        let picks: Vec<Pick> = (0..LOOKUPS)
            .map(|_| {
                if rng.next_u64() % 100 < run.unknown_percent {
                    let at = rng.below(UNKNOWN_TOKENS);
                    Pick {
                        header: unknown[at].clone(),
                        email: None,
                        token: db::SESSIONS + at,
                    }
                } else {
                    let at = rng.below(db::SESSIONS);
                    let (header, email) = &known[at];
                    Pick {
                        header: header.clone(),
                        email: Some(email.clone()),
                        token: at,
                    }
                }
            })
            .collect();
        let outcome = rt.block_on(one_run(run, &cluster.url, &admin, picks));
        outcomes.push(outcome);
    }
    rt.block_on(admin.close());

    println!();
    println!(
        "{TASKS} tasks, {LOOKUPS} lookups over {} sessions, pool of {POOL_SIZE}, {} worker threads",
        db::SESSIONS,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!();
    println!(
        "| run | errors | wall ms | lookups/s | p50 µs | p99 µs | max µs | queries sent (warm: both passes) | DB index scans | distinct tokens (known + unknown) | bound |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    let mut failed = false;
    for o in &outcomes {
        let mut lat = o.latencies.clone();
        lat.sort_unstable();
        let pct = |p: f64| lat[((p * lat.len() as f64).ceil() as usize).clamp(1, lat.len()) - 1];
        let us = |d: Duration| format!("{:.0}", d.as_secs_f64() * 1e6);
        println!(
            "| {} | {} | {:.0} | {:.0} | {} | {} | {} | {} | {} | {} + {} | {} |",
            o.name,
            o.errors + o.wrong,
            o.wall.as_secs_f64() * 1e3,
            LOOKUPS as f64 / o.wall.as_secs_f64(),
            us(pct(0.50)),
            us(pct(0.99)),
            us(*lat.last().expect("latencies")),
            o.queries,
            o.db_scans.map_or("n/a".to_owned(), |n| n.to_string()),
            o.distinct_known,
            o.distinct_unknown,
            o.bound
                .map_or(format!("= lookups ({LOOKUPS})"), |b| format!("<= {b}")),
        );
        if o.errors + o.wrong > 0 {
            eprintln!(
                "{}: {} errors, {} wrong answers; first: {}",
                o.name,
                o.errors,
                o.wrong,
                o.first_error.as_deref().unwrap_or("-")
            );
            failed = true;
        }
        let limit = o.bound.unwrap_or(LOOKUPS as u64);
        let over = |n: u64| {
            if o.bound.is_some() {
                n > limit
            } else {
                n != limit
            }
        };
        if over(o.queries) || o.db_scans.is_some_and(|n| over(n.max(0) as u64)) {
            eprintln!(
                "{}: {} queries sent, {:?} index scans on the server, expected {}",
                o.name,
                o.queries,
                o.db_scans,
                o.bound
                    .map_or(format!("exactly {LOOKUPS}"), |b| format!("at most {b}"))
            );
            failed = true;
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Index scans of the session token index so far (stats of ended backends included).
async fn token_index_scans(admin: &sqlx::PgPool) -> i64 {
    sqlx::query_scalar::<_, i64>(
        "SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 'Session_sessionToken_key'",
    )
    .fetch_one(admin)
    .await
    .expect("pg_stat_user_indexes")
}

async fn one_run(run: &Run, url: &str, admin: &sqlx::PgPool, picks: Vec<Pick>) -> Outcome {
    let scans_before = token_index_scans(admin).await;
    let options = sqlx::postgres::PgConnectOptions::from_str(url)
        .expect("url")
        .options([("default_transaction_read_only", "on")]);
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(POOL_SIZE)
        .acquire_timeout(Duration::from_secs(3))
        .connect_with(options)
        .await
        .expect("pool");
    let mut store = Store::from_pg_pool(pool.clone(), Schema::by_name("prisma").expect("preset"))
        .await
        .expect("store");
    if !run.cache {
        store = store
            .cache_ttl(Duration::ZERO)
            .negative_cache_ttl(Duration::ZERO);
    }
    let distinct_known = picks
        .iter()
        .filter(|p| p.email.is_some())
        .map(|p| p.token)
        .collect::<HashSet<_>>()
        .len();
    let distinct_unknown = picks
        .iter()
        .filter(|p| p.email.is_none())
        .map(|p| p.token)
        .collect::<HashSet<_>>()
        .len();

    let picks = Arc::new(picks);
    let first = Instant::now();
    if run.warm {
        let (_, errors, wrong, first_error) = pass(&store, &picks).await;
        assert_eq!((errors, wrong), (0, 0), "warming pass: {first_error:?}");
    }
    let t0 = Instant::now();
    let (latencies, errors, wrong, first_error) = pass(&store, &picks).await;
    let mut outcome = Outcome {
        name: run.name,
        errors,
        wrong,
        first_error,
        wall: t0.elapsed(),
        latencies,
        queries: store.queries_sent(),
        db_scans: None,
        distinct_known,
        distinct_unknown,
        bound: None,
    };
    // A token may be read once per time-to-live window the run (warming pass included)
    // overlaps.
    if run.cache {
        let total = first.elapsed();
        let windows = |ttl: Duration| (total.as_nanos() / ttl.as_nanos()) as u64 + 1;
        outcome.bound = Some(
            distinct_known as u64 * windows(TTL) + distinct_unknown as u64 * windows(NEGATIVE_TTL),
        );
    }
    // The server's count: backends flush their statistics when they exit.
    drop(store);
    pool.close().await;
    let expected = scans_before + 1 + outcome.queries as i64; // + the schema check at connect
    let mut scans = token_index_scans(admin).await;
    // An idle backend flushes within 10 s (PostgreSQL's PGSTAT_IDLE_INTERVAL), one that exits
    // at once; wait for either.
    for _ in 0..75 {
        if scans >= expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        scans = token_index_scans(admin).await;
    }
    outcome.db_scans = Some(scans - scans_before - 1);
    outcome
}

type PassResult = (Vec<Duration>, usize, usize, Option<String>);

/// One pass over `picks` by 64 tasks started together: task t makes lookups t, t + 64, ...
async fn pass(store: &Store, picks: &Arc<Vec<Pick>>) -> PassResult {
    let start = Arc::new(tokio::sync::Barrier::new(TASKS + 1));
    let tasks: Vec<_> = (0..TASKS)
        .map(|t| {
            let (store, picks, start) = (store.clone(), picks.clone(), start.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(LOOKUPS / TASKS + 1);
                let (mut errors, mut wrong, mut first_error) = (0, 0, None);
                start.wait().await;
                for pick in picks.iter().skip(t).step_by(TASKS) {
                    let t0 = Instant::now();
                    let result = store.from_cookie_header(Some(&pick.header)).await;
                    latencies.push(t0.elapsed());
                    match result {
                        Ok(found) => {
                            let email = found
                                .as_ref()
                                .and_then(|s| s.user()["email"].as_str().map(str::to_owned));
                            if email.as_deref() != pick.email.as_deref() {
                                wrong += 1;
                                first_error.get_or_insert(format!(
                                    "expected {:?}, got {email:?}",
                                    pick.email
                                ));
                            }
                        }
                        Err(e) => {
                            errors += 1;
                            first_error.get_or_insert(e.to_string());
                        }
                    }
                }
                (latencies, errors, wrong, first_error)
            })
        })
        .collect();
    start.wait().await;
    let mut result: PassResult = (Vec::with_capacity(LOOKUPS), 0, 0, None);
    for task in tasks {
        let (latencies, errors, wrong, first_error) = task.await.expect("task");
        result.0.extend(latencies);
        result.1 += errors;
        result.2 += wrong;
        if result.3.is_none() {
            result.3 = first_error;
        }
    }
    result
}
