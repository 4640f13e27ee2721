//! Fixture loading and comparison helpers.

use std::path::PathBuf;

use nextauth_session::{Decoder, Flavor};
use serde::Deserialize;
use serde_json::Value;

pub fn fixture<T: for<'de> Deserialize<'de>>(name: &str) -> T {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "fixtures", name]
        .iter()
        .collect();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn flavor(name: &str) -> Flavor {
    match name {
        "v4" => Flavor::V4,
        "v5" => Flavor::V5,
        other => panic!("unknown flavor {other}"),
    }
}

/// A builder with the secrets of a case, in order.
pub fn builder(flavor_name: &str, secrets: &[String]) -> nextauth_session::DecoderBuilder {
    secrets
        .iter()
        .fold(Decoder::builder(flavor(flavor_name)), |b, s| {
            b.secret(s.as_str())
        })
}

/// JSON equality as JavaScript sees numbers: every number is an f64 (so `-0 == 0` and
/// `12345678901234567890 == 12345678901234567000`).
pub fn js_json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| js_json_eq(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| js_json_eq(v, w)))
        }
        _ => a == b,
    }
}
