//! The claims deserializer for documents the scan has validated ([`scan::time_claims`]
//! answered: valid JSON, no backslash, no byte below 0x20, nesting under the scan's limit).
//!
//! In such a document a string is its raw bytes up to the next quote, so a string is found
//! with `memchr` and handed out borrowed, where serde_json checks every byte for an escape
//! (most of the JSON time of a large session: OAuth tokens are long strings). Everything whose
//! meaning serde_json defines in detail is handed to serde_json itself, on the value's own
//! text: numbers, literals, enums, raw values, and every request other than "any", "a
//! string", "a sequence", "a map", "a struct", "an option", "ignore". The visitor thus sees the
//! calls serde_json would make, in the same order. Anything unusual (a key the type wants as
//! a number, a sequence the type stops reading early) is an error here, and the caller then
//! runs serde_json on the whole document, whose answer (value or error) is the reference.
//!
//! [`scan::time_claims`]: super::scan::time_claims

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::scan::Scanner;

type Error = serde_json::Error;

/// Deserializes `T` from a document [`scan::time_claims`](super::scan::time_claims) answered.
/// An error means "ask serde_json", never a verdict.
pub(crate) fn from_str<'de, T: de::Deserialize<'de>>(json: &'de str) -> Result<T, Error> {
    let mut de = Fast {
        text: json,
        scan: Scanner {
            b: json.as_bytes(),
            i: 0,
        },
    };
    de.scan.ws();
    let value = T::deserialize(&mut de)?;
    de.scan.ws();
    match de.scan.i == json.len() {
        true => Ok(value),
        false => Err(unusual()),
    }
}

fn unusual() -> Error {
    de::Error::custom("left to serde_json")
}

struct Fast<'de> {
    text: &'de str,
    scan: Scanner<'de>,
}

impl<'de> Fast<'de> {
    /// The next value's text (whitespace skipped before it), consumed.
    fn value_text(&mut self) -> Result<&'de str, Error> {
        self.scan.ws();
        let start = self.scan.i;
        self.scan.value(1).ok_or_else(unusual)?;
        // The scan stops only at ASCII bytes, so both ends are character boundaries.
        self.text.get(start..self.scan.i).ok_or_else(unusual)
    }

    /// A string, borrowed (the scan ensured it has no escape).
    fn string(&mut self) -> Result<&'de str, Error> {
        let start = self.scan.i + 1;
        self.scan.string().ok_or_else(unusual)?;
        self.text.get(start..self.scan.i - 1).ok_or_else(unusual)
    }

    fn expect(&mut self, byte: u8) -> Result<(), Error> {
        self.scan.ws();
        self.scan.eat(byte).ok_or_else(unusual)
    }
}

/// serde_json on one value's text, with the same request.
macro_rules! delegate {
    ($self:ident, $method:ident $(, $arg:expr)*; $visitor:ident) => {{
        #[cfg(test)]
        crate::test_counters::add(&crate::test_counters::DELEGATED, 1);
        let text = $self.value_text()?;
        let mut json = serde_json::Deserializer::from_str(text);
        let value = (&mut json).$method($($arg,)* $visitor)?;
        json.end()?;
        Ok(value)
    }};
}

macro_rules! delegate_all {
    ($($method:ident),* $(,)?) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
                delegate!(self, $method; visitor)
            }
        )*
    };
}

impl<'de> Deserializer<'de> for &mut Fast<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.scan.ws();
        match self.scan.peek() {
            Some(b'"') => visitor.visit_borrowed_str(self.string()?),
            Some(b'[') => self.deserialize_seq(visitor),
            Some(b'{') => self.deserialize_map(visitor),
            _ => delegate!(self, deserialize_any; visitor),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.scan.ws();
        match self.scan.peek() {
            Some(b'"') => visitor.visit_borrowed_str(self.string()?),
            _ => delegate!(self, deserialize_str; visitor),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.scan.ws();
        if self.scan.peek() != Some(b'[') {
            return delegate!(self, deserialize_seq; visitor);
        }
        self.scan.i += 1;
        let value = visitor.visit_seq(Seq {
            de: &mut *self,
            first: true,
        })?;
        // A type that stops before the end: serde_json's "trailing characters".
        self.expect(b']')?;
        Ok(value)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.scan.ws();
        if self.scan.peek() != Some(b'{') {
            return delegate!(self, deserialize_map; visitor);
        }
        self.scan.i += 1;
        let value = visitor.visit_map(Map {
            de: &mut *self,
            first: true,
        })?;
        self.expect(b'}')?;
        Ok(value)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.scan.ws();
        match self.scan.peek() {
            Some(b'{') => self.deserialize_map(visitor),
            Some(b'[') => self.deserialize_seq(visitor),
            _ => delegate!(self, deserialize_struct, name, fields; visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.scan.ws();
        match self.scan.peek() {
            Some(b'n') => {
                self.value_text()?;
                visitor.visit_none()
            }
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        // serde_json's raw values and arbitrary-precision numbers are private protocols.
        if name.starts_with("$serde_json") {
            return delegate!(self, deserialize_newtype_struct, name; visitor);
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        delegate!(self, deserialize_enum, name, variants; visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.value_text()?;
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        delegate!(self, deserialize_unit_struct, name; visitor)
    }

    delegate_all! {
        deserialize_bool, deserialize_i8, deserialize_i16, deserialize_i32, deserialize_i64,
        deserialize_i128, deserialize_u8, deserialize_u16, deserialize_u32, deserialize_u64,
        deserialize_u128, deserialize_f32, deserialize_f64, deserialize_char, deserialize_bytes,
        deserialize_byte_buf, deserialize_unit,
    }
}

struct Seq<'a, 'de> {
    de: &'a mut Fast<'de>,
    first: bool,
}

impl<'de> SeqAccess<'de> for Seq<'_, 'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        self.de.scan.ws();
        if self.de.scan.peek() == Some(b']') {
            return Ok(None);
        }
        if !std::mem::take(&mut self.first) {
            self.de.expect(b',')?;
        }
        seed.deserialize(&mut *self.de).map(Some)
    }
}

struct Map<'a, 'de> {
    de: &'a mut Fast<'de>,
    first: bool,
}

impl<'de> MapAccess<'de> for Map<'_, 'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        self.de.scan.ws();
        if self.de.scan.peek() == Some(b'}') {
            return Ok(None);
        }
        if !std::mem::take(&mut self.first) {
            self.de.expect(b',')?;
            self.de.scan.ws();
        }
        let key = self.de.string()?;
        seed.deserialize(Key(key)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        self.de.expect(b':')?;
        seed.deserialize(&mut *self.de)
    }
}

/// Requests of a key that only serde_json answers (it parses a key as a number or a boolean,
/// and more): an error here, so that serde_json reads the whole document.
macro_rules! leave_to_serde_json {
    ($($method:ident($($arg:ty),*)),* $(,)?) => {
        $(
            fn $method<V: Visitor<'de>>(self, $(_: $arg,)* _: V) -> Result<V::Value, Error> {
                Err(unusual())
            }
        )*
    };
}

/// An object key. serde_json hands a key out as a string, parses it as a number when the type
/// asks for one, and more; only the string requests are answered here.
struct Key<'de>(&'de str);

impl<'de> Deserializer<'de> for Key<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_borrowed_str(self.0)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_borrowed_str(self.0)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_borrowed_str(self.0)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_borrowed_str(self.0)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_borrowed_str(self.0)
    }

    leave_to_serde_json! {
        deserialize_bool(), deserialize_i8(), deserialize_i16(), deserialize_i32(),
        deserialize_i64(), deserialize_i128(), deserialize_u8(), deserialize_u16(),
        deserialize_u32(), deserialize_u64(), deserialize_u128(), deserialize_f32(),
        deserialize_f64(), deserialize_char(), deserialize_bytes(), deserialize_byte_buf(),
        deserialize_option(), deserialize_unit(), deserialize_unit_struct(&'static str),
        deserialize_newtype_struct(&'static str), deserialize_seq(),
        deserialize_tuple(usize), deserialize_tuple_struct(&'static str, usize),
        deserialize_map(), deserialize_struct(&'static str, &'static [&'static str]),
        deserialize_enum(&'static str, &'static [&'static str]),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashMap};
    use std::fmt::Debug;

    use serde::Deserialize;
    use serde_json::Value;
    use serde_json::value::RawValue;

    use super::*;
    use crate::Session;
    use crate::claims::scan::time_claims;

    #[derive(Debug, PartialEq, Deserialize)]
    enum Kind {
        A,
        B(u8),
        C { x: Option<i64> },
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(untagged)]
    enum Loose {
        N(f64),
        S(String),
        L(Vec<Loose>),
        O(BTreeMap<String, Loose>),
        B(Option<bool>),
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Shapes {
        a: Option<u8>,
        b: Option<i128>,
        c: Option<(bool, char)>,
        d: Option<Kind>,
        e: Option<HashMap<u64, String>>,
        f: Option<Loose>,
        #[serde(default)]
        g: Vec<f32>,
        #[serde(flatten)]
        rest: BTreeMap<String, Value>,
    }

    #[derive(Debug, Deserialize)]
    struct Raw<'a> {
        #[serde(borrow)]
        r: Option<&'a RawValue>,
    }

    /// Wherever the fast deserializer answers, serde_json gives the same value.
    fn agrees<T: de::DeserializeOwned + PartialEq + Debug>(json: &str) -> bool {
        if time_claims(json).is_none() {
            return false;
        }
        match from_str::<T>(json) {
            Ok(fast) => {
                let reference = serde_json::from_str::<T>(json);
                assert_eq!(reference.as_ref().ok(), Some(&fast), "{json:?}");
                true
            }
            Err(_) => false,
        }
    }

    #[test]
    fn agrees_with_serde_json_wherever_it_answers() {
        let seeds = [
            r#"{"name":"Ada","email":null,"picture":"https://x/y?a=1","sub":"1","iat":1750000000,"exp":1752592000.75,"jti":"7f1e","role":["a",{"b":[true,false,null]},-0,1e2]}"#,
            r#"{"a":7,"b":-170141183460469231731687303715884105728,"c":[true,"é"],"d":{"B":3},"e":{"1":"x","18446744073709551615":"y"},"f":[1,"s",[2.5]],"g":[1.5,3],"name":"n","name":"m"}"#,
            r#" { "d" : "A" , "d" : { "C" : { "x" : null } } , "f" : "x" , "x" : 12345678901234567890123 , "y" : -9223372036854775809 } "#,
            r#"{"a":300,"c":[true,"ab"],"d":"Z","g":[1e39],"e":{"x":"y"},"exp":"1","iat":[],"sub":5}"#,
        ];
        let alphabet = b"{}[]:,\" 0-1.eE+tfnl9x";
        let mut answered = [0usize; 5];
        let mut check = |json: &str| {
            answered[0] += usize::from(agrees::<Session>(json));
            answered[1] += usize::from(agrees::<Value>(json));
            answered[2] += usize::from(agrees::<Shapes>(json));
            answered[3] += usize::from(agrees::<BTreeMap<String, Loose>>(json));
            if time_claims(json).is_some() {
                if let Ok(fast) = from_str::<Raw<'_>>(json) {
                    let reference = serde_json::from_str::<Raw<'_>>(json).unwrap();
                    assert_eq!(
                        fast.r.map(RawValue::get),
                        reference.r.map(RawValue::get),
                        "{json:?}"
                    );
                    answered[4] += 1;
                }
                // Ignoring is answered for every validated document.
                assert!(from_str::<de::IgnoredAny>(json).is_ok(), "{json:?}");
            }
        };
        for seed in seeds {
            check(seed);
            for end in 0..=seed.len() {
                if let Some(prefix) = seed.get(..end) {
                    check(prefix);
                }
            }
            for i in 0..seed.len() {
                for &c in alphabet {
                    let mut bytes = seed.as_bytes().to_vec();
                    bytes[i] = c;
                    if let Ok(json) = String::from_utf8(bytes) {
                        check(&json);
                    }
                }
            }
        }
        // Each type is answered on many documents, so the agreement above means something.
        assert!(answered.iter().all(|&n| n > 50), "{answered:?}");
    }

    #[test]
    fn the_references_session_borrows_nothing_it_should_not() {
        let json = r#"{"name":"Ada","email":"ada@example.com","picture":null,"sub":"42","iat":1750000000,"exp":1752592000,"jti":"j","groups":["a","b"],"n":1.5}"#;
        let fast: Session = from_str(json).unwrap();
        assert_eq!(fast, serde_json::from_str::<Session>(json).unwrap());
        assert_eq!(fast.extra["groups"][1], "b");
    }

    fn delegated(f: impl FnOnce()) -> usize {
        crate::test_counters::during(&crate::test_counters::DELEGATED, f)
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Inner {
        e: String,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Outer {
        a: String,
        b: Vec<String>,
        d: Inner,
        t: Inner,
        m: BTreeMap<String, String>,
    }

    /// Strings, arrays, objects and structs (from an object or an array) are read here, without
    /// serde_json; only scalars other than strings are handed over, one value each.
    #[test]
    fn reads_strings_and_containers_itself() {
        let json = r#"{"a":"s","b":["x","y"],"d":{"e":"f"},"t":["g"],"m":{"k":"v"}}"#;
        let mut out = None;
        assert_eq!(
            delegated(|| out = Some(from_str::<Outer>(json).unwrap())),
            0
        );
        assert_eq!(out, serde_json::from_str::<Outer>(json).ok());
        let mut value = None;
        assert_eq!(
            delegated(|| value = Some(from_str::<Value>(json).unwrap())),
            0
        );
        assert_eq!(value, serde_json::from_str::<Value>(json).ok());
        let mixed = r#"{"a":["s",{"b":[1,true,null]}],"c":2.5}"#;
        assert_eq!(delegated(|| drop(from_str::<Value>(mixed).unwrap())), 4);
    }

    #[test]
    fn leaves_what_it_does_not_answer() {
        // A key the type reads as a number, a sequence read only in part.
        assert!(from_str::<HashMap<u8, u8>>(r#"{"1":2}"#).is_err());
        assert!(from_str::<(u8,)>(r#"[1,2]"#).is_err());
        assert!(from_str::<Value>(r#"{"a":1} x"#).is_err());
    }
}
