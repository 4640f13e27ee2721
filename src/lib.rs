//! Read the session of a user signed in through a Next.js app, from a Rust backend:
//! NextAuth.js v4 and Auth.js v5 JWT sessions, Auth.js database sessions and Better Auth
//! sessions, answered exactly as the JavaScript libraries' `getToken()` / `getSession()`
//! would.
//!
//! - [`Decoder`]: configure once per app ([`Decoder::from_env`] or [`Decoder::builder`] with
//!   a [`Flavor`]), then [`Decoder::get_token`] on each request's `Cookie` and
//!   `Authorization` headers (`None` for every kind of "no session"), [`Decoder::session`]
//!   to learn why there is none ([`Error`]), or [`Decoder::decode`] for one token.
//! - [`Encoder`] ([`Decoder::encoder`]): mint tokens and `Set-Cookie` values as the
//!   references write them, for tests and sign-in from Rust.
//! - [`Session`]: the references' default claims; any `serde::de::DeserializeOwned` type works.
//! - `database` (features `postgres`, `sqlite`): `Store`, the adapters' session lookup.
//! - `better_auth` (feature `better-auth`): `BetterAuth`, better-auth's cookies in each mode.
//! - `integrations` (features `axum`, `tower`, `actix`): extractors and layers.
//! - [`Csrf`]: the references' double-submit CSRF check.
//!
//! ```
//! use nextauth_session::{Decoder, Flavor, Session};
//!
//! let decoder = Decoder::builder(Flavor::V5)
//!     .secret("the AUTH_SECRET of the Next.js app")
//!     .build()?;
//! // What Auth.js writes into the session cookie when Ada signs in.
//! let token = decoder.encoder().encode(&serde_json::json!({ "name": "Ada", "sub": "42" }))?;
//! let cookie = format!("theme=dark; authjs.session-token={token}");
//!
//! let session: Session = decoder.get_token(Some(&cookie), None).expect("a session");
//! assert_eq!(session.name.as_deref(), Some("Ada"));
//! # Ok::<(), nextauth_session::Error>(())
//! ```
//!
//! The guide (install, a quickstart per session kind, frameworks, configuration from the
//! environment, errors, limits) is the crate's
//! [README](https://crates.io/crates/nextauth-session); the documents it links (security,
//! design choices and every divergence from the references, performance) ship in the
//! package's `docs/` folder.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]

// Every Rust block of the README and of docs/*.md is compiled and run as a doctest by
// `cargo test --all-features` (the blocks use the axum, tower, sqlite and better-auth
// features, so they are tested when those are on).
#[cfg(all(
    doctest,
    feature = "axum",
    feature = "tower",
    feature = "sqlite",
    feature = "better-auth"
))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

#[cfg(all(
    doctest,
    feature = "axum",
    feature = "tower",
    feature = "sqlite",
    feature = "better-auth"
))]
mod docs_doctests {
    #[doc = include_str!("../docs/frameworks.md")]
    pub struct Frameworks;
    #[doc = include_str!("../docs/database.md")]
    pub struct Database;
    #[doc = include_str!("../docs/better-auth.md")]
    pub struct BetterAuth;
    #[doc = include_str!("../docs/issuing.md")]
    pub struct Issuing;
}

mod authjs;
#[cfg(feature = "better-auth")]
pub mod better_auth;
mod claims;
mod crypto;
#[cfg(any(feature = "postgres", feature = "sqlite"))]
pub mod database;
pub mod diagnosis;
mod error;
#[cfg(any(feature = "axum", feature = "tower", feature = "actix"))]
pub mod integrations;
#[cfg(any(feature = "postgres", feature = "sqlite", feature = "better-auth"))]
mod js_time;
mod request;
#[cfg(test)]
mod test_counters;

pub use authjs::csrf::{Csrf, CsrfBuilder, CsrfError, DEFAULT_CSRF_HEADER};
pub use authjs::decoder::{Decoder, DecoderBuilder};
pub use authjs::encoder::{CsrfCookie, Encoder};
pub use authjs::flavor::Flavor;
pub use authjs::session::{Session, User};
pub use crypto::secret::Secret;
pub use error::{Error, Mismatch, StoreError};
pub use request::cookies::Limits;
