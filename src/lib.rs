#![doc = include_str!("../README.md")]

mod claims;
mod cookies;
mod decoder;
mod error;
mod flavor;
mod jwe;
mod secret;
mod session;

pub use cookies::Limits;
pub use decoder::{Decoder, DecoderBuilder};
pub use error::Error;
pub use flavor::Flavor;
pub use secret::Secret;
pub use session::{Session, User};
