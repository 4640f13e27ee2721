//! The `Set-Cookie` headers that carry a session, as the references' `SessionStore` writes
//! them (`next-auth/core/lib/cookie.js`, `@auth/core/lib/utils/cookie.js`).
//!
//! - A token of at most one chunk (3933 characters in v4, 3936 in v5) is one cookie under the
//!   session name; a longer one is `<name>.0`, `<name>.1`, ... of one chunk each.
//! - Every cookie of the current request whose name starts with the session name and that is
//!   not rewritten is expired (`SessionStore#clean`): stale chunks, the unchunked cookie when
//!   switching to chunks, and, as the references do, look-alikes such as `<name>.bak`, which a
//!   Next.js app would otherwise glue into its token. Only names that are RFC 6265 tokens
//!   are echoed (no header or attribute injection), at most `max_chunks + 1` of them, and a
//!   `Cookie` header over the decoder's `max_header_len` is not read ([`Limits`](crate::Limits)).
//! - Attributes are the references' session cookie options: `Path=/`, `HttpOnly`,
//!   `SameSite=Lax`, `Secure` for the secure name, `Expires` = now + max age. A deletion is the
//!   name with an empty value and `Max-Age=0` and the same attributes.

use cookie::time::OffsetDateTime;
use cookie::{Cookie, SameSite};

use crate::authjs::encoder::Encoder;
use crate::authjs::flavor::Flavor;
use crate::request::cookies::{is_token, pairs};

impl Encoder {
    /// The `Set-Cookie` header values that store `token` (from [`encode`](Self::encode)) in
    /// the browser, one per cookie, exactly as the reference would write them after a sign-in
    /// or a session refresh.
    ///
    /// `current_cookie_header` is the `Cookie` header of the request being answered (or `None`):
    /// session cookies it holds that the new token does not overwrite are expired, as the
    /// references' `SessionStore` does, so that the browser never keeps a stale chunk next to
    /// the new ones. Rewritten cookies come first, in the order the request listed them, then
    /// the new ones. The request's cookie names are read as by
    /// [`clear_cookies`](Self::clear_cookies): tokens only, bounded by the limits.
    ///
    /// Values are percent-encoded like `encodeURIComponent` (a no-op for tokens, which are
    /// base64url and dots). Chunks are counted in characters. An empty token sets nothing (as
    /// in the references) and only expires the current session cookies.
    pub fn set_cookies(&self, token: &str, current_cookie_header: Option<&str>) -> Vec<String> {
        let mut cookies: Vec<(String, Option<&str>)> = self
            .current_session_cookies(current_cookie_header)
            .into_iter()
            .map(|name| (name.to_owned(), None))
            .collect();
        for (name, value) in self.chunks(token) {
            match cookies.iter_mut().find(|(seen, _)| *seen == name) {
                Some(slot) => slot.1 = Some(value),
                None => cookies.push((name, Some(value))),
            }
        }
        let expires = self.expires();
        cookies
            .iter()
            .map(|(name, value)| self.render(name, *value, expires))
            .collect()
    }

    /// The `Set-Cookie` header values that end the session (sign-out): every session cookie
    /// in `current_cookie_header` (the request's `Cookie` header), expired, as the references'
    /// `SessionStore#clean` does. Nothing is returned when the request carries no session
    /// cookie. Names that are not RFC 6265 tokens are never echoed, at most
    /// `max_chunks + 1` cookies are expired, and a header longer than `max_header_len` is not
    /// read (the decoder's [`Limits`](crate::Limits)).
    pub fn clear_cookies(&self, current_cookie_header: Option<&str>) -> Vec<String> {
        let expires = self.expires();
        self.current_session_cookies(current_cookie_header)
            .into_iter()
            .map(|name| self.render(name, None, expires))
            .collect()
    }

    /// The `Cookie` request header a browser sends after storing `token` with
    /// [`set_cookies`](Self::set_cookies): `name=value`, or `name.0=...; name.1=...` for a
    /// chunked token. For tests of HTTP handlers that need a signed-in request.
    pub fn cookie_header(&self, token: &str) -> String {
        self.chunks(token)
            .into_iter()
            .map(|(name, value)| format!("{name}={}", encode_uri_component(value)))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// `SessionStore#chunk`: `ceil(len / size)` pieces; exactly one keeps the plain name.
    fn chunks<'t>(&self, token: &'t str) -> Vec<(String, &'t str)> {
        let name = self.decoder().cookie_name();
        let size = self.decoder().flavor().chunk_size();
        let mut pieces = Vec::new();
        let mut rest = token;
        while !rest.is_empty() {
            let end = rest.char_indices().nth(size).map_or(rest.len(), |(i, _)| i);
            let (piece, tail) = rest.split_at(end);
            pieces.push(piece);
            rest = tail;
        }
        match pieces.as_slice() {
            [one] => vec![(name.to_owned(), *one)],
            _ => pieces
                .into_iter()
                .enumerate()
                .map(|(i, piece)| (format!("{name}.{i}"), piece))
                .collect(),
        }
    }

    /// The names the references' `SessionStore` collects from a request: every cookie whose
    /// name starts with the session name, first occurrence only, in header order. v5 skips
    /// empty values; v4 keeps them.
    ///
    /// Bounded by the decoder's [`Limits`](crate::Limits), so a hostile request cannot make
    /// the response large: a header longer than `max_header_len` is not read (the decoder
    /// refuses that request too), and at most `max_chunks + 1` names are collected (every
    /// chunk and the unchunked name), so the scan is linear. Only names that are RFC 6265
    /// tokens are collected: they are copied into `Set-Cookie` values, where a `;`, `,`,
    /// space, quote or control character (CR LF) would inject an attribute or a header.
    /// (The references' serializers throw on such names instead.)
    fn current_session_cookies<'h>(&self, header: Option<&'h str>) -> Vec<&'h str> {
        let session_name = self.decoder().cookie_name();
        let keep_empty = self.decoder().flavor() == Flavor::V4;
        let (_, _, limits) = self.decoder().encoder_parts();
        let Some(header) = header.filter(|h| h.len() <= limits.max_header_len) else {
            return Vec::new();
        };
        let most = limits.max_chunks.saturating_add(1);
        let mut names: Vec<&str> = Vec::new();
        for (name, value) in pairs(header) {
            if names.len() == most {
                break;
            }
            // `is_token` last: the other tests are cheaper and usually decide.
            if name.starts_with(session_name)
                && (keep_empty || !value.is_empty())
                && !names.contains(&name)
                && is_token(name)
            {
                names.push(name);
            }
        }
        names
    }

    /// `Expires` of the cookies: now + max age, clamped to the dates the `time` crate can
    /// represent (years -9999..=9999).
    fn expires(&self) -> OffsetDateTime {
        let at = self.expires_at(self.now());
        OffsetDateTime::from_unix_timestamp(at).unwrap_or(if at < 0 {
            OffsetDateTime::new_utc(cookie::time::Date::MIN, cookie::time::Time::MIDNIGHT)
        } else {
            OffsetDateTime::new_utc(cookie::time::Date::MAX, cookie::time::Time::MAX)
                .replace_nanosecond(0)
                .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        })
    }

    /// One `Set-Cookie` value; `None` is a deletion (empty value, `Max-Age=0`).
    fn render(&self, name: &str, value: Option<&str>, expires: OffsetDateTime) -> String {
        let mut cookie = Cookie::new(name, value.map(encode_uri_component).unwrap_or_default());
        cookie.set_path("/");
        cookie.set_http_only(true);
        cookie.set_same_site(SameSite::Lax);
        if self.is_secure() {
            cookie.set_secure(true);
        }
        match value {
            Some(_) => cookie.set_expires(expires),
            None => cookie.set_max_age(cookie::time::Duration::ZERO),
        }
        cookie.to_string()
    }
}

/// JavaScript's `encodeURIComponent`, which the references' cookie serializers apply to values.
fn encode_uri_component(s: &str) -> String {
    const KEEP: &[u8] = b"-_.!~*'()";
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || KEEP.contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Decoder;

    const NOW: i64 = 1_750_000_000;

    fn encoder(flavor: Flavor, secure: bool) -> Encoder {
        Decoder::builder(flavor)
            .secret("set-cookie unit test secret")
            .secure(secure)
            .fixed_time(NOW)
            .build()
            .unwrap()
            .encoder()
    }

    #[test]
    fn one_cookie_with_the_reference_attributes() {
        let enc = encoder(Flavor::V5, false);
        assert_eq!(
            enc.set_cookies("a.b", None),
            [
                "authjs.session-token=a.b; HttpOnly; SameSite=Lax; Path=/; Expires=Tue, 15 Jul 2025 15:06:40 GMT"
            ]
        );
        let enc = encoder(Flavor::V4, true).max_age(std::time::Duration::from_secs(60));
        assert_eq!(
            enc.set_cookies("a.b", None),
            [
                "__Secure-next-auth.session-token=a.b; HttpOnly; SameSite=Lax; Secure; Path=/; Expires=Sun, 15 Jun 2025 15:07:40 GMT"
            ]
        );
    }

    #[test]
    fn chunk_boundaries() {
        for (flavor, size) in [(Flavor::V4, 3933), (Flavor::V5, 3936)] {
            let enc = encoder(flavor, false);
            let name = enc.decoder().cookie_name().to_owned();
            for (len, count) in [
                (1, 1),
                (size - 1, 1),
                (size, 1),
                (size + 1, 2),
                (2 * size, 2),
                (2 * size + 1, 3),
                (11 * size, 11),
            ] {
                let token = "x".repeat(len);
                let set = enc.set_cookies(&token, None);
                assert_eq!(set.len(), count, "{flavor:?} {len}");
                if count == 1 {
                    assert!(set[0].starts_with(&format!("{name}=")));
                } else {
                    for (i, c) in set.iter().enumerate() {
                        assert!(c.starts_with(&format!("{name}.{i}=")), "{c}");
                    }
                }
                let joined: String = enc
                    .cookie_header(&token)
                    .split("; ")
                    .map(|p| p.split_once('=').unwrap().1)
                    .collect();
                assert_eq!(joined, token);
            }
        }
    }

    #[test]
    fn stale_cookies_are_expired() {
        let enc = encoder(Flavor::V5, true);
        let n = "__Secure-authjs.session-token";
        let current = format!("a=1; {n}.2=z; {n}=old; {n}.0=y; {n}.bak=q; {n}.2=dup; {n}.3=");
        let set = enc.set_cookies("new", Some(&current));
        let names: Vec<&str> = set.iter().map(|c| c.split('=').next().unwrap()).collect();
        assert_eq!(
            names,
            [
                format!("{n}.2"),
                n.to_owned(),
                format!("{n}.0"),
                format!("{n}.bak")
            ]
        );
        assert_eq!(
            set[0],
            format!("{n}.2=; HttpOnly; SameSite=Lax; Secure; Path=/; Max-Age=0")
        );
        assert!(set[1].starts_with(&format!("{n}=new; ")));
        // v4 also expires empty-valued cookies.
        let v4 = encoder(Flavor::V4, false);
        let cleared = v4.clear_cookies(Some(
            "next-auth.session-token.0=; next-auth.session-token.1=b",
        ));
        assert_eq!(
            cleared,
            [
                "next-auth.session-token.0=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0",
                "next-auth.session-token.1=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0"
            ]
        );
        assert!(v4.clear_cookies(None).is_empty());
        assert!(v4.set_cookies("", None).is_empty());
    }

    #[test]
    fn values_are_encoded_like_encode_uri_component() {
        assert_eq!(encode_uri_component("aZ09-_.!~*'()"), "aZ09-_.!~*'()");
        assert_eq!(encode_uri_component("a b;c=€"), "a%20b%3Bc%3D%E2%82%AC");
        // Chunks count characters, so a multi-byte character is never split.
        let enc = encoder(Flavor::V4, false);
        let token = "€".repeat(3934);
        let set = enc.set_cookies(&token, None);
        assert_eq!(set.len(), 2);
    }

    /// Only RFC 6265 token names are echoed into `Set-Cookie`: a name carrying CR LF, `;`,
    /// `,`, a space, a quote or a control character would inject a header or an attribute.
    #[test]
    fn only_token_names_are_echoed() {
        let enc = encoder(Flavor::V5, false);
        let n = "authjs.session-token";
        let hostile = [
            format!("{n}\r\nSet-Cookie: pwn=1"),
            format!("{n}.0,x"),
            format!("{n} x"),
            format!("{n}\"x"),
            format!("{n}\u{1}"),
            format!("{n}\u{7f}"),
            format!("{n}é"),
            format!("{n}(1)"),
        ];
        let mut header = format!("{n}.1=a");
        for name in &hostile {
            header.push_str(&format!("; {name}=v"));
        }
        for set in [
            enc.clear_cookies(Some(&header)),
            enc.set_cookies("new", Some(&header)),
        ] {
            assert!(!set.is_empty());
            for cookie in &set {
                let name = cookie.split_once('=').unwrap().0;
                assert!(crate::request::cookies::is_token(name), "{cookie:?}");
                // (`Expires` holds the only comma, in its date.)
                assert!(
                    !cookie.contains(['\r', '\n', '"', '\u{1}', '\u{7f}']),
                    "{cookie:?}"
                );
                assert!(!cookie.contains("pwn"), "{cookie:?}");
            }
        }
        assert_eq!(
            enc.clear_cookies(Some(&header)),
            [format!("{n}.1=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0")]
        );
    }

    /// Look-alike names are bounded by the request limits: at most `max_chunks + 1` names
    /// (the chunks and the unchunked name) are expired, and a header over `max_header_len`
    /// is not read at all (the decoder refuses such a request too).
    #[test]
    fn look_alike_floods_are_bounded() {
        let enc = encoder(Flavor::V5, false);
        let limits = crate::Limits::default();
        let n = "authjs.session-token";
        // 9,000 distinct look-alikes, under the header limit.
        let header: String = (0..9_000).map(|i| format!("{n}{i}=v;")).collect();
        assert!(header.len() <= limits.max_header_len);
        let cleared = enc.clear_cookies(Some(&header));
        assert_eq!(cleared.len(), limits.max_chunks + 1);
        assert_eq!(
            cleared[0],
            format!("{n}0=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0")
        );
        let set = enc.set_cookies("new", Some(&header));
        assert_eq!(set.len(), limits.max_chunks + 2);
        assert!(set.last().unwrap().starts_with(&format!("{n}=new; ")));
        // One copy of a name, however often it is repeated.
        let repeated = format!("{n}.0=v; ").repeat(10_000);
        assert_eq!(enc.clear_cookies(Some(&repeated)).len(), 1);
        // Over the header limit: nothing is read, only the new cookie is written.
        let huge = format!("{n}.0=v; {}", "x".repeat(limits.max_header_len));
        assert!(enc.clear_cookies(Some(&huge)).is_empty());
        assert_eq!(enc.set_cookies("new", Some(&huge)).len(), 1);
        let small = Decoder::builder(Flavor::V5)
            .secret("set-cookie unit test secret")
            .limits(crate::Limits {
                max_chunks: 2,
                ..limits
            })
            .build()
            .unwrap()
            .encoder();
        assert_eq!(
            small
                .clear_cookies(Some(&format!("{n}.0=a; {n}.1=b; {n}.2=c; {n}=d")))
                .len(),
            3
        );
    }

    #[test]
    fn expires_is_clamped() {
        let enc = encoder(Flavor::V5, false).max_age(std::time::Duration::MAX);
        assert!(enc.set_cookies("t", None)[0].ends_with("Expires=Fri, 31 Dec 9999 23:59:59 GMT"));
    }
}
