//! The decoder settings of the user's service and the configurations worth trying: shared by
//! the inspection (`diagnose.rs`) and the explanations (`reasons.rs`).

use std::time::Duration;

use nextauth_session::{Decoder, Error, Flavor};
use serde_json::Value;
use zeroize::Zeroizing;

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
    /// Unix milliseconds (the same instant).
    pub now_ms: i64,
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

impl Request {
    pub fn lines(&self) -> Vec<&str> {
        self.cookies.iter().map(String::as_str).collect()
    }
}

/// A clock tolerance that reads the claims of any expired session.
pub const FOREVER: Duration = Duration::from_secs(i64::MAX as u64);

pub fn ix(f: Flavor) -> usize {
    match f {
        Flavor::V4 => 0,
        _ => 1,
    }
}

pub fn short(f: Flavor) -> &'static str {
    match f {
        Flavor::V4 => "v4",
        _ => "v5",
    }
}

pub fn label(f: Flavor) -> &'static str {
    match f {
        Flavor::V4 => "NextAuth.js v4",
        _ => "Auth.js v5",
    }
}

pub fn variant(f: Flavor) -> &'static str {
    match f {
        Flavor::V4 => "Flavor::V4",
        _ => "Flavor::V5",
    }
}

pub fn other(f: Flavor) -> Flavor {
    match f {
        Flavor::V4 => Flavor::V5,
        _ => Flavor::V4,
    }
}

/// One configuration to try.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub flavor: Flavor,
    pub name: String,
    pub secure: bool,
    pub custom: bool,
    /// Matches the settings the user gave (or could be the user's, when they gave none).
    pub consistent: bool,
}

impl Candidate {
    pub fn salt(&self, s: &Settings) -> String {
        match (&s.salt, self.consistent) {
            (Some(salt), true) => salt.clone(),
            _ if self.flavor == Flavor::V4 => String::new(),
            _ => self.name.clone(),
        }
    }

    /// The builder calls that configure this candidate.
    pub fn config(&self, s: &Settings) -> String {
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

    /// The decoder of this configuration with the user's secrets (a placeholder when there
    /// are none: finding the token needs no key).
    pub fn decoder(&self, s: &Settings, tolerance: Option<Duration>) -> Result<Decoder, Error> {
        let secrets = &s.secrets[ix(self.flavor)];
        if secrets.is_empty() {
            return Decoder::builder(self.flavor)
                .secret("placeholder")
                .cookie_name(&self.name)
                .fixed_time(s.now)
                .build();
        }
        decoder(
            self.flavor,
            &self.name,
            &self.salt(s),
            secrets,
            s.now,
            tolerance,
        )
    }

    pub fn describe(&self, s: &Settings) -> String {
        format!(
            "{} reading {} with salt {:?}",
            label(self.flavor),
            self.name,
            self.salt(s)
        )
    }
}

pub fn decoder(
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

/// Salts worth trying for a flavor: the configured one, then the defaults.
pub fn salts(f: Flavor, s: &Settings) -> Vec<String> {
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
    let mut seen = std::collections::HashSet::new();
    out.retain(|x| seen.insert(x.clone()));
    out
}

/// A secret and key derivation that opens a token.
pub struct Match {
    pub flavor: Flavor,
    pub salt: String,
    /// 1-based.
    pub position: usize,
    /// Decoded with an unbounded clock tolerance, so an expired session shows its claims.
    pub claims: Result<Value, Error>,
}

/// Tries the secrets under the candidate's own key derivation first, then under the other
/// salts and the other flavor; the library says which secret opens the token.
pub fn open_any(token: &str, c: &Candidate, s: &Settings) -> Option<Match> {
    let mut tries = vec![(c.flavor, c.salt(s))];
    for f in [c.flavor, other(c.flavor)] {
        for salt in salts(f, s) {
            if !tries.contains(&(f, salt.clone())) {
                tries.push((f, salt));
            }
        }
    }
    for (f, salt) in tries {
        if s.secrets[ix(f)].is_empty() {
            continue;
        }
        let name = if salt.is_empty() { &c.name } else { &salt };
        let Ok(d) = decoder(f, name, &salt, &s.secrets[ix(f)], s.now, Some(FOREVER)) else {
            continue;
        };
        if let Some(i) = d.diagnose_token(token).opened_by {
            return Some(Match {
                flavor: f,
                salt,
                position: i + 1,
                claims: d.decode::<Value>(token),
            });
        }
    }
    None
}

/// The secret (1-based) and v5 salt whose key id is the token's `kid`.
pub fn kid_owner(token: &str, s: &Settings) -> Option<(usize, String)> {
    salts(Flavor::V5, s).into_iter().find_map(|salt| {
        let d = decoder(Flavor::V5, &salt, &salt, &s.secrets[1], s.now, None).ok()?;
        d.diagnose_token(token).kid_owner.map(|i| (i + 1, salt))
    })
}
