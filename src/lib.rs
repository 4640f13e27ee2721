#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod b64;
mod claims;
mod cookies;
mod csrf;
#[cfg(any(feature = "postgres", feature = "sqlite"))]
pub mod database;
mod decoder;
mod encoder;
mod env;
mod error;
mod flavor;
#[cfg(any(feature = "axum", feature = "tower"))]
pub mod integrations;
mod json_scan;
mod jwe;
mod secret;
mod session;
mod set_cookie;

pub use cookies::Limits;
pub use csrf::{Csrf, CsrfBuilder, CsrfError, DEFAULT_CSRF_HEADER};
pub use decoder::{Decoder, DecoderBuilder};
pub use encoder::Encoder;
pub use error::{Error, StoreError};
pub use flavor::Flavor;
pub use secret::Secret;
pub use session::{Session, User};
