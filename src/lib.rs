#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod authjs;
#[cfg(feature = "better-auth")]
pub mod better_auth;
mod claims;
mod crypto;
#[cfg(any(feature = "postgres", feature = "sqlite"))]
pub mod database;
mod error;
#[cfg(any(feature = "axum", feature = "tower"))]
pub mod integrations;
#[cfg(any(feature = "postgres", feature = "sqlite", feature = "better-auth"))]
mod js_time;
mod request;

pub use authjs::csrf::{Csrf, CsrfBuilder, CsrfError, DEFAULT_CSRF_HEADER};
pub use authjs::decoder::{Decoder, DecoderBuilder};
pub use authjs::encoder::Encoder;
pub use authjs::flavor::Flavor;
pub use authjs::session::{Session, User};
pub use crypto::secret::Secret;
pub use error::{Error, StoreError};
pub use request::cookies::Limits;
