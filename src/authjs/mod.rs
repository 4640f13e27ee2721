//! NextAuth.js v4 / Auth.js v5 JWT sessions: the flavor (data), the decoder and encoder, the
//! `Set-Cookie` values, the CSRF check, the references' environment variables and the default
//! session type.

pub(crate) mod csrf;
pub(crate) mod decoder;
pub(crate) mod encoder;
pub(crate) mod env;
pub(crate) mod flavor;
pub(crate) mod session;
pub(crate) mod set_cookie;
