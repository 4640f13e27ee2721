//! Better Auth sessions (feature `better-auth`): the signed `session_token` cookie, the
//! `session_data` cookie cache in its three strategies (`compact`, `jwt`, `jwe`) and
//! stateless mode, read as better-auth 1.7's `getSession` reads them.
//!
//! ```
//! use nextauth_session::better_auth::{BetterAuth, CacheStrategy};
//!
//! let reader = BetterAuth::builder()
//!     .secret("the app's BETTER_AUTH_SECRET")
//!     .cookie_cache(CacheStrategy::Compact)
//!     .build()?;
//! // No cookies: no session.
//! assert_eq!(reader.cached_session(Some("theme=dark"))?, None);
//! # Ok::<(), nextauth_session::Error>(())
//! ```

mod cache;
mod config;
mod encoder;
mod js_json;
mod reader;
mod session;

pub use config::{BetterAuth, BetterAuthBuilder, CacheStrategy};
pub use encoder::BetterAuthEncoder;
pub use session::BetterAuthSession;
