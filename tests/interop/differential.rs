//! Differential cases: seeded random tokens and requests that the real next-auth 4.24.15 and
//! @auth/core 0.41.3 answered (`fixtures/differential.json`, written by
//! `fixtures/generator/generate-differential.mjs`). Set `NEXTAUTH_DIFFERENTIAL` to the path
//! of a larger generated file for the full run (10,000+ cases, see fixtures/README.md).
//!
//! Without a policy row we must accept exactly when the reference accepts, with the same
//! payload (numbers compared as JavaScript doubles) and, for requests, the same raw token.
//! With a row (section 5 or 6 of reference-behaviour.md, or the README's design choices) we
//! must give the row's outcome. Every other difference is collected and fails the test with
//! the case id, what the case does, and both results.

use std::collections::BTreeMap;
use std::path::PathBuf;

use nextauth_session::Error;
use serde::Deserialize;
use serde_json::Value;

use crate::common::{builder, js_json_eq};

#[derive(Deserialize)]
struct DifferentialFile {
    seed: u64,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum Case {
    Token(TokenCase),
    Request(RequestCase),
}

#[derive(Deserialize)]
struct TokenCase {
    id: String,
    desc: String,
    flavor: String,
    secrets: Vec<String>,
    salt: String,
    now: i64,
    token: String,
    reference: TokenReference,
    policy: Option<Policy>,
}

#[derive(Deserialize)]
struct TokenReference {
    ok: bool,
    #[serde(flatten)]
    payload: Payload,
    error: Option<Value>,
}

#[derive(Deserialize)]
struct RequestCase {
    id: String,
    desc: String,
    flavor: String,
    secrets: Vec<String>,
    secure: bool,
    now: i64,
    cookie: Option<String>,
    authorization: Option<String>,
    reference: RequestReference,
    policy: Option<Policy>,
}

#[derive(Deserialize)]
struct RequestReference {
    raw: Option<String>,
    #[serde(flatten)]
    payload: Payload,
    threw: Option<Value>,
}

#[derive(Deserialize)]
struct Policy {
    row: String,
    /// `accept` / `reject:<Error kind>` for tokens; `session`, `none`, `error:chunks` or
    /// `error:<Error kind>` for requests.
    expect: String,
    /// Requests: the raw token our cookie rules give.
    #[serde(default)]
    expect_raw: Option<String>,
    #[serde(flatten)]
    payload: Payload,
}

/// A payload as the generator stores it: a JSON value, or JSON text for what the fixture
/// file cannot hold as a value (nesting beyond 100 levels, lone surrogates).
#[derive(Deserialize)]
struct Payload {
    #[serde(default)]
    payload: Option<Value>,
    #[serde(default)]
    payload_json: Option<String>,
}

impl Payload {
    /// `None`: no payload. `Some(Err(_))`: a payload serde_json cannot read.
    fn value(&self) -> Option<Result<Value, String>> {
        match (&self.payload, &self.payload_json) {
            (Some(v), _) => Some(Ok(v.clone())),
            (None, Some(text)) => Some(
                serde_json::from_str(text)
                    .map_err(|e| format!("{e}; text: {}", shorten(text, 160))),
            ),
            (None, None) => None,
        }
    }
}

/// The policy rows the generator may name; anything else is a divergence.
const ROWS: &[&str] = &[
    "v4 `decode` passes no algorithm allow-list",
    "v4 ignores junk characters",
    "v5 without `kid` tries only the first secret",
    "invalid UTF-8 in the plaintext",
    "README: JSON nesting, lone surrogates, huge numbers",
    "README: Invalid UTF-8 in the claims or the header is rejected",
    "only the exact name and `<name>.<digits>` count",
    "Exact name AND chunks, or a gap",
    "A cookie with an empty value counts as absent",
    "cookie value wrapped in double quotes",
    "README: Cookies (a bare `Bearer` is no session)",
];

fn kind(e: &Error) -> &'static str {
    match e {
        Error::Config(_) => "Config",
        Error::TooLarge { .. } => "TooLarge",
        Error::NotJwe => "NotJwe",
        Error::Malformed(_) => "Malformed",
        Error::Unsupported(_) => "Unsupported",
        Error::DecryptionFailed => "DecryptionFailed",
        Error::Expired { .. } => "Expired",
        Error::NotYetValid { .. } => "NotYetValid",
        Error::InvalidClaims(_) => "InvalidClaims",
        Error::ClaimsType { .. } => "ClaimsType",
        Error::InconsistentChunks(_) => "InconsistentChunks",
        _ => "other",
    }
}

fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        format!("{}...", s.chars().take(n).collect::<String>())
    }
}

fn show_ours(r: &Result<Value, Error>) -> String {
    match r {
        Ok(v) => format!("accept {}", shorten(&v.to_string(), 300)),
        Err(e) => format!("reject {}: {e}", kind(e)),
    }
}

fn show_payload(p: &Payload) -> String {
    match p.value() {
        None => "no payload".into(),
        Some(Ok(v)) => shorten(&v.to_string(), 300),
        Some(Err(e)) => format!("payload serde_json cannot read ({e})"),
    }
}

/// The reference error that stands for a claims verdict, as our kind (the other reference
/// errors are all "no session" and are not compared by kind: a mutated token fails at
/// different steps in different implementations).
fn claim_kind(error: &Value) -> Option<&'static str> {
    let code = error.get("code").and_then(Value::as_str)?;
    let claim = error.get("claim").and_then(Value::as_str);
    let message = error.get("message").and_then(Value::as_str).unwrap_or("");
    match code {
        "ERR_JWT_EXPIRED" => Some("Expired"),
        "ERR_JWT_CLAIM_VALIDATION_FAILED"
            if claim == Some("nbf") && message.contains("timestamp check failed") =>
        {
            Some("NotYetValid")
        }
        "ERR_JWT_CLAIM_VALIDATION_FAILED" => Some("InvalidClaims"),
        _ => None,
    }
}

#[derive(Default)]
struct Tally {
    tokens: usize,
    requests: usize,
    accepted: usize,
    rejected: usize,
    rows: BTreeMap<String, usize>,
    divergences: Vec<String>,
}

impl Tally {
    fn outcome(&mut self, accepted: bool) {
        if accepted {
            self.accepted += 1;
        } else {
            self.rejected += 1;
        }
    }

    fn row(&mut self, row: &str) -> bool {
        let known = ROWS.iter().any(|r| row.starts_with(r));
        *self.rows.entry(shorten(row, 48)).or_default() += 1;
        known
    }
}

fn check_payload(want: &Payload, got: &Value) -> Result<(), String> {
    match want.value() {
        Some(Ok(want)) if js_json_eq(got, &want) => Ok(()),
        Some(Ok(want)) => Err(format!(
            "payloads differ\n    ours:      {}\n    reference: {}",
            shorten(&got.to_string(), 600),
            shorten(&want.to_string(), 600)
        )),
        Some(Err(e)) => Err(format!(
            "the reference payload is unreadable here ({e}), but we accepted"
        )),
        None => Err("no payload recorded".into()),
    }
}

fn token_case(case: &TokenCase, tally: &mut Tally) -> Result<(), String> {
    tally.tokens += 1;
    let decoder = builder(&case.flavor, &case.secrets)
        .salt(case.salt.as_str())
        .fixed_time(case.now)
        .build()
        .map_err(|e| format!("decoder: {e}"))?;
    let ours = decoder.decode::<Value>(&case.token);
    tally.outcome(ours.is_ok());
    let reference = || match &case.reference.error {
        Some(e) => format!("reject {e}"),
        None => format!("accept {}", show_payload(&case.reference.payload)),
    };
    let fail = |why: String| {
        format!(
            "{why}\n    ours:      {}\n    reference: {}",
            show_ours(&ours),
            reference()
        )
    };
    if let Some(policy) = &case.policy {
        if !tally.row(&policy.row) {
            return Err(fail(format!("unknown policy row {:?}", policy.row)));
        }
        return match (policy.expect.as_str(), &ours) {
            ("accept", Ok(got)) => check_payload(&policy.payload, got),
            (want, Err(e)) if want.strip_prefix("reject:") == Some(kind(e)) => Ok(()),
            (want, _) => Err(fail(format!("policy '{}' expects {want}", policy.row))),
        };
    }
    let reference_accepts = case.reference.ok && case.reference.payload.value().is_some();
    match &ours {
        Ok(got) if reference_accepts => check_payload(&case.reference.payload, got),
        Ok(_) => Err(fail("the reference rejects, we accept".into())),
        Err(_) if reference_accepts => Err(fail("the reference accepts, we reject".into())),
        Err(e) => match case.reference.error.as_ref().and_then(claim_kind) {
            Some(want) if want != kind(e) => Err(fail(format!("claims verdict: want {want}"))),
            _ => Ok(()),
        },
    }
}

fn request_case(case: &RequestCase, tally: &mut Tally) -> Result<(), String> {
    tally.requests += 1;
    let decoder = builder(&case.flavor, &case.secrets)
        .secure(case.secure)
        .fixed_time(case.now)
        .build()
        .map_err(|e| format!("decoder: {e}"))?;
    let (cookie, auth) = (case.cookie.as_deref(), case.authorization.as_deref());
    let raw = decoder.raw_token(cookie, auth);
    let token = decoder.get_token::<Value>(cookie, auth);
    let session = decoder.session::<Value>(cookie, auth);
    tally.outcome(token.is_some());
    let ours = match &session {
        Ok(Some(v)) => format!("session {}", shorten(&v.to_string(), 300)),
        Ok(None) => "none".to_owned(),
        Err(e) => format!("error {}: {e}", kind(e)),
    };
    let fail = |why: String| {
        format!(
            "{why}\n    ours:      raw {:?}, {ours}\n    reference: raw {:?}, {}{}",
            raw.as_deref().map(|r| shorten(r, 80)),
            case.reference.raw.as_deref().map(|r| shorten(r, 80)),
            show_payload(&case.reference.payload),
            case.reference
                .threw
                .as_ref()
                .map(|t| format!(", threw {t}"))
                .unwrap_or_default()
        )
    };
    if token.is_some() != matches!(session, Ok(Some(_))) {
        return Err(fail("get_token and session disagree".into()));
    }
    if let Some(policy) = &case.policy {
        if !tally.row(&policy.row) {
            return Err(fail(format!("unknown policy row {:?}", policy.row)));
        }
        if raw != policy.expect_raw {
            return Err(fail(format!(
                "policy '{}': raw token should be {:?}",
                policy.row,
                policy.expect_raw.as_deref().map(|r| shorten(r, 80))
            )));
        }
        let ok = match (policy.expect.as_str(), &session) {
            ("session", Ok(Some(got))) => return check_payload(&policy.payload, got),
            ("none", Ok(None)) => true,
            ("error:chunks", Err(Error::InconsistentChunks(_))) => true,
            (want, Err(e)) => want.strip_prefix("error:") == Some(kind(e)),
            _ => false,
        };
        return if ok {
            Ok(())
        } else {
            Err(fail(format!(
                "policy '{}' expects {}",
                policy.row, policy.expect
            )))
        };
    }
    if case.reference.threw.is_some() {
        return Err(fail("the reference threw".into()));
    }
    if raw != case.reference.raw {
        return Err(fail("raw tokens differ".into()));
    }
    match (&token, case.reference.payload.value().is_some()) {
        (Some(got), true) => check_payload(&case.reference.payload, got),
        (None, false) => Ok(()),
        (Some(_), false) => Err(fail("the reference has no session, we have one".into())),
        (None, true) => Err(fail("the reference has a session, we have none".into())),
    }
}

#[test]
fn differential_cases_match_the_reference_or_a_policy_row() {
    let (path, full): (PathBuf, bool) = match std::env::var_os("NEXTAUTH_DIFFERENTIAL") {
        Some(p) => (p.into(), true),
        None => (
            [env!("CARGO_MANIFEST_DIR"), "fixtures", "differential.json"]
                .iter()
                .collect(),
            false,
        ),
    };
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let file: DifferentialFile =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        file.cases.len() >= if full { 10_000 } else { 1_500 },
        "{}: only {} cases",
        path.display(),
        file.cases.len()
    );
    let mut tally = Tally::default();
    for case in &file.cases {
        let (id, desc, result) = match case {
            Case::Token(c) => (&c.id, &c.desc, token_case(c, &mut tally)),
            Case::Request(c) => (&c.id, &c.desc, request_case(c, &mut tally)),
        };
        if let Err(why) = result {
            let input = match case {
                Case::Token(c) => format!(
                    "token {:?} ({} chars), secrets {}, now {}",
                    shorten(&c.token, 120),
                    c.token.len(),
                    c.secrets.len(),
                    c.now
                ),
                Case::Request(c) => format!(
                    "cookie {:?}, authorization {:?}",
                    c.cookie.as_deref().map(|s| shorten(s, 160)),
                    c.authorization.as_deref().map(|s| shorten(s, 80))
                ),
            };
            tally
                .divergences
                .push(format!("{id}: {desc}\n    {input}\n    {why}"));
        }
    }
    let rows: Vec<String> = tally
        .rows
        .iter()
        .map(|(r, n)| format!("{n}x {r:?}"))
        .collect();
    println!(
        "differential (seed {}, {}): {} cases ({} token, {} request), {} accepted, {} rejected, \
         {} divergences; policy rows hit: {}",
        file.seed,
        path.display(),
        file.cases.len(),
        tally.tokens,
        tally.requests,
        tally.accepted,
        tally.rejected,
        tally.divergences.len(),
        rows.join(", ")
    );
    assert!(
        tally.accepted > file.cases.len() / 5 && tally.rejected > file.cases.len() / 5,
        "too one-sided to be a useful comparison"
    );
    if !tally.divergences.is_empty() {
        for d in tally.divergences.iter().take(200) {
            println!("{d}\n");
        }
        panic!(
            "{} undocumented divergence(s) from the references (first {} printed above)",
            tally.divergences.len(),
            tally.divergences.len().min(200)
        );
    }
}
