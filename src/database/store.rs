//! [`Store`]: database sessions looked up the way the references do, read-only, cached.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::backend::{Lookup, Pool, store_error};
use super::cache::{self, Cache, Entry, Settings};
use super::schema::Schema;
use super::session::DatabaseSession;
use crate::authjs::flavor::Flavor;
use crate::error::{Error, StoreError};
use crate::request::cookies::{self, Limits};

/// The longest token sent to the database, in bytes. The references write UUIDs (36 bytes);
/// a longer value is "no session" without a query.
pub const MAX_TOKEN_LEN: usize = 512;

/// Connections [`Store::connect`] opens at most.
const POOL_SIZE: u32 = 8;

/// Reads the database sessions of an Auth.js / NextAuth.js app (`session: { strategy:
/// "database" }`) from the app's own tables, exactly as the library's `/api/auth/session`
/// does, without ever writing.
///
/// - **Lookup**: the session row by its token, joined with its user; nothing found, or a user
///   row missing, is "no session". A session is valid up to and including its `expires`
///   instant and expired one millisecond later (`expires < now`, in milliseconds), checked on
///   every call, cached or not.
/// - **Read-only**: the references delete expired rows and extend sessions on read
///   (`updateAge`); the Next.js app keeps doing that, this store never does. Connections made
///   by [`connect`](Self::connect) are read-only (PostgreSQL `default_transaction_read_only`,
///   SQLite `mode=ro`).
/// - **Cache**: found sessions are kept for [`cache_ttl`](Self::cache_ttl) (default 5 s: a
///   sign-out or a deleted row is seen within that time), tokens not found for
///   [`negative_cache_ttl`](Self::negative_cache_ttl) (default 1 s, so one stale or forged
///   cookie repeated by many requests costs one query a second), at most
///   [`cache_capacity`](Self::cache_capacity) entries (default 10,000). Concurrent misses of
///   one token share one query. Entries are keyed by the token's SHA-256; tokens are not kept.
/// - **Errors**: a database that is down, slower than [`query_timeout`](Self::query_timeout)
///   (default 3 s, waiting for a connection included) or whose tables do not have the
///   [`Schema`]'s shape is [`Error::Store`], never "no session". A token that is empty, longer
///   than [`MAX_TOKEN_LEN`] or holds NUL is "no session" without a query.
///
/// Cheap to clone (an `Arc` inside); share one per process. `Debug` shows the settings, never
/// the connection (whose URL may hold a password).
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let config = &self.inner.config;
        f.debug_struct("Store")
            .field("database", &self.inner.lookup.engine())
            .field("schema", &config.schema.preset())
            .field("cookie_name", &self.cookie_name_in_use())
            .field("cache", &config.cache)
            .field("query_timeout", &config.timeout)
            .field("fixed_time_ms", &config.fixed_ms)
            .finish_non_exhaustive()
    }
}

struct Inner {
    lookup: Lookup,
    config: Config,
    cache: Cache,
    queries: AtomicU64,
}

#[derive(Debug, Clone)]
struct Config {
    schema: Schema,
    fixed_ms: Option<i64>,
    cache: Settings,
    timeout: Duration,
    flavor: Flavor,
    secure: bool,
    cookie_name: Option<String>,
    limits: Limits,
}

impl Store {
    /// Which configured instance this is: clones share it, separately built ones do not.
    /// Binds a layer's result to the source that produced it.
    #[cfg_attr(not(any(feature = "axum", feature = "tower")), allow(dead_code))]
    pub(crate) fn identity(&self) -> usize {
        Arc::as_ptr(&self.inner).cast::<()>() as usize
    }

    /// Connects to `url` and checks that the tables have `schema`'s shape.
    ///
    /// `postgres://user[:password]@host[:port]/database` (feature `postgres`, no TLS) or
    /// `sqlite://path/to/file.db` (feature `sqlite`). The pool holds at most 8 connections;
    /// pass a pool of your own to [`from_pg_pool`](Self::from_pg_pool) /
    /// [`from_sqlite_pool`](Self::from_sqlite_pool) for other settings.
    ///
    /// # Errors
    /// [`Error::Config`] for a URL that is not valid or names a database whose feature is
    /// off; [`Error::Store`] when the database cannot be reached or its tables do not match.
    pub async fn connect(url: &str, schema: Schema) -> Result<Self, Error> {
        let timeout = Duration::from_secs(3);
        let pool = connect_pool(url, timeout).await?;
        Self::with_pool(pool, schema).await
    }

    /// A store over an existing PostgreSQL pool (the caller's settings: size, TLS, ...). The
    /// pool's connections are used for reads only.
    ///
    /// # Errors
    /// [`Error::Store`] when the database cannot be reached or its tables do not match.
    #[cfg(feature = "postgres")]
    pub async fn from_pg_pool(pool: sqlx::PgPool, schema: Schema) -> Result<Self, Error> {
        Self::with_pool(Pool::Postgres(pool), schema).await
    }

    /// A store over an existing SQLite pool.
    ///
    /// # Errors
    /// [`Error::Store`] when the database cannot be read or its tables do not match.
    #[cfg(feature = "sqlite")]
    pub async fn from_sqlite_pool(pool: sqlx::SqlitePool, schema: Schema) -> Result<Self, Error> {
        Self::with_pool(Pool::Sqlite(pool), schema).await
    }

    async fn with_pool(pool: Pool, schema: Schema) -> Result<Self, Error> {
        let config = Config {
            schema,
            fixed_ms: None,
            cache: Settings::default(),
            timeout: Duration::from_secs(3),
            flavor: Flavor::V5,
            secure: false,
            cookie_name: None,
            limits: Limits::default(),
        };
        let lookup = with_timeout(config.timeout, Lookup::prepare(pool, &config.schema)).await?;
        Ok(Self::assemble(lookup, config))
    }

    fn assemble(lookup: Lookup, config: Config) -> Self {
        Self {
            inner: Arc::new(Inner {
                lookup,
                cache: Cache::new(config.cache),
                config,
                queries: AtomicU64::new(0),
            }),
        }
    }

    /// The same store with a changed setting and a new, empty cache.
    fn with(self, change: impl FnOnce(&mut Config)) -> Self {
        let mut config = self.inner.config.clone();
        change(&mut config);
        Self::assemble(self.inner.lookup.clone(), config)
    }

    /// Checks expiry at this unix time in milliseconds instead of the system clock: for tests,
    /// fixtures and replaying a request. (The cache's times to live still run on the real
    /// clock.)
    #[must_use]
    pub fn fixed_time_ms(self, unix_ms: i64) -> Self {
        self.with(|c| c.fixed_ms = Some(unix_ms))
    }

    /// How long a found session is served from the cache: a sign-out, a deleted or changed row
    /// is seen after at most this long. Default 5 s. Zero for both this and
    /// [`negative_cache_ttl`](Self::negative_cache_ttl) turns the cache off.
    #[must_use]
    pub fn cache_ttl(self, ttl: Duration) -> Self {
        self.with(|c| c.cache.ttl = ttl)
    }

    /// How long "no such session" is served from the cache. Default 1 s.
    #[must_use]
    pub fn negative_cache_ttl(self, ttl: Duration) -> Self {
        self.with(|c| c.cache.negative_ttl = ttl)
    }

    /// The most tokens the cache holds. Default 10,000; `0` turns the cache off.
    #[must_use]
    pub fn cache_capacity(self, entries: u64) -> Self {
        self.with(|c| c.cache.capacity = entries)
    }

    /// The longest a lookup may take, waiting for a connection included, before it fails with
    /// [`StoreError::Timeout`]. Default 3 s.
    #[must_use]
    pub fn query_timeout(self, timeout: Duration) -> Self {
        self.with(|c| c.timeout = timeout)
    }

    /// Which library's cookie name the request methods look for: [`Flavor::V5`]
    /// (`authjs.session-token`, the default) or [`Flavor::V4`] (`next-auth.session-token`).
    #[must_use]
    pub fn flavor(self, flavor: Flavor) -> Self {
        self.with(|c| c.flavor = flavor)
    }

    /// Uses the `__Secure-` cookie name, as the references do behind HTTPS. Default `false`.
    #[must_use]
    pub fn secure(self, secure: bool) -> Self {
        self.with(|c| c.secure = secure)
    }

    /// Overrides the session cookie name (`cookies.sessionToken.name`).
    ///
    /// # Errors
    /// [`Error::Config`] when the name is not an RFC 6265 token (empty, or with a control
    /// character, a space or one of `()<>@,;:\"/[]?={}`).
    pub fn cookie_name(self, name: impl Into<String>) -> Result<Self, Error> {
        let name = name.into();
        if !cookies::is_token(&name) {
            return Err(Error::Config(
                "the cookie name is not an RFC 6265 token (empty, or a control character, space or separator)",
            ));
        }
        Ok(self.with(|c| c.cookie_name = Some(name)))
    }

    /// Size limits on request input. Default [`Limits::default`].
    #[must_use]
    pub fn limits(self, limits: Limits) -> Self {
        self.with(|c| c.limits = limits)
    }

    /// The session cookie name the request methods look for.
    pub fn cookie_name_in_use(&self) -> &str {
        let config = &self.inner.config;
        config
            .cookie_name
            .as_deref()
            .unwrap_or_else(|| config.flavor.default_cookie_name(config.secure))
    }

    /// The schema this store reads.
    pub fn schema(&self) -> &Schema {
        &self.inner.config.schema
    }

    /// How many lookups this store (and its clones) sent to the database: cache misses.
    pub fn queries_sent(&self) -> u64 {
        self.inner.queries.load(Ordering::Relaxed)
    }

    fn now_ms(&self) -> i64 {
        self.inner.config.fixed_ms.unwrap_or_else(|| {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default();
            i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
        })
    }

    /// The valid session whose token is `token`, as `getSessionAndUser` followed by the
    /// library's expiry check: `Ok(None)` when there is no such session, its user row is
    /// missing, or it has expired.
    ///
    /// # Errors
    /// [`Error::Store`] when the database is unavailable, too slow, or its tables do not
    /// match the schema.
    pub async fn session(&self, token: &str) -> Result<Option<DatabaseSession>, Error> {
        if token.is_empty() || token.len() > MAX_TOKEN_LEN || token.contains('\0') {
            return Ok(None);
        }
        let now = self.now_ms();
        let cache = &self.inner.cache;
        if !cache.is_enabled() {
            let entry = self.fetch(token).await?;
            return Ok(entry.session.filter(|s| s.is_valid_at(now)));
        }
        let key = cache::key(token);
        let entry = cache.get_or_fetch(key, self.fetch(token)).await?;
        match &entry.session {
            Some(session) if session.is_valid_at(now) => Ok(Some(session.clone())),
            // Valid when read, expired now: the app may have extended it since (updateAge),
            // so a cached row is read again once.
            Some(session) if session.is_valid_at(entry.fetched_ms) => {
                cache.invalidate(&key).await;
                let entry = cache.get_or_fetch(key, self.fetch(token)).await?;
                Ok(entry
                    .session
                    .as_ref()
                    .filter(|s| s.is_valid_at(self.now_ms()))
                    .cloned())
            }
            _ => Ok(None),
        }
    }

    async fn fetch(&self, token: &str) -> Result<Entry, Error> {
        self.inner.queries.fetch_add(1, Ordering::Relaxed);
        let fetched_ms = self.now_ms();
        let lookup = &self.inner.lookup;
        let row = with_timeout(self.inner.config.timeout, lookup.fetch(token)).await?;
        let session = row.map(|row| lookup.session(row)).transpose()?;
        Ok(Entry {
            session,
            fetched_ms,
        })
    }

    /// The session of a request: the session cookie found in the whole `Cookie` header as the
    /// references find it (the first occurrence of the name, `.0`, `.1`, ... chunks joined,
    /// values percent-decoded), then [`session`](Self::session). Database sessions are never
    /// read from an `Authorization` header (the references do not either).
    ///
    /// # Errors
    /// [`Error::TooLarge`] / [`Error::InconsistentChunks`] for an unusable cookie set, and as
    /// [`session`](Self::session).
    pub async fn from_cookie_header(
        &self,
        cookie_header: Option<&str>,
    ) -> Result<Option<DatabaseSession>, Error> {
        self.find_in_cookie_lines(|| cookie_header.into_iter())
            .await
    }

    /// [`from_cookie_header`](Self::from_cookie_header) over an `http::HeaderMap`: every
    /// `Cookie` line. A line that is not UTF-8 is read byte-wise as Latin-1, as Node reads
    /// every header, so the session cookie on it still counts.
    ///
    /// # Errors
    /// As [`from_cookie_header`](Self::from_cookie_header).
    #[cfg(feature = "http")]
    pub async fn from_headers(
        &self,
        headers: &http::HeaderMap,
    ) -> Result<Option<DatabaseSession>, Error> {
        let raw = || {
            headers
                .get_all(http::header::COOKIE)
                .iter()
                .map(http::HeaderValue::as_bytes)
        };
        cookies::check_raw_len(raw(), &self.inner.config.limits)?;
        let lines = cookies::TextLines::new(raw());
        self.find_in_cookie_lines(|| lines.read(raw())).await
    }

    async fn find_in_cookie_lines<'a, I: Iterator<Item = &'a str>>(
        &self,
        lines: impl Fn() -> I,
    ) -> Result<Option<DatabaseSession>, Error> {
        let token = cookies::find_token(
            lines,
            None,
            self.cookie_name_in_use(),
            &self.inner.config.limits,
        )?;
        match token {
            Some(token) => self.session(&token).await,
            None => Ok(None),
        }
    }
}

async fn with_timeout<T>(
    timeout: Duration,
    work: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    tokio::time::timeout(timeout, work)
        .await
        .unwrap_or_else(|_| {
            Err(Error::Store(StoreError::Timeout {
                ms: u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX),
            }))
        })
}

async fn connect_pool(url: &str, timeout: Duration) -> Result<Pool, Error> {
    let invalid = || Error::Config("the database URL is not valid");
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        #[cfg(feature = "postgres")]
        {
            use std::str::FromStr;
            let options = sqlx::postgres::PgConnectOptions::from_str(url)
                .map_err(|_| invalid())?
                .options([("default_transaction_read_only", "on")]);
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(POOL_SIZE)
                .acquire_timeout(timeout)
                .connect_with(options);
            return with_timeout(timeout, async { pool.await.map_err(|e| store_error(&e)) })
                .await
                .map(Pool::Postgres);
        }
        #[cfg(not(feature = "postgres"))]
        return Err(Error::Config(
            "a PostgreSQL URL needs the `postgres` feature",
        ));
    }
    if url.starts_with("sqlite:") {
        #[cfg(feature = "sqlite")]
        {
            use std::str::FromStr;
            let options = sqlx::sqlite::SqliteConnectOptions::from_str(url)
                .map_err(|_| invalid())?
                .read_only(true);
            let pool = sqlx::sqlite::SqlitePoolOptions::new()
                .max_connections(POOL_SIZE)
                .acquire_timeout(timeout)
                .connect_with(options);
            return with_timeout(timeout, async { pool.await.map_err(|e| store_error(&e)) })
                .await
                .map(Pool::Sqlite);
        }
        #[cfg(not(feature = "sqlite"))]
        return Err(Error::Config("a SQLite URL needs the `sqlite` feature"));
    }
    Err(invalid())
}
