//! Better Auth sessions (feature `better-auth`): one binary over the fixtures the real
//! better-auth 1.7.25 wrote and answered (`fixtures/better-auth/`).

mod cache;
#[cfg(all(feature = "postgres", feature = "sqlite"))]
mod database;
#[cfg(feature = "axum")]
mod frameworks;
#[cfg(feature = "axum")]
mod headers;
mod json_stringify;
#[cfg(all(feature = "postgres", feature = "sqlite"))]
#[allow(dead_code)] // the support module serves several test binaries
#[path = "../support/pg.rs"]
mod pg;
