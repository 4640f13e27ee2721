//! `inspect`: looks for the session the way the decoder does, under every configuration that
//! could apply (both flavors, plain and `__Secure-` names, a custom name), and explains the
//! outcome for the configuration the user's service has.
//!
//! The request is read by the library only: [`Decoder::diagnose`] says, for one
//! configuration, which cookies and chunk sets it sees, which token it takes, which secret
//! opens it and why there is no session; this module compares configurations and formats.
//! Unlike a service, the tool may say WHY decryption failed: it holds the secrets, so there is
//! no oracle to protect.

use std::collections::HashMap;

use nextauth_session::Flavor;
use nextauth_session::diagnosis::{
    ChunkRule, ChunkSet, Diagnosis, Reason as Why, ScannedCookie, TokenDiagnosis, TokenSource,
    scan_cookies,
};
use serde_json::Value;

use crate::input::shorten;
use crate::reasons::{Via, chunk_reason, explain, mismatch, nothing};
use crate::report::{
    CookieLine, Reason, Report, SecretLine, SetLine, TimeLine, TokenLine, chunk_status,
};
use crate::settings::{Candidate, Match, Request, Settings, ix, label, open_any, short};
use crate::time;

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

/// A session cookie name the tool knows about.
struct Known {
    name: String,
    /// Which reference writes it (`None` for a custom name).
    flavor: Option<Flavor>,
}

impl Known {
    fn label(&self) -> String {
        let secure = if self.name.starts_with("__Secure-") {
            ", HTTPS"
        } else {
            ""
        };
        match self.flavor {
            Some(f) => format!("{}{secure}", label(f)),
            None => "custom name".to_owned(),
        }
    }
}

/// What a cookie is, for the listing. `None`: not session-like, not listed.
fn role(cookie: &ScannedCookie, known: &[Known], better_auth: &[String]) -> Option<String> {
    let mut role = None;
    for k in known {
        if cookie.name == k.name {
            role = Some(format!("session cookie ({})", k.label()));
        } else if let Some(i) = ChunkRule::AuthJs.chunk_index(&cookie.name, &k.name) {
            role = Some(format!("chunk {i} of {} ({})", k.name, k.label()));
        }
    }
    for name in better_auth {
        if cookie.name == *name {
            role = Some("Better Auth cookie (see below)".to_owned());
        } else if let Some(i) = ChunkRule::BetterAuth.chunk_index(&cookie.name, name) {
            role = Some(format!("chunk {i} of {name} (Better Auth, see below)"));
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
    if cookie.value.is_empty() {
        notes.push("empty: counts as absent".to_owned());
    }
    if cookie.bad_percent {
        notes.push("malformed percent-encoding: read as is".to_owned());
    }
    if cookie.is_quoted() {
        notes.push("wrapped in double quotes".to_owned());
    }
    Some(notes.join("; "))
}

/// A token found under one configuration, and what the library makes of it.
struct Tried<'a> {
    c: &'a Candidate,
    token: String,
    via: Via,
    /// Chunks joined into the token (0: unchunked or not from a cookie).
    chunks: usize,
    td: TokenDiagnosis,
    outcome: Result<(), Why>,
}

/// How far decoding got: the deeper, the likelier the configuration is the right one.
fn depth(t: &Tried) -> u8 {
    match &t.outcome {
        Ok(()) => 10,
        _ if t.td.opened_by.is_some() => 8,
        Err(
            Why::WrongSecret { .. }
            | Why::Tampered { .. }
            | Why::Quoted
            | Why::BadPercent
            | Why::DuplicateCookie { .. }
            | Why::StaleChunks { .. }
            | Why::Truncated(_),
        ) => 5,
        Err(Why::Token(nextauth_session::Error::Unsupported(_))) => 4,
        Err(Why::Token(nextauth_session::Error::Malformed(_))) => 3,
        Err(Why::NotJwe | Why::SessionId) => 2,
        Err(_) => 1,
    }
}

/// The secrets shorter than 32 bytes: accepted as the references accept them, but a v5
/// token's `kid` lets anyone test guesses of a short secret offline.
fn short_secrets(s: &Settings) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    s.secrets
        .iter()
        .flatten()
        .filter(|n| n.value.len() < 32 && seen.insert(n.source.clone()))
        .map(|n| {
            format!(
                "the secret from {} is {} bytes, shorter than 32: anyone holding a v5 token can \
                 test guesses against its kid offline; use `openssl rand -base64 32` (or `npx \
                 auth secret`) and rotate",
                n.source,
                n.value.len()
            )
        })
        .collect()
}

/// Inspects one request. `Err` is a usage error (exit code 2).
pub fn inspect(s: &Settings, req: &Request, better_auth: &[String]) -> Result<Report, String> {
    let mut r = Report {
        now: s.now,
        warnings: short_secrets(s),
        ..Report::default()
    };
    let lines = req.lines();
    let cookies = scan_cookies(&lines);
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
    // One line per session-like name; later occurrences are counted, not listed.
    let mut later: HashMap<&str, usize> = HashMap::new();
    for c in cookies.iter().filter(|c| c.duplicate) {
        *later.entry(c.name.as_str()).or_default() += 1;
    }
    for c in cookies.iter().filter(|c| !c.duplicate) {
        match role(c, &known, better_auth) {
            Some(mut role) => {
                if let Some(n) = later.get(c.name.as_str()) {
                    role.push_str(&format!(
                        "; {n} later occurrence(s) of this name ignored: the first one is read"
                    ));
                }
                r.cookies.push(CookieLine {
                    name: c.name.clone(),
                    value: shorten(&c.value),
                    role,
                });
            }
            None => r.other_cookies += 1,
        }
    }
    r.duplicate_cookies = later.values().sum();
    r.authorization = req
        .authorization
        .as_deref()
        .map(|a| match a.split_once(' ') {
            Some((scheme, rest)) => format!("{scheme} {}", shorten(rest)),
            None => shorten(a),
        });
    for k in &known {
        let full = k.flavor.map(Flavor::chunk_size);
        if let Some(set) = ChunkSet::of(&cookies, &k.name, ChunkRule::AuthJs, full) {
            r.cookie_sets.push(set_line(&set, &cookies, k.label()));
        }
    }

    let diags: Vec<(&Candidate, Diagnosis)> = cands
        .iter()
        .map(|c| {
            let d = c.decoder(s, None).map_err(|e| e.to_string())?;
            Ok((c, d.diagnose(&lines, req.authorization.as_deref())))
        })
        .collect::<Result<_, String>>()?;
    let tried: Vec<Tried> = diags
        .iter()
        .filter_map(|(c, d)| {
            if let Some(token) = &req.token {
                let td = c.decoder(s, None).ok()?.diagnose_token(token);
                return Some(Tried {
                    c,
                    token: token.clone(),
                    via: Via::Given,
                    chunks: 0,
                    outcome: td.outcome.clone(),
                    td,
                });
            }
            Some(Tried {
                c,
                token: d.token.clone()?,
                via: match d.source? {
                    TokenSource::Bearer => Via::Bearer,
                    _ => Via::Cookie,
                },
                chunks: match d.source {
                    Some(TokenSource::Cookie { chunks }) => chunks,
                    _ => 0,
                },
                td: d.token_diagnosis.clone()?,
                outcome: d.outcome.clone(),
            })
        })
        .collect();

    if s.secrets.iter().all(Vec::is_empty) {
        if let Some(t) = tried.first() {
            token_step(&mut r, t, s, None);
        }
        r.reason = Some(Reason::new(
            "no-secret",
            "no secret given, so nothing can be decrypted",
            "pass --secret (repeat it for a rotation, current first) or set AUTH_SECRET (v5) / \
             NEXTAUTH_SECRET (v4), the secret of the Next.js app",
        ));
        return Ok(r);
    }

    // Success under the user's settings.
    if let Some(t) = tried.iter().find(|t| t.c.consistent && t.outcome.is_ok()) {
        let m = open_any(&t.token, t.c, s);
        token_step(&mut r, t, s, m.as_ref());
        r.session = true;
        r.config = Some(t.c.config(s));
        if t.via == Via::Bearer {
            r.notes
                .push("read from Authorization: Bearer (the request has no session cookie)".into());
        }
        return Ok(r);
    }

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
    let hint = tried.first().and_then(|t| t.td.header.as_ref()).map(|h| {
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
                depth(t),
                Some(t.c.flavor) == hint,
                std::cmp::Reverse(*i),
            )
        })
        .map(|(_, t)| t);
    if let Some(t) = best {
        let m = open_any(&t.token, t.c, s);
        token_step(&mut r, t, s, m.as_ref());
        let why = t.outcome.as_ref().err().cloned().unwrap_or(Why::NotJwe);
        r.reason = Some(explain(t.c, &t.token, &why, m.as_ref(), s));
        if t.via != Via::Bearer {
            bearer_note(&mut r);
        }
        for v in tried
            .iter()
            .filter(|v| !v.c.consistent && v.outcome.is_ok() && v.via == Via::Cookie)
        {
            r.notes.push(format!(
                "{} holds a valid session for {}",
                v.c.name,
                v.c.config(s)
            ));
        }
        return Ok(r);
    }

    // Inconsistent chunks, or a Bearer token that cannot be read.
    for (c, d) in diags.iter().filter(|(c, _)| c.consistent) {
        if matches!(d.outcome, Err(Why::Chunks(_) | Why::TooLarge { .. })) {
            r.reason = Some(chunk_reason(c, d, s));
            bearer_note(&mut r);
            return Ok(r);
        }
    }
    if diags
        .iter()
        .any(|(c, d)| c.consistent && matches!(d.outcome, Err(Why::BearerMalformed)))
    {
        r.reason = Some(Reason::new(
            "bearer-percent",
            "the Authorization: Bearer token has malformed percent-encoding",
            "send the token as it is: base64url and dots need no encoding",
        ));
        return Ok(r);
    }

    // Nothing under the user's settings: a session cookie under another name?
    if let Some(t) = tried
        .iter()
        .filter(|t| !t.c.consistent && t.via == Via::Cookie)
        .max_by_key(|t| depth(t))
    {
        let m = open_any(&t.token, t.c, s);
        token_step(&mut r, t, s, m.as_ref());
        r.reason = Some(mismatch(t.c, &cands, s));
        r.notes.push(match &t.outcome {
            Ok(()) => format!("with {} the session decodes", t.c.config(s)),
            Err(why) => format!(
                "with {} it does not decode either: {}",
                t.c.config(s),
                explain(t.c, &t.token, why, m.as_ref(), s).message
            ),
        });
        return Ok(r);
    }
    if let Some((c, _)) = diags.iter().find(|(c, d)| {
        !c.consistent && matches!(d.outcome, Err(Why::Chunks(_) | Why::TooLarge { .. }))
    }) {
        r.reason = Some(mismatch(c, &cands, s));
        return Ok(r);
    }
    let consistent: Vec<(&Candidate, &Diagnosis)> = diags
        .iter()
        .filter(|(c, _)| c.consistent)
        .map(|(c, d)| (*c, d))
        .collect();
    r.reason = Some(nothing(&consistent, &cookies, req));
    Ok(r)
}

fn set_line(set: &ChunkSet, cookies: &[ScannedCookie], writer: String) -> SetLine {
    let empty: Vec<String> = set
        .empty(cookies)
        .into_iter()
        .map(|i| i.map_or("unchunked".to_owned(), |i| format!(".{i}")))
        .collect();
    let mut status = chunk_status(&set.state);
    if !empty.is_empty() {
        status.push_str(&format!(" (empty, counted as absent: {})", empty.join(" ")));
    }
    SetLine {
        name: set.name.clone(),
        writer,
        status,
        complete: set.state.is_complete(),
    }
}

/// Fills steps 3 to 6 for a token.
fn token_step(r: &mut Report, t: &Tried, s: &Settings, m: Option<&Match>) {
    let source = match t.via {
        Via::Cookie => {
            if t.chunks > 0 {
                format!("cookie {} ({} chunk(s) joined)", t.c.name, t.chunks)
            } else {
                format!("cookie {}", t.c.name)
            }
        }
        Via::Bearer => "Authorization: Bearer".to_owned(),
        Via::Given => "the input".to_owned(),
    };
    r.token = Some(TokenLine {
        source,
        value: shorten(&t.token),
        header_error: t
            .td
            .header
            .is_none()
            .then(|| "the first part is not base64url JSON".to_owned()),
        header: t.td.header.clone(),
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
