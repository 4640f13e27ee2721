//! Why a request has (or has not) a session, as structured data: the cookies the readers see,
//! the chunk sets and whether each is complete, the token taken, which secret opens it and
//! the reason when there is no session. The `nextauth-session inspect` command only formats
//! this; a service can log it.
//!
//! Everything here reads the request with the readers' own code (`request::cookies`), so an
//! explanation never rests on a parse the readers do not make. A diagnosis may say more than
//! an error does (which secret, wrong secret or modified token): only hand it to people who
//! may know that, such as the operators of the service.
//!
//! ```
//! use nextauth_session::diagnosis::{ChunkState, Reason};
//! use nextauth_session::{Decoder, Flavor};
//!
//! let decoder = Decoder::builder(Flavor::V5).secret("the app's AUTH_SECRET").build()?;
//! let d = decoder.diagnose(&["authjs.session-token.1=abc"], None);
//! assert!(matches!(d.outcome, Err(Reason::Chunks(ChunkState::Missing { .. }))));
//! # Ok::<(), nextauth_session::Error>(())
//! ```

mod authjs;
#[cfg(feature = "better-auth")]
mod better_auth;
mod cookies;
mod env;

pub use authjs::{BearerProblem, Diagnosis, Reason, TokenDiagnosis, TokenSource};
#[cfg(feature = "better-auth")]
pub use better_auth::{
    BetterAuthDiagnosis, BetterAuthReason, CacheDiagnosis, CacheShape, SignedState,
};
pub use cookies::{ChunkRule, ChunkSet, ChunkState, ScannedCookie, scan_cookies};
pub use env::{EnvConfig, EnvSecret, env_config};
