//! Database mode against `fixtures/better-auth/`: the real better-auth wrote the `user` and
//! `session` rows (dumped before any read) and answered `getSession` for every case; each dump
//! is restored here (PostgreSQL in this process's throwaway cluster, SQLite in a file), and
//! `BetterAuth::session` with a `Store` over `Schema::by_name("better-auth")` must answer the
//! same, except where a policy row says otherwise.

use std::collections::BTreeMap;
use std::path::PathBuf;

use nextauth_session::database::{Schema, Store};
use serde::Deserialize;
use serde_json::Value;

use crate::cache::{load, reader};
use crate::pg;

#[derive(Deserialize)]
struct Databases {
    databases: Vec<Database>,
}

#[derive(Deserialize)]
struct Database {
    id: String,
    engine: String,
    dump: String,
}

async fn restore(db: &Database) -> Store {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/better-auth");
    let dump = std::fs::read_to_string(dir.join(&db.dump)).expect("dump");
    let url = pg::restore(&db.engine, &dump, "better_auth").await;
    Store::connect(&url, Schema::by_name("better-auth").unwrap())
        .await
        .expect(&db.id)
}

/// Where this crate's answer deliberately differs, by a substring of the case id or a flag,
/// with the README row. `Refreshed`: better-auth extended the session while answering
/// (`updateAge`) and answered the new `expiresAt` / `updatedAt`; this crate is read-only and
/// answers the row as stored, so those two members are not compared.
const REFRESH_FLAG: &str = "adapter:updateSession";

/// Cases where this crate answers differently, by a substring of the case id: what we answer
/// (`true`: a session, `false`: none) and the README row.
const POLICY: &[(&str, bool, &str)] = &[
    (
        "token-quoted",
        false,
        "double quotes around a cookie value are kept (better-call drops the first and last character)",
    ),
    (
        "token-sig-unused-bits",
        false,
        "signatures are strict, canonical base64 (atob ignores the unused low bits)",
    ),
    (
        "cache-invalid-char",
        true,
        "a cookie cache that is not base64url is an unusable cache: the database answers (better-auth fails the request with 500)",
    ),
];

#[tokio::test]
async fn session_answers_as_get_session() {
    let file = load();
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/better-auth/cases.json"),
    )
    .unwrap();
    let dbs: Databases = serde_json::from_str(&text).unwrap();
    let mut stores = BTreeMap::new();
    for db in &dbs.databases {
        stores.insert(db.id.clone(), restore(db).await);
    }
    let mut failures = Vec::new();
    let (mut checked, mut found) = (0, 0);
    let mut applied = [0usize; POLICY.len()];
    for case in &file.cases {
        let config = file.configs.iter().find(|c| c.id == case.config).unwrap();
        let Some(db) = &config.database else { continue };
        checked += 1;
        let store = stores[db].clone().fixed_time_ms(case.now_ms);
        let got = reader(config, case.now_ms)
            .session(case.cookie.as_deref(), &store)
            .await;
        let got_json = match &got {
            Ok(Some(s)) => Some(serde_json::to_value(s).unwrap()),
            _ => None,
        };
        found += usize::from(got_json.is_some());
        // A policy row applies where the reference's outcome differs from ours.
        let policy = POLICY.iter().position(|(needle, ours, _)| {
            case.id.contains(needle) && case.session.is_some() != *ours
        });
        let mut want = case.session.clone();
        if let Some(row) = policy {
            applied[row] += 1;
            let ours = POLICY[row].1;
            want = if ours {
                // The database's answer for the cookie's own session.
                assert!(got_json.is_some(), "{}: the policy says a session", case.id);
                got_json.clone()
            } else {
                None
            };
        }
        let mut got_cmp = got_json.clone();
        if case.flags.iter().any(|f| f.contains(REFRESH_FLAG)) {
            for v in [&mut want, &mut got_cmp].into_iter().flatten() {
                if let Some(s) = v.get_mut("session").and_then(Value::as_object_mut) {
                    s.remove("expiresAt");
                    s.remove("updatedAt");
                }
            }
        }
        // Key order too: the route's JSON must be better-auth's, byte for byte. Except where
        // our stricter cache policy makes the database answer what better-auth took from the
        // cache (the cache's key order differs from the adapter's; the values are the same).
        let text = |v: &Option<Value>| v.as_ref().map(|v| serde_json::to_string(v).unwrap());
        let order_may_differ = case.id.contains("cache-padded") && case.from_cache;
        if got_cmp != want || (!order_may_differ && text(&got_cmp) != text(&want)) {
            failures.push(format!(
                "{} ({}; flags {:?}):\n   got  {:?}\n   want {}",
                case.id,
                case.comment,
                case.flags,
                got.as_ref()
                    .map(|s| s.as_ref().map(|s| serde_json::to_string(s).unwrap())),
                want.map_or("None".to_owned(), |w| w.to_string())
            ));
        }
    }
    assert!(checked > 0 && found > 0, "checked {checked}, found {found}");
    for ((needle, _, _), count) in POLICY.iter().zip(applied) {
        assert!(count > 0, "policy row {needle:?} applies to no case");
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("{checked} database-mode cases, {found} sessions");
}
