//! What `inspect` found, step by step: printed for people, or as JSON (`--json`).

use nextauth_session::diagnosis::ChunkState;
use serde::Serialize;
use serde_json::{Map, Value};

/// Control characters and other invisible or reordering characters (soft hyphen, zero-width
/// and bidirectional marks, BOM) as `\u{..}`: an untrusted string never drives the terminal.
pub fn escape(text: &str) -> String {
    let invisible = |c: char| {
        c.is_control()
            || matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}')
    };
    if !text.chars().any(invisible) {
        return text.to_owned();
    }
    text.chars()
        .map(|c| {
            if invisible(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A chunk set for people: `unchunked, 1234 chars`, `chunks .0 .1: complete, 9000 chars joined`.
pub fn chunk_status(state: &ChunkState) -> String {
    match state {
        ChunkState::Empty => "no value".to_owned(),
        ChunkState::Unchunked { len } => format!("unchunked, {len} chars"),
        ChunkState::Complete { chunks, len } => {
            format!("chunks {}: complete, {len} chars joined", indices(*chunks))
        }
        ChunkState::SingleChunk { len } => format!(
            "chunks .0: incomplete, {len} chars: a value that fits one cookie is written without \
             a suffix, so the chunks after .0 are missing"
        ),
        ChunkState::LastChunkFull { chunks, len } => format!(
            "chunks {}: incomplete, {len} chars joined: the last chunk .{} is full-size, so \
             chunk .{chunks} is most likely missing",
            indices(*chunks),
            chunks - 1
        ),
        ChunkState::Missing { present, missing } => format!(
            "chunks {}: incomplete, missing {}",
            present
                .iter()
                .map(|i| format!(".{i}"))
                .collect::<Vec<_>>()
                .join(" "),
            missing
                .iter()
                .map(|i| format!(".{i}"))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        ChunkState::Mixed { chunks } => format!(
            "the unchunked cookie AND chunks {}: inconsistent (stale cookies)",
            chunks
                .iter()
                .map(|i| format!(".{i}"))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        ChunkState::DuplicateIndex => "a chunk index appears twice".to_owned(),
        other => format!("{other:?}"),
    }
}

fn indices(chunks: usize) -> String {
    (0..chunks)
        .map(|i| format!(".{i}"))
        .collect::<Vec<_>>()
        .join(" ")
}

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
    /// How many later occurrences of a name already seen the request carries (ignored).
    pub duplicate_cookies: usize,
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
    /// Warnings about the configuration (short secrets, ...).
    pub warnings: Vec<String>,
    /// The Better Auth cookies, when the request has any (or `--better-auth` was given).
    pub better_auth: Option<BetterAuthReport>,
    /// The request has Better Auth cookies only: the text shows only their section.
    #[serde(skip)]
    pub better_auth_only: bool,
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
        let better_auth = self.better_auth.as_ref().is_some_and(|b| b.session);
        match &self.reason {
            _ if self.session || better_auth => 0,
            Some(r) if r.code == "no-secret" => 2,
            None if self
                .better_auth
                .as_ref()
                .and_then(|b| b.reason.as_ref())
                .is_some_and(|r| r.code == "ba-no-secret") =>
            {
                2
            }
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
        if self.better_auth_only
            && let Some(b) = &self.better_auth
        {
            b.text(&mut line);
            return out.lines().map(|l| escape(l) + "\n").collect();
        }
        line(format!(
            "1. cookies: {} session-like, {} other{}",
            self.cookies.len(),
            self.other_cookies,
            if self.duplicate_cookies > 0 {
                format!(", {} repeated name(s) ignored", self.duplicate_cookies)
            } else {
                String::new()
            }
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
        for w in &self.warnings {
            line(format!("warning: {w}"));
        }
        match &self.reason {
            None if self.session => line("session: decoded".to_owned()),
            Some(r) => {
                line(format!("no session: {}", r.message));
                line(format!("fix: {}", r.fix));
            }
            None => line("no session".to_owned()),
        }
        if let Some(b) = &self.better_auth {
            b.text(&mut line);
        }
        // Every line is escaped: names, values, headers and claims come from the request.
        out.lines().map(|l| escape(l) + "\n").collect()
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

/// What `inspect` found about the Better Auth cookies.
#[derive(Debug, Default, Serialize)]
pub struct BetterAuthReport {
    /// The cookie cache gives the session.
    pub session: bool,
    /// The session token cookie's name.
    pub token_cookie: String,
    /// The cookie cache's name.
    pub data_cookie: String,
    /// `verified`, `bad signature`, ...
    pub token: String,
    /// Which secret verifies the token's signature (`None`: none does, or no token).
    pub token_secret: Option<String>,
    /// The `dont_remember` cookie.
    pub dont_remember: String,
    /// The cookie cache.
    pub cache: Option<CacheLine>,
    /// `database` or `stateless`.
    pub mode: &'static str,
    /// The session the cache gives (`getSession`'s JSON).
    pub cached_session: Option<Value>,
    /// Why there is no cached session, and the fix.
    pub reason: Option<Reason>,
    /// Everything else worth knowing.
    pub notes: Vec<String>,
}

/// The `session_data` cookie cache.
#[derive(Debug, Serialize)]
pub struct CacheLine {
    /// The cookie name.
    pub name: String,
    /// Its chunks.
    pub status: String,
    /// Whether the chunks form one value.
    pub complete: bool,
    /// The strategy the value's shape says wrote it.
    pub detected: Option<&'static str>,
    /// The strategy the cache was read with.
    pub strategy: Option<&'static str>,
    /// Which secret verified / decrypted it.
    pub secret: Option<String>,
    /// The cache's `version` (absent: read as "1").
    pub version: Option<String>,
    /// The cache's own expiry.
    pub expires: Option<String>,
    /// The cached session's `expiresAt`.
    pub session_expires: Option<String>,
    /// Whether the cache holds the cookie's session token.
    pub token_matches: Option<bool>,
    /// Why it does not decode, when it does not.
    pub error: Option<String>,
}

impl BetterAuthReport {
    /// The human-readable form, appended to the report.
    pub fn text(&self, line: &mut impl FnMut(String)) {
        line(format!("Better Auth ({} mode):", self.mode));
        line(format!("   {}: {}", self.token_cookie, self.token));
        match &self.token_secret {
            Some(s) => line(format!("   signed with secret {s}")),
            None if self.token.starts_with("signature") => {
                line("   no configured secret verifies its signature".to_owned());
            }
            None => {}
        }
        line(format!("   dont_remember: {}", self.dont_remember));
        match &self.cache {
            None if self.token == "not checked" => {}
            None => line(format!("   {}: absent", self.data_cookie)),
            Some(c) => {
                line(format!("   {}: {}", c.name, c.status));
                line(format!(
                    "   cache strategy: {} (read as {})",
                    c.detected.unwrap_or("unknown"),
                    c.strategy.unwrap_or("none")
                ));
                if let Some(s) = &c.secret {
                    line(format!("   cache opened with secret {s}"));
                }
                if let Some(e) = &c.error {
                    line(format!("   cache error: {e}"));
                }
                if c.version.is_some() || c.expires.is_some() {
                    line(format!(
                        "   version {:?}, cache expires {}, session expires {}",
                        c.version.as_deref().unwrap_or("1"),
                        c.expires.as_deref().unwrap_or("?"),
                        c.session_expires.as_deref().unwrap_or("?")
                    ));
                }
                if let Some(m) = c.token_matches {
                    line(format!(
                        "   cache token: {}",
                        if m {
                            "matches the session token cookie"
                        } else {
                            "DIFFERS from the session token cookie"
                        }
                    ));
                }
            }
        }
        if let Some(session) = &self.cached_session {
            line("   session (from the cookie cache):".to_owned());
            let pretty = serde_json::to_string_pretty(session).unwrap_or_default();
            for l in pretty.lines() {
                line(format!("   {l}"));
            }
        }
        for n in &self.notes {
            line(format!("   note: {n}"));
        }
        match &self.reason {
            None => line("Better Auth session: decoded from the cookie cache".to_owned()),
            Some(r) => {
                line(format!("Better Auth: no cached session: {}", r.message));
                line(format!("fix: {}", r.fix));
            }
        }
    }
}
