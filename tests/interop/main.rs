//! Interop tests: one binary over the fixtures that the real NextAuth.js v4 and Auth.js
//! libraries generated (`fixtures/`), plus API-level guarantees.

mod api;
mod common;
mod differential;
mod encoder;
mod josekit_diff;
mod props;
mod requests;
mod tokens;
