//! The cryptographic floor, shared by every session source and knowing none of them: base64url,
//! compact JWE (`dir` with `A256GCM` / `A256CBC-HS512`, the allowed encryptions passed in as
//! data), secrets and the keys HKDF derives from them, with their `kid` thumbprints.

pub(crate) mod b64;
#[cfg(feature = "better-auth")]
pub(crate) mod hmac;
pub(crate) mod jwe;
pub(crate) mod secret;
