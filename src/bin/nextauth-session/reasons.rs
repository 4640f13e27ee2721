//! Why there is no session, and the likely fix: the library's diagnosis
//! ([`nextauth_session::diagnosis::Reason`]) in words, plus the reasons only a comparison of
//! configurations can give (another flavor, salt or cookie name).

use nextauth_session::Flavor;
use nextauth_session::diagnosis::{
    BearerProblem, ChunkState, Diagnosis, Reason as Why, ScannedCookie,
};

use crate::report::Reason;
use crate::settings::{
    Candidate, Match, Request, Settings, ix, kid_owner, label, other, short, variant,
};
use crate::time;

/// Where the examined token came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Cookie,
    Bearer,
    Given,
}

/// Why a token found under the user's settings does not decode.
pub fn explain(c: &Candidate, token: &str, why: &Why, m: Option<&Match>, s: &Settings) -> Reason {
    // Opened under another flavor or salt: that is the reason, whatever the cookies say.
    let decryption = matches!(
        why,
        Why::WrongSecret { .. }
            | Why::Tampered { .. }
            | Why::DuplicateCookie { .. }
            | Why::StaleChunks { .. }
            | Why::Truncated(_)
    );
    if let Some(m) = m.filter(|m| decryption && (m.flavor != c.flavor || m.salt != c.salt(s))) {
        return if m.flavor != c.flavor {
            flavor_reason(c, &m.salt)
        } else {
            salt_reason(c, &m.salt, s)
        };
    }
    match why {
        Why::Quoted => Reason::new(
            "quoted",
            format!("the value of {} is wrapped in double quotes", c.name),
            "remove the quotes: something between the browser and this service (a proxy, a \
             cookie library) quoted the value; Auth.js and NextRequest do not strip them either",
        ),
        Why::BadPercent => Reason::new(
            "bad-percent",
            format!("the value of {} has malformed percent-encoding", c.name),
            "whatever rewrote the cookie broke it: the token is plain base64url and dots, send \
             it unencoded",
        ),
        Why::DuplicateCookie { name, later_opens } => Reason::new(
            "duplicate-cookie",
            format!(
                "{name} appears more than once in the Cookie header; the first occurrence is \
                 read, and it does not decode{}",
                if *later_opens {
                    ", while a later occurrence holds a valid session"
                } else {
                    ""
                }
            ),
            "the browser holds two cookies of that name (set with different Path or Domain \
             attributes, e.g. by an app on a parent domain): delete the stale one; the \
             references also read the first",
        ),
        Why::StaleChunks { valid, chunks } => {
            let stale: Vec<String> = (*valid..*chunks)
                .map(|i| format!("{}.{i}", c.name))
                .collect();
            Reason::new(
                "stale-chunk",
                format!(
                    "the chunks .0 to .{} join into an invalid token, but .0 to .{} alone hold \
                     a session: {} left over from an earlier, longer session",
                    chunks - 1,
                    valid - 1,
                    stale.join(", ")
                ),
                "the Next.js app deletes stale chunks when it rewrites the session (the next \
                 visit to it); or sign out and in, or delete the cookie",
            )
        }
        Why::Truncated(state) => Reason::new(
            "chunk-missing",
            format!(
                "the session cookie {} looks cut short: {}",
                c.name,
                crate::report::chunk_status(state)
            ),
            CHUNK_MISSING_FIX,
        ),
        Why::NotJwe => Reason::new(
            "not-a-token",
            "not an encrypted session token: the value has no JWE structure",
            "the cookie holds something else than a session token (a placeholder, a value from \
             another app on the same domain, a test value): sign in again",
        ),
        Why::SessionId => Reason::new(
            "database-session",
            "not an encrypted session token: the value is an opaque id, as the database session \
             strategy writes",
            "the app stores sessions in its database (session: { strategy: \"database\" }, the \
             default with an adapter): set session: { strategy: \"jwt\" } in the NextAuth / \
             Auth.js config, or look the id up in the adapter's sessions table \
             (nextauth_session::database)",
        ),
        Why::Token(nextauth_session::Error::Unsupported(_))
            if c.flavor == Flavor::V4 && m.is_some_and(|m| m.flavor == Flavor::V5) =>
        {
            flavor_reason(c, m.map(|m| m.salt.as_str()).unwrap_or_default())
        }
        Why::Token(nextauth_session::Error::Unsupported(msg)) => Reason::new(
            "unsupported",
            format!("unsupported token: {msg}"),
            "NextAuth.js / Auth.js never issue this: the app uses a custom jwt.encode, or the \
             value is not a session token",
        ),
        Why::Token(nextauth_session::Error::Malformed(msg)) => Reason::new(
            "malformed",
            format!("malformed token: {msg}"),
            "the value was cut or altered on the way (copy-paste, a proxy, a size limit): copy \
             the whole cookie value, or sign in again",
        ),
        Why::WrongSecret { .. } | Why::Tampered { .. } => match m {
            Some(m) if m.flavor != c.flavor => flavor_reason(c, &m.salt),
            Some(m) => salt_reason(c, &m.salt, s),
            None => wrong_secret(c, token, why, s),
        },
        Why::Token(nextauth_session::Error::Expired { exp, now }) => Reason::new(
            "expired",
            format!(
                "session expired {} (exp {exp} = {}, now {now})",
                time::relative(*exp, *now),
                time::utc(*exp)
            ),
            "sign in again. The Next.js app renews the cookie while the user uses it (maxAge, \
             updateAge); a service that only reads the cookie sees it expire after maxAge \
             without a visit to the app. If the dates look wrong, check this machine's clock",
        ),
        Why::Token(nextauth_session::Error::NotYetValid { nbf, now }) => Reason::new(
            "not-yet-valid",
            format!(
                "session not valid before {} (nbf {nbf}, {}; now {now})",
                time::utc(*nbf),
                time::relative(*nbf, *now)
            ),
            "the clocks of the Next.js server and this machine disagree: synchronize them (NTP)",
        ),
        Why::Token(nextauth_session::Error::InvalidClaims(msg)) => Reason::new(
            "invalid-claims",
            format!("the token decrypts but its claims are unusable: {msg}"),
            "the app's jwt callback or a custom encode writes claims the references reject too \
             (exp, nbf and iat must be numbers)",
        ),
        Why::TooLarge { what, limit } => too_large(what, *limit),
        Why::Token(e) => Reason::new("other", e.to_string(), "see the message"),
        other => Reason::new("other", format!("{other:?}"), "see the message"),
    }
}

const CHUNK_MISSING_FIX: &str = "the browser did not send every chunk: a proxy or server \
     header limit cut the Cookie header, or the browser dropped a cookie (too many or too large \
     for the site). Raise the header limits, keep the session small (fewer claims in the jwt \
     callback), then sign in again";

pub fn too_large(what: &str, limit: usize) -> Reason {
    Reason::new(
        "too-large",
        format!("{what} is larger than the limit of {limit} bytes"),
        "keep the session small (fewer claims in the jwt callback), or raise the decoder's \
         Limits",
    )
}

fn flavor_reason(c: &Candidate, salt: &str) -> Reason {
    let (token, fix) = match c.flavor {
        Flavor::V4 => (
            "an Auth.js v5 token (its key is derived from the cookie name)",
            format!(
                "use {} (--flavor v5); the app writes the cookie {salt}",
                variant(Flavor::V5)
            ),
        ),
        _ => (
            "a NextAuth.js v4 token (its key is derived with an empty salt)",
            format!(
                "use {} (--flavor v4): the app runs next-auth@4",
                variant(Flavor::V4)
            ),
        ),
    };
    Reason::new(
        "flavor",
        format!(
            "decryption failed: this is {token}, but the decoder reads {}",
            label(c.flavor)
        ),
        fix,
    )
}

fn salt_reason(c: &Candidate, salt: &str, s: &Settings) -> Reason {
    let message = format!(
        "decryption failed: the token was encrypted for the cookie name {salt:?} (Auth.js derives \
         the key from the cookie name), but the decoder derives it from {:?}",
        c.salt(s)
    );
    let plain = Flavor::V5.default_cookie_name(false);
    let secure = Flavor::V5.default_cookie_name(true);
    let fix = if salt == secure && c.salt(s) == plain {
        "the app runs behind HTTPS and writes __Secure-authjs.session-token: set secure(true) \
         (--secure) or AUTH_URL to https"
            .to_owned()
    } else if salt == plain && c.salt(s) == secure {
        "the app writes the plain authjs.session-token: set secure(false) (--secure=false) or \
         AUTH_URL to http"
            .to_owned()
    } else {
        format!(
            "set salt({salt:?}) (--salt {salt:?}), or cookie_name to the name the app wrote the \
             token under"
        )
    };
    Reason::new("salt", message, fix)
}

fn wrong_secret(c: &Candidate, token: &str, why: &Why, s: &Settings) -> Reason {
    let secrets = &s.secrets[ix(c.flavor)];
    let sources: Vec<&str> = secrets.iter().map(|x| x.source.as_str()).collect();
    let owner = match why {
        Why::Tampered { secret } => Some((secret + 1, c.salt(s))),
        _ if c.flavor == Flavor::V5 => kid_owner(token, s),
        _ => None,
    };
    if let Some((position, salt)) = owner {
        return Reason::new(
            "tampered",
            format!(
                "decryption failed although the token's kid names secret #{position} ({}) with \
                 salt {salt:?}: the token was modified or cut",
                secrets[position - 1].source
            ),
            "the value was altered on the way (a proxy, copy-paste, chunks of different \
             sessions joined): sign in again",
        );
    }
    let kid_note = if matches!(why, Why::WrongSecret { kid: true }) {
        ", and the token's kid matches none of them"
    } else {
        ""
    };
    Reason::new(
        "wrong-secret",
        format!(
            "decryption failed: none of the {} secret(s) ({}) opens the token, under either \
             flavor and the known salts{kid_note}",
            secrets.len(),
            sources.join(", ")
        ),
        format!(
            "use the secret of the Next.js app (AUTH_SECRET / NEXTAUTH_SECRET, the literal \
             string, never base64-decoded); during a rotation give every secret, current \
             first{}. Tried: {}",
            match c.flavor {
                Flavor::V4 => "; v4 tokens carry no kid, so a modified token looks the same",
                _ => "; with a custom cookie name (the v5 salt) pass --cookie-name",
            },
            c.describe(s)
        ),
    )
}

/// The session cookies of `c` do not form one token.
pub fn chunk_reason(c: &Candidate, d: &Diagnosis, s: &Settings) -> Reason {
    let Err(why) = &d.outcome else {
        return Reason::new("other", "inconsistent session cookies", "see the message");
    };
    let state = match why {
        Why::Chunks(state) => state,
        Why::TooLarge { what, limit } => return too_large(what, *limit),
        other => return Reason::new("other", format!("{other:?}"), "see the message"),
    };
    let status = crate::report::chunk_status(state);
    match state {
        ChunkState::Mixed { .. } => {
            let decoder = c.decoder(s, None).ok();
            let ok = |t: &str| {
                decoder
                    .as_ref()
                    .is_some_and(|d| d.diagnose_token(t).outcome.is_ok())
            };
            let set = d.set.as_ref();
            let unchunked_ok = set
                .and_then(|set| set.unchunked)
                .is_some_and(|pos| ok(&d.cookies[pos].value));
            let chunks_ok = set
                .and_then(|set| set.contiguous(&d.cookies))
                .is_some_and(|v| ok(&v.concat()));
            let which = match (unchunked_ok, chunks_ok) {
                (true, false) => {
                    " The unchunked cookie holds the valid session: the chunks are stale."
                }
                (false, true) => {
                    " The chunks hold the valid session: the unchunked cookie is stale."
                }
                (true, true) => " Both hold a valid session.",
                (false, false) => " Neither holds a valid session.",
            };
            Reason::new(
                "chunk-mixed",
                format!("inconsistent session cookies: {}: {status}", c.name),
                format!(
                    "a cookie of an earlier session survived: sign out and in again, or delete \
                     this site's session cookies.{which}"
                ),
            )
        }
        ChunkState::DuplicateIndex => Reason::new(
            "chunk-duplicate",
            format!(
                "inconsistent session cookies: {}: a chunk index appears twice ({status})",
                c.name
            ),
            "two cookies name the same chunk (such as .0 and .00): delete the stray one",
        ),
        _ => Reason::new(
            "chunk-missing",
            format!("inconsistent session cookies: {}: {status}", c.name),
            CHUNK_MISSING_FIX,
        ),
    }
}

/// A session cookie was found only under a name the user's settings do not read.
pub fn mismatch(found: &Candidate, cands: &[Candidate], s: &Settings) -> Reason {
    let mut looked: Vec<&str> = Vec::new();
    for c in cands.iter().filter(|c| c.consistent) {
        if !looked.contains(&c.name.as_str()) {
            looked.push(&c.name);
        }
    }
    if let Some(custom) = &s.cookie_name {
        return Reason::new(
            "cookie-name",
            format!("found {} but the decoder looks for {custom}", found.name),
            format!(
                "read the name the app writes: cookie_name({:?}) (--cookie-name {}), or no \
                 cookie_name for a default name",
                found.name, found.name
            ),
        );
    }
    if s.flavor.is_some_and(|f| f != found.flavor) {
        return Reason::new(
            "flavor",
            format!(
                "found {} ({}) but the decoder looks for {} ({})",
                found.name,
                label(found.flavor),
                looked.join(" or "),
                label(other(found.flavor))
            ),
            format!(
                "use {} (--flavor {}) for the cookies of {}",
                variant(found.flavor),
                short(found.flavor),
                label(found.flavor)
            ),
        );
    }
    let expected = found.flavor.default_cookie_name(!found.secure);
    let source = s.secure[ix(found.flavor)]
        .as_ref()
        .map_or(String::new(), |(_, src)| {
            format!(" (secure comes from {src})")
        });
    let url = match found.flavor {
        Flavor::V4 => "NEXTAUTH_URL",
        _ => "AUTH_URL",
    };
    let fix = if found.secure {
        format!("set secure(true) (--secure) or {url} to https: the app runs behind HTTPS{source}")
    } else if found.flavor == Flavor::V4 {
        format!("set secure(false) (--secure=false) or {url} to http, with VERCEL unset{source}")
    } else {
        format!("set secure(false) (--secure=false) or {url} to http{source}")
    };
    Reason::new(
        "secure-name",
        format!("found {} but the decoder looks for {expected}", found.name),
        fix,
    )
}

/// No session cookie and no usable Bearer token under the user's settings.
pub fn nothing(
    consistent: &[(&Candidate, &Diagnosis)],
    cookies: &[ScannedCookie],
    req: &Request,
) -> Reason {
    let mut names: Vec<&str> = Vec::new();
    for (c, _) in consistent {
        if !names.contains(&c.name.as_str()) {
            names.push(&c.name);
        }
    }
    if let Some((c, _)) = consistent
        .iter()
        .find(|(_, d)| matches!(d.outcome, Err(Why::EmptyCookie)))
    {
        return Reason::new(
            "empty-cookie",
            format!(
                "the session cookie {} is present but empty (it counts as absent)",
                c.name
            ),
            "the app cleared it (sign-out, or a failed session refresh): sign in again",
        );
    }
    let bearer = consistent.iter().find_map(|(_, d)| match &d.outcome {
        Err(Why::NoCookie { bearer }) => *bearer,
        _ => None,
    });
    if let (Some(problem), Some(auth)) = (bearer, req.authorization.as_deref()) {
        let scheme = auth.split_once(' ').map_or(auth, |(scheme, _)| scheme);
        let (code, message) = match problem {
            BearerProblem::Empty => (
                "bearer-empty",
                "the Authorization header has no token after Bearer".to_owned(),
            ),
            BearerProblem::Spacing => (
                "bearer-spacing",
                "the Authorization header has more than one space after Bearer: the token is \
                 read between the first and the second space"
                    .to_owned(),
            ),
            BearerProblem::SchemeCase => (
                "bearer-scheme-case",
                format!(
                    "the Authorization scheme is {:?}: only \"Bearer\" is read (case-sensitive, \
                     as the references)",
                    scheme
                ),
            ),
            _ => (
                "bearer-scheme",
                format!(
                    "the Authorization header is a {:?} credential, not a Bearer token",
                    scheme
                ),
            ),
        };
        return Reason::new(
            code,
            format!("no session cookie, and {message}"),
            "send `Authorization: Bearer <token>`: the scheme exactly `Bearer`, one space, the \
             session token (the cookie's value, chunks joined)",
        );
    }
    let mut look_alikes: Vec<&str> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for c in cookies {
        if c.name.to_ascii_lowercase().contains("session") && seen.insert(c.name.as_str()) {
            look_alikes.push(&c.name);
        }
    }
    if !look_alikes.is_empty() {
        return Reason::new(
            "look-alike",
            format!(
                "no session cookie: {} only look(s) like one; the decoder reads {} and its chunks \
                 (<name>.0, <name>.1, ...)",
                look_alikes.join(", "),
                names.join(" or ")
            ),
            "if the app writes a custom name (cookies.sessionToken.name), pass it: \
             cookie_name(...) (--cookie-name); otherwise the browser did not send the session \
             cookie",
        );
    }
    Reason::new(
        "no-cookie",
        format!(
            "no session cookie: the request has no cookie named {}, and no Authorization: Bearer \
             token",
            names.join(" or ")
        ),
        "the browser did not send a session: the user is signed out, or the cookie does not \
         reach this service (cookies go only to the host that set them, or its subdomains with \
         a Domain attribute; a cross-origin fetch needs credentials: \"include\"; SameSite=Lax \
         blocks cross-site subrequests). Forward the Cookie header from the Next.js server, or \
         send the token as Authorization: Bearer",
    )
}
