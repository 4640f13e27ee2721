//! JSON as JavaScript holds it: `JSON.parse` (with better-auth's date reviver) into a model of
//! JavaScript values, and `JSON.stringify` back, byte for byte.
//!
//! Better Auth's `compact` cookie cache is signed over `JSON.stringify` of the *parsed*
//! payload, not over the bytes in the cookie, so checking its signature means re-serializing
//! exactly as JavaScript does:
//! - strings are UTF-16 (lone surrogates survive, and are written back as `\udXXX`);
//! - object keys keep JavaScript's order: integer-like keys (`"0"` to `"4294967294"`, no
//!   leading zero) first in ascending order, then the others in insertion order; a duplicate
//!   key keeps its first position and takes the last value;
//! - numbers are doubles (`1e400` is `Infinity`, written back as `null`) written as
//!   `Number.prototype.toString` does (`ryu-js`);
//! - every string matching `^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$` that `new Date`
//!   accepts becomes a `Date` (better-auth's `safeJSONParse` reviver), written back with
//!   `toISOString()`.

use std::collections::HashMap;

use crate::error::Error;

/// Nesting deeper than this is refused (JavaScript goes to several thousand levels): a
/// session payload is three levels deep.
const MAX_DEPTH: usize = 64;

/// A JavaScript value produced by `JSON.parse`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum JsValue {
    Null,
    Bool(bool),
    Number(f64),
    /// UTF-16 code units, as JavaScript strings are.
    String(Vec<u16>),
    /// A revived `Date`: unix milliseconds.
    Date(i64),
    Array(Vec<JsValue>),
    Object(JsObject),
}

/// A plain object: its own properties in JavaScript's enumeration order.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct JsObject {
    entries: Vec<(Vec<u16>, JsValue)>,
}

impl JsObject {
    /// `obj[key] = value`: a new key goes last, an existing one keeps its place.
    pub(crate) fn set(&mut self, key: Vec<u16>, value: JsValue) {
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some((_, slot)) => *slot = value,
            None => self.entries.push((key, value)),
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<&JsValue> {
        self.entries
            .iter()
            .find(|(k, _)| k.iter().copied().eq(key.encode_utf16()))
            .map(|(_, v)| v)
    }

    /// The properties in the order `Object.keys` (and so `JSON.stringify`) gives them.
    pub(crate) fn ordered(&self) -> Vec<&(Vec<u16>, JsValue)> {
        let mut indexed: Vec<(u32, &(Vec<u16>, JsValue))> = Vec::new();
        let mut named = Vec::new();
        for entry in &self.entries {
            match array_index(&entry.0) {
                Some(i) => indexed.push((i, entry)),
                None => named.push(entry),
            }
        }
        indexed.sort_unstable_by_key(|(i, _)| *i);
        indexed.into_iter().map(|(_, e)| e).chain(named).collect()
    }
}

/// An array index: the canonical decimal form of an integer below 2^32 - 1.
fn array_index(key: &[u16]) -> Option<u32> {
    if key.is_empty() || key.len() > 10 || (key.len() > 1 && key[0] == u16::from(b'0')) {
        return None;
    }
    let mut n: u64 = 0;
    for &unit in key {
        let digit = unit.checked_sub(u16::from(b'0')).filter(|d| *d < 10)?;
        n = n * 10 + u64::from(digit);
    }
    u32::try_from(n).ok().filter(|n| *n != u32::MAX)
}

/// `JSON.parse(text, reviveDate)`.
///
/// # Errors
/// [`Error::InvalidClaims`] for text that is not JSON, or nests deeper than 64 levels.
pub(crate) fn parse(text: &str) -> Result<JsValue, Error> {
    parse_with(text, true)
}

/// `JSON.parse(text)`, with better-auth's date reviver or without.
fn parse_with(text: &str, revive_dates: bool) -> Result<JsValue, Error> {
    let mut parser = Parser {
        bytes: text.as_bytes(),
        at: 0,
        keys: HashMap::new(),
        revive_dates,
    };
    parser.space();
    let value = parser.value(0)?;
    parser.space();
    if parser.at != parser.bytes.len() {
        return Err(invalid());
    }
    Ok(value)
}

fn invalid() -> Error {
    Error::InvalidClaims("the cookie cache is not valid JSON")
}

struct Parser<'a> {
    bytes: &'a [u8],
    at: usize,
    /// Index of keys for large objects, reused across objects.
    keys: HashMap<Vec<u16>, usize>,
    revive_dates: bool,
}

impl Parser<'_> {
    fn space(&mut self) {
        while matches!(self.bytes.get(self.at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        if self.bytes.get(self.at) == Some(&byte) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn literal(&mut self, word: &[u8], value: JsValue) -> Result<JsValue, Error> {
        if self.bytes[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(invalid())
        }
    }

    fn value(&mut self, depth: usize) -> Result<JsValue, Error> {
        if depth > MAX_DEPTH {
            return Err(Error::InvalidClaims("the cookie cache nests too deep"));
        }
        match self.bytes.get(self.at) {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => {
                let s = self.string()?;
                Ok(if self.revive_dates {
                    revive(s)
                } else {
                    JsValue::String(s)
                })
            }
            Some(b't') => self.literal(b"true", JsValue::Bool(true)),
            Some(b'f') => self.literal(b"false", JsValue::Bool(false)),
            Some(b'n') => self.literal(b"null", JsValue::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(invalid()),
        }
    }

    fn object(&mut self, depth: usize) -> Result<JsValue, Error> {
        self.at += 1;
        let mut object = JsObject::default();
        self.space();
        if self.eat(b'}') {
            return Ok(JsValue::Object(object));
        }
        let mut index: Option<HashMap<Vec<u16>, usize>> = None;
        loop {
            self.space();
            if self.bytes.get(self.at) != Some(&b'"') {
                return Err(invalid());
            }
            let key = self.string()?;
            self.space();
            if !self.eat(b':') {
                return Err(invalid());
            }
            self.space();
            let value = self.value(depth + 1)?;
            // Small objects: a linear search; large ones get a hash index, so that a
            // hostile object with many keys costs linear time.
            if object.entries.len() < 32 && index.is_none() {
                object.set(key, value);
            } else {
                let index = index.get_or_insert_with(|| {
                    let mut map = std::mem::take(&mut self.keys);
                    map.clear();
                    map.extend(
                        object
                            .entries
                            .iter()
                            .enumerate()
                            .map(|(i, (k, _))| (k.clone(), i)),
                    );
                    map
                });
                match index.get(&key) {
                    Some(&i) => object.entries[i].1 = value,
                    None => {
                        index.insert(key.clone(), object.entries.len());
                        object.entries.push((key, value));
                    }
                }
            }
            self.space();
            if self.eat(b',') {
                continue;
            }
            if self.eat(b'}') {
                if let Some(map) = index {
                    self.keys = map;
                }
                return Ok(JsValue::Object(object));
            }
            return Err(invalid());
        }
    }

    fn array(&mut self, depth: usize) -> Result<JsValue, Error> {
        self.at += 1;
        let mut items = Vec::new();
        self.space();
        if self.eat(b']') {
            return Ok(JsValue::Array(items));
        }
        loop {
            self.space();
            items.push(self.value(depth + 1)?);
            self.space();
            if self.eat(b',') {
                continue;
            }
            if self.eat(b']') {
                return Ok(JsValue::Array(items));
            }
            return Err(invalid());
        }
    }

    fn number(&mut self) -> Result<JsValue, Error> {
        let start = self.at;
        self.eat(b'-');
        let digits = |p: &mut Self| {
            let from = p.at;
            while p.bytes.get(p.at).is_some_and(u8::is_ascii_digit) {
                p.at += 1;
            }
            p.at - from
        };
        if self.eat(b'0') {
            // No leading zeros.
        } else if digits(self) == 0 {
            return Err(invalid());
        }
        if self.eat(b'.') && digits(self) == 0 {
            return Err(invalid());
        }
        if self.eat(b'e') || self.eat(b'E') {
            let _ = self.eat(b'+') || self.eat(b'-');
            if digits(self) == 0 {
                return Err(invalid());
            }
        }
        let text = std::str::from_utf8(&self.bytes[start..self.at]).map_err(|_| invalid())?;
        // Correctly rounded; beyond the double range it is infinite, as in JavaScript.
        text.parse::<f64>()
            .map(JsValue::Number)
            .map_err(|_| invalid())
    }

    fn string(&mut self) -> Result<Vec<u16>, Error> {
        self.at += 1;
        let mut out = Vec::new();
        loop {
            let start = self.at;
            while let Some(&b) = self.bytes.get(self.at) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.at += 1;
            }
            // The input is a &str, and the run stops only at ASCII bytes: a char boundary.
            let run = std::str::from_utf8(&self.bytes[start..self.at]).map_err(|_| invalid())?;
            out.extend(run.encode_utf16());
            match self.bytes.get(self.at) {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    let escaped = *self.bytes.get(self.at).ok_or_else(invalid)?;
                    self.at += 1;
                    out.push(match escaped {
                        b'"' => 0x22,
                        b'\\' => 0x5c,
                        b'/' => 0x2f,
                        b'b' => 0x08,
                        b'f' => 0x0c,
                        b'n' => 0x0a,
                        b'r' => 0x0d,
                        b't' => 0x09,
                        b'u' => {
                            let hex = self.bytes.get(self.at..self.at + 4).ok_or_else(invalid)?;
                            self.at += 4;
                            let hex = std::str::from_utf8(hex).map_err(|_| invalid())?;
                            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                                return Err(invalid());
                            }
                            u16::from_str_radix(hex, 16).map_err(|_| invalid())?
                        }
                        _ => return Err(invalid()),
                    });
                }
                // A raw control character, or the end of the text.
                _ => return Err(invalid()),
            }
        }
    }
}

/// better-auth's reviver: an ISO instant string that `new Date` accepts becomes a `Date`.
fn revive(units: Vec<u16>) -> JsValue {
    match iso_instant(&units) {
        Some(ms) => JsValue::Date(ms),
        None => JsValue::String(units),
    }
}

/// `^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$`, then `new Date(text)` as V8 reads it:
/// months 1-12, days 1-31 (a day past the month's end rolls into the next month), hours
/// 0-23 or 24:00:00 exactly (the next midnight), minutes and seconds 0-59, the fraction
/// truncated to milliseconds. `None` for no match or an invalid date.
fn iso_instant(units: &[u16]) -> Option<i64> {
    if units.len() < 20 || units.len() > 64 || !units.iter().all(|u| *u < 0x80) {
        return None;
    }
    let s: Vec<u8> = units.iter().map(|u| *u as u8).collect();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
    };
    let shape = s[4] == b'-' && s[7] == b'-' && s[10] == b'T' && s[13] == b':' && s[16] == b':';
    if !shape || *s.last()? != b'Z' {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut ms = 0;
    let rest = &s[19..s.len() - 1];
    if !rest.is_empty() {
        let frac = rest.strip_prefix(b".")?;
        if frac.is_empty() || !frac.iter().all(u8::is_ascii_digit) {
            return None;
        }
        for (d, scale) in frac.iter().zip([100, 10, 1]) {
            ms += i64::from(d - b'0') * scale;
        }
    }
    let midnight_24 = hour == 24 && minute == 0 && second == 0 && ms == 0;
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || !(hour <= 23 || midnight_24)
        || minute > 59
        || second > 59
    {
        return None;
    }
    let days = crate::js_time::days_from_civil(year, month as u32, 1) + day - 1;
    Some(((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + ms)
}

/// `JSON.stringify(value)`.
pub(crate) fn stringify(value: &JsValue) -> String {
    let mut out = String::new();
    write_value(value, &mut out);
    out
}

fn write_value(value: &JsValue, out: &mut String) {
    match value {
        JsValue::Null => out.push_str("null"),
        JsValue::Bool(true) => out.push_str("true"),
        JsValue::Bool(false) => out.push_str("false"),
        JsValue::Number(n) if n.is_finite() => {
            let mut buffer = ryu_js::Buffer::new();
            out.push_str(buffer.format(*n));
        }
        JsValue::Number(_) => out.push_str("null"),
        JsValue::String(units) => write_string(units, out),
        JsValue::Date(ms) => match crate::js_time::iso_from_ms(*ms) {
            Some(iso) => {
                out.push('"');
                out.push_str(&iso);
                out.push('"');
            }
            None => out.push_str("null"),
        },
        JsValue::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out);
            }
            out.push(']');
        }
        JsValue::Object(object) => {
            out.push('{');
            for (i, (key, value)) in object.ordered().into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_value(value, out);
            }
            out.push('}');
        }
    }
}

/// `QuoteJSONString`: `"` and `\` escaped, the short escapes for backspace, tab, newline,
/// form feed and carriage return, `\u00xx` for the other control characters and
/// `\udxxx` for lone surrogates (lower-case hex), everything else as it is.
fn write_string(units: &[u16], out: &mut String) {
    out.push('"');
    for item in char::decode_utf16(units.iter().copied()) {
        match item {
            Ok('"') => out.push_str("\\\""),
            Ok('\\') => out.push_str("\\\\"),
            Ok('\u{8}') => out.push_str("\\b"),
            Ok('\t') => out.push_str("\\t"),
            Ok('\n') => out.push_str("\\n"),
            Ok('\u{c}') => out.push_str("\\f"),
            Ok('\r') => out.push_str("\\r"),
            Ok(c) if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            Ok(c) => out.push(c),
            Err(lone) => out.push_str(&format!("\\u{:04x}", lone.unpaired_surrogate())),
        }
    }
    out.push('"');
}

/// The value as `serde_json` holds it: dates as ISO strings. `None` when a string holds a
/// lone surrogate (Rust strings cannot) or a number is not finite.
pub(crate) fn to_serde(value: &JsValue) -> Option<serde_json::Value> {
    use serde_json::Value;
    Some(match value {
        JsValue::Null => Value::Null,
        JsValue::Bool(b) => Value::Bool(*b),
        JsValue::Number(n) => {
            // Integers stay integers (as serde_json reads `1750000000`).
            if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
                Value::from(*n as i64)
            } else {
                Value::from(serde_json::Number::from_f64(*n)?)
            }
        }
        JsValue::String(units) => Value::String(String::from_utf16(units).ok()?),
        JsValue::Date(ms) => Value::String(crate::js_time::iso_from_ms(*ms)?),
        JsValue::Array(items) => {
            Value::Array(items.iter().map(to_serde).collect::<Option<Vec<_>>>()?)
        }
        JsValue::Object(object) => {
            let mut map = serde_json::Map::new();
            for (key, value) in object.ordered() {
                map.insert(String::from_utf16(key).ok()?, to_serde(value)?);
            }
            Value::Object(map)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) -> String {
        stringify(&parse(text).unwrap())
    }

    /// Expected strings printed by Node 20 (`JSON.stringify(JSON.parse(text, reviveDate))`).
    #[test]
    fn stringify_as_javascript() {
        let cases = [
            (
                r#"{"b":1,"a":2,"2":3,"1":4,"01":5,"-1":6,"4294967294":7,"4294967295":8}"#,
                r#"{"1":4,"2":3,"4294967294":7,"b":1,"a":2,"01":5,"-1":6,"4294967295":8}"#,
            ),
            (r#"{"a":1,"b":2,"a":3}"#, r#"{"a":3,"b":2}"#),
            (
                r#"["\ud800","\u2028","\u007f","\u001f","é","\/"]"#,
                "[\"\\ud800\",\"\u{2028}\",\"\u{7f}\",\"\\u001f\",\"é\",\"/\"]",
            ),
            (
                "[1e21,1e-7,-0,0.1,5e-324,123456789012345680000,1e400]",
                "[1e+21,1e-7,0,0.1,5e-324,123456789012345680000,null]",
            ),
            (
                r#"["2025-01-01T00:00:00Z","2025-02-30T00:00:00Z","2025-13-01T00:00:00Z","2025-01-01T24:00:00Z","2025-01-01T00:00:00.1234567Z"]"#,
                r#"["2025-01-01T00:00:00.000Z","2025-03-02T00:00:00.000Z","2025-13-01T00:00:00Z","2025-01-02T00:00:00.000Z","2025-01-01T00:00:00.123Z"]"#,
            ),
            (
                " { \"x\" : [ true , false , null ] } ",
                r#"{"x":[true,false,null]}"#,
            ),
        ];
        for (input, want) in cases {
            assert_eq!(round_trip(input), want, "{input}");
        }
    }

    /// `fixtures/better-auth/json-stringify.json`: texts and what Node 20 printed for
    /// `JSON.stringify(JSON.parse(text))` (seeded generator, `fixtures/generator`).
    #[test]
    fn stringify_matches_node_on_the_generated_texts() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/better-auth/json-stringify.json"
        );
        let file: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let cases = file["cases"].as_array().unwrap();
        assert!(cases.len() >= 400);
        for case in cases {
            let input = case["input_json"].as_str().unwrap();
            let want = case["stringify"].as_str().unwrap();
            let got = stringify(&parse_with(input, false).unwrap());
            assert_eq!(got, want, "{}: {input}", case["id"]);
        }
    }

    #[test]
    fn rejects_what_json_parse_rejects() {
        for bad in [
            "",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "01",
            "1.",
            ".5",
            "+1",
            "\"\t\"",
            "\"\\x\"",
            "\"\\u12\"",
            "tru",
            "{a:1}",
            "[1] 2",
            "'a'",
            "NaN",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 2), "]".repeat(MAX_DEPTH + 2));
        assert!(parse(&deep).is_err());
    }

    #[test]
    fn large_objects_keep_first_positions() {
        let mut text = String::from("{");
        for i in 0..100 {
            text.push_str(&format!("\"k{i}\":{i},"));
        }
        text.push_str("\"k5\":\"last\",\"k0\":null}");
        let out = round_trip(&text);
        assert!(out.starts_with(r#"{"k0":null,"k1":1,"#), "{out}");
        assert!(out.contains(r#""k5":"last","k6":6"#), "{out}");
        assert!(out.ends_with(r#""k99":99}"#), "{out}");
    }
}
