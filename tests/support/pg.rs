//! A throwaway PostgreSQL cluster for one test process: started on first use by
//! `scripts/pg-cluster.sh` on 127.0.0.1 and a free port, stopped (by pid) by the script's
//! watcher as soon as this process exits, whether the tests passed, failed or panicked.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// One running cluster.
pub struct Cluster {
    /// `postgres://postgres@127.0.0.1:PORT/postgres`.
    pub url: String,
    /// The cluster's directory (data, socket, log), removed when it stops.
    pub dir: PathBuf,
}

impl Cluster {
    /// The URL of database `name` in this cluster.
    pub fn database_url(&self, name: &str) -> String {
        format!("{}/{name}", self.url.rsplit_once('/').expect("a URL").0)
    }
}

/// Starts a cluster that is stopped when this process exits. Panics with the script's output
/// when PostgreSQL cannot be started (the tests need it: `apt-get install postgresql`).
pub fn start_cluster(label: &str) -> Cluster {
    static SEQ: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "nextauth-session-{label}-{}-{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/pg-cluster.sh");
    let out = Command::new("bash")
        .arg(script)
        .arg("start")
        .arg(&dir)
        .arg("--watch")
        .arg(std::process::id().to_string())
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "cannot start a PostgreSQL cluster (the database tests need the PostgreSQL server \
         binaries: apt-get install postgresql):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let url = String::from_utf8(out.stdout)
        .expect("UTF-8")
        .trim()
        .to_owned();
    Cluster { url, dir }
}

/// Stops a cluster now (the tests of a database that goes down).
pub fn stop_cluster(cluster: &Cluster) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/pg-cluster.sh");
    let status = Command::new("bash")
        .arg(script)
        .arg("stop")
        .arg(&cluster.dir)
        .status()
        .expect("bash runs");
    assert!(status.success());
}

/// The cluster shared by the tests of this process.
pub fn shared() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(|| start_cluster("pg"))
}

/// A new, empty database in the shared cluster; returns its URL.
pub async fn fresh_database(prefix: &str) -> String {
    static SEQ: AtomicUsize = AtomicUsize::new(0);
    let cluster = shared();
    let name = format!("{prefix}_{}", SEQ.fetch_add(1, Ordering::Relaxed));
    let admin = sqlx::PgPool::connect(&cluster.url).await.expect("connect");
    sqlx::raw_sql(&format!("CREATE DATABASE \"{name}\""))
        .execute(&admin)
        .await
        .expect("create database");
    admin.close().await;
    cluster.database_url(&name)
}

/// A fresh database holding `dump` (plain SQL, as the fixture generators write it): a new
/// database of the shared cluster for `engine` `"postgres"`, a new file for `"sqlite"`.
/// Returns its URL.
pub async fn restore(engine: &str, dump: &str, label: &str) -> String {
    static SEQ: AtomicUsize = AtomicUsize::new(0);
    match engine {
        "postgres" => {
            let url = fresh_database(label).await;
            let pool = sqlx::PgPool::connect(&url).await.expect("connect");
            sqlx::raw_sql(dump).execute(&pool).await.expect("restore");
            pool.close().await;
            url
        }
        "sqlite" => {
            let path = std::env::temp_dir().join(format!(
                "nextauth-session-{label}-{}-{}.db",
                std::process::id(),
                SEQ.fetch_add(1, Ordering::Relaxed)
            ));
            let _ = std::fs::remove_file(&path);
            let url = format!("sqlite://{}", path.display());
            let pool = sqlx::SqlitePool::connect(&format!("{url}?mode=rwc"))
                .await
                .expect("create");
            sqlx::raw_sql(dump).execute(&pool).await.expect("restore");
            pool.close().await;
            url
        }
        other => panic!("unknown engine {other}"),
    }
}
