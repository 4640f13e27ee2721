//! What `inspect` found, step by step: printed for people, or as JSON (`--json`).

use serde::Serialize;
use serde_json::{Map, Value};

/// The whole answer of `inspect`.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    /// A session was decoded under the decoder settings given (or under any, when none were).
    pub session: bool,
    /// The time the checks used, unix seconds.
    pub now: i64,
    /// Cookies that look like session cookies (values shortened).
    pub cookies: Vec<CookieLine>,
    /// How many other cookies the request carries (not shown).
    pub other_cookies: usize,
    /// The `Authorization` header, shortened.
    pub authorization: Option<String>,
    /// Each session cookie name present: its chunk set and whether it is complete.
    pub cookie_sets: Vec<SetLine>,
    /// The token that was examined.
    pub token: Option<TokenLine>,
    /// Which configured secret (by position) and which key derivation opened the token.
    pub secret: Option<SecretLine>,
    /// The decoder configuration that reads this session.
    pub config: Option<String>,
    /// `iat`, `nbf`, `exp`.
    pub times: Vec<TimeLine>,
    /// The claims, when the token could be decrypted (also for an expired session).
    pub claims: Option<Value>,
    /// Why there is no session, and the likely fix.
    pub reason: Option<Reason>,
    /// Everything else worth knowing.
    pub notes: Vec<String>,
}

/// One session-like cookie.
#[derive(Debug, Serialize)]
pub struct CookieLine {
    /// Its name.
    pub name: String,
    /// The first characters and the length of its value.
    pub value: String,
    /// What the decoder makes of it.
    pub role: String,
}

/// The cookies of one session cookie name.
#[derive(Debug, Serialize)]
pub struct SetLine {
    /// The session cookie name.
    pub name: String,
    /// Who writes this name.
    pub writer: String,
    /// `unchunked, ...`, `chunks .0 .1: complete, ...`, `... missing .1`.
    pub status: String,
    /// Whether the set forms one token.
    pub complete: bool,
}

/// The token examined.
#[derive(Debug, Serialize)]
pub struct TokenLine {
    /// Where it came from.
    pub source: String,
    /// The first characters and the length.
    pub value: String,
    /// The protected header, when it is base64url JSON.
    pub header: Option<Map<String, Value>>,
    /// Why the header could not be read.
    pub header_error: Option<String>,
}

/// The secret and key derivation that opened the token.
#[derive(Debug, Serialize)]
pub struct SecretLine {
    /// `v4` or `v5`.
    pub flavor: &'static str,
    /// The HKDF salt.
    pub salt: String,
    /// 1-based position in the list of secrets.
    pub position: usize,
    /// How many secrets were configured.
    pub of: usize,
    /// Where that secret came from (`--secret`, `AUTH_SECRET`, ...), never the secret.
    pub source: String,
}

/// One time claim.
#[derive(Debug, Serialize)]
pub struct TimeLine {
    /// `iat`, `nbf` or `exp`.
    pub claim: &'static str,
    /// The value as written in the token.
    pub unix: Value,
    /// The UTC date (fractions floored).
    pub utc: String,
    /// `expires in ...`, `expired ... ago`, `issued ... ago`, ...
    pub relative: String,
}

/// Why there is no session.
#[derive(Debug, Serialize)]
pub struct Reason {
    /// A stable identifier (`wrong-secret`, `expired`, `secure-name`, ...).
    pub code: &'static str,
    /// What happened.
    pub message: String,
    /// What most likely fixes it.
    pub fix: String,
}

impl Reason {
    pub fn new(code: &'static str, message: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            fix: fix.into(),
        }
    }
}

impl Report {
    /// 0: session decoded; 1: no session; 2: the tool could not judge (no secret).
    pub fn exit_code(&self) -> u8 {
        match &self.reason {
            _ if self.session => 0,
            Some(r) if r.code == "no-secret" => 2,
            _ => 1,
        }
    }

    /// The human-readable form.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let mut line = |s: String| {
            out.push_str(&s);
            out.push('\n');
        };
        line(format!(
            "now: {} ({})",
            self.now,
            crate::time::utc(self.now)
        ));
        line(format!(
            "1. cookies: {} session-like, {} other",
            self.cookies.len(),
            self.other_cookies
        ));
        for c in &self.cookies {
            line(format!("   {}  {}  {}", c.name, c.value, c.role));
        }
        if let Some(a) = &self.authorization {
            line(format!("   Authorization: {a}"));
        }
        line("2. session cookie sets:".to_owned());
        if self.cookie_sets.is_empty() {
            line("   none".to_owned());
        }
        for s in &self.cookie_sets {
            line(format!("   {} ({}): {}", s.name, s.writer, s.status));
        }
        if let Some(t) = &self.token {
            line(format!("3. token: {} from {}", t.value, t.source));
            match (&t.header, &t.header_error) {
                (Some(h), _) => line(format!("   header: {}", header_summary(h))),
                (None, Some(e)) => line(format!("   header: unreadable: {e}")),
                _ => {}
            }
        }
        if let Some(s) = &self.secret {
            line(format!(
                "4. secret #{} of {} ({}) opens it: {}, salt {:?}",
                s.position, s.of, s.source, s.flavor, s.salt
            ));
        }
        if let Some(c) = &self.config {
            line(format!("   decoder: {c}"));
        }
        if !self.times.is_empty() {
            line("5. times:".to_owned());
            for t in &self.times {
                line(format!(
                    "   {}: {}  {}  ({})",
                    t.claim, t.unix, t.utc, t.relative
                ));
            }
        }
        if let Some(claims) = &self.claims {
            line("6. claims:".to_owned());
            let pretty = serde_json::to_string_pretty(claims).unwrap_or_default();
            for l in pretty.lines() {
                line(format!("   {l}"));
            }
        }
        for n in &self.notes {
            line(format!("note: {n}"));
        }
        match &self.reason {
            None if self.session => line("session: decoded".to_owned()),
            Some(r) => {
                line(format!("no session: {}", r.message));
                line(format!("fix: {}", r.fix));
            }
            None => line("no session".to_owned()),
        }
        out
    }
}

/// `alg dir, enc A256CBC-HS512, kid Abc…` plus the names of any other members.
fn header_summary(h: &Map<String, Value>) -> String {
    let show = |v: &Value| match v {
        Value::String(s) if s.chars().count() > 16 => {
            format!("{}…", s.chars().take(12).collect::<String>())
        }
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut parts: Vec<String> = ["alg", "enc", "kid"]
        .iter()
        .filter_map(|k| h.get(*k).map(|v| format!("{k} {}", show(v))))
        .collect();
    let others: Vec<&str> = h
        .keys()
        .map(String::as_str)
        .filter(|k| !["alg", "enc", "kid"].contains(k))
        .collect();
    if !others.is_empty() {
        parts.push(format!("other members: {}", others.join(", ")));
    }
    parts.join(", ")
}
