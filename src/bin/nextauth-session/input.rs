//! What the user pasted: a `Cookie` header, a `Cookie: ...` line, a curl `-v` trace, a
//! "Copy as cURL" command, or a bare token.

use std::io::Read;

/// Most bytes read from standard input: far above any real request (the decoder's own limit
/// on a Cookie header is 256 KiB), small enough to never exhaust memory.
pub const MAX_INPUT: u64 = 1024 * 1024;

/// The request parts found in the input.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Pasted {
    /// `Cookie` header values, one per line that carried one.
    pub cookies: Vec<String>,
    /// The first `Authorization` header value.
    pub authorization: Option<String>,
    /// A bare token (input without any `name=value` pair).
    pub token: Option<String>,
}

/// Reads standard input up to [`MAX_INPUT`] bytes.
pub fn read_stdin() -> Result<String, String> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(MAX_INPUT + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    if bytes.len() as u64 > MAX_INPUT {
        return Err(format!(
            "standard input is larger than {MAX_INPUT} bytes: paste only the request headers"
        ));
    }
    String::from_utf8(bytes).map_err(|_| "standard input is not UTF-8".to_owned())
}

/// The value of a `Name: value` header line when its name is `name` (case-insensitive).
fn header_value<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let head = line.get(..name.len())?;
    let rest = line.get(name.len()..)?.strip_prefix(':')?;
    head.eq_ignore_ascii_case(name).then(|| rest.trim())
}

/// `Name: value` with an HTTP token as name: a header line that is neither Cookie nor
/// Authorization (`Host: ...`, `User-Agent: ...`).
fn is_other_header(line: &str) -> bool {
    line.split_once(':').is_some_and(|(name, _)| {
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// Removes one pair of matching quotes (`'...'` or `"..."`).
fn unquote(s: &str) -> &str {
    for q in ['\'', '"'] {
        if let Some(inner) = s.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

/// Finds the request parts in pasted text.
///
/// - `Cookie: ...` and `Authorization: ...` lines, also as curl `-v` prints them (`> Cookie:
///   ...`) or as "Copy as cURL" writes them (`-H 'cookie: ...'`, `-b '...'`); other header
///   lines, curl's `<` (response) and `*` (info) lines and the request line are skipped.
/// - Without such lines, the text is one value: a token when it has no `=`, else a `Cookie`
///   header (several lines are joined with `; `).
pub fn parse(text: &str) -> Pasted {
    let mut pasted = Pasted::default();
    let mut plain = Vec::new();
    let mut labelled = false;
    for line in text.lines() {
        let mut line = line.trim().trim_end_matches('\\').trim_end();
        if line.starts_with('<') || line.starts_with('*') || line.starts_with("curl ") {
            labelled |= !line.starts_with("curl ");
            continue;
        }
        if let Some(rest) = line.strip_prefix('>') {
            line = rest.trim_start();
        }
        let mut cookie_flag = false;
        for flag in ["-H ", "--header ", "-b ", "--cookie "] {
            if let Some(rest) = line.strip_prefix(flag) {
                cookie_flag = flag.starts_with("-b") || flag.starts_with("--c");
                line = unquote(rest.trim());
                break;
            }
        }
        if cookie_flag {
            labelled = true;
            pasted.cookies.push(line.to_owned());
        } else if let Some(value) = header_value(line, "cookie") {
            labelled = true;
            pasted.cookies.push(value.to_owned());
        } else if let Some(value) = header_value(line, "authorization") {
            labelled = true;
            pasted.authorization.get_or_insert_with(|| value.to_owned());
        } else if is_other_header(line) || line.starts_with('-') {
            labelled = true;
        } else if !line.is_empty() {
            plain.push(line);
        }
    }
    if !labelled && !plain.is_empty() {
        if plain.len() == 1 && !plain[0].contains('=') {
            pasted.token = Some(plain[0].to_owned());
        } else {
            pasted.cookies.push(plain.join("; "));
        }
    }
    pasted
}

/// Up to `keep` leading characters, then `…`, and the length: never a whole value.
pub fn shorten(value: &str) -> String {
    let len = value.chars().count();
    let keep = (len / 3).min(10);
    let head: String = value.chars().take(keep).collect();
    format!("{head}… ({len} chars)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lines_and_traces() {
        let trace = "*   Trying 127.0.0.1:3000...\n\
                     > GET /api/me HTTP/1.1\n\
                     > Host: localhost:3000\n\
                     > Cookie: a=1; authjs.session-token=abc\n\
                     > authorization: Bearer xyz\n\
                     >\n\
                     < HTTP/1.1 401 Unauthorized\n\
                     < set-cookie: x=1\n";
        let p = parse(trace);
        assert_eq!(p.cookies, ["a=1; authjs.session-token=abc"]);
        assert_eq!(p.authorization.as_deref(), Some("Bearer xyz"));
        assert_eq!(p.token, None);

        let p = parse("Cookie: a=1\r\nCOOKIE: b=2\r\n");
        assert_eq!(p.cookies, ["a=1", "b=2"]);
    }

    #[test]
    fn copy_as_curl() {
        let cmd = "curl 'http://localhost:3000/api/me' \\\n  -H 'accept: */*' \\\n  -H 'cookie: a=1; b=2' \\\n  -b \"c=3\" \\\n  --compressed";
        let p = parse(cmd);
        assert_eq!(p.cookies, ["a=1; b=2", "c=3"]);
    }

    #[test]
    fn bare_values() {
        assert_eq!(
            parse("  eyJ.x.y.z.w \n").token.as_deref(),
            Some("eyJ.x.y.z.w")
        );
        let p = parse("a=1; b=2\n");
        assert_eq!((p.cookies, p.token), (vec!["a=1; b=2".to_owned()], None));
        assert_eq!(parse("a=1\nb=2").cookies, ["a=1; b=2"]);
        assert_eq!(parse(""), Pasted::default());
        // `Set-Cookie:` is not `Cookie:`.
        assert!(parse("Set-Cookie: a=1").cookies.is_empty());
    }

    #[test]
    fn shortened_values_never_show_everything() {
        assert_eq!(
            shorten("eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0"),
            "eyJhbGciOi… (39 chars)"
        );
        assert_eq!(shorten("abc"), "a… (3 chars)");
        assert_eq!(shorten(""), "… (0 chars)");
    }
}
