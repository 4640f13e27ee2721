//! Finding the session token in a request: Cookie header scanning, chunk reassembly and the
//! Bearer fallback (reference-behaviour.md sections 4 and 6).

use std::borrow::Cow;

use crate::error::Error;

/// Bounds on request input, checked before any work proportional to its size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest token accepted, in bytes, whether unchunked, joined from chunks or from an
    /// `Authorization` header. Default 128 KiB: the references split a 40 KB session into
    /// 11 cookies, and browsers refuse far smaller headers than this.
    pub max_token_len: usize,
    /// Longest `Cookie` header accepted (all lines together), in bytes. Default 256 KiB.
    pub max_header_len: usize,
    /// Most session chunk cookies accepted. Default 64 (a 128 KiB token is 34 chunks).
    pub max_chunks: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_token_len: 128 * 1024,
            max_header_len: 256 * 1024,
            max_chunks: 64,
        }
    }
}

/// Splits one `Cookie` header into trimmed `(name, value)` pairs. Pieces without `=` are
/// skipped; spaces and tabs around names and values are ignored.
///
/// The separators are found with `memchr` (SIMD): a header is mostly one long token value.
pub(crate) fn pairs(header: &str) -> impl Iterator<Item = (&str, &str)> {
    let mut rest = Some(header);
    std::iter::from_fn(move || {
        loop {
            let text = rest?;
            let (piece, tail) = match memchr::memchr(b';', text.as_bytes()) {
                Some(i) => (&text[..i], Some(&text[i + 1..])),
                None => (text, None),
            };
            rest = tail;
            if let Some(eq) = memchr::memchr(b'=', piece.as_bytes()) {
                return Some((trim(&piece[..eq]), trim(&piece[eq + 1..])));
            }
        }
    })
}

/// Spaces and tabs off both ends (both ASCII, so any cut is a char boundary).
fn trim(s: &str) -> &str {
    let blank = |b: &u8| *b == b' ' || *b == b'\t';
    let bytes = s.as_bytes();
    let start = bytes.iter().position(|b| !blank(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !blank(b))
        .map_or(start, |i| i + 1);
    &s[start..end]
}

/// A header value as text: borrowed when it is UTF-8, else read byte-wise as Latin-1 (each
/// byte the character of the same code), as Node reads every header value. A `Cookie` line
/// holding one byte that is not UTF-8 (a Latin-1 cookie of another app on the same domain)
/// still carries the session cookie next to it; dropping the line would lose that cookie and
/// let the Bearer fallback run although a session cookie was sent.
#[cfg(feature = "http")]
pub(crate) fn header_text(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => Cow::Owned(bytes.iter().copied().map(char::from).collect()),
    }
}

/// Header lines given as bytes (every `Cookie` line of an `http::HeaderMap`), read as text
/// lines as [`header_text`] reads one: UTF-8 lines are borrowed, the others are decoded once
/// into one buffer. Nothing is allocated when every line is UTF-8.
#[cfg(feature = "http")]
#[derive(Default)]
pub(crate) struct TextLines {
    /// The Latin-1 lines, decoded, one after the other.
    latin1: String,
    /// Where each of them ends in `latin1`.
    ends: Vec<usize>,
}

#[cfg(feature = "http")]
impl TextLines {
    /// Decodes the lines of `lines` that are not UTF-8. Check their size first
    /// ([`check_raw_len`]): this is work proportional to it.
    pub(crate) fn new<'h>(lines: impl Iterator<Item = &'h [u8]>) -> Self {
        let mut out = Self::default();
        for bytes in lines {
            if std::str::from_utf8(bytes).is_err() {
                out.latin1.extend(bytes.iter().copied().map(char::from));
                out.ends.push(out.latin1.len());
            }
        }
        out
    }

    /// The lines as text, in order; `lines` must yield what [`new`](Self::new) was given.
    pub(crate) fn read<'s, 'h: 's>(
        &'s self,
        lines: impl Iterator<Item = &'h [u8]>,
    ) -> impl Iterator<Item = &'s str> {
        let (mut next, mut start) = (0, 0);
        lines.map(move |bytes| match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => {
                let end = self.ends.get(next).copied().unwrap_or(start);
                let text = self.latin1.get(start..end).unwrap_or_default();
                (next, start) = (next + 1, end);
                text
            }
        })
    }
}

/// The raw lines together must fit the header limit: checked before they are decoded (a
/// decoded line is at least as long, so this refuses nothing the scan would accept).
#[cfg(feature = "http")]
pub(crate) fn check_raw_len<'h>(
    lines: impl Iterator<Item = &'h [u8]>,
    limits: &Limits,
) -> Result<(), Error> {
    let len = lines.map(<[u8]>::len).fold(0usize, usize::saturating_add);
    if len > limits.max_header_len {
        return Err(Error::TooLarge {
            what: "cookie header",
            limit: limits.max_header_len,
        });
    }
    Ok(())
}

/// `decodeURIComponent`: every `%` must start `%XX`, and the bytes must be UTF-8.
pub(crate) fn percent_decode(s: &str) -> Option<Cow<'_, str>> {
    if memchr::memchr(b'%', s.as_bytes()).is_none() {
        return Some(Cow::Borrowed(s));
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hi = (hex[0] as char).to_digit(16)?;
            let lo = (hex[1] as char).to_digit(16)?;
            out.push((hi * 16 + lo) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok().map(Cow::Owned)
}

/// A cookie value as the references read it: percent-decoded when it contains `%`, the raw
/// value when that decoding fails.
fn cookie_value(raw: &str) -> Cow<'_, str> {
    percent_decode(raw).unwrap_or(Cow::Borrowed(raw))
}

#[cfg(feature = "better-auth")]
/// The first cookie named exactly `name` in the `Cookie` header lines, percent-decoded as the
/// references decode it; `None` when there is none or the first one is empty (better-call's
/// `getCookie`: the first occurrence wins, even when empty).
pub(crate) fn first_value<'a, I: Iterator<Item = &'a str>>(
    cookie_headers: impl Fn() -> I,
    name: &str,
    limits: &Limits,
) -> Result<Option<Cow<'a, str>>, Error> {
    check_header_len(cookie_headers(), limits)?;
    let first = cookie_headers()
        .flat_map(pairs)
        .find(|(n, _)| *n == name)
        .map(|(_, raw)| raw);
    match first {
        Some(raw) if !raw.is_empty() => {
            if raw.len() > limits.max_token_len {
                return Err(Error::TooLarge {
                    what: "token",
                    limit: limits.max_token_len,
                });
            }
            Ok(Some(cookie_value(raw)))
        }
        _ => Ok(None),
    }
}

/// Whether `name` is a token (RFC 9110 `tchar`s, the same set as RFC 6265's cookie-name
/// token): a cookie name or a header name that cannot carry `;`, `=`, spaces, quotes or
/// control characters into a header.
pub(crate) fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Which chunk cookie names count: a per-reference rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(feature = "better-auth"), allow(dead_code))]
pub(crate) enum ChunkNames {
    /// `<name>.<digits>` (Auth.js, whose chunks are `.0`, `.1`, ...).
    Digits,
    /// `<name>.<canonical decimal>`: no leading zero (better-auth's server:
    /// `String(Number(k)) === k`), so `.01` is not chunk 1.
    Canonical,
}

/// All `Cookie` lines together must fit the header limit: checked before any scan.
fn check_header_len<'a>(
    lines: impl Iterator<Item = &'a str>,
    limits: &Limits,
) -> Result<(), Error> {
    let header_len = lines.map(str::len).fold(0usize, usize::saturating_add);
    if header_len > limits.max_header_len {
        return Err(Error::TooLarge {
            what: "cookie header",
            limit: limits.max_header_len,
        });
    }
    Ok(())
}

/// `<name>.<digits>` gives the chunk index; a number too large for `usize` saturates (and then
/// can only be a gap).
pub(crate) fn chunk_index(cookie: &str, session_name: &str, rule: ChunkNames) -> Option<usize> {
    let digits = cookie.strip_prefix(session_name)?.strip_prefix('.')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if rule == ChunkNames::Canonical && digits.len() > 1 && digits.starts_with('0') {
        return None;
    }
    Some(digits.parse().unwrap_or(usize::MAX))
}

/// The session cookies of one request, borrowed from the headers.
struct Found<'a> {
    /// `Some(None)`: the unchunked name was present with an empty value.
    unchunked: Option<Option<Cow<'a, str>>>,
    /// `(name, index, value)`; the name is kept so the first occurrence of each name wins.
    chunks: Vec<(&'a str, usize, Option<Cow<'a, str>>)>,
}

/// Finds the session token in `Cookie` header lines (read as one header joined by `;`; the
/// closure yields the lines, and is called twice: once to check the size, once to scan), then falls back
/// to `Authorization: Bearer` exactly as the references do: only when no session cookie has a
/// value.
pub(crate) fn find_token<'a, I: Iterator<Item = &'a str>>(
    cookie_headers: impl Fn() -> I,
    authorization: Option<&'a str>,
    session_name: &str,
    limits: &Limits,
) -> Result<Option<Cow<'a, str>>, Error> {
    find_token_with(
        cookie_headers,
        authorization,
        session_name,
        limits,
        ChunkNames::Digits,
    )
}

/// [`find_token`] with a per-reference rule for chunk names.
#[cfg_attr(not(feature = "better-auth"), allow(dead_code))]
pub(crate) fn find_token_with<'a, I: Iterator<Item = &'a str>>(
    cookie_headers: impl Fn() -> I,
    authorization: Option<&'a str>,
    session_name: &str,
    limits: &Limits,
    rule: ChunkNames,
) -> Result<Option<Cow<'a, str>>, Error> {
    check_header_len(cookie_headers(), limits)?;
    let mut found = Found {
        unchunked: None,
        chunks: Vec::new(),
    };
    // Only session cookies are decoded; other cookies' values are never touched.
    let value = |raw: &'a str| {
        (!raw.is_empty())
            .then(|| cookie_value(raw))
            .filter(|v| !v.is_empty())
    };
    for (name, raw) in cookie_headers().flat_map(pairs) {
        if name == session_name {
            // The first occurrence of a name wins.
            if found.unchunked.is_none() {
                found.unchunked = Some(value(raw));
            }
        } else if let Some(index) = chunk_index(name, session_name, rule) {
            if found.chunks.iter().any(|(seen, _, _)| *seen == name) {
                continue;
            }
            if found.chunks.len() == limits.max_chunks {
                return Err(Error::TooLarge {
                    what: "chunk count",
                    limit: limits.max_chunks,
                });
            }
            found.chunks.push((name, index, value(raw)));
        }
    }
    if let Some(token) = join(found, limits)? {
        return Ok(Some(token));
    }
    bearer(authorization, limits)
}

fn join<'a>(found: Found<'a>, limits: &Limits) -> Result<Option<Cow<'a, str>>, Error> {
    let unchunked = found.unchunked.flatten();
    let mut chunks: Vec<(usize, Cow<'a, str>)> = found
        .chunks
        .into_iter()
        .filter_map(|(_, index, value)| Some((index, value?)))
        .collect();
    let token = match (unchunked, chunks.is_empty()) {
        (None, true) => return Ok(None),
        (Some(token), true) => token,
        (Some(_), false) => {
            return Err(Error::InconsistentChunks(
                "the unchunked cookie is present next to chunks",
            ));
        }
        (None, false) => {
            chunks.sort_unstable_by_key(|(index, _)| *index);
            if chunks
                .iter()
                .enumerate()
                .any(|(expected, (index, _))| *index != expected)
            {
                let duplicate = chunks.windows(2).any(|w| w[0].0 == w[1].0);
                return Err(Error::InconsistentChunks(if duplicate {
                    "a chunk index appears twice"
                } else {
                    "a chunk is missing"
                }));
            }
            let len = chunks
                .iter()
                .map(|(_, v)| v.len())
                .fold(0usize, usize::saturating_add);
            if len > limits.max_token_len {
                return Err(Error::TooLarge {
                    what: "token",
                    limit: limits.max_token_len,
                });
            }
            let mut joined = String::with_capacity(len);
            for (_, value) in &chunks {
                joined.push_str(value);
            }
            Cow::Owned(joined)
        }
    };
    if token.len() > limits.max_token_len {
        return Err(Error::TooLarge {
            what: "token",
            limit: limits.max_token_len,
        });
    }
    Ok(Some(token))
}

/// `Authorization: Bearer <token>`: the scheme is case-sensitive, the token is the text after
/// the first space up to the next one, and it is percent-decoded.
fn bearer<'a>(
    authorization: Option<&'a str>,
    limits: &Limits,
) -> Result<Option<Cow<'a, str>>, Error> {
    let Some(header) = authorization else {
        return Ok(None);
    };
    let mut words = header.split(' ');
    if words.next() != Some("Bearer") {
        return Ok(None);
    }
    let encoded = words.next().unwrap_or("");
    if encoded.is_empty() {
        return Ok(None);
    }
    if encoded.len() > limits.max_token_len {
        return Err(Error::TooLarge {
            what: "token",
            limit: limits.max_token_len,
        });
    }
    match percent_decode(encoded) {
        Some(token) => Ok(Some(token)),
        None => Err(Error::Malformed(
            "the bearer token is not valid percent-encoding",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: &str = "authjs.session-token";

    fn find(cookie: &str, auth: Option<&str>) -> Result<Option<String>, Error> {
        find_token(|| std::iter::once(cookie), auth, NAME, &Limits::default())
            .map(|t| t.map(Cow::into_owned))
    }

    #[test]
    fn pairs_trim_and_skip() {
        let got: Vec<_> = pairs(" a = 1 ;\tb=2=3; junk ; =x;c=").collect();
        assert_eq!(got, [("a", "1"), ("b", "2=3"), ("", "x"), ("c", "")]);
    }

    #[test]
    fn percent_decoding_is_decode_uri_component() {
        assert_eq!(percent_decode("a%2Eb").unwrap(), "a.b");
        assert_eq!(percent_decode("%E2%82%AC").unwrap(), "€");
        assert_eq!(percent_decode("a+b").unwrap(), "a+b");
        assert!(percent_decode("%E0%A4%A").is_none());
        assert!(percent_decode("%zz").is_none());
        assert!(percent_decode("%FF").is_none());
        assert!(percent_decode("%").is_none());
    }

    #[cfg(feature = "http")]
    #[test]
    fn lines_that_are_not_utf8_are_read_as_latin1() {
        assert_eq!(header_text(b"a=1"), "a=1");
        assert!(matches!(header_text(b"a=1"), Cow::Borrowed(_)));
        assert_eq!(header_text(b"a=caf\xe9\xff"), "a=caf\u{e9}\u{ff}");
        let lines: [&[u8]; 4] = [b"a=\xe9", "b=\u{e9}".as_bytes(), b"", b"c=\x80; d=2"];
        let text = TextLines::new(lines.iter().copied());
        let read: Vec<&str> = text.read(lines.iter().copied()).collect();
        assert_eq!(read, ["a=\u{e9}", "b=\u{e9}", "", "c=\u{80}; d=2"]);
        let utf8: [&[u8]; 2] = [b"a=1", b"b=2"];
        let text = TextLines::new(utf8.iter().copied());
        assert_eq!(text.latin1.capacity(), 0);
        assert_eq!(text.ends.capacity(), 0);
        let limits = Limits {
            max_header_len: 6,
            ..Limits::default()
        };
        assert!(check_raw_len(utf8.iter().copied(), &limits).is_ok());
        assert!(check_raw_len([&b"a=1"[..], b"b=22"].into_iter(), &limits).is_err());
    }

    #[test]
    fn chunk_names() {
        let chunk_index = |c, n| chunk_index(c, n, ChunkNames::Digits);
        assert_eq!(chunk_index("authjs.session-token.0", NAME), Some(0));
        assert_eq!(chunk_index("authjs.session-token.10", NAME), Some(10));
        assert_eq!(chunk_index("authjs.session-token.", NAME), None);
        assert_eq!(chunk_index("authjs.session-token.bak", NAME), None);
        assert_eq!(chunk_index("authjs.session-token-legacy", NAME), None);
        assert_eq!(chunk_index("authjs.session-token.1x", NAME), None);
        assert_eq!(chunk_index("authjs.session-token.+1", NAME), None);
        assert_eq!(
            chunk_index("authjs.session-token.99999999999999999999999", NAME),
            Some(usize::MAX)
        );
        assert_eq!(chunk_index("authjs.session-token.01", NAME), Some(1));
        let canonical = |c| super::chunk_index(c, NAME, ChunkNames::Canonical);
        assert_eq!(canonical("authjs.session-token.0"), Some(0));
        assert_eq!(canonical("authjs.session-token.10"), Some(10));
        assert_eq!(canonical("authjs.session-token.01"), None);
        assert_eq!(canonical("authjs.session-token.00"), None);
    }

    #[test]
    fn joins_in_numeric_order() {
        let mut header = String::from("x=1");
        for i in (0..12).rev() {
            header.push_str(&format!("; {NAME}.{i}=p{i}"));
        }
        let want: String = (0..12).map(|i| format!("p{i}")).collect();
        assert_eq!(find(&header, None).unwrap().as_deref(), Some(want.as_str()));
    }

    #[test]
    fn first_occurrence_wins_and_empty_is_absent() {
        assert_eq!(
            find(&format!("{NAME}=a; {NAME}=b"), None)
                .unwrap()
                .as_deref(),
            Some("a")
        );
        assert_eq!(
            find(&format!("{NAME}=; x=1"), Some("Bearer tok"))
                .unwrap()
                .as_deref(),
            Some("tok")
        );
        assert_eq!(
            find(&format!("{NAME}.0=a; {NAME}.1=; {NAME}.1=b"), None)
                .unwrap()
                .as_deref(),
            Some("a")
        );
    }

    #[test]
    fn inconsistent_sets() {
        let bad = [
            (
                format!("{NAME}=a; {NAME}.0=b"),
                "the unchunked cookie is present next to chunks",
            ),
            (format!("{NAME}.0=a; {NAME}.2=b"), "a chunk is missing"),
            (format!("{NAME}.1=a"), "a chunk is missing"),
            (
                format!("{NAME}.0=a; {NAME}.1=b; {NAME}.3=c"),
                "a chunk is missing",
            ),
            (
                format!("{NAME}.0=a; {NAME}.00=b"),
                "a chunk index appears twice",
            ),
            (
                format!("{NAME}.1=a; {NAME}.0=b; {NAME}.01=c"),
                "a chunk index appears twice",
            ),
        ];
        for (header, why) in bad {
            assert_eq!(
                find(&header, Some("Bearer t")),
                Err(Error::InconsistentChunks(why)),
                "{header}"
            );
        }
    }

    #[test]
    fn bearer_rules() {
        assert_eq!(
            find("", Some("Bearer a%2Eb")).unwrap().as_deref(),
            Some("a.b")
        );
        assert_eq!(find("", Some("bearer a")).unwrap(), None);
        assert_eq!(find("", Some("Bearer  a")).unwrap(), None);
        assert_eq!(find("", Some("Bearer")).unwrap(), None);
        assert_eq!(find("", Some("Bearer a b")).unwrap().as_deref(), Some("a"));
        assert!(matches!(
            find("", Some("Bearer %E0%A4%A")),
            Err(Error::Malformed(_))
        ));
        assert_eq!(
            find(&format!("{NAME}=c"), Some("Bearer b"))
                .unwrap()
                .as_deref(),
            Some("c")
        );
    }

    /// better-call's `getCookie`: the first cookie of that name, percent-decoded; `None` when
    /// it is empty, even if a later one is not; the limits as for the other scans.
    #[cfg(feature = "better-auth")]
    #[test]
    fn first_value_takes_the_first_occurrence() {
        let limits = Limits {
            max_token_len: 8,
            max_header_len: 100,
            max_chunks: 2,
        };
        let first = |header: &'static str| {
            first_value(|| std::iter::once(header), "t", &limits).map(|v| v.map(Cow::into_owned))
        };
        assert_eq!(first("a=1; t=x%20y; t=z"), Ok(Some("x y".to_owned())));
        assert_eq!(first("t=; t=z"), Ok(None));
        assert_eq!(first("a=1"), Ok(None));
        assert_eq!(first("t=12345678"), Ok(Some("12345678".to_owned())));
        assert!(matches!(
            first("t=123456789"),
            Err(Error::TooLarge { what: "token", .. })
        ));
        let long: &'static str = Box::leak(format!("t=1; a={}", "x".repeat(95)).into_boxed_str());
        assert!(matches!(
            first(long),
            Err(Error::TooLarge {
                what: "cookie header",
                ..
            })
        ));
    }

    #[test]
    fn limits_are_enforced_before_work() {
        let limits = Limits {
            max_token_len: 8,
            max_header_len: 100,
            max_chunks: 2,
        };
        let run = |h: &str| {
            find_token(|| std::iter::once(h), None, NAME, &limits).map(|t| t.map(Cow::into_owned))
        };
        assert!(matches!(
            run(&"x".repeat(101)),
            Err(Error::TooLarge {
                what: "cookie header",
                ..
            })
        ));
        // Up to the limits is accepted: a header of exactly `max_header_len` bytes, a token
        // of exactly `max_token_len`.
        assert_eq!(run(&"x".repeat(100)), Ok(None));
        assert_eq!(
            run(&format!("{NAME}=12345678")),
            Ok(Some("12345678".to_owned()))
        );
        // Over several lines, the lines count together.
        let half = "x".repeat(50);
        let two = |a: &str, b: &str| {
            find_token(|| [a, b].into_iter(), None, NAME, &limits).map(|t| t.map(Cow::into_owned))
        };
        assert_eq!(two(&half, &half), Ok(None));
        assert!(matches!(
            two(&half, &format!("{half}x")),
            Err(Error::TooLarge {
                what: "cookie header",
                ..
            })
        ));
        assert!(matches!(
            run(&format!("{NAME}=123456789")),
            Err(Error::TooLarge { what: "token", .. })
        ));
        assert!(matches!(
            run(&format!("{NAME}.0=12345; {NAME}.1=12345")),
            Err(Error::TooLarge { what: "token", .. })
        ));
        assert_eq!(
            run(&format!("{NAME}.0=1234; {NAME}.1=5678")),
            Ok(Some("12345678".to_owned()))
        );
        // A Bearer token: its encoded length counts.
        let bearer = |auth: &str| {
            find_token(|| std::iter::once(""), Some(auth), NAME, &limits)
                .map(|t| t.map(Cow::into_owned))
        };
        assert_eq!(bearer("Bearer 12345678"), Ok(Some("12345678".to_owned())));
        assert_eq!(bearer("Bearer 1234%2E"), Ok(Some("1234.".to_owned())));
        assert!(matches!(
            bearer("Bearer 123456%2E"),
            Err(Error::TooLarge { what: "token", .. })
        ));
        assert!(matches!(
            run(&format!("{NAME}.0=1;{NAME}.1=2;{NAME}.2=3")),
            Err(Error::TooLarge {
                what: "chunk count",
                ..
            })
        ));
    }
}
