//! Database sessions (features `postgres`, `sqlite`): the session of an Auth.js /
//! NextAuth.js app whose `session.strategy` is `"database"`, the default as soon as an adapter
//! is configured. The session cookie then holds an opaque token (a UUID) that the app looks up
//! in its own tables; [`Store`] does the same lookup, read-only, cached.
//!
//! ```no_run
//! use nextauth_session::database::{Schema, Store};
//!
//! # async fn run() -> Result<(), nextauth_session::Error> {
//! let schema = Schema::by_name("prisma").expect("a preset");
//! let store = Store::connect("postgres://app@127.0.0.1:5432/app", schema).await?;
//! if let Some(session) = store.from_cookie_header(Some("authjs.session-token=e3458ff6-...")).await? {
//!     println!("{}", session.response()); // the body of GET /api/auth/session
//! }
//! # Ok(()) }
//! ```
//!
//! The data path: `Cookie header -> session cookie (chunks joined) -> token -> cache ->
//! SELECT ... WHERE "sessionToken" = $1 -> expiry check -> DatabaseSession`.

mod backend;
mod cache;
mod schema;
mod session;
mod store;

pub use schema::{Column, IntegerTime, Schema};
pub use session::DatabaseSession;
pub use store::{MAX_TOKEN_LEN, Store};
