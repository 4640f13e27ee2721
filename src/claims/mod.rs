//! Registered-claim checks (`exp`, `nbf`, `iat`, header replicas) in their own small pass, so
//! a caller's claims type need not declare them.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

use crate::error::Error;
use numeric::Numeric;
#[cfg(test)]
use numeric::TimeClaims;

mod fast;
mod numeric;
pub(crate) mod scan;
pub(crate) mod typed;
#[cfg(any(feature = "postgres", feature = "sqlite", feature = "better-auth"))]
pub(crate) mod view;

/// Where "now" comes from when claims are checked.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Clock {
    System,
    Fixed(i64),
}

impl Clock {
    /// Unix seconds, floored (as jose's `epoch(new Date())`).
    pub(crate) fn now(self) -> i64 {
        match self {
            Self::Fixed(t) => t,
            // A clock before 1970 is treated as the epoch.
            Self::System => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
        }
    }
}

/// The registered claims we check, read in one pass that skips everything else.
#[derive(Debug, Default)]
struct Registered {
    exp: Option<Numeric>,
    nbf: Option<Numeric>,
    iat: Option<Numeric>,
    /// The payload's `iss`, `sub`, `aud` (the general pass only: the scan answers only when the
    /// header replicates none).
    replicas: Vec<(String, Value)>,
}

/// Checks the registered claims of a decrypted payload (UTF-8, BOM already handled).
///
/// Order and rules follow jose's `jwtDecrypt`: header replicas, then `iat` (a number if
/// present), `nbf` (a number, not after `now + tolerance`), `exp` (a number, expired when
/// `exp <= now - tolerance`).
///
/// Returns how far the text was validated, for [`typed::from_str`].
pub(crate) fn check(
    payload: &str,
    header_replicas: &[(&'static str, Value)],
    now: i64,
    tolerance: Duration,
) -> Result<Validated, Error> {
    // The fast scan answers for the payloads the references write; it never reads the
    // replicas, which are rare.
    let scanned = scan::time_claims(payload);
    let validated = match scanned {
        Some(_) => Validated::Compact,
        None => Validated::General,
    };
    let registered = match scanned {
        Some(t) if header_replicas.is_empty() => Registered {
            exp: t.exp,
            nbf: t.nbf,
            iat: t.iat,
            replicas: Vec::new(),
        },
        _ => registered_by_serde(payload)?,
    };

    for (name, expected) in header_replicas {
        let actual = registered
            .replicas
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v);
        // jose compares `iss` and `sub` with `===` and `aud` by `JSON.stringify`.
        let equal = if *name == "aud" {
            actual.is_some_and(|actual| same_json_text(expected, actual))
        } else {
            js_strict_equal(expected, actual)
        };
        if !equal {
            return Err(Error::InvalidClaims(
                "a header replica (iss, sub or aud) differs from the claim",
            ));
        }
    }

    let tolerance = i64::try_from(tolerance.as_secs()).unwrap_or(i64::MAX);
    if registered.iat == Some(Numeric::NotANumber) {
        return Err(Error::InvalidClaims("iat is not a number"));
    }
    match registered.nbf {
        Some(Numeric::NotANumber) => return Err(Error::InvalidClaims("nbf is not a number")),
        Some(Numeric::Number(nbf)) if nbf > now.saturating_add(tolerance) as f64 => {
            return Err(Error::NotYetValid {
                nbf: nbf.floor() as i64,
                now,
            });
        }
        _ => {}
    }
    match registered.exp {
        Some(Numeric::NotANumber) => Err(Error::InvalidClaims("exp is not a number")),
        Some(Numeric::Number(exp)) if exp <= now.saturating_sub(tolerance) as f64 => {
            Err(Error::Expired {
                exp: exp.floor() as i64,
                now,
            })
        }
        _ => Ok(validated),
    }
}

/// What [`check`] learnt of the claims text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Validated {
    /// The scan validated it: compact JSON without escapes or control characters, nesting
    /// under the scan's limit ([`fast`] reads it).
    Compact,
    /// Only serde_json read it.
    General,
}

/// The general registered-claims pass: any JSON, exactly as serde_json reads it.
fn registered_by_serde(payload: &str) -> Result<Registered, Error> {
    #[cfg(test)]
    crate::test_counters::add(&crate::test_counters::SERDE_PASSES, 1);
    let mut de = serde_json::Deserializer::from_str(payload);
    let registered = RegisteredSeed
        .deserialize(&mut de)
        .map_err(|e| match e.classify() {
            serde_json::error::Category::Data => {
                Error::InvalidClaims("the claims are not a JSON object")
            }
            _ => Error::InvalidClaims("the claims are not valid JSON"),
        })?;
    de.end()
        .map_err(|_| Error::InvalidClaims("the claims are not valid JSON"))?;
    Ok(registered)
}

/// The serde path's time claims, for the scan's differential test.
#[cfg(test)]
fn time_claims_by_serde(payload: &str) -> Option<TimeClaims> {
    registered_by_serde(payload).ok().map(|r| TimeClaims {
        exp: r.exp,
        nbf: r.nbf,
        iat: r.iat,
    })
}

/// JavaScript `===` between a header member and a claim that may be absent (`undefined`).
fn js_strict_equal(header: &Value, claim: Option<&Value>) -> bool {
    match (header, claim) {
        (Value::Null, Some(Value::Null)) => true,
        (Value::Bool(a), Some(Value::Bool(b))) => a == b,
        (Value::String(a), Some(Value::String(b))) => a == b,
        (Value::Number(a), Some(Value::Number(b))) => a.as_f64() == b.as_f64(),
        // Objects and arrays compare by identity in JavaScript: never equal.
        _ => false,
    }
}

/// Whether `JSON.stringify` gives the same text for both values. Objects with more than one
/// member are never equal: their text depends on member order, which the parsed map does not
/// keep, so we err on the strict side.
fn same_json_text(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json_text(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() <= 1
                && x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((k, v), (l, w))| k == l && same_json_text(v, w))
        }
        _ => a == b,
    }
}

/// Reads the time claims and the replicable ones (`iss`, `sub`, `aud`; the general pass is
/// rare, so they are kept whether or not the header replicates them).
struct RegisteredSeed;

impl<'de> DeserializeSeed<'de> for RegisteredSeed {
    type Value = Registered;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Registered, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RegisteredSeed {
    type Value = Registered;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object of claims")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Registered, A::Error> {
        let mut out = Registered::default();
        // Duplicate keys: the last one wins, as with JSON.parse.
        while let Some(key) = map.next_key::<ClaimName>()? {
            match key {
                ClaimName::Exp => out.exp = Some(map.next_value::<NumericSeed>()?.0),
                ClaimName::Nbf => out.nbf = Some(map.next_value::<NumericSeed>()?.0),
                ClaimName::Iat => out.iat = Some(map.next_value::<NumericSeed>()?.0),
                ClaimName::Replica(name) => {
                    let value: Value = map.next_value()?;
                    out.replicas.retain(|(k, _)| k != name);
                    out.replicas.push((name.to_owned(), value));
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(out)
    }
}

enum ClaimName {
    Exp,
    Nbf,
    Iat,
    Replica(&'static str),
    Other,
}

impl<'de> de::Deserialize<'de> for ClaimName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = ClaimName;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a claim name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ClaimName, E> {
                Ok(match v {
                    "exp" => ClaimName::Exp,
                    "nbf" => ClaimName::Nbf,
                    "iat" => ClaimName::Iat,
                    "iss" => ClaimName::Replica("iss"),
                    "sub" => ClaimName::Replica("sub"),
                    "aud" => ClaimName::Replica("aud"),
                    _ => ClaimName::Other,
                })
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// Reads any JSON value and records whether it was a number.
struct NumericSeed(Numeric);

impl<'de> de::Deserialize<'de> for NumericSeed {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Numeric;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Numeric, E> {
                Ok(Numeric::Number(v as f64))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Numeric, E> {
                Ok(Numeric::Number(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Numeric, E> {
                Ok(Numeric::Number(v))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Numeric, E> {
                Ok(Numeric::NotANumber)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Numeric, E> {
                Ok(Numeric::NotANumber)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Numeric, E> {
                Ok(Numeric::NotANumber)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Numeric, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Numeric::NotANumber)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Numeric, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Numeric::NotANumber)
            }
        }
        deserializer.deserialize_any(V).map(NumericSeed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The serde path's answer, as a `TimeClaims` (None when it rejects the document).
    fn serde_answer(json: &str) -> Option<TimeClaims> {
        time_claims_by_serde(json)
    }

    fn scan_agrees(json: &str) {
        if let Some(fast) = scan::time_claims(json) {
            assert_eq!(Some(fast), serde_answer(json), "{json:?}");
        }
    }

    /// Differential against the serde path over systematic mutations of real-looking claims:
    /// every truncation, and every single-byte replacement from an alphabet of JSON syntax.
    #[test]
    fn agrees_with_serde_wherever_it_answers() {
        let seeds = [
            r#"{"name":"Ada Lovelace","email":"ada@example.com","picture":null,"sub":"42","iat":1750000000,"exp":1752592000,"jti":"7f1e"}"#,
            r#"{"exp":-0.5e-3,"nbf":1E+2,"iat":0,"x":[1,{"y":[true,false,null]},"s"],"exp":12345678901234567890}"#,
            r#" { "iat" : "x" , "nbf" : { } , "exp" : [ ] , "deep" : [[[[{"a":[]}]]]] } "#,
        ];
        let alphabet = b"{}[]:,\" 0-1.eE+tfnlx\\\t";
        let mut answered = 0;
        for seed in seeds {
            for end in 0..=seed.len() {
                scan_agrees(&seed[..end]);
            }
            for i in 0..seed.len() {
                for &c in alphabet {
                    let mut bytes = seed.as_bytes().to_vec();
                    bytes[i] = c;
                    let json = String::from_utf8(bytes).unwrap();
                    answered += usize::from(scan::time_claims(&json).is_some());
                    scan_agrees(&json);
                }
            }
        }
        assert!(
            answered > 1000,
            "the scan answered only {answered} mutations"
        );
    }

    const TOL: Duration = Duration::from_secs(15);

    fn run(payload: &str, now: i64) -> Result<(), Error> {
        check(payload, &[], now, TOL).map(drop)
    }

    #[test]
    fn exp_tolerance_edges() {
        assert_eq!(run(r#"{"exp":100}"#, 114), Ok(()));
        assert_eq!(
            run(r#"{"exp":100}"#, 115),
            Err(Error::Expired { exp: 100, now: 115 })
        );
        assert_eq!(run(r#"{"exp":100.5}"#, 115), Ok(()));
        assert_eq!(run(r#"{}"#, i64::MAX), Ok(()));
    }

    #[test]
    fn nbf_tolerance_edges() {
        assert_eq!(run(r#"{"nbf":115}"#, 100), Ok(()));
        assert_eq!(
            run(r#"{"nbf":116}"#, 100),
            Err(Error::NotYetValid { nbf: 116, now: 100 })
        );
    }

    #[test]
    fn types_are_checked() {
        for p in [
            r#"{"exp":"1"}"#,
            r#"{"exp":null}"#,
            r#"{"nbf":[]}"#,
            r#"{"iat":{}}"#,
            r#"{"iat":true}"#,
        ] {
            assert!(matches!(run(p, 0), Err(Error::InvalidClaims(_))), "{p}");
        }
        // A future iat is fine.
        assert_eq!(run(r#"{"iat":99999999999}"#, 0), Ok(()));
        // The last duplicate wins.
        assert_eq!(run(r#"{"exp":"x","exp":1000}"#, 0), Ok(()));
        assert!(run(r#"{"exp":1000,"exp":"x"}"#, 0).is_err());
    }

    #[test]
    fn must_be_an_object() {
        for p in ["[]", "1", "\"s\"", "null", "true"] {
            assert_eq!(
                run(p, 0),
                Err(Error::InvalidClaims("the claims are not a JSON object")),
                "{p}"
            );
        }
        for p in ["{", "{} x", "", "{\"a\":}", "nul"] {
            assert_eq!(
                run(p, 0),
                Err(Error::InvalidClaims("the claims are not valid JSON")),
                "{p}"
            );
        }
    }

    fn serde_passes(f: impl FnOnce()) -> usize {
        crate::test_counters::during(&crate::test_counters::SERDE_PASSES, f)
    }

    /// The claims the references write are read by the scan alone; the general pass runs only
    /// for what the scan does not answer, and when the header replicates a claim.
    #[test]
    fn the_scan_answers_without_the_general_pass() {
        let typical = r#"{"name":"Ada","sub":"u1","iat":1750000000,"exp":1752592000}"#;
        assert_eq!(
            serde_passes(|| assert_eq!(check(typical, &[], 0, TOL), Ok(Validated::Compact))),
            0
        );
        let escaped = r#"{"name":"A\u0064a","exp":1752592000}"#;
        assert_eq!(
            serde_passes(|| assert_eq!(check(escaped, &[], 0, TOL), Ok(Validated::General))),
            1
        );
        let h = vec![("sub", Value::from("u1"))];
        assert_eq!(
            serde_passes(|| assert_eq!(check(typical, &h, 0, TOL), Ok(Validated::Compact))),
            1
        );
    }

    #[test]
    fn replicas_compare_as_jose_does() {
        // `===` for iss and sub: same type and value, numbers by value.
        for (header, claim, equal) in [
            (json!(null), Some(json!(null)), true),
            (json!(true), Some(json!(true)), true),
            (json!(false), Some(json!(false)), true),
            (json!(true), Some(json!(false)), false),
            (json!(1), Some(json!(1.0)), true),
            (json!(1), Some(json!(2)), false),
            (json!(1), Some(json!("1")), false),
            (json!("a"), Some(json!("a")), true),
            (json!("a"), Some(json!("b")), false),
            (json!(null), None, false),
            (json!({}), Some(json!({})), false),
        ] {
            assert_eq!(
                js_strict_equal(&header, claim.as_ref()),
                equal,
                "{header} {claim:?}"
            );
        }
        // `JSON.stringify` for aud: equal text, so 1 and 1.0 alike; an object of one member
        // compares by its key and value, one of more members never (order is not kept).
        for (a, b, equal) in [
            (json!(1), json!(1.0), true),
            (json!([1, "a"]), json!([1.0, "a"]), true),
            (json!([1]), json!([1, 1]), false),
            (json!({}), json!({}), true),
            (json!({"a": 1}), json!({"a": 1.0}), true),
            (json!({"a": 1}), json!({"a": 2}), false),
            (json!({"a": 1}), json!({"b": 1}), false),
            (json!({"a": 1}), json!({}), false),
            (json!({}), json!({"a": 1}), false),
            (json!({"a": 1, "b": 2}), json!({"a": 1, "b": 2}), false),
            (json!({"a": [1]}), json!({"a": [1.0]}), true),
            (json!("x"), json!("x"), true),
            (json!("x"), json!(["x"]), false),
        ] {
            assert_eq!(same_json_text(&a, &b), equal, "{a} {b}");
        }
    }

    #[test]
    fn duplicate_replicas_the_last_wins() {
        let h = vec![("sub", Value::from("u1"))];
        assert_eq!(
            check(r#"{"sub":"u0","sub":"u1"}"#, &h, 0, TOL),
            Ok(Validated::Compact)
        );
        assert!(check(r#"{"sub":"u1","sub":"u0"}"#, &h, 0, TOL).is_err());
        // Each replica is kept next to the others.
        let both = vec![("iss", Value::from("i")), ("sub", Value::from("u1"))];
        assert_eq!(
            check(r#"{"iss":"i","sub":"u1","sub":"u1"}"#, &both, 0, TOL),
            Ok(Validated::Compact)
        );
    }

    #[test]
    fn header_replicas() {
        let h = vec![("sub", Value::from("u1"))];
        assert_eq!(check(r#"{"sub":"u1"}"#, &h, 0, TOL), Ok(Validated::Compact));
        assert!(check(r#"{"sub":"u2"}"#, &h, 0, TOL).is_err());
        assert!(check(r#"{}"#, &h, 0, TOL).is_err());
        // aud is compared as JSON text: equal arrays match, reordered ones do not.
        let arr = vec![("aud", serde_json::json!(["a", 1]))];
        assert_eq!(
            check(r#"{"aud":["a",1.0]}"#, &arr, 0, TOL),
            Ok(Validated::Compact)
        );
        assert!(check(r#"{"aud":[1,"a"]}"#, &arr, 0, TOL).is_err());
        assert!(check(r#"{}"#, &arr, 0, TOL).is_err());
        // sub is compared with ===: arrays are never equal.
        let sub = vec![("sub", serde_json::json!(["a"]))];
        assert!(check(r#"{"sub":["a"]}"#, &sub, 0, TOL).is_err());
        let null = vec![("iss", Value::Null)];
        assert_eq!(
            check(r#"{"iss":null}"#, &null, 0, TOL),
            Ok(Validated::Compact)
        );
        assert!(check(r#"{}"#, &null, 0, TOL).is_err());
    }
}
