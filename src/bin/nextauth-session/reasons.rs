//! Why there is no session, and the likely fix: one function per kind of failure.

use nextauth_session::{Error, Flavor};
use serde_json::Value;

use crate::diagnose::{
    Candidate, FOREVER, Match, Request, Settings, Via, decoder, describe, header, ix, kid_owner,
    label, opened, other, short, variant,
};
use crate::report::Reason;
use crate::scan::{self, Cookie, Set};
use crate::time;

/// Why a token found under the user's settings does not decode.
pub(crate) fn explain(
    c: &Candidate,
    token: &str,
    via: Via,
    err: &Error,
    m: Option<&Match>,
    cookies: &[Cookie],
    s: &Settings,
) -> Reason {
    let set = Set::of(cookies, &c.name);
    let values: Vec<&Cookie> = set
        .unchunked
        .into_iter()
        .chain(set.chunks.iter().map(|(_, c)| *c))
        .collect();
    let decrypted = m.is_some();
    if via == Via::Cookie && !decrypted {
        if values
            .iter()
            .any(|v| v.value.len() >= 2 && v.value.starts_with('"') && v.value.ends_with('"'))
        {
            return Reason::new(
                "quoted",
                format!("the value of {} is wrapped in double quotes", c.name),
                "remove the quotes: something between the browser and this service (a proxy, a \
                 cookie library) quoted the value; Auth.js and NextRequest do not strip them either",
            );
        }
        if values.iter().any(|v| v.bad_percent) {
            return Reason::new(
                "bad-percent",
                format!("the value of {} has malformed percent-encoding", c.name),
                "whatever rewrote the cookie broke it: the token is plain base64url and dots, \
                 send it unencoded",
            );
        }
        if let Some(reason) = duplicate(c, &set, cookies, s) {
            return reason;
        }
        if set.chunks.len() > 1
            && let Some(reason) = stale_chunk(c, &set, s)
        {
            return reason;
        }
    }
    match err {
        Error::NotJwe if !looks_like_session_id(token) => Reason::new(
            "not-a-token",
            "not an encrypted session token: the value has no JWE structure",
            "the cookie holds something else than a session token (a placeholder, a value from \
             another app on the same domain, a test value): sign in again",
        ),
        Error::NotJwe => Reason::new(
            "database-session",
            "not an encrypted session token: the value is an opaque id, as the database session \
             strategy writes",
            "the app stores sessions in its database (session: { strategy: \"database\" }, the \
             default with an adapter): set session: { strategy: \"jwt\" } in the NextAuth / \
             Auth.js config, or look the id up in the adapter's sessions table",
        ),
        Error::Unsupported(_)
            if c.flavor == Flavor::V4 && m.is_some_and(|m| m.flavor == Flavor::V5) =>
        {
            flavor_reason(c, m.map(|m| m.salt.as_str()).unwrap_or_default())
        }
        Error::Unsupported(msg) => Reason::new(
            "unsupported",
            format!("unsupported token: {msg}"),
            "NextAuth.js / Auth.js never issue this: the app uses a custom jwt.encode, or the \
             value is not a session token",
        ),
        Error::Malformed(msg) => Reason::new(
            "malformed",
            format!("malformed token: {msg}"),
            "the value was cut or altered on the way (copy-paste, a proxy, a size limit): copy \
             the whole cookie value, or sign in again",
        ),
        Error::DecryptionFailed => match m {
            Some(m) if m.flavor != c.flavor => flavor_reason(c, &m.salt),
            Some(m) => salt_reason(c, &m.salt, s),
            None => wrong_secret(c, token, s),
        },
        Error::Expired { exp, now } => Reason::new(
            "expired",
            format!(
                "session expired {} (exp {exp} = {}, now {now})",
                time::relative(*exp, *now),
                time::utc(*exp)
            ),
            "sign in again. The Next.js app renews the cookie while the user uses it (maxAge, \
             updateAge); a service that only reads the cookie sees it expire after maxAge without \
             a visit to the app. If the dates look wrong, check this machine's clock",
        ),
        Error::NotYetValid { nbf, now } => Reason::new(
            "not-yet-valid",
            format!(
                "session not valid before {} (nbf {nbf}, {}; now {now})",
                time::utc(*nbf),
                time::relative(*nbf, *now)
            ),
            "the clocks of the Next.js server and this machine disagree: synchronize them (NTP)",
        ),
        Error::InvalidClaims(msg) => Reason::new(
            "invalid-claims",
            format!("the token decrypts but its claims are unusable: {msg}"),
            "the app's jwt callback or a custom encode writes claims the references reject too \
             (exp, nbf and iat must be numbers)",
        ),
        Error::TooLarge { .. } => Reason::new(
            "too-large",
            err.to_string(),
            "keep the session small (fewer claims in the jwt callback), or raise the decoder's \
             Limits",
        ),
        other => Reason::new("other", other.to_string(), "see the message"),
    }
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

fn wrong_secret(c: &Candidate, token: &str, s: &Settings) -> Reason {
    let secrets = &s.secrets[ix(c.flavor)];
    let sources: Vec<&str> = secrets.iter().map(|x| x.source.as_str()).collect();
    let kid = header(token)
        .ok()
        .and_then(|h| h.get("kid").and_then(Value::as_str).map(str::to_owned));
    if let Some(kid) = kid.as_deref().filter(|_| c.flavor == Flavor::V5)
        && let Some((position, salt)) = kid_owner(kid, s)
    {
        return Reason::new(
            "tampered",
            format!(
                "decryption failed although the token's kid names secret #{position} ({}) \
                 with salt {salt:?}: the token was modified or cut",
                secrets[position - 1].source
            ),
            "the value was altered on the way (a proxy, copy-paste, chunks of different \
             sessions joined): sign in again",
        );
    }
    let kid_note = if kid.is_some() && c.flavor == Flavor::V5 {
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
            "use the secret of the Next.js app (AUTH_SECRET / NEXTAUTH_SECRET, the literal string, \
             never base64-decoded); during a rotation give every secret, current first{}. \
             Tried: {}",
            match c.flavor {
                Flavor::V4 => "; v4 tokens carry no kid, so a modified token looks the same",
                _ => "; with a custom cookie name (the v5 salt) pass --cookie-name",
            },
            describe(c, s)
        ),
    )
}

/// What the references' database strategy writes as the cookie: `crypto.randomUUID()`, or
/// (next-auth@4 without `randomUUID`) 32 random bytes in hex.
fn looks_like_session_id(value: &str) -> bool {
    let hex = |s: &str| s.bytes().all(|b| b.is_ascii_hexdigit());
    let uuid = value.len() == 36
        && value.split('-').map(str::len).eq([8, 4, 4, 4, 12])
        && hex(&value.replace('-', ""));
    uuid || (value.len() == 64 && hex(value))
}

/// A session cookie name that appears twice in the header: the first occurrence is read. When
/// the token does not decode, say so, and whether the ignored occurrence would.
fn duplicate(c: &Candidate, set: &Set, cookies: &[Cookie], s: &Settings) -> Option<Reason> {
    let dups: Vec<&Cookie> = cookies
        .iter()
        .filter(|k| {
            k.duplicate && (k.name == c.name || scan::chunk_index(&k.name, &c.name).is_some())
        })
        .collect();
    let first = dups.first()?;
    let d = decoder(
        c.flavor,
        &c.name,
        &c.salt(s),
        &s.secrets[ix(c.flavor)],
        s.now,
        Some(FOREVER),
    )
    .ok()?;
    // The token with one duplicate read instead of the first occurrence.
    let alternative = |dup: &Cookie| -> Option<String> {
        if dup.name == c.name {
            return Some(dup.value.clone());
        }
        let index = scan::chunk_index(&dup.name, &c.name)?;
        let mut values: Vec<&str> = set.contiguous()?;
        *values.get_mut(index)? = &dup.value;
        Some(values.concat())
    };
    let works = dups
        .iter()
        .find(|dup| alternative(dup).is_some_and(|t| opened(&d.decode::<Value>(&t))));
    let message = format!(
        "{} appears more than once in the Cookie header; the first occurrence is read, and it \
         does not decode{}",
        first.name,
        if works.is_some() {
            ", while a later occurrence holds a valid session"
        } else {
            ""
        }
    );
    Some(Reason::new(
        "duplicate-cookie",
        message,
        "the browser holds two cookies of that name (set with different Path or Domain \
         attributes, e.g. by an app on a parent domain): delete the stale one; the references \
         also read the first",
    ))
}

/// A chunked token that does not decode, while its first chunks alone do: stale chunks of
/// an older, longer session follow.
fn stale_chunk(c: &Candidate, set: &Set, s: &Settings) -> Option<Reason> {
    let values = set.contiguous()?;
    let d = decoder(
        c.flavor,
        &c.name,
        &c.salt(s),
        &s.secrets[ix(c.flavor)],
        s.now,
        Some(FOREVER),
    )
    .ok()?;
    let k = (1..values.len())
        .rev()
        .find(|k| opened(&d.decode::<Value>(&values[..*k].concat())))?;
    let stale: Vec<String> = (k..values.len())
        .map(|i| format!("{}.{i}", c.name))
        .collect();
    Some(Reason::new(
        "stale-chunk",
        format!(
            "the chunks .0 to .{} join into an invalid token, but .0 to .{} alone hold a session: \
             {} left over from an earlier, longer session",
            values.len() - 1,
            k - 1,
            stale.join(", ")
        ),
        "the Next.js app deletes stale chunks when it rewrites the session (the next visit to \
         it); or sign out and in, or delete the cookie",
    ))
}

pub(crate) fn chunk_reason(c: &Candidate, e: &Error, cookies: &[Cookie], s: &Settings) -> Reason {
    let set = Set::of(cookies, &c.name);
    let (status, _) = set.describe();
    match e {
        Error::InconsistentChunks(what) if what.contains("missing") => Reason::new(
            "chunk-missing",
            format!("inconsistent session cookies: {}: {status}", c.name),
            "the browser did not send every chunk: a proxy or server header limit cut the Cookie \
             header, or the browser dropped a cookie (too many or too large for the site). Raise \
             the header limits, keep the session small (fewer claims in the jwt callback), then \
             sign in again",
        ),
        Error::InconsistentChunks(what) if what.contains("unchunked") => {
            let d = decoder(
                c.flavor,
                &c.name,
                &c.salt(s),
                &s.secrets[ix(c.flavor)],
                s.now,
                None,
            )
            .ok();
            let ok = |t: &str| d.as_ref().is_some_and(|d| d.decode::<Value>(t).is_ok());
            let which = match (
                set.unchunked.is_some_and(|u| ok(&u.value)),
                set.contiguous().is_some_and(|v| ok(&v.concat())),
            ) {
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
        Error::InconsistentChunks(_) => Reason::new(
            "chunk-duplicate",
            format!(
                "inconsistent session cookies: {}: a chunk index appears twice ({status})",
                c.name
            ),
            "two cookies name the same chunk (such as .0 and .00): delete the stray one",
        ),
        Error::TooLarge { .. } => Reason::new(
            "too-large",
            e.to_string(),
            "keep the session small (fewer claims in the jwt callback), or raise the decoder's \
             Limits",
        ),
        other => Reason::new("other", other.to_string(), "see the message"),
    }
}

/// A session cookie was found only under a name the user's settings do not read.
pub(crate) fn mismatch(found: &Candidate, cands: &[Candidate], s: &Settings) -> Reason {
    let looked: Vec<&str> = cands
        .iter()
        .filter(|c| c.consistent)
        .map(|c| c.name.as_str())
        .fold(Vec::new(), |mut v, n| {
            if !v.contains(&n) {
                v.push(n);
            }
            v
        });
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
pub(crate) fn nothing(cands: &[Candidate], cookies: &[Cookie], req: &Request) -> Reason {
    let consistent: Vec<&Candidate> = cands.iter().filter(|c| c.consistent).collect();
    let names: Vec<&str> = consistent.iter().map(|c| c.name.as_str()).collect();
    if let Some(c) = consistent
        .iter()
        .find(|c| Set::of(cookies, &c.name).is_present())
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
    if let Some(auth) = req.authorization.as_deref() {
        let (scheme, rest) = auth.split_once(' ').unwrap_or((auth, ""));
        let fix = "send `Authorization: Bearer <token>`: the scheme exactly `Bearer`, one space, \
                   the session token (the cookie's value, chunks joined)";
        let reason = if scheme == "Bearer" && rest.is_empty() {
            Some((
                "bearer-empty",
                "the Authorization header has no token after Bearer".to_owned(),
            ))
        } else if scheme == "Bearer" && rest.starts_with(' ') {
            Some((
                "bearer-spacing",
                "the Authorization header has more than one space after Bearer: the token is \
                 read between the first and the second space"
                    .to_owned(),
            ))
        } else if scheme.eq_ignore_ascii_case("bearer") {
            Some((
                "bearer-scheme-case",
                format!(
                    "the Authorization scheme is {scheme:?}: only \"Bearer\" is read (case-sensitive, as the references)"
                ),
            ))
        } else if scheme != "Bearer" {
            Some((
                "bearer-scheme",
                format!("the Authorization header is a {scheme:?} credential, not a Bearer token"),
            ))
        } else {
            None
        };
        if let Some((code, message)) = reason {
            return Reason::new(code, format!("no session cookie, and {message}"), fix);
        }
    }
    let look_alikes: Vec<&str> = cookies
        .iter()
        .filter(|c| c.name.to_ascii_lowercase().contains("session"))
        .map(|c| c.name.as_str())
        .collect();
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
         reach this service (cookies go only to the host that set them, or its subdomains with a \
         Domain attribute; a cross-origin fetch needs credentials: \"include\"; SameSite=Lax \
         blocks cross-site subrequests). Forward the Cookie header from the Next.js server, or \
         send the token as Authorization: Bearer",
    )
}
