//! The claims deserialized into the caller's type, and, when they do not fit, where and why.
//!
//! The fast path is serde_json straight into `T`. Its data errors carry a message that quotes
//! the offending value (`invalid type: string "ada@example.com", expected u64`), so they never
//! reach the caller. Instead the claims are read again, only on that path, into a [`Node`]
//! tree that keeps every member in document order (duplicates included) and every number as
//! serde_json visited it, and `T` is deserialized from that tree by a deserializer whose error
//! type records the path and the kind of mismatch and drops every value. The second pass makes
//! the same visitor calls in the same order as the first, so it stops at the same place.

use std::fmt;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, EnumAccess, Expected, IntoDeserializer,
    MapAccess, SeqAccess, Unexpected, VariantAccess, Visitor,
};
#[cfg(any(feature = "postgres", feature = "sqlite", feature = "better-auth"))]
use serde_json::Value;

use super::Validated;
use crate::error::{Error, Mismatch};

/// The longest key shown in a path; longer keys, and keys that are not plain identifiers, show
/// as `?` (a key is token data: it is shown only when it looks like a claim name).
const MAX_SHOWN_KEY: usize = 64;

/// The claims text (valid JSON, checked by [`check`](super::check)) deserialized into `T`.
/// Text the scan validated goes through the [`fast`](super::fast) deserializer first; serde_json
/// defines the result, so whatever the fast one leaves is serde_json's.
pub(crate) fn from_str<T: DeserializeOwned>(
    payload: &str,
    validated: Validated,
) -> Result<T, Error> {
    if validated == Validated::Compact
        && let Ok(value) = super::fast::from_str(payload)
    {
        return Ok(value);
    }
    serde_json::from_str(payload).map_err(|_| {
        // The claims pass has already read the whole text as JSON, skipping what it does not
        // need. What `T` reads more closely and JavaScript accepts: nesting that reaches
        // serde_json's limit (128 levels with the claims object), a lone UTF-16 surrogate
        // escape (a Rust string cannot hold one), a number beyond the f64 range (JavaScript:
        // Infinity). Everything else is the type's: read again to say where and why (a syntax error
        // too: serde_json calls elements left over by a tuple "trailing characters").
        match serde_json::from_str::<Node>(payload) {
            Ok(node) => explain::<T>(&node),
            Err(_) => Error::InvalidClaims(
                "the claims nest 128 levels deep or more, hold a lone surrogate escape or a number beyond the f64 range",
            ),
        }
    })
}

/// A claims view (database and Better Auth sessions) deserialized into `T`, read in place;
/// when it does not fit, read again to say where and why.
#[cfg(any(feature = "postgres", feature = "sqlite", feature = "better-auth"))]
#[cfg_attr(
    not(any(feature = "axum", feature = "tower", feature = "actix")),
    allow(dead_code)
)]
pub(crate) fn from_view<T: DeserializeOwned>(view: &Value) -> Result<T, Error> {
    T::deserialize(view).map_err(|_| match Node::deserialize_from(view) {
        Ok(node) => explain::<T>(&node),
        Err(_) => unexplained(),
    })
}

/// The mismatch found by the second pass.
fn explain<T: DeserializeOwned>(node: &Node) -> Error {
    match T::deserialize(NodeDe(node)) {
        Err(trace) => Error::ClaimsType {
            path: trace.path(),
            mismatch: trace.mismatch,
        },
        // The first pass failed where the second did not (a type that reads serde_json's
        // private raw-value protocol, say): the mismatch stays unnamed.
        Ok(_) => unexplained(),
    }
}

fn unexplained() -> Error {
    Error::ClaimsType {
        path: "$".to_owned(),
        mismatch: Mismatch::Other,
    }
}

/// A JSON value as serde_json's `deserialize_any` visits it: members in document order with
/// duplicates kept, numbers as the `u64` / `i64` / `f64` serde_json chose.
enum Node {
    Null,
    Bool(bool),
    U64(u64),
    I64(i64),
    F64(f64),
    String(String),
    Array(Vec<Node>),
    Object(Vec<(String, Node)>),
}

impl Node {
    #[cfg(any(feature = "postgres", feature = "sqlite", feature = "better-auth"))]
    #[cfg_attr(
        not(any(feature = "axum", feature = "tower", feature = "actix")),
        allow(dead_code)
    )]
    fn deserialize_from(value: &Value) -> Result<Self, serde_json::Error> {
        de::Deserialize::deserialize(value)
    }
}

impl<'de> de::Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Node;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_none<E>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
                d.deserialize_any(self)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
                Ok(Node::Bool(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
                Ok(Node::U64(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
                Ok(Node::I64(v))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
                Ok(Node::F64(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Node, E> {
                Ok(Node::String(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Node, E> {
                Ok(Node::String(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Node::Array(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry::<String, Node>()? {
                    members.push(member);
                }
                Ok(Node::Object(members))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// The error type of the second pass: the mismatch and where it happened, never a value.
#[derive(Debug)]
struct Trace {
    mismatch: Mismatch,
    /// Innermost first.
    path: Vec<SegmentText>,
    /// A missing field's name (from the type, not the token), appended to the path.
    field: Option<&'static str>,
}

/// A path step, already reduced to what may be shown.
#[derive(Debug)]
enum SegmentText {
    Key(Option<String>),
    Index(usize),
}

impl Trace {
    fn new(mismatch: Mismatch) -> Self {
        Self {
            mismatch,
            path: Vec::new(),
            field: None,
        }
    }

    fn within_key(mut self, key: &str) -> Self {
        self.path.push(SegmentText::Key(shown_key(key)));
        self
    }

    fn within_index(mut self, index: usize) -> Self {
        self.path.push(SegmentText::Index(index));
        self
    }

    /// `$`, then `.key` or `[index]` per step; `.?` for a key that is not shown.
    fn path(&self) -> String {
        let mut out = String::from("$");
        for step in self.path.iter().rev() {
            match step {
                SegmentText::Key(Some(key)) => {
                    out.push('.');
                    out.push_str(key);
                }
                SegmentText::Key(None) => out.push_str(".?"),
                SegmentText::Index(i) => {
                    out.push('[');
                    out.push_str(&i.to_string());
                    out.push(']');
                }
            }
        }
        if let Some(field) = self.field {
            out.push('.');
            out.push_str(field);
        }
        out
    }
}

/// A key is shown when it looks like a claim name: ASCII letters, digits, `_`, `-`, `:`,
/// `@`, at most [`MAX_SHOWN_KEY`] bytes.
fn shown_key(key: &str) -> Option<String> {
    let plain = !key.is_empty()
        && key.len() <= MAX_SHOWN_KEY
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b':' | b'@'));
    plain.then(|| key.to_owned())
}

impl fmt::Display for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}", self.mismatch, self.path())
    }
}

impl std::error::Error for Trace {}

/// What an `Expected` says: written by the type's visitor, never by the token.
fn expected(exp: &dyn Expected) -> String {
    exp.to_string()
}

/// The JSON kind of an unexpected value, without the value.
fn kind(unexp: &Unexpected<'_>) -> &'static str {
    match unexp {
        Unexpected::Bool(_) => "a boolean",
        Unexpected::Unsigned(_) | Unexpected::Signed(_) => "an integer",
        Unexpected::Float(_) => "a number with a fraction or exponent",
        Unexpected::Char(_) => "a character",
        Unexpected::Str(_) => "a string",
        Unexpected::Bytes(_) => "bytes",
        Unexpected::Unit => "null",
        Unexpected::Option => "an optional value",
        Unexpected::NewtypeStruct => "a newtype struct",
        Unexpected::Seq => "an array",
        Unexpected::Map => "an object",
        Unexpected::Enum
        | Unexpected::UnitVariant
        | Unexpected::NewtypeVariant
        | Unexpected::TupleVariant
        | Unexpected::StructVariant => "an enum variant",
        Unexpected::Other(_) => "another kind of value",
    }
}

impl de::Error for Trace {
    /// A message of the type's own (`try_from`, a custom `Deserialize`) may quote the value:
    /// it is dropped.
    fn custom<M: fmt::Display>(_msg: M) -> Self {
        Self::new(Mismatch::Rejected)
    }

    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        Self::new(Mismatch::WrongType {
            expected: expected(exp),
            found: kind(&unexp),
        })
    }

    fn invalid_value(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        Self::new(Mismatch::InvalidValue {
            expected: expected(exp),
            found: kind(&unexp),
        })
    }

    fn invalid_length(len: usize, exp: &dyn Expected) -> Self {
        Self::new(Mismatch::InvalidLength {
            expected: expected(exp),
            len,
        })
    }

    fn unknown_variant(_variant: &str, expected: &'static [&'static str]) -> Self {
        Self::new(Mismatch::UnknownVariant { expected })
    }

    fn unknown_field(_field: &str, expected: &'static [&'static str]) -> Self {
        Self::new(Mismatch::UnknownField { expected })
    }

    fn missing_field(field: &'static str) -> Self {
        let mut trace = Self::new(Mismatch::Missing);
        trace.field = Some(field);
        trace
    }

    fn duplicate_field(field: &'static str) -> Self {
        let mut trace = Self::new(Mismatch::Duplicate);
        trace.field = Some(field);
        trace
    }
}

/// Deserializes from a [`Node`] as serde_json's `from_str` does from the text.
struct NodeDe<'a>(&'a Node);

impl<'de> Deserializer<'de> for NodeDe<'de> {
    type Error = Trace;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Trace> {
        match self.0 {
            Node::Null => visitor.visit_unit(),
            Node::Bool(b) => visitor.visit_bool(*b),
            Node::U64(n) => visitor.visit_u64(*n),
            Node::I64(n) => visitor.visit_i64(*n),
            Node::F64(n) => visitor.visit_f64(*n),
            Node::String(s) => visitor.visit_borrowed_str(s),
            Node::Array(items) => {
                let mut seq = Seq {
                    items: items.iter(),
                    index: 0,
                };
                let value = visitor.visit_seq(&mut seq)?;
                // serde_json: elements left over are "trailing characters" for the type.
                match seq.items.len() {
                    0 => Ok(value),
                    _ => Err(<Trace as de::Error>::invalid_length(
                        items.len(),
                        &"fewer elements",
                    )),
                }
            }
            Node::Object(members) => {
                let mut map = Map {
                    members: members.iter(),
                    value: None,
                };
                let value = visitor.visit_map(&mut map)?;
                match map.members.len() {
                    0 => Ok(value),
                    _ => Err(Trace::new(Mismatch::Other)),
                }
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Trace> {
        match self.0 {
            Node::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Trace> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Trace> {
        match self.0 {
            Node::String(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            Node::Object(members) if members.len() == 1 => {
                let (variant, value) = &members[0];
                visitor
                    .visit_enum(Enum { variant, value })
                    .map_err(|e| e.within_key(variant))
            }
            other => Err(<Trace as de::Error>::invalid_type(
                other.unexpected(),
                &"an enum",
            )),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Trace> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

impl Node {
    fn unexpected(&self) -> Unexpected<'_> {
        match self {
            Node::Null => Unexpected::Unit,
            Node::Bool(b) => Unexpected::Bool(*b),
            Node::U64(n) => Unexpected::Unsigned(*n),
            Node::I64(n) => Unexpected::Signed(*n),
            Node::F64(n) => Unexpected::Float(*n),
            Node::String(s) => Unexpected::Str(s),
            Node::Array(_) => Unexpected::Seq,
            Node::Object(_) => Unexpected::Map,
        }
    }
}

struct Seq<'a> {
    items: std::slice::Iter<'a, Node>,
    index: usize,
}

impl<'de> SeqAccess<'de> for Seq<'de> {
    type Error = Trace;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Trace> {
        let Some(item) = self.items.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        seed.deserialize(NodeDe(item))
            .map(Some)
            .map_err(|e| e.within_index(index))
    }
}

struct Map<'a> {
    members: std::slice::Iter<'a, (String, Node)>,
    value: Option<(&'a str, &'a Node)>,
}

impl<'de> MapAccess<'de> for Map<'de> {
    type Error = Trace;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Trace> {
        let Some((key, value)) = self.members.next() else {
            return Ok(None);
        };
        self.value = Some((key, value));
        // A key the type refuses (an unknown field) is not named: the path stops at its object.
        seed.deserialize(Key(key)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Trace> {
        match self.value.take() {
            Some((key, value)) => seed
                .deserialize(NodeDe(value))
                .map_err(|e| e.within_key(key)),
            None => Err(Trace::new(Mismatch::Other)),
        }
    }
}

/// An object key, as serde_json's map-key deserializer hands it out: a string, or a number
/// parsed from it when the type asks for one.
struct Key<'a>(&'a str);

macro_rules! parse_key {
    ($($method:ident => $visit:ident: $ty:ty),* $(,)?) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Trace> {
                match self.0.parse::<$ty>() {
                    Ok(n) => visitor.$visit(n),
                    Err(_) => Err(<Trace as de::Error>::invalid_type(Unexpected::Str(self.0), &visitor)),
                }
            }
        )*
    };
}

impl<'de> Deserializer<'de> for Key<'de> {
    type Error = Trace;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Trace> {
        visitor.visit_borrowed_str(self.0)
    }

    parse_key! {
        deserialize_i8 => visit_i8: i8,
        deserialize_i16 => visit_i16: i16,
        deserialize_i32 => visit_i32: i32,
        deserialize_i64 => visit_i64: i64,
        deserialize_u8 => visit_u8: u8,
        deserialize_u16 => visit_u16: u16,
        deserialize_u32 => visit_u32: u32,
        deserialize_u64 => visit_u64: u64,
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Trace> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Trace> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Trace> {
        visitor.visit_enum(self.0.into_deserializer())
    }

    serde::forward_to_deserialize_any! {
        bool i128 u128 f32 f64 char str string bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

struct Enum<'a> {
    variant: &'a str,
    value: &'a Node,
}

impl<'de> EnumAccess<'de> for Enum<'de> {
    type Error = Trace;
    type Variant = NodeDe<'de>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, NodeDe<'de>), Trace> {
        let variant = seed.deserialize(Key(self.variant))?;
        Ok((variant, NodeDe(self.value)))
    }
}

impl<'de> VariantAccess<'de> for NodeDe<'de> {
    type Error = Trace;

    fn unit_variant(self) -> Result<(), Trace> {
        de::Deserialize::deserialize(self)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Trace> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Trace> {
        self.deserialize_any(visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Trace> {
        self.deserialize_any(visitor)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use serde::Deserialize;

    use super::*;
    use crate::Session;

    /// A marker put in every value (and in keys that are not shown): no error may carry it.
    const MARK: &str = "Zq7-SECRET";

    fn mismatch<T: DeserializeOwned + fmt::Debug>(json: &str) -> (String, Mismatch) {
        let err = from_str::<T>(json, Validated::General).unwrap_err();
        assert_eq!(from_str::<T>(json, Validated::Compact).unwrap_err(), err);
        for text in [err.to_string(), format!("{err:?}")] {
            assert!(!text.contains(MARK), "{text}");
            assert!(!text.contains("Zq7"), "{text}");
        }
        match err {
            Error::ClaimsType { path, mismatch } => (path, mismatch),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn wrong_type_names_the_field_and_the_kinds() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Me {
            email: u64,
        }
        let json = format!(r#"{{"name":"{MARK}","email":"ada-{MARK}@example.com"}}"#);
        let (path, m) = mismatch::<Me>(&json);
        assert_eq!(path, "$.email");
        assert_eq!(
            m,
            Mismatch::WrongType {
                expected: "u64".into(),
                found: "a string"
            }
        );
        let err = from_str::<Me>(&json, Validated::General).unwrap_err();
        assert_eq!(
            err.to_string(),
            "claims do not match the requested type at $.email: wrong type: expected u64, found a string"
        );
        assert!(!err.to_string().contains("example.com"));
    }

    #[test]
    fn the_default_session_reports_its_claims() {
        let (path, m) = mismatch::<Session>(&format!(r#"{{"sub":"{MARK}","name":17}}"#));
        assert_eq!(path, "$.name");
        assert_eq!(
            m,
            Mismatch::WrongType {
                expected: "a string".into(),
                found: "an integer"
            }
        );
        let (path, _) = mismatch::<Session>(&format!(r#"{{"exp":"{MARK}"}}"#));
        assert_eq!(path, "$.exp");
    }

    #[test]
    fn missing_fields_end_the_path() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Org {
            id: String,
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Me {
            org: Org,
        }
        let (path, m) = mismatch::<Me>(&format!(r#"{{"org":{{"name":"{MARK}"}}}}"#));
        assert_eq!((path.as_str(), m), ("$.org.id", Mismatch::Missing));
        let (path, m) = mismatch::<Me>(&format!(r#"{{"sub":"{MARK}"}}"#));
        assert_eq!((path.as_str(), m), ("$.org", Mismatch::Missing));
    }

    #[test]
    fn nested_paths_through_arrays_and_maps() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Me {
            groups: Vec<HashMap<String, Vec<u8>>>,
        }
        let json = format!(r#"{{"groups":[{{"a":[1]}},{{"b":[1,2,"{MARK}"]}}]}}"#);
        let (path, m) = mismatch::<Me>(&json);
        assert_eq!(path, "$.groups[1].b[2]");
        assert!(
            matches!(
                m,
                Mismatch::WrongType {
                    found: "a string",
                    ..
                }
            ),
            "{m:?}"
        );
        // A key that is not a plain name is token data: it shows as `?`.
        let json = format!(r#"{{"groups":[{{"{MARK} x":[true]}}]}}"#);
        let (path, _) = mismatch::<Me>(&json);
        assert_eq!(path, "$.groups[0].?[0]");
        let long = "k".repeat(MAX_SHOWN_KEY + 1);
        let (path, _) = mismatch::<Me>(&format!(r#"{{"groups":[{{"{long}":[null]}}]}}"#));
        assert_eq!(path, "$.groups[0].?[0]");
    }

    #[test]
    fn values_out_of_range_lengths_and_variants() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        enum Role {
            Admin,
            User,
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Me {
            age: Option<u8>,
            pair: Option<(u8, u8)>,
            role: Option<Role>,
        }
        let (path, m) = mismatch::<Me>(r#"{"age":300}"#);
        assert_eq!(path, "$.age");
        assert_eq!(
            m,
            Mismatch::InvalidValue {
                expected: "u8".into(),
                found: "an integer"
            }
        );
        let (path, m) = mismatch::<Me>(r#"{"pair":[1]}"#);
        assert_eq!(path, "$.pair");
        assert!(matches!(m, Mismatch::InvalidLength { len: 1, .. }), "{m:?}");
        // Too many elements is a syntax error for serde_json ("trailing characters"); it is
        // the type's mismatch all the same.
        let (path, m) = mismatch::<Me>(r#"{"pair":[1,2,3]}"#);
        assert_eq!(path, "$.pair");
        assert!(matches!(m, Mismatch::InvalidLength { len: 3, .. }), "{m:?}");
        let (path, m) = mismatch::<Me>(&format!(r#"{{"role":"{MARK}"}}"#));
        assert_eq!(path, "$.role");
        assert_eq!(
            m,
            Mismatch::UnknownVariant {
                expected: &["Admin", "User"]
            }
        );
    }

    #[test]
    fn options_and_enums() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        enum Kind {
            A,
            B(u8),
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Me {
            a: Option<u8>,
            b: u8,
            kind: Option<Kind>,
        }
        // A null option is None: the mismatch is further on.
        let (path, m) = mismatch::<Me>(r#"{"a":null,"b":"x"}"#);
        assert_eq!(path, "$.b");
        assert!(
            matches!(
                m,
                Mismatch::WrongType {
                    found: "a string",
                    ..
                }
            ),
            "{m:?}"
        );
        // An enum as an object of one member: its variant, then its value.
        let (path, m) = mismatch::<Me>(r#"{"b":1,"kind":{"B":"x"}}"#);
        assert_eq!(path, "$.kind.B");
        assert!(
            matches!(
                m,
                Mismatch::WrongType {
                    found: "a string",
                    ..
                }
            ),
            "{m:?}"
        );
        let (path, m) = mismatch::<Me>(r#"{"b":1,"kind":{"A":5}}"#);
        assert_eq!(path, "$.kind.A");
        assert!(
            matches!(
                m,
                Mismatch::WrongType {
                    found: "an integer",
                    ..
                }
            ),
            "{m:?}"
        );
        // Any other object is no enum.
        for kind in ["{}", r#"{"A":null,"B":1}"#] {
            let (path, m) = mismatch::<Me>(&format!(r#"{{"b":1,"kind":{kind}}}"#));
            assert_eq!(path, "$.kind", "{kind}");
            assert!(
                matches!(
                    m,
                    Mismatch::WrongType {
                        found: "an object",
                        ..
                    }
                ),
                "{kind} {m:?}"
            );
        }
    }

    #[test]
    fn unknown_and_duplicate_fields() {
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Strict {
            sub: String,
        }
        let (path, m) = mismatch::<Strict>(&format!(r#"{{"sub":"a","{MARK}":1}}"#));
        assert_eq!(path, "$");
        assert_eq!(m, Mismatch::UnknownField { expected: &["sub"] });
        let (path, m) = mismatch::<Strict>(&format!(r#"{{"sub":"{MARK}","sub":"{MARK}"}}"#));
        assert_eq!((path.as_str(), m), ("$.sub", Mismatch::Duplicate));
    }

    #[test]
    fn a_types_own_message_is_withheld() {
        #[derive(Debug, Deserialize)]
        #[serde(try_from = "String")]
        struct Email(#[allow(dead_code)] String);
        impl TryFrom<String> for Email {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                Err(format!("not an email: {s}"))
            }
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Me {
            email: Email,
        }
        let (path, m) = mismatch::<Me>(&format!(r#"{{"email":"{MARK}"}}"#));
        assert_eq!((path.as_str(), m), ("$.email", Mismatch::Rejected));
    }

    #[test]
    fn what_javascript_accepts_and_rust_cannot_hold_stays_invalid_claims() {
        for json in [r#"{"name":"\ud800"}"#, r#"{"name":1e400}"#] {
            assert!(
                matches!(
                    from_str::<Session>(json, Validated::General),
                    Err(Error::InvalidClaims(_))
                ),
                "{json}"
            );
        }
        let deep = format!(r#"{{"x":{}{}}}"#, "[".repeat(130), "]".repeat(130));
        assert!(matches!(
            from_str::<Session>(&deep, Validated::General),
            Err(Error::InvalidClaims(_))
        ));
    }

    #[cfg(any(feature = "postgres", feature = "sqlite", feature = "better-auth"))]
    #[test]
    fn claims_views_report_the_same_way() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Me {
            email: String,
            age: u8,
        }
        let view = serde_json::json!({ "email": MARK, "age": MARK });
        let err = from_view::<Me>(&view).unwrap_err();
        assert_eq!(
            err,
            Error::ClaimsType {
                path: "$.age".into(),
                mismatch: Mismatch::WrongType {
                    expected: "u8".into(),
                    found: "a string"
                }
            }
        );
        assert!(from_view::<Session>(&view).is_ok());
    }
}
