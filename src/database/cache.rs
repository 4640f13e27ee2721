//! The in-process cache in front of the lookup: moka's `future::Cache`, keyed by the SHA-256
//! of the token (the tokens themselves are not kept), a time to live per entry (one for
//! sessions found, a shorter one for tokens not found), bounded in size, and single-flight:
//! concurrent misses of one token wait for one query.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::session::DatabaseSession;
use crate::error::Error;

/// The result of one lookup, as cached.
#[derive(Debug)]
pub(crate) struct Entry {
    /// The session row, whether or not it had expired when it was read.
    pub(crate) session: Option<DatabaseSession>,
    /// The store's clock (unix ms) when the row was read.
    pub(crate) fetched_ms: i64,
}

/// Cache settings, with the defaults documented on [`Store`](super::Store).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Settings {
    pub(crate) ttl: Duration,
    pub(crate) negative_ttl: Duration,
    pub(crate) capacity: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(5),
            negative_ttl: Duration::from_secs(1),
            capacity: 10_000,
        }
    }
}

struct PerEntry {
    ttl: Duration,
    negative_ttl: Duration,
}

impl moka::Expiry<[u8; 32], Arc<Entry>> for PerEntry {
    fn expire_after_create(
        &self,
        _key: &[u8; 32],
        value: &Arc<Entry>,
        _created_at: Instant,
    ) -> Option<Duration> {
        Some(if value.session.is_some() {
            self.ttl
        } else {
            self.negative_ttl
        })
    }
}

/// The cache, or nothing when both times to live are zero.
#[derive(Clone)]
pub(crate) struct Cache {
    inner: Option<moka::future::Cache<[u8; 32], Arc<Entry>>>,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("entries", &self.inner.as_ref().map(|c| c.entry_count()))
            .finish()
    }
}

pub(crate) fn key(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl Cache {
    pub(crate) fn new(settings: Settings) -> Self {
        let enabled =
            !(settings.ttl.is_zero() && settings.negative_ttl.is_zero()) && settings.capacity > 0;
        Self {
            inner: enabled.then(|| {
                moka::future::Cache::builder()
                    .max_capacity(settings.capacity)
                    .expire_after(PerEntry {
                        ttl: settings.ttl,
                        negative_ttl: settings.negative_ttl,
                    })
                    .build()
            }),
        }
    }

    pub(crate) fn is_enabled(&self) -> bool {
        self.inner.is_some()
    }

    /// The cached entry for `key`, or the one `fetch` produces; concurrent callers for one key
    /// share one `fetch`. Errors are returned to every waiting caller and not cached.
    pub(crate) async fn get_or_fetch(
        &self,
        key: [u8; 32],
        fetch: impl Future<Output = Result<Entry, Error>>,
    ) -> Result<Arc<Entry>, Error> {
        match &self.inner {
            Some(cache) => cache
                .try_get_with(key, async { fetch.await.map(Arc::new) })
                .await
                .map_err(|e| (*e).clone()),
            None => fetch.await.map(Arc::new),
        }
    }

    pub(crate) async fn invalidate(&self, key: &[u8; 32]) {
        if let Some(cache) = &self.inner {
            cache.invalidate(key).await;
        }
    }
}
