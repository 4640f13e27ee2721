//! A validating, allocation-free scan of the claims JSON for `exp`, `nbf` and `iat`.
//!
//! The registered-claims pass runs before the caller's type is deserialized, so on the hot
//! path the claims are read twice. This scan makes the first read cheap for the payloads the
//! references write: it accepts only JSON without any backslash (so no string needs
//! unescaping and a key is its bytes), validates the whole document as JSON, and finds the
//! top-level time claims. Anything else (escapes, deep nesting, invalid JSON) returns `None`
//! and the caller takes the general serde path, which defines the semantics; the scan must
//! agree with it wherever it answers (tested below).

use super::numeric::{Numeric, TimeClaims};

/// Nesting beyond this is left to serde (whose own limit is 128).
const MAX_DEPTH: usize = 64;

/// Scans `json`; `None` means "not answered here", never "invalid".
///
/// Only compact JSON is answered: no backslash and no byte below 0x20 anywhere (so strings
/// need no unescaping, cannot hold control characters, and the only whitespace is a space).
/// The check is one branch-free pass that the compiler vectorizes.
pub(crate) fn time_claims(json: &str) -> Option<TimeClaims> {
    let bytes = json.as_bytes();
    let unusual = bytes
        .iter()
        .fold(false, |acc, &b| acc | (b < 0x20) | (b == b'\\'));
    if unusual {
        return None;
    }
    let mut s = Scanner { b: bytes, i: 0 };
    let mut found = TimeClaims::default();
    s.ws();
    s.eat(b'{')?;
    s.ws();
    if s.eat(b'}').is_none() {
        loop {
            s.ws();
            let key = s.string()?;
            s.ws();
            s.eat(b':')?;
            s.ws();
            let slot = match key {
                b"exp" => Some(&mut found.exp),
                b"nbf" => Some(&mut found.nbf),
                b"iat" => Some(&mut found.iat),
                _ => None,
            };
            match slot {
                Some(slot) => *slot = Some(s.numeric()?),
                None => s.value(1)?,
            }
            s.ws();
            if s.eat(b',').is_none() {
                s.eat(b'}')?;
                break;
            }
        }
    }
    s.ws();
    (s.i == bytes.len()).then_some(found)
}

/// A cursor over compact JSON (see [`time_claims`]); also the claims deserializer's
/// ([`super::fast`]) way through a document this scan has validated.
pub(super) struct Scanner<'a> {
    pub(super) b: &'a [u8],
    pub(super) i: usize,
}

impl<'a> Scanner<'a> {
    pub(super) fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    pub(super) fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.i += 1)
    }

    /// Whitespace: only spaces, since the input has no byte below 0x20.
    pub(super) fn ws(&mut self) {
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
    }

    /// A string: its raw bytes up to the next quote (no escapes, no control characters).
    pub(super) fn string(&mut self) -> Option<&'a [u8]> {
        self.eat(b'"')?;
        let rest = &self.b[self.i..];
        let end = memchr::memchr(b'"', rest)?;
        self.i += end + 1;
        Some(&rest[..end])
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        self.b[self.i..]
            .starts_with(word)
            .then(|| self.i += word.len())
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        self.i - start
    }

    /// A number by the JSON grammar; returns its text.
    fn number(&mut self) -> Option<&'a str> {
        let start = self.i;
        let _ = self.eat(b'-');
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.eat(b'.').is_some() && self.digits() == 0 {
            return None;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        // ASCII only, so this cannot fail.
        std::str::from_utf8(&self.b[start..self.i]).ok()
    }

    /// A time claim: a number read exactly as serde_json reads it, or any other value.
    fn numeric(&mut self) -> Option<Numeric> {
        match self.peek()? {
            b'-' | b'0'..=b'9' => {
                let text = self.number()?;
                serde_json::from_str::<f64>(text).ok().map(Numeric::Number)
            }
            _ => self.value(1).map(|()| Numeric::NotANumber),
        }
    }

    /// Skips one value; `None` for invalid JSON or nesting deeper than the scan answers.
    pub(super) fn value(&mut self, depth: usize) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number().map(drop),
            b'{' | b'[' if depth >= MAX_DEPTH => None,
            b'{' => {
                self.i += 1;
                self.ws();
                if self.eat(b'}').is_some() {
                    return Some(());
                }
                loop {
                    self.ws();
                    self.string()?;
                    self.ws();
                    self.eat(b':')?;
                    self.ws();
                    self.value(depth + 1)?;
                    self.ws();
                    if self.eat(b',').is_none() {
                        return self.eat(b'}');
                    }
                }
            }
            b'[' => {
                self.i += 1;
                self.ws();
                if self.eat(b']').is_some() {
                    return Some(());
                }
                loop {
                    self.ws();
                    self.value(depth + 1)?;
                    self.ws();
                    if self.eat(b',').is_none() {
                        return self.eat(b']');
                    }
                }
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_the_common_shapes() {
        let typical = r#"{"name":"Ada","email":null,"picture":"https://x/y?a=1&b=2","sub":"1","iat":1750000000,"exp":1752592000,"jti":"j"}"#;
        assert_eq!(
            time_claims(typical),
            Some(TimeClaims {
                exp: Some(Numeric::Number(1_752_592_000.0)),
                nbf: None,
                iat: Some(Numeric::Number(1_750_000_000.0)),
            })
        );
        assert_eq!(time_claims(" {} "), Some(TimeClaims::default()));
        assert_eq!(
            time_claims(r#"{"exp":"1","exp":2.5e0}"#).unwrap().exp,
            Some(Numeric::Number(2.5))
        );
        assert_eq!(
            time_claims(r#"{"nbf":[1],"n":{"exp":1}}"#).unwrap(),
            TimeClaims {
                nbf: Some(Numeric::NotANumber),
                ..TimeClaims::default()
            }
        );
        // Every value form the references write is answered.
        let forms = r#"{"a":0,"b":-0.5,"c":1e+5,"d":2E-3,"e":false,"f":true,"g":null,"h":[{}],"i":10.25e0}"#;
        assert_eq!(time_claims(forms), Some(TimeClaims::default()));
        assert_eq!(
            time_claims(r#"{"exp":0,"nbf":-0.5,"iat":1e+2}"#),
            Some(TimeClaims {
                exp: Some(Numeric::Number(0.0)),
                nbf: Some(Numeric::Number(-0.5)),
                iat: Some(Numeric::Number(100.0)),
            })
        );
        // Declined: escapes, invalid JSON, not an object.
        for json in [
            r#"{"e\u0078p":1}"#,
            r#"{"a":tru}"#,
            "[]",
            r#"{"a":1,}"#,
            r#"{"a":01}"#,
            "{\"a\":\"\t\"}",
            "{} x",
            "{\n}",
            // However many: two escapes, an escape and a control byte, two control bytes.
            r#"{"a":"\\"}"#,
            r#"{"a":"\"","b":"\\"}"#,
            "{\"a\":\"\\\\\t\"}",
            "{\"a\":\"\t\t\"}",
        ] {
            assert_eq!(time_claims(json), None, "{json:?}");
        }
    }

    #[test]
    fn deep_nesting_is_left_to_serde() {
        let deep = format!(
            "{{\"a\":{}{}}}",
            "[".repeat(MAX_DEPTH),
            "]".repeat(MAX_DEPTH)
        );
        assert_eq!(time_claims(&deep), None);
        // Objects count as arrays do.
        let deep_objects = format!(
            "{}1{}",
            r#"{"a":"#.repeat(MAX_DEPTH + 1),
            "}".repeat(MAX_DEPTH + 1)
        );
        assert_eq!(time_claims(&deep_objects), None);
        let mixed = format!(
            "{{\"a\":{}1{}}}",
            r#"[{"a":"#.repeat(MAX_DEPTH / 2),
            "}]".repeat(MAX_DEPTH / 2)
        );
        assert_eq!(time_claims(&mixed), None);
        let shallow = format!(
            "{{\"a\":{}1{}}}",
            r#"[{"a":"#.repeat(MAX_DEPTH / 2 - 2),
            "}]".repeat(MAX_DEPTH / 2 - 2)
        );
        assert!(time_claims(&shallow).is_some());
        let ok = format!(
            "{{\"a\":{}{}}}",
            "[".repeat(MAX_DEPTH - 2),
            "]".repeat(MAX_DEPTH - 2)
        );
        assert!(time_claims(&ok).is_some());
    }
}
