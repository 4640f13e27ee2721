//! `inspect`: looks for the session the way the decoder does, under every configuration that
//! could apply (both flavors, plain and `__Secure-` names, a custom name), and explains the
//! outcome for the configuration the user's service has.
//!
//! Everything goes through the library's public API: `Decoder::raw_token` and `session` find
//! the token, `decode` opens it, single-secret decoders tell which secret (by position) and
//! which salt opens it, `key_ids` compares `kid`s, a huge clock tolerance reads the claims of
//! an expired session. Unlike a service, the tool may say WHY decryption failed: it holds the
//! secrets, so there is no oracle to protect.

use std::time::Duration;

use nextauth_session::{Decoder, Error, Flavor};
use serde::de::IgnoredAny;
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use crate::input::shorten;
use crate::reasons::{chunk_reason, explain, mismatch, nothing};
use crate::report::{Reason, Report, SecretLine, SetLine, TimeLine, TokenLine};
use crate::scan::{self, Cookie, Known, Set};
use crate::time;

/// A configured secret and where it came from (printed; the secret never is).
pub struct NamedSecret {
    /// The secret.
    pub value: Zeroizing<String>,
    /// `--secret #1`, `AUTH_SECRET`, ...
    pub source: String,
}

/// The decoder settings of the user's service, as far as they are known.
pub struct Settings {
    /// `None`: try both.
    pub flavor: Option<Flavor>,
    /// Per flavor (`[v4, v5]`): the expected `secure` and where it comes from; `None`: try both.
    pub secure: [Option<(bool, String)>; 2],
    /// A custom session cookie name.
    pub cookie_name: Option<String>,
    /// A custom HKDF salt.
    pub salt: Option<String>,
    /// Per flavor (`[v4, v5]`), current first; both empty or both non-empty.
    pub secrets: [Vec<NamedSecret>; 2],
    /// Unix seconds.
    pub now: i64,
}

/// The request parts to inspect.
pub struct Request {
    /// `Cookie` header lines.
    pub cookies: Vec<String>,
    /// The `Authorization` header.
    pub authorization: Option<String>,
    /// A token given directly.
    pub token: Option<String>,
}

pub(crate) const FOREVER: Duration = Duration::from_secs(i64::MAX as u64);

pub(crate) fn ix(f: Flavor) -> usize {
    match f {
        Flavor::V4 => 0,
        _ => 1,
    }
}

pub(crate) fn short(f: Flavor) -> &'static str {
    match f {
        Flavor::V4 => "v4",
        _ => "v5",
    }
}

pub(crate) fn label(f: Flavor) -> &'static str {
    match f {
        Flavor::V4 => "NextAuth.js v4",
        _ => "Auth.js v5",
    }
}

pub(crate) fn variant(f: Flavor) -> &'static str {
    match f {
        Flavor::V4 => "Flavor::V4",
        _ => "Flavor::V5",
    }
}

pub(crate) fn other(f: Flavor) -> Flavor {
    match f {
        Flavor::V4 => Flavor::V5,
        _ => Flavor::V4,
    }
}

/// One configuration to try.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub(crate) flavor: Flavor,
    pub(crate) name: String,
    pub(crate) secure: bool,
    pub(crate) custom: bool,
    /// Matches the settings the user gave (or could be the user's, when they gave none).
    pub(crate) consistent: bool,
}

impl Candidate {
    pub(crate) fn salt(&self, s: &Settings) -> String {
        match (&s.salt, self.consistent) {
            (Some(salt), true) => salt.clone(),
            _ if self.flavor == Flavor::V4 => String::new(),
            _ => self.name.clone(),
        }
    }

    /// The builder calls that configure this candidate.
    pub(crate) fn config(&self, s: &Settings) -> String {
        let mut out = format!("Decoder::builder({})", variant(self.flavor));
        if self.custom {
            out.push_str(&format!(".cookie_name({:?})", self.name));
        } else {
            out.push_str(&format!(".secure({})", self.secure));
        }
        let salt = self.salt(s);
        let default_salt = if self.flavor == Flavor::V4 {
            ""
        } else {
            self.name.as_str()
        };
        if salt != default_salt {
            out.push_str(&format!(".salt({salt:?})"));
        }
        out
    }
}

fn candidates(s: &Settings) -> Vec<Candidate> {
    let flavor_ok = |f: Flavor| s.flavor.is_none_or(|e| e == f);
    let mut out = Vec::new();
    if let Some(name) = &s.cookie_name {
        for f in [Flavor::V4, Flavor::V5] {
            let secure = s.secure[ix(f)]
                .as_ref()
                .map_or(name.starts_with("__Secure-"), |(b, _)| *b);
            out.push(Candidate {
                flavor: f,
                name: name.clone(),
                secure,
                custom: true,
                consistent: flavor_ok(f),
            });
        }
    }
    for f in [Flavor::V4, Flavor::V5] {
        for secure in [false, true] {
            let name = f.default_cookie_name(secure);
            if s.cookie_name.as_deref() == Some(name) {
                continue;
            }
            let secure_ok = s.secure[ix(f)].as_ref().is_none_or(|(e, _)| *e == secure);
            out.push(Candidate {
                flavor: f,
                name: name.to_owned(),
                secure,
                custom: false,
                consistent: s.cookie_name.is_none() && flavor_ok(f) && secure_ok,
            });
        }
    }
    out.sort_by_key(|c| !c.consistent);
    out
}

pub(crate) fn decoder(
    flavor: Flavor,
    name: &str,
    salt: &str,
    secrets: &[NamedSecret],
    now: i64,
    tolerance: Option<Duration>,
) -> Result<Decoder, Error> {
    let mut b = Decoder::builder(flavor)
        .cookie_name(name)
        .salt(salt)
        .fixed_time(now);
    for s in secrets {
        b = b.secret(s.value.as_str());
    }
    if let Some(t) = tolerance {
        b = b.clock_tolerance(t);
    }
    b.build()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Via {
    Cookie,
    Bearer,
    Given,
}

enum Found {
    Token(String, Via),
    CookieError(Error),
    BearerError,
    Nothing,
}

/// Finds the token as the decoder would, without decrypting (a placeholder secret: finding
/// needs no key).
fn find(c: &Candidate, req: &Request) -> Result<Found, Error> {
    if let Some(t) = &req.token {
        return Ok(Found::Token(t.clone(), Via::Given));
    }
    let d = Decoder::builder(c.flavor)
        .secret("placeholder")
        .cookie_name(&c.name)
        .build()?;
    let joined = (!req.cookies.is_empty()).then(|| req.cookies.join("; "));
    let cookie = joined.as_deref();
    if let Some(t) = d.raw_token(cookie, None) {
        return Ok(Found::Token(t, Via::Cookie));
    }
    if let Err(e) = d.session::<IgnoredAny>(cookie, None) {
        return Ok(Found::CookieError(e));
    }
    let auth = req.authorization.as_deref();
    if let Some(t) = d.raw_token(None, auth) {
        return Ok(Found::Token(t, Via::Bearer));
    }
    Ok(match d.session::<IgnoredAny>(None, auth) {
        Err(_) => Found::BearerError,
        Ok(_) => Found::Nothing,
    })
}

/// The key was right: the token decrypted, whatever the claims checks said.
pub(crate) fn opened(r: &Result<Value, Error>) -> bool {
    matches!(
        r,
        Ok(_)
            | Err(Error::Expired { .. }
                | Error::NotYetValid { .. }
                | Error::InvalidClaims(_)
                | Error::ClaimsType { .. })
    )
}

/// How far decoding got: the deeper, the likelier the configuration is the right one.
fn depth(r: &Result<Value, Error>) -> u8 {
    match r {
        Ok(_) => 10,
        _ if opened(r) => 8,
        Err(Error::DecryptionFailed) => 5,
        Err(Error::Unsupported(_)) => 4,
        Err(Error::Malformed(_)) => 3,
        Err(Error::NotJwe) => 2,
        Err(_) => 1,
    }
}

/// A secret and key derivation that opens a token.
pub(crate) struct Match {
    pub(crate) flavor: Flavor,
    pub(crate) salt: String,
    pub(crate) position: usize,
    /// Decoded with an unbounded clock tolerance, so an expired session shows its claims.
    pub(crate) claims: Result<Value, Error>,
}

pub(crate) fn header(token: &str) -> Result<Map<String, Value>, &'static str> {
    let part = token.split('.').next().unwrap_or_default();
    let bytes = base64_simd::URL_SAFE_NO_PAD
        .decode_to_vec(part)
        .map_err(|_| "the first part is not unpadded base64url")?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err("the first part is not a JSON object"),
    }
}

/// Salts worth trying for a flavor: the configured one, then the defaults.
fn salts(f: Flavor, s: &Settings) -> Vec<String> {
    let mut out: Vec<String> = s.salt.iter().cloned().collect();
    match f {
        Flavor::V4 => out.push(String::new()),
        _ => {
            out.extend(s.cookie_name.iter().cloned());
            for g in [Flavor::V5, Flavor::V4] {
                for secure in [false, true] {
                    out.push(g.default_cookie_name(secure).to_owned());
                }
            }
        }
    }
    let mut seen = Vec::new();
    out.retain(|x| {
        let new = !seen.contains(x);
        seen.push(x.clone());
        new
    });
    out
}

/// Tries every secret under the candidate's own key derivation first, then under the other
/// salts and the other flavor.
fn open_any(token: &str, c: &Candidate, s: &Settings) -> Option<Match> {
    let mut tries = vec![(c.flavor, c.salt(s))];
    for f in [c.flavor, other(c.flavor)] {
        for salt in salts(f, s) {
            if !tries.contains(&(f, salt.clone())) {
                tries.push((f, salt));
            }
        }
    }
    for (f, salt) in tries {
        for (i, secret) in s.secrets[ix(f)].iter().enumerate() {
            let name = if salt.is_empty() { &c.name } else { &salt };
            let Ok(d) = decoder(
                f,
                name,
                &salt,
                std::slice::from_ref(secret),
                s.now,
                Some(FOREVER),
            ) else {
                continue;
            };
            let r = d.decode::<Value>(token);
            if opened(&r) {
                return Some(Match {
                    flavor: f,
                    salt,
                    position: i + 1,
                    claims: r,
                });
            }
        }
    }
    None
}

/// The secret (position) and v5 salt whose `A256CBC-HS512` key id equals `kid`.
pub(crate) fn kid_owner(kid: &str, s: &Settings) -> Option<(usize, String)> {
    for salt in salts(Flavor::V5, s) {
        for (i, secret) in s.secrets[1].iter().enumerate() {
            let d = decoder(
                Flavor::V5,
                &salt,
                &salt,
                std::slice::from_ref(secret),
                s.now,
                None,
            );
            if d.is_ok_and(|d| d.key_ids().next() == Some(kid)) {
                return Some((i + 1, salt));
            }
        }
    }
    None
}

fn times(claims: &Value, now: i64) -> Vec<TimeLine> {
    ["iat", "nbf", "exp"]
        .into_iter()
        .filter_map(|claim| {
            let value = claims.get(claim)?;
            // `as` saturates; fractions are floored as the decoder does.
            let secs = value.as_f64()?.floor() as i64;
            let rel = time::relative(secs, now);
            let relative = match (claim, secs > now) {
                ("exp", true) => format!("expires {rel}"),
                ("exp", false) => format!("expired {rel}"),
                ("nbf", true) => format!("not valid until {rel}"),
                ("nbf", false) => format!("valid since {rel}"),
                (_, true) => format!("issued in the future: {rel}"),
                (_, false) => format!("issued {rel}"),
            };
            Some(TimeLine {
                claim,
                unix: value.clone(),
                utc: time::utc(secs),
                relative,
            })
        })
        .collect()
}

/// Inspects one request. `Err` is a usage error (exit code 2).
pub fn inspect(s: &Settings, req: &Request) -> Result<Report, String> {
    let mut r = Report {
        now: s.now,
        ..Report::default()
    };
    let cookies = scan::cookies(&req.cookies);
    let cands = candidates(s);
    let mut known: Vec<Known> = Vec::new();
    for c in &cands {
        if !known.iter().any(|k| k.name == c.name) {
            known.push(Known {
                name: c.name.clone(),
                flavor: (!c.custom).then_some(c.flavor).or(s.flavor),
            });
        }
    }
    for c in &cookies {
        match scan::role(c, &known) {
            Some(role) => r.cookies.push(crate::report::CookieLine {
                name: c.name.clone(),
                value: shorten(&c.value),
                role,
            }),
            None => r.other_cookies += 1,
        }
    }
    r.authorization = req
        .authorization
        .as_deref()
        .map(|a| match a.split_once(' ') {
            Some((scheme, rest)) => format!("{scheme} {}", shorten(rest)),
            None => shorten(a),
        });
    for k in &known {
        let set = Set::of(&cookies, &k.name);
        if set.is_present() {
            let (status, complete) = set.describe();
            r.cookie_sets.push(SetLine {
                name: k.name.clone(),
                writer: k.label(),
                status,
                complete,
            });
        }
    }

    let found = cands
        .iter()
        .map(|c| find(c, req).map(|f| (c, f)))
        .collect::<Result<Vec<_>, Error>>()
        .map_err(|e| e.to_string())?;

    if s.secrets.iter().all(Vec::is_empty) {
        if let Some((c, Found::Token(t, via))) =
            found.iter().find(|(_, f)| matches!(f, Found::Token(..)))
        {
            token_step(&mut r, t, *via, c, &cookies, s, None);
        }
        r.reason = Some(Reason::new(
            "no-secret",
            "no secret given, so nothing can be decrypted",
            "pass --secret (repeat it for a rotation, current first) or set AUTH_SECRET (v5) / \
             NEXTAUTH_SECRET (v4), the secret of the Next.js app",
        ));
        return Ok(r);
    }

    // Every token found, decoded with the normal 15 s tolerance.
    struct Tried<'a> {
        c: &'a Candidate,
        token: &'a str,
        via: Via,
        result: Result<Value, Error>,
    }
    let tried: Vec<Tried> = found
        .iter()
        .filter_map(|(c, f)| match f {
            Found::Token(t, via) => Some(Tried {
                c,
                token: t,
                via: *via,
                result: decoder(
                    c.flavor,
                    &c.name,
                    &c.salt(s),
                    &s.secrets[ix(c.flavor)],
                    s.now,
                    None,
                )
                .and_then(|d| d.decode::<Value>(t)),
            }),
            _ => None,
        })
        .collect();

    // Success under the user's settings.
    if let Some(t) = tried.iter().find(|t| t.c.consistent && t.result.is_ok()) {
        let m = open_any(t.token, t.c, s);
        token_step(&mut r, t.token, t.via, t.c, &cookies, s, m.as_ref());
        r.session = true;
        r.config = Some(t.c.config(s));
        if t.via == Via::Bearer {
            r.notes
                .push("read from Authorization: Bearer (the request has no session cookie)".into());
        }
        return Ok(r);
    }

    let valid_elsewhere: Vec<&Tried> = tried
        .iter()
        .filter(|t| !t.c.consistent && t.result.is_ok() && t.via == Via::Cookie)
        .collect();
    let bearer_note = |r: &mut Report| {
        if req
            .authorization
            .as_deref()
            .is_some_and(|a| a.starts_with("Bearer "))
        {
            r.notes.push(
                "the Authorization: Bearer token is not used: a session cookie is present (the \
                 references do the same)"
                    .into(),
            );
        }
    };

    // A token under the user's settings that does not decode.
    let hint = header(tried.first().map_or("", |t| t.token)).ok().map(|h| {
        if h.get("enc").and_then(Value::as_str) == Some("A256GCM") && !h.contains_key("kid") {
            Flavor::V4
        } else {
            Flavor::V5
        }
    });
    let best = tried
        .iter()
        .enumerate()
        .filter(|(_, t)| t.c.consistent)
        .max_by_key(|(i, t)| {
            (
                t.via != Via::Bearer,
                depth(&t.result),
                Some(t.c.flavor) == hint,
                std::cmp::Reverse(*i),
            )
        })
        .map(|(_, t)| t);
    if let Some(t) = best {
        let m = open_any(t.token, t.c, s);
        token_step(&mut r, t.token, t.via, t.c, &cookies, s, m.as_ref());
        let err = t
            .result
            .as_ref()
            .err()
            .cloned()
            .unwrap_or(Error::DecryptionFailed);
        r.reason = Some(explain(t.c, t.token, t.via, &err, m.as_ref(), &cookies, s));
        if t.via != Via::Bearer {
            bearer_note(&mut r);
        }
        for v in valid_elsewhere {
            r.notes.push(format!(
                "{} holds a valid session for {}",
                v.c.name,
                v.c.config(s)
            ));
        }
        return Ok(r);
    }

    // Inconsistent chunks, or a Bearer token that cannot be read.
    for (c, f) in found.iter().filter(|(c, _)| c.consistent) {
        if let Found::CookieError(e) = f {
            r.reason = Some(chunk_reason(c, e, &cookies, s));
            bearer_note(&mut r);
            return Ok(r);
        }
    }
    if found
        .iter()
        .any(|(c, f)| c.consistent && matches!(f, Found::BearerError))
    {
        r.reason = Some(Reason::new(
            "bearer-percent",
            "the Authorization: Bearer token has malformed percent-encoding",
            "send the token as it is: base64url and dots need no encoding",
        ));
        return Ok(r);
    }

    // Nothing under the user's settings: a session cookie under another name?
    let elsewhere = tried
        .iter()
        .filter(|t| !t.c.consistent && t.via == Via::Cookie)
        .max_by_key(|t| depth(&t.result));
    if let Some(t) = elsewhere {
        let m = open_any(t.token, t.c, s);
        token_step(&mut r, t.token, t.via, t.c, &cookies, s, m.as_ref());
        r.reason = Some(mismatch(t.c, &cands, s));
        r.notes.push(match &t.result {
            Ok(_) => format!("with {} the session decodes", t.c.config(s)),
            Err(e) => format!("with {} it does not decode either: {e}", t.c.config(s)),
        });
        return Ok(r);
    }
    if let Some(c) = found
        .iter()
        .find(|(c, f)| !c.consistent && matches!(f, Found::CookieError(_)))
        .map(|(c, _)| c)
    {
        r.reason = Some(mismatch(c, &cands, s));
        return Ok(r);
    }
    r.reason = Some(nothing(&cands, &cookies, req));
    Ok(r)
}

/// Fills steps 3 to 6 for a token.
fn token_step(
    r: &mut Report,
    token: &str,
    via: Via,
    c: &Candidate,
    cookies: &[Cookie],
    s: &Settings,
    m: Option<&Match>,
) {
    let source = match via {
        Via::Cookie => {
            let chunks = Set::of(cookies, &c.name).chunks.len();
            if chunks > 0 {
                format!("cookie {} ({chunks} chunks joined)", c.name)
            } else {
                format!("cookie {}", c.name)
            }
        }
        Via::Bearer => "Authorization: Bearer".to_owned(),
        Via::Given => "the input".to_owned(),
    };
    let (header, header_error) = match header(token) {
        Ok(h) => (Some(h), None),
        Err(e) => (None, Some(e.to_owned())),
    };
    r.token = Some(TokenLine {
        source,
        value: shorten(token),
        header,
        header_error,
    });
    if let Some(m) = m {
        let secret = &s.secrets[ix(m.flavor)][m.position - 1];
        r.secret = Some(SecretLine {
            flavor: short(m.flavor),
            salt: m.salt.clone(),
            position: m.position,
            of: s.secrets[ix(m.flavor)].len(),
            source: secret.source.clone(),
        });
        if let Ok(claims) = &m.claims {
            r.times = times(claims, s.now);
            r.claims = Some(claims.clone());
        }
    }
}

pub(crate) fn describe(c: &Candidate, s: &Settings) -> String {
    format!(
        "{} reading {} with salt {:?}",
        label(c.flavor),
        c.name,
        c.salt(s)
    )
}
