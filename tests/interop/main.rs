//! Interop tests: one binary over the fixtures that the real NextAuth.js v4 and Auth.js
//! libraries generated (`fixtures/`), plus API-level guarantees. The differential test
//! against josekit (which links OpenSSL) lives in the `interop/` workspace member.

mod api;
mod common;
mod differential;
mod encoder;
mod headers;
mod mutants_csrf;
mod props;
mod requests;
mod tokens;
