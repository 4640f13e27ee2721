//! The cookies of the request as the crate reads them (reference-behaviour.md section 6),
//! described for a person: which look like session cookies, and how the chunks line up.

use nextauth_session::Flavor;

/// One `name=value` pair of the `Cookie` header.
#[derive(Debug)]
pub struct Cookie {
    /// The trimmed name.
    pub name: String,
    /// The value as the decoder reads it: percent-decoded when that works, else raw.
    pub value: String,
    /// The value contains `%` but is not valid percent-encoding (kept raw).
    pub bad_percent: bool,
    /// A later occurrence of a name already seen: ignored, the first one wins.
    pub duplicate: bool,
}

/// Splits `Cookie` header lines into pairs (pieces without `=` are skipped).
pub fn cookies(headers: &[String]) -> Vec<Cookie> {
    let mut out: Vec<Cookie> = Vec::new();
    for piece in headers.iter().flat_map(|h| h.split(';')) {
        let Some((name, raw)) = piece.split_once('=') else {
            continue;
        };
        let (name, raw) = (trim(name), trim(raw));
        let decoded = percent_decode(raw);
        let duplicate = out.iter().any(|c| c.name == name);
        out.push(Cookie {
            name: name.to_owned(),
            bad_percent: decoded.is_none(),
            value: decoded.unwrap_or_else(|| raw.to_owned()),
            duplicate,
        });
    }
    out
}

fn trim(s: &str) -> &str {
    s.trim_matches([' ', '\t'])
}

/// `decodeURIComponent`; `None` when malformed.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hi = char::from(hex[0]).to_digit(16)?;
            let lo = char::from(hex[1]).to_digit(16)?;
            out.push((hi * 16 + lo) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A session cookie name the tool knows about: the four defaults and a custom one.
#[derive(Debug, Clone)]
pub struct Known {
    /// The cookie name.
    pub name: String,
    /// Which reference writes it (`None` for a custom name).
    pub flavor: Option<Flavor>,
}

impl Known {
    /// Who writes this name, for messages: `Auth.js v5, behind HTTPS`.
    pub fn label(&self) -> String {
        let secure = self.name.starts_with("__Secure-");
        match self.flavor {
            Some(Flavor::V4) => format!("NextAuth.js v4{}", if secure { ", HTTPS" } else { "" }),
            Some(_) => format!("Auth.js v5{}", if secure { ", HTTPS" } else { "" }),
            None => "custom name".to_owned(),
        }
    }
}

/// `<name>.<digits>`: the chunk index (saturating).
pub fn chunk_index(cookie: &str, name: &str) -> Option<usize> {
    let digits = cookie.strip_prefix(name)?.strip_prefix('.')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(digits.parse().unwrap_or(usize::MAX))
}

/// What a cookie is, for the listing. `None`: not session-like, not listed.
pub fn role(cookie: &Cookie, known: &[Known]) -> Option<String> {
    let mut role = None;
    for k in known {
        if cookie.name == k.name {
            role = Some(format!("session cookie ({})", k.label()));
        } else if let Some(i) = chunk_index(&cookie.name, &k.name) {
            role = Some(format!("chunk {i} of {} ({})", k.name, k.label()));
        }
    }
    let role = match role {
        Some(role) => role,
        None if cookie.name.to_ascii_lowercase().contains("session") => {
            "ignored: not a session cookie name (only <name> and <name>.<digits> are read)"
                .to_owned()
        }
        None => return None,
    };
    let mut notes = vec![role];
    if cookie.duplicate {
        notes.push("duplicate, ignored: the first occurrence wins".to_owned());
    }
    if cookie.value.is_empty() {
        notes.push("empty: counts as absent".to_owned());
    }
    if cookie.bad_percent {
        notes.push("malformed percent-encoding: read as is".to_owned());
    }
    if cookie.value.len() >= 2 && cookie.value.starts_with('"') && cookie.value.ends_with('"') {
        notes.push("wrapped in double quotes".to_owned());
    }
    Some(notes.join("; "))
}

/// The session cookies of one name: the unchunked cookie and the chunks, first occurrences.
#[derive(Debug, Default)]
pub struct Set<'a> {
    /// The unchunked cookie.
    pub unchunked: Option<&'a Cookie>,
    /// `(index, cookie)`, sorted by index.
    pub chunks: Vec<(usize, &'a Cookie)>,
}

impl<'a> Set<'a> {
    /// The cookies of `name`, ignoring duplicates.
    pub fn of(cookies: &'a [Cookie], name: &str) -> Self {
        let mut set = Set::default();
        for c in cookies.iter().filter(|c| !c.duplicate) {
            if c.name == name {
                set.unchunked = Some(c);
            } else if let Some(i) = chunk_index(&c.name, name) {
                set.chunks.push((i, c));
            }
        }
        set.chunks.sort_by_key(|(i, _)| *i);
        set
    }

    /// Whether any cookie of the name is present (even empty).
    pub fn is_present(&self) -> bool {
        self.unchunked.is_some() || !self.chunks.is_empty()
    }

    /// Chunks with a value (empty ones count as absent).
    fn valued(&self) -> impl Iterator<Item = &(usize, &'a Cookie)> {
        self.chunks.iter().filter(|(_, c)| !c.value.is_empty())
    }

    /// The indices of missing chunks below the highest one present (at most a few).
    pub fn missing(&self) -> Vec<usize> {
        let present: Vec<usize> = self.valued().map(|(i, _)| *i).collect();
        let Some(&last) = present.last() else {
            return Vec::new();
        };
        (0..last.min(1024))
            .filter(|i| !present.contains(i))
            .take(8)
            .collect()
    }

    /// The chunk values in order when they are contiguous from 0, else `None`.
    pub fn contiguous(&self) -> Option<Vec<&'a str>> {
        let values: Vec<(usize, &str)> =
            self.valued().map(|(i, c)| (*i, c.value.as_str())).collect();
        let ok = !values.is_empty() && values.iter().enumerate().all(|(n, (i, _))| n == *i);
        ok.then(|| values.into_iter().map(|(_, v)| v).collect())
    }

    /// One line for people: `unchunked, 1234 chars`, `chunks .0 .1 .2: complete, 9000 chars`.
    pub fn describe(&self) -> (String, bool) {
        let unchunked = self.unchunked.filter(|c| !c.value.is_empty());
        let indices: Vec<String> = self.valued().map(|(i, _)| format!(".{i}")).collect();
        let empty: Vec<String> = self
            .chunks
            .iter()
            .filter(|(_, c)| c.value.is_empty())
            .map(|(i, _)| format!(".{i}"))
            .chain(
                self.unchunked
                    .filter(|c| c.value.is_empty())
                    .map(|_| "unchunked".to_owned()),
            )
            .collect();
        let empty_note = if empty.is_empty() {
            String::new()
        } else {
            format!(" (empty, counted as absent: {})", empty.join(" "))
        };
        let (text, complete) = match (unchunked, indices.is_empty()) {
            (None, true) => ("no value".to_owned(), false),
            (Some(c), true) => (format!("unchunked, {} chars", c.value.len()), true),
            (Some(_), false) => (
                format!(
                    "the unchunked cookie AND chunks {}: inconsistent (stale cookies)",
                    indices.join(" ")
                ),
                false,
            ),
            (None, false) => match self.contiguous() {
                Some(values) => (
                    format!(
                        "chunks {}: complete, {} chars joined",
                        indices.join(" "),
                        values.iter().map(|v| v.len()).sum::<usize>()
                    ),
                    true,
                ),
                None => {
                    let missing: Vec<String> =
                        self.missing().iter().map(|i| format!(".{i}")).collect();
                    (
                        format!(
                            "chunks {}: incomplete, missing {}",
                            indices.join(" "),
                            missing.join(" ")
                        ),
                        false,
                    )
                }
            },
        };
        (format!("{text}{empty_note}"), complete)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(h: &str) -> Vec<Cookie> {
        cookies(&[h.to_owned()])
    }

    #[test]
    fn chunk_sets() {
        let c = header("a.1=y; a.0=x; b=1; a.0=z");
        let set = Set::of(&c, "a");
        assert_eq!(set.contiguous(), Some(vec!["x", "y"]));
        assert_eq!(
            set.describe(),
            ("chunks .0 .1: complete, 2 chars joined".to_owned(), true)
        );

        let c = header("a.0=x; a.2=z; a.3=");
        let set = Set::of(&c, "a");
        assert_eq!(set.missing(), [1]);
        assert_eq!(
            set.describe().0,
            "chunks .0 .2: incomplete, missing .1 (empty, counted as absent: .3)"
        );

        let c = header("a=t; a.0=x");
        assert!(Set::of(&c, "a").describe().0.contains("inconsistent"));
        assert_eq!(
            Set::of(&header("a=t"), "a").describe().0,
            "unchunked, 1 chars"
        );
        assert!(!Set::of(&header("ab=t; a.bak=1"), "a").is_present());
    }

    #[test]
    fn values_are_decoded_like_the_decoder() {
        let c = header(" x = a%2Eb ;y=%E0%A4%A;\tz=\"q\"");
        assert_eq!(
            (c[0].name.as_str(), c[0].value.as_str(), c[0].bad_percent),
            ("x", "a.b", false)
        );
        assert_eq!((c[1].value.as_str(), c[1].bad_percent), ("%E0%A4%A", true));
        let known = [Known {
            name: "z".into(),
            flavor: Some(Flavor::V5),
        }];
        assert!(role(&c[2], &known).unwrap().contains("double quotes"));
        assert_eq!(role(&c[0], &known), None);
    }
}
