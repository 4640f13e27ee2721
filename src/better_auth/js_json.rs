//! JSON as JavaScript holds it: `JSON.parse` (with better-auth's date reviver) into a model of
//! JavaScript values, and `JSON.stringify` back, byte for byte.
//!
//! Better Auth's `compact` cookie cache is signed over `JSON.stringify` of the *parsed*
//! payload, not over the bytes in the cookie, so checking its signature means re-serializing
//! exactly as JavaScript does:
//! - strings are UTF-16: a string holding a lone surrogate (`"\ud800"`) survives, and is
//!   written back as `\udXXX`; every other string is held as Rust text, borrowed from the
//!   input when it has no escape;
//! - object keys keep JavaScript's order: integer-like keys (`"0"` to `"4294967294"`, no
//!   leading zero) first in ascending order, then the others in insertion order; a duplicate
//!   key keeps its first position and takes the last value;
//! - numbers are doubles (`1e400` is `Infinity`, written back as `null`) written as
//!   `Number.prototype.toString` does (`ryu-js`);
//! - every string matching `^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$` that `new Date`
//!   accepts becomes a `Date` (better-auth's `safeJSONParse` reviver), written back with
//!   `toISOString()`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;

use crate::error::Error;

/// Nesting deeper than this is refused (JavaScript goes to several thousand levels): a
/// session payload is three levels deep.
const MAX_DEPTH: usize = 64;

/// Objects with more members than this index their keys in a hash map while parsing, so that
/// a hostile object with many (duplicate) keys costs linear time.
const LINEAR_KEYS: usize = 32;

/// A JavaScript string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum JsStr<'a> {
    /// A string that is valid Unicode: every string JSON text without a lone surrogate
    /// escape holds (borrowed when it had no escape).
    Text(Cow<'a, str>),
    /// UTF-16 code units holding at least one lone surrogate (never valid Unicode, so never
    /// equal to a `Text`).
    Units(Vec<u16>),
}

impl JsStr<'_> {
    /// The string as Rust text; `None` when it holds a lone surrogate.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Self::Text(text) => Some(text),
            Self::Units(_) => None,
        }
    }

    /// An array index: the canonical decimal form of an integer below 2^32 - 1.
    fn array_index(&self) -> Option<u32> {
        let key = self.as_str()?.as_bytes();
        if key.is_empty() || key.len() > 10 || (key.len() > 1 && key[0] == b'0') {
            return None;
        }
        let mut n: u64 = 0;
        for &byte in key {
            let digit = byte.checked_sub(b'0').filter(|d| *d < 10)?;
            n = n * 10 + u64::from(digit);
        }
        u32::try_from(n).ok().filter(|n| *n != u32::MAX)
    }
}

impl<'a> From<&'a str> for JsStr<'a> {
    fn from(text: &'a str) -> Self {
        Self::Text(Cow::Borrowed(text))
    }
}

impl From<String> for JsStr<'_> {
    fn from(text: String) -> Self {
        Self::Text(Cow::Owned(text))
    }
}

/// A JavaScript value produced by `JSON.parse`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum JsValue<'a> {
    Null,
    Bool(bool),
    Number(f64),
    String(JsStr<'a>),
    /// A revived `Date`: unix milliseconds, and the source text when it is exactly what
    /// `toISOString()` prints for them (so it is written back without formatting).
    Date {
        ms: i64,
        iso: Option<&'a str>,
    },
    Array(Vec<JsValue<'a>>),
    Object(JsObject<'a>),
}

/// A plain object: its own properties in insertion order, and whether any key is an array
/// index (then enumeration puts those first).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct JsObject<'a> {
    entries: Vec<(JsStr<'a>, JsValue<'a>)>,
    indexed: bool,
}

impl<'a> JsObject<'a> {
    /// `obj[key] = value`: a new key goes last, an existing one keeps its place.
    pub(crate) fn set(&mut self, key: JsStr<'a>, value: JsValue<'a>) {
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some((_, slot)) => *slot = value,
            None => self.push(key, value),
        }
    }

    /// Appends a key known to be new.
    fn push(&mut self, key: JsStr<'a>, value: JsValue<'a>) {
        self.indexed |= key.array_index().is_some();
        self.entries.push((key, value));
    }

    pub(crate) fn get(&self, key: &str) -> Option<&JsValue<'a>> {
        self.entries
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }

    /// Removes `key` and returns its value (`delete obj[key]`).
    pub(crate) fn take(&mut self, key: &str) -> Option<JsValue<'a>> {
        let at = self
            .entries
            .iter()
            .position(|(k, _)| k.as_str() == Some(key))?;
        Some(self.entries.remove(at).1)
    }

    /// The properties in the order `Object.keys` (and so `JSON.stringify`) gives them.
    pub(crate) fn ordered(&self) -> impl Iterator<Item = &(JsStr<'a>, JsValue<'a>)> {
        let sorted = self.indexed.then(|| {
            let mut indexed: Vec<(u32, &(JsStr<'a>, JsValue<'a>))> = Vec::new();
            let mut named = Vec::new();
            for entry in &self.entries {
                match entry.0.array_index() {
                    Some(i) => indexed.push((i, entry)),
                    None => named.push(entry),
                }
            }
            indexed.sort_unstable_by_key(|(i, _)| *i);
            indexed.into_iter().map(|(_, e)| e).chain(named)
        });
        let plain = (!self.indexed).then(|| self.entries.iter());
        sorted
            .into_iter()
            .flatten()
            .chain(plain.into_iter().flatten())
    }
}

/// `JSON.parse(text, reviveDate)`.
///
/// # Errors
/// [`Error::InvalidClaims`] for text that is not JSON, or nests deeper than 64 levels.
pub(crate) fn parse(text: &str) -> Result<JsValue<'_>, Error> {
    parse_with(text, true)
}

/// `JSON.parse(text)`, with better-auth's date reviver or without.
fn parse_with(text: &str, revive_dates: bool) -> Result<JsValue<'_>, Error> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        at: 0,
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
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    revive_dates: bool,
}

impl<'a> Parser<'a> {
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

    fn literal(&mut self, word: &[u8], value: JsValue<'a>) -> Result<JsValue<'a>, Error> {
        if self.bytes[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(invalid())
        }
    }

    fn value(&mut self, depth: usize) -> Result<JsValue<'a>, Error> {
        if depth > MAX_DEPTH {
            return Err(Error::InvalidClaims("the cookie cache nests too deep"));
        }
        match self.bytes.get(self.at) {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => {
                let s = self.string()?;
                let date = match &s {
                    JsStr::Text(Cow::Borrowed(text)) if self.revive_dates => {
                        iso_instant(text).map(|(ms, canonical)| JsValue::Date {
                            ms,
                            iso: canonical.then_some(*text),
                        })
                    }
                    JsStr::Text(Cow::Owned(text)) if self.revive_dates => {
                        iso_instant(text).map(|(ms, _)| JsValue::Date { ms, iso: None })
                    }
                    _ => None,
                };
                Ok(date.unwrap_or(JsValue::String(s)))
            }
            Some(b't') => self.literal(b"true", JsValue::Bool(true)),
            Some(b'f') => self.literal(b"false", JsValue::Bool(false)),
            Some(b'n') => self.literal(b"null", JsValue::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(invalid()),
        }
    }

    fn object(&mut self, depth: usize) -> Result<JsValue<'a>, Error> {
        self.at += 1;
        let mut object = JsObject::default();
        self.space();
        if self.eat(b'}') {
            return Ok(JsValue::Object(object));
        }
        let mut index: Option<HashMap<JsStr<'a>, usize>> = None;
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
            // Small objects: a linear search; large ones get a hash index.
            if object.entries.len() < LINEAR_KEYS && index.is_none() {
                #[cfg(test)]
                crate::test_counters::add(
                    &crate::test_counters::LINEAR_SCANNED,
                    object.entries.len(),
                );
                object.set(key, value);
            } else {
                let index = index.get_or_insert_with(|| {
                    let entries = object.entries.iter().enumerate();
                    entries.map(|(i, (k, _))| (k.clone(), i)).collect()
                });
                match index.get(&key) {
                    Some(&i) => object.entries[i].1 = value,
                    None => {
                        index.insert(key.clone(), object.entries.len());
                        object.push(key, value);
                    }
                }
            }
            self.space();
            if self.eat(b',') {
                continue;
            }
            if self.eat(b'}') {
                return Ok(JsValue::Object(object));
            }
            return Err(invalid());
        }
    }

    fn array(&mut self, depth: usize) -> Result<JsValue<'a>, Error> {
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

    fn number(&mut self) -> Result<JsValue<'a>, Error> {
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
        // Only ASCII bytes were consumed: char boundaries.
        let text = &self.text[start..self.at];
        // Correctly rounded; beyond the double range it is infinite, as in JavaScript.
        text.parse::<f64>()
            .map(JsValue::Number)
            .map_err(|_| invalid())
    }

    /// The run of plain characters from `self.at`: up to a quote, a backslash, a control
    /// character or the end. It stops only at ASCII bytes, so on char boundaries.
    fn plain_run(&mut self) -> &'a str {
        let start = self.at;
        let rest = &self.bytes[start..];
        let len = rest
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            .unwrap_or(rest.len());
        self.at += len;
        &self.text[start..self.at]
    }

    fn string(&mut self) -> Result<JsStr<'a>, Error> {
        self.at += 1;
        let run = self.plain_run();
        match self.bytes.get(self.at) {
            Some(b'"') => {
                self.at += 1;
                return Ok(JsStr::from(run));
            }
            Some(b'\\') => {}
            _ => return Err(invalid()),
        }
        // Escapes: gather UTF-16 code units, as JavaScript does, then see whether the
        // string is valid Unicode.
        let mut units: Vec<u16> = run.encode_utf16().collect();
        loop {
            match self.bytes.get(self.at) {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(match String::from_utf16(&units) {
                        Ok(text) => JsStr::from(text),
                        Err(_) => JsStr::Units(units),
                    });
                }
                Some(b'\\') => {
                    self.at += 1;
                    let escaped = *self.bytes.get(self.at).ok_or_else(invalid)?;
                    self.at += 1;
                    units.push(match escaped {
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
                            hex.iter().try_fold(0u16, |n, b| {
                                let digit = char::from(*b).to_digit(16).ok_or_else(invalid)?;
                                Ok::<u16, Error>(n << 4 | digit as u16)
                            })?
                        }
                        _ => return Err(invalid()),
                    });
                }
                // A raw control character, or the end of the text.
                Some(_) if self.bytes[self.at] < 0x20 => return Err(invalid()),
                None => return Err(invalid()),
                Some(_) => units.extend(self.plain_run().encode_utf16()),
            }
        }
    }
}

/// `^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$`, then `new Date(text)` as V8 reads it:
/// months 1-12, days 1-31 (a day past the month's end rolls into the next month), hours
/// 0-23 or 24:00:00 exactly (the next midnight), minutes and seconds 0-59, the fraction
/// truncated to milliseconds. `None` for no match or an invalid date; with the instant,
/// whether `text` is exactly its `toISOString()` (`YYYY-MM-DDTHH:MM:SS.sssZ`, nothing rolled
/// over).
fn iso_instant(text: &str) -> Option<(i64, bool)> {
    let s = text.as_bytes();
    // The fraction may have any number of digits (V8 reads the first three).
    if s.len() < 20 {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = &s[r];
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
    };
    let shape = s[4] == b'-' && s[7] == b'-' && s[10] == b'T' && s[13] == b':' && s[16] == b':';
    if !shape || s[s.len() - 1] != b'Z' {
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
    let canonical = s.len() == 24
        && hour <= 23
        && day <= i64::from(crate::js_time::days_in_month(year, month as u32));
    let ms = ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + ms;
    Some((ms, canonical))
}

/// `JSON.stringify(value)`.
pub(crate) fn stringify(value: &JsValue<'_>) -> String {
    let mut out = String::new();
    write_value(value, &mut out);
    out
}

/// `JSON.stringify({...object, [key]: value})` into `out`: `key` keeps its place when
/// `object` has it, else goes last.
pub(crate) fn write_with(object: &JsObject<'_>, key: &str, value: &JsValue<'_>, out: &mut String) {
    write_object(object, Some((key, value)), out);
}

fn write_value(value: &JsValue<'_>, out: &mut String) {
    match value {
        JsValue::Null => out.push_str("null"),
        JsValue::Bool(true) => out.push_str("true"),
        JsValue::Bool(false) => out.push_str("false"),
        JsValue::Number(n) if n.is_finite() => {
            let mut buffer = ryu_js::Buffer::new();
            out.push_str(buffer.format(*n));
        }
        JsValue::Number(_) => out.push_str("null"),
        JsValue::String(s) => write_string(s, out),
        JsValue::Date { iso: Some(iso), .. } => {
            out.push('"');
            out.push_str(iso);
            out.push('"');
        }
        JsValue::Date { ms, iso: None } => match crate::js_time::iso_from_ms(*ms) {
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
        JsValue::Object(object) => write_object(object, None, out),
    }
}

fn write_object(object: &JsObject<'_>, mut extra: Option<(&str, &JsValue<'_>)>, out: &mut String) {
    out.push('{');
    let mut first = true;
    let mut member = |key: &JsStr<'_>, value: &JsValue<'_>, out: &mut String| {
        if !std::mem::take(&mut first) {
            out.push(',');
        }
        write_string(key, out);
        out.push(':');
        write_value(value, out);
    };
    for (key, value) in object.ordered() {
        match extra {
            Some((name, replacement)) if key.as_str() == Some(name) => {
                member(key, replacement, out);
                extra = None;
            }
            _ => member(key, value, out),
        }
    }
    if let Some((name, value)) = extra {
        member(&JsStr::from(name), value, out);
    }
    out.push('}');
}

/// `QuoteJSONString`: `"` and `\` escaped, the short escapes for backspace, tab, newline,
/// form feed and carriage return, `\u00xx` for the other control characters and
/// `\udxxx` for lone surrogates (lower-case hex), everything else as it is.
fn write_string(s: &JsStr<'_>, out: &mut String) {
    out.push('"');
    match s {
        JsStr::Text(text) => {
            let mut rest: &str = text;
            while let Some(at) = rest
                .bytes()
                .position(|b| b == b'"' || b == b'\\' || b < 0x20)
            {
                out.push_str(&rest[..at]);
                write_escape(u32::from(rest.as_bytes()[at]), out);
                rest = &rest[at + 1..];
            }
            out.push_str(rest);
        }
        JsStr::Units(units) => {
            for item in char::decode_utf16(units.iter().copied()) {
                match item {
                    Ok(c) if c == '"' || c == '\\' || u32::from(c) < 0x20 => {
                        write_escape(u32::from(c), out);
                    }
                    Ok(c) => out.push(c),
                    Err(lone) => {
                        let _ = write!(out, "\\u{:04x}", lone.unpaired_surrogate());
                    }
                }
            }
        }
    }
    out.push('"');
}

/// The escape of `"`, `\` or a control character.
fn write_escape(c: u32, out: &mut String) {
    match c {
        0x22 => out.push_str("\\\""),
        0x5c => out.push_str("\\\\"),
        0x08 => out.push_str("\\b"),
        0x09 => out.push_str("\\t"),
        0x0a => out.push_str("\\n"),
        0x0c => out.push_str("\\f"),
        0x0d => out.push_str("\\r"),
        _ => {
            let _ = write!(out, "\\u{c:04x}");
        }
    }
}

/// `toISOString()` of a revived date.
pub(crate) fn iso_string(ms: i64, iso: Option<&str>) -> Option<String> {
    match iso {
        Some(text) => Some(text.to_owned()),
        None => crate::js_time::iso_from_ms(ms),
    }
}

/// A string as `serde_json` holds it: `None` for a lone surrogate (Rust strings cannot).
pub(crate) fn to_string(s: &JsStr<'_>) -> Option<String> {
    s.as_str().map(str::to_owned)
}

/// The value as `serde_json` holds it: dates as ISO strings. `None` when a string holds a
/// lone surrogate (Rust strings cannot) or a number is not finite.
pub(crate) fn to_serde(value: &JsValue<'_>) -> Option<serde_json::Value> {
    use serde_json::Value;
    Some(match value {
        JsValue::Null => Value::Null,
        JsValue::Bool(b) => Value::Bool(*b),
        JsValue::Number(n) => {
            // Integers stay integers (as serde_json reads `1750000000`), with the digits
            // `JSON.stringify` prints: below 1e21 JavaScript prints an integer without an
            // exponent, its shortest round-trip digits padded with zeros (2^60 is
            // `1152921504606847000`), which fit an `i64` or a `u64` below 2^64; from 1e21 on
            // it prints an exponent, and the number stays an `f64`.
            let mut digits = ryu_js::Buffer::new();
            let integer = (n.fract() == 0.0)
                .then(|| digits.format(*n))
                .and_then(|text| {
                    (text.parse::<i64>().map(Value::from))
                        .or_else(|_| text.parse::<u64>().map(Value::from))
                        .ok()
                });
            match integer {
                Some(value) => value,
                None => Value::from(serde_json::Number::from_f64(*n)?),
            }
        }
        JsValue::String(s) => Value::String(to_string(s)?),
        JsValue::Date { ms, iso } => Value::String(iso_string(*ms, *iso)?),
        JsValue::Array(items) => {
            Value::Array(items.iter().map(to_serde).collect::<Option<Vec<_>>>()?)
        }
        JsValue::Object(object) => {
            let mut map = serde_json::Map::with_capacity(object.entries.len());
            for (key, value) in object.ordered() {
                map.insert(to_string(key)?, to_serde(value)?);
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
            // Digits then the next byte up (`:`) or down (`/`): no index.
            (
                r#"{"b":1,"1:":2,"0":3,"9:":4,"/":5,"4294967294":6,"4294967295":7}"#,
                r#"{"0":3,"4294967294":6,"b":1,"1:":2,"9:":4,"/":5,"4294967295":7}"#,
            ),
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
                r#"["2025-01-01T00:00:00.123Z","2024-02-29T23:59:59.999Z","2025-02-29T00:00:00.000Z","2025-04-31T10:00:00.000Z","2025-01-01T24:00:00.000Z","2025\u002d01-01T00:00:00.000Z"]"#,
                r#"["2025-01-01T00:00:00.123Z","2024-02-29T23:59:59.999Z","2025-03-01T00:00:00.000Z","2025-05-01T10:00:00.000Z","2025-01-02T00:00:00.000Z","2025-01-01T00:00:00.000Z"]"#,
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

    /// Escaped surrogate pairs are one character; a lone surrogate keeps the string in
    /// UTF-16, and such a key is a key of its own.
    #[test]
    fn escapes_and_surrogates() {
        let value = parse(r#"{"\ud83d\ude00":"a\u00e9\/b","\ud83d":1,"\ud83d":2}"#).unwrap();
        let JsValue::Object(object) = &value else {
            panic!("an object")
        };
        assert_eq!(
            object.get("\u{1f600}"),
            Some(&JsValue::String(JsStr::from("a\u{e9}/b")))
        );
        assert_eq!(object.entries.len(), 2);
        assert_eq!(object.entries[1].0, JsStr::Units(vec![0xd83d]));
        assert_eq!(
            stringify(&value),
            "{\"\u{1f600}\":\"a\u{e9}/b\",\"\\ud83d\":2}"
        );
    }

    /// `{...object, expiresAt}`: an existing key keeps its place, a new one goes last.
    #[test]
    fn write_with_spreads_then_sets() {
        let JsValue::Object(object) = parse(r#"{"b":1,"2":true,"a":null}"#).unwrap() else {
            panic!("an object")
        };
        let mut out = String::new();
        write_with(&object, "b", &JsValue::Number(7.0), &mut out);
        assert_eq!(out, r#"{"2":true,"b":7,"a":null}"#);
        out.clear();
        write_with(&object, "z", &JsValue::Number(0.5), &mut out);
        assert_eq!(out, r#"{"2":true,"b":1,"a":null,"z":0.5}"#);
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
            // A raw control character after a lone surrogate (the UTF-16 path).
            "\"\\ud800\t\"",
            "\"\\ud800x\u{1}\"",
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

    /// Member lookups while parsing stay linear in the object's size: one by one up to
    /// `LINEAR_KEYS` members, then through a hash index, whatever the keys.
    #[test]
    fn many_keys_cost_linear_time() {
        for keys in [10_000, LINEAR_KEYS + 1, LINEAR_KEYS] {
            let mut text = String::from("{");
            for i in 0..keys {
                text.push_str(&format!("\"k{i}\":{i},"));
            }
            text.push_str("\"k0\":null}");
            let mut parsed = None;
            let scanned =
                crate::test_counters::during(&crate::test_counters::LINEAR_SCANNED, || {
                    parsed = Some(parse(&text).unwrap());
                });
            let Some(JsValue::Object(object)) = parsed else {
                panic!("an object")
            };
            assert_eq!(scanned, LINEAR_KEYS * (LINEAR_KEYS - 1) / 2, "{keys} keys");
            assert_eq!(object.ordered().count(), keys);
            assert!(matches!(object.get("k0"), Some(JsValue::Null)));
        }
    }

    /// Printed by Node 20, `JSON.stringify(JSON.parse(text))`: duplicates before and after the
    /// object switches to its hash index, an integer-like key.
    #[test]
    fn duplicates_around_the_index_switch() {
        let text = r#"{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k17":17,"k18":18,"k19":19,"k20":20,"k21":21,"k22":22,"k23":23,"k24":24,"k25":25,"k26":26,"k27":27,"k28":28,"k29":29,"k30":30,"k31":31,"k32":32,"k33":33,"k34":34,"k1":"a","k33":"b","3":"c","k31":"d","k32":"f","k0":"e"}"#;
        let node = r#"{"3":"c","k0":"e","k1":"a","k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k17":17,"k18":18,"k19":19,"k20":20,"k21":21,"k22":22,"k23":23,"k24":24,"k25":25,"k26":26,"k27":27,"k28":28,"k29":29,"k30":30,"k31":"d","k32":"f","k33":"b","k34":34}"#;
        assert_eq!(round_trip(text), node);
    }

    /// Nesting up to `MAX_DEPTH` levels below the top value is read, one more is refused,
    /// objects and arrays alike.
    #[test]
    fn nesting_limit() {
        let arrays = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        let objects = |n: usize| format!("{}1{}", r#"{"a":"#.repeat(n), "}".repeat(n));
        assert!(parse(&arrays(MAX_DEPTH + 1)).is_ok());
        assert!(parse(&arrays(MAX_DEPTH + 2)).is_err());
        assert!(parse(&objects(MAX_DEPTH)).is_ok());
        assert!(parse(&objects(MAX_DEPTH + 1)).is_err());
    }

    /// Numbers as better-auth's `getSession` body prints them (Node 20,
    /// `JSON.stringify(JSON.parse(text))`): integers below 1e21 without an exponent, with
    /// JavaScript's digits.
    #[test]
    fn numbers_print_as_javascript_prints_them() {
        let text = "[1.5,9007199254740992,9007199254740994,1152921504606846976,-4611686018427387904,-0,0.1,9223372036854775807,1750000000,-1,1e21]";
        let node = "[1.5,9007199254740992,9007199254740994,1152921504606847000,-4611686018427388000,0,0.1,9223372036854776000,1750000000,-1,1e+21]";
        let value = to_serde(&parse(text).unwrap()).unwrap();
        assert_eq!(serde_json::to_string(&value).unwrap(), node);
        // Integers are integers for a claims type.
        assert_eq!(value[9], serde_json::json!(-1));
        assert!(value[8].is_i64() && value[7].is_u64() && value[0].is_f64());
    }

    /// `fixtures/better-auth/iso-dates.json`: which strings better-auth's reviver
    /// (`safeJSONParse`, Node 20) turned into Dates, and their `toISOString()`.
    #[test]
    fn dates_are_revived_as_better_auth_revives_them() {
        let file: serde_json::Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/better-auth/iso-dates.json"
        )))
        .unwrap();
        let cases = file["cases"].as_array().unwrap();
        for case in cases {
            let text = case["text"].as_str().unwrap();
            let want = case["revived"].as_str();
            let got = iso_instant(text);
            assert_eq!(
                got.and_then(|(ms, _)| crate::js_time::iso_from_ms(ms))
                    .as_deref(),
                want,
                "{text}"
            );
            if let Some((_, canonical)) = got {
                assert_eq!(canonical, want == Some(text), "{text}");
            }
            // Through the parser: a revived date prints as better-auth prints it.
            let printed = round_trip(&serde_json::to_string(&[text]).unwrap());
            let expected = serde_json::to_string(&[want.unwrap_or(text)]).unwrap();
            assert_eq!(printed, expected, "{text}");
        }
        assert!(cases.len() > 400);
    }

    /// Dates written with escapes: revived by better-auth's reviver (Node 20:
    /// `safeJSONParse`), kept as strings by plain `JSON.parse`.
    #[test]
    fn escaped_dates() {
        let text = r#"["2025\u002d01-01T00:00:00Z","2025-01-01T00:00:00\u002e5Z"]"#;
        assert_eq!(
            round_trip(text),
            r#"["2025-01-01T00:00:00.000Z","2025-01-01T00:00:00.500Z"]"#
        );
        assert_eq!(
            stringify(&parse_with(text, false).unwrap()),
            r#"["2025-01-01T00:00:00Z","2025-01-01T00:00:00.5Z"]"#
        );
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
