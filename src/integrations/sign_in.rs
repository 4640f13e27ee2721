//! [`SignInPage`]: where the `SignedIn` extractors of the framework integrations send a
//! request without a usable session.

/// The sign-in page the `SignedIn` extractors redirect to. Default `/api/auth/signin`, the page
/// of both next-auth v4 and next-auth v5 (`basePath` `/api/auth`).
///
/// axum (`integrations::axum::SignedIn`): add it to the request extensions, for example with
/// axum's `Extension` layer: `router.layer(Extension(SignInPage::new("/login")))`.
/// actix-web (`integrations::actix::SignedIn`): add it to the app data, as actix-web's own
/// extractor configurations: `App::new().app_data(SignInPage::new("/login"))`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInPage {
    path: String,
}

impl SignInPage {
    /// A sign-in page at `path` (the app's `pages.signIn`), for example `/login`. It may be
    /// absolute (`https://app.example.com/login`) when the service runs on another origin
    /// than the Next.js app.
    pub fn new(path: impl Into<String>) -> Self {
        Self { path: path.into() }
    }

    /// The page's path or URL.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Where an unauthenticated request for `callback` (a path and query) is sent:
    /// `<page>?callbackUrl=<callback>`, the value encoded as `URLSearchParams` does.
    pub fn redirect_url(&self, callback: &str) -> String {
        let separator = if self.path.contains('?') { '&' } else { '?' };
        let mut url = format!("{}{separator}callbackUrl=", self.path);
        form_urlencode(callback, &mut url);
        url
    }
}

impl SignInPage {
    /// The redirect for a request with this `path` and `path_and_query`: `None` for a request
    /// for the sign-in page itself (answered `401`, not redirected in a loop).
    #[cfg_attr(not(feature = "actix"), allow(dead_code))]
    pub(crate) fn redirect_for(&self, path: &str, path_and_query: &str) -> Option<String> {
        (path != self.path).then(|| self.redirect_url(path_and_query))
    }
}

impl Default for SignInPage {
    fn default() -> Self {
        Self::new("/api/auth/signin")
    }
}

/// `application/x-www-form-urlencoded` as the WHATWG URL standard (`URLSearchParams`): ASCII
/// alphanumerics and `*-._` stay, space is `+`, every other byte is `%XX` (upper-case hex).
fn form_urlencode(value: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in value.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0x0f)]));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected values printed by Node 20: `new URLSearchParams({ callbackUrl }).toString()` and
    /// `url.searchParams.append("callbackUrl", "/")` on `/login?lang=en`. The v4 middleware's
    /// own redirects are compared in `tests/axum.rs` and `tests/actix.rs` (fixtures/csrf.json).
    #[test]
    fn redirect_urls() {
        let page = SignInPage::default();
        assert_eq!(
            page.redirect_url("/dashboard?tab=a b&x=é"),
            "/api/auth/signin?callbackUrl=%2Fdashboard%3Ftab%3Da+b%26x%3D%C3%A9"
        );
        assert_eq!(
            SignInPage::new("/login?lang=en").redirect_url("/"),
            "/login?lang=en&callbackUrl=%2F"
        );
    }
}
