//! [`Decoder::diagnose`]: what a decoder makes of a request, step by step, and why there is
//! no session.

use serde_json::{Map, Value};

use super::cookies::{ChunkRule, ChunkSet, ChunkState, ScannedCookie, scan_cookies};
use crate::authjs::decoder::Decoder;
use crate::authjs::flavor::Flavor;
use crate::crypto::jwe::{self, Compact, Enc, Header, Kid};
use crate::error::Error;
use crate::request::cookies;

/// Where the examined token came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenSource {
    /// The session cookie; `chunks` is 0 for an unchunked cookie.
    Cookie {
        /// How many chunks were joined.
        chunks: usize,
    },
    /// `Authorization: Bearer` (the request has no session cookie with a value).
    Bearer,
}

/// What is wrong with an `Authorization` header that is not read as a Bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BearerProblem {
    /// `Bearer` with nothing after it.
    Empty,
    /// More than one space after `Bearer`: the token is read between the first and the second.
    Spacing,
    /// `bearer`, `BEARER`, ...: the scheme is case-sensitive, as in the references.
    SchemeCase,
    /// Another scheme (`Basic`, ...).
    OtherScheme,
}

/// Why a request has no session, for one decoder configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// No session cookie, and no usable `Authorization: Bearer` token.
    NoCookie {
        /// Why the `Authorization` header, when there is one, gives no token.
        bearer: Option<BearerProblem>,
    },
    /// The session cookie is present but empty: it counts as absent.
    EmptyCookie,
    /// The session cookies do not form one token (see the [`ChunkState`]): a chunk missing,
    /// the unchunked cookie next to chunks, or a chunk index twice.
    Chunks(ChunkState),
    /// The token was joined from chunks but does not open, and the chunks look cut short: only
    /// `.0`, or a last chunk of full size.
    Truncated(ChunkState),
    /// An input above the decoder's [`Limits`](crate::Limits).
    TooLarge {
        /// `"token"`, `"cookie header"` or `"chunk count"`.
        what: &'static str,
        /// The limit in force.
        limit: usize,
    },
    /// The `Authorization: Bearer` token is not valid percent-encoding.
    BearerMalformed,
    /// The session cookie's value is wrapped in double quotes (no reader strips them).
    Quoted,
    /// The session cookie's value has malformed percent-encoding (it is read raw).
    BadPercent,
    /// A session cookie name appears more than once; the first occurrence is read and does
    /// not open.
    DuplicateCookie {
        /// The name that appears twice.
        name: String,
        /// A later occurrence would open with one of the secrets.
        later_opens: bool,
    },
    /// The chunks join into a token that does not open, but the first `valid` chunks alone
    /// do: chunks of an earlier, longer session follow.
    StaleChunks {
        /// How many leading chunks hold the session.
        valid: usize,
        /// How many chunks were joined.
        chunks: usize,
    },
    /// Not a JWE but an opaque session id, as the database session strategy writes.
    SessionId,
    /// Not a JWE, nor a session id.
    NotJwe,
    /// No configured secret opens the token (and no `kid` names one of them).
    WrongSecret {
        /// The token carries a `kid` (v5), which matches none of the secrets.
        kid: bool,
    },
    /// The `kid` names a configured secret (0-based position), yet the token does not open
    /// with it: modified or cut.
    Tampered {
        /// The secret the `kid` names.
        secret: usize,
    },
    /// Every other way the token fails, as the decoder reports it: malformed, unsupported,
    /// expired, not yet valid, invalid claims (never [`Error::DecryptionFailed`] or
    /// [`Error::NotJwe`], which have their own reasons above).
    Token(Error),
}

/// What a decoder makes of one token.
#[derive(Clone, PartialEq)]
pub struct TokenDiagnosis {
    /// The protected header, when it is base64url JSON (it is public: no secret in it).
    pub header: Option<Map<String, Value>>,
    /// The configured secret (0-based, current first) whose key decrypts the token, whatever
    /// the claims checks say afterwards.
    pub opened_by: Option<usize>,
    /// The configured secret whose key id equals the token's `kid` (v5).
    pub kid_owner: Option<usize>,
    /// `Ok` when [`Decoder::decode`] accepts the token.
    pub outcome: Result<(), Reason>,
}

impl std::fmt::Debug for TokenDiagnosis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenDiagnosis")
            .field("opened_by", &self.opened_by)
            .field("kid_owner", &self.kid_owner)
            .field("outcome", &self.outcome)
            .finish_non_exhaustive()
    }
}

/// What a decoder makes of a request: the cookies it sees, the session cookie's chunk set,
/// the token it takes, which secret opens it, and the reason when there is no session.
///
/// `Debug` shows no cookie value and no token.
#[derive(Clone, PartialEq)]
pub struct Diagnosis {
    /// Every cookie of the request, in header order.
    pub cookies: Vec<ScannedCookie>,
    /// The session cookie's name and chunks, when any is present.
    pub set: Option<ChunkSet>,
    /// Where the token came from, when one was found.
    pub source: Option<TokenSource>,
    /// The token found (chunks joined, Bearer fallback applied), not decrypted.
    pub token: Option<String>,
    /// What the decoder makes of the token.
    pub token_diagnosis: Option<TokenDiagnosis>,
    /// `Ok` when the request has a session for this decoder.
    pub outcome: Result<(), Reason>,
}

impl std::fmt::Debug for Diagnosis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Diagnosis")
            .field("cookies", &self.cookies)
            .field("set", &self.set)
            .field("source", &self.source)
            .field("token_diagnosis", &self.token_diagnosis)
            .field("outcome", &self.outcome)
            .finish_non_exhaustive()
    }
}

/// The protected header of a compact token as JSON.
fn header_json(token: &str) -> Option<Map<String, Value>> {
    let part = token.split('.').next()?;
    let bytes = crate::crypto::b64::decode(part)?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

/// A database session id as the references write it: `crypto.randomUUID()`, or 32 random
/// bytes in hex (next-auth@4 without `randomUUID`).
fn looks_like_session_id(value: &str) -> bool {
    let hex = |s: &str| s.bytes().all(|b| b.is_ascii_hexdigit());
    let uuid = value.len() == 36
        && value.split('-').map(str::len).eq([8, 4, 4, 4, 12])
        && value.split('-').all(hex);
    uuid || (value.len() == 64 && hex(value))
}

fn bearer_problem(authorization: &str) -> Option<BearerProblem> {
    let (scheme, rest) = authorization.split_once(' ').unwrap_or((authorization, ""));
    if scheme == "Bearer" && rest.is_empty() {
        Some(BearerProblem::Empty)
    } else if scheme == "Bearer" && rest.starts_with(' ') {
        Some(BearerProblem::Spacing)
    } else if scheme.eq_ignore_ascii_case("bearer") && scheme != "Bearer" {
        Some(BearerProblem::SchemeCase)
    } else if scheme != "Bearer" {
        Some(BearerProblem::OtherScheme)
    } else {
        None
    }
}

impl Decoder {
    /// Which configured secret (0-based) decrypts `token`, ignoring the claims checks.
    fn opened_by(&self, token: &str) -> Option<usize> {
        let compact = Compact::split(token).ok()?;
        let header = Header::parse(compact.header, self.flavor().accept()).ok()?;
        let (keys, _, _) = self.encoder_parts();
        keys.iter().position(|key| {
            header.kid.admits(key.kid(header.enc))
                && jwe::open(&compact, &header, std::iter::once(key)).is_ok()
        })
    }

    /// What this decoder makes of one token (the session cookie's value, chunks joined): its
    /// header, which secret opens it, which secret its `kid` names, and why it is refused.
    /// For tools and logs; unlike [`decode`](Self::decode), it says WHY decryption failed
    /// (wrong secret or modified token), which only someone holding the secrets can learn.
    pub fn diagnose_token(&self, token: &str) -> TokenDiagnosis {
        let (keys, _, limits) = self.encoder_parts();
        if token.len() > limits.max_token_len {
            return TokenDiagnosis {
                header: None,
                opened_by: None,
                kid_owner: None,
                outcome: Err(Reason::TooLarge {
                    what: "token",
                    limit: limits.max_token_len,
                }),
            };
        }
        let header = header_json(token);
        let opened_by = self.opened_by(token);
        let kid_owner = Compact::split(token)
            .ok()
            .and_then(|c| Header::parse(c.header, self.flavor().accept()).ok())
            .filter(|h| matches!(h.kid, Kid::Value { .. }))
            .and_then(|h| {
                keys.iter()
                    .position(|key| h.kid.admits(key.kid(Enc::A256CbcHs512)))
            });
        let outcome = match self.decode::<serde::de::IgnoredAny>(token) {
            Ok(_) => Ok(()),
            Err(Error::NotJwe) if looks_like_session_id(token) => Err(Reason::SessionId),
            Err(Error::NotJwe) => Err(Reason::NotJwe),
            Err(Error::DecryptionFailed) => Err(match kid_owner {
                Some(secret) => Reason::Tampered { secret },
                None => Reason::WrongSecret {
                    kid: header.as_ref().is_some_and(|h| h.contains_key("kid"))
                        && self.flavor() == Flavor::V5,
                },
            }),
            Err(Error::TooLarge { what, limit }) => Err(Reason::TooLarge { what, limit }),
            Err(e) => Err(Reason::Token(e)),
        };
        TokenDiagnosis {
            header,
            opened_by,
            kid_owner,
            outcome,
        }
    }

    /// What this decoder makes of a request, step by step: the cookies, the session cookie's
    /// chunk set, the token taken (exactly as [`session`](Self::session) takes it), which
    /// secret opens it, and why there is no session. For tools (the `nextauth-session
    /// inspect` command) and logs; the request is read exactly as [`session`](Self::session)
    /// reads it.
    ///
    /// `cookie_lines` are the `Cookie` header lines (HTTP/2 may send several).
    pub fn diagnose(&self, cookie_lines: &[&str], authorization: Option<&str>) -> Diagnosis {
        let (_, _, limits) = self.encoder_parts();
        let name = self.cookie_name();
        let mut d = Diagnosis {
            cookies: Vec::new(),
            set: None,
            source: None,
            token: None,
            token_diagnosis: None,
            outcome: Ok(()),
        };
        let header_len = cookie_lines
            .iter()
            .map(|l| l.len())
            .fold(0usize, usize::saturating_add);
        if header_len <= limits.max_header_len {
            d.cookies = scan_cookies(cookie_lines);
            d.set = ChunkSet::of(
                &d.cookies,
                name,
                ChunkRule::AuthJs,
                Some(self.flavor().chunk_size()),
            );
        }
        let found =
            cookies::find_token(|| cookie_lines.iter().copied(), authorization, name, limits);
        let token = match found {
            Ok(Some(token)) => token.into_owned(),
            Ok(None) => {
                d.outcome = Err(match &d.set {
                    Some(_) => Reason::EmptyCookie,
                    None => Reason::NoCookie {
                        bearer: authorization.and_then(bearer_problem),
                    },
                });
                return d;
            }
            Err(Error::InconsistentChunks(_)) => {
                let state = d
                    .set
                    .as_ref()
                    .map_or(ChunkState::DuplicateIndex, |s| s.state.clone());
                d.outcome = Err(Reason::Chunks(state));
                return d;
            }
            Err(Error::TooLarge { what, limit }) => {
                d.outcome = Err(Reason::TooLarge { what, limit });
                return d;
            }
            Err(_) => {
                d.outcome = Err(Reason::BearerMalformed);
                return d;
            }
        };
        let from_cookie = d
            .set
            .as_ref()
            .is_some_and(|s| !matches!(s.state, ChunkState::Empty));
        d.source = Some(if from_cookie {
            TokenSource::Cookie {
                chunks: d
                    .set
                    .as_ref()
                    .map_or(0, |s| s.valued_indices(&d.cookies).len()),
            }
        } else {
            TokenSource::Bearer
        });
        let td = self.diagnose_token(&token);
        d.outcome = match (&td.outcome, from_cookie && td.opened_by.is_none()) {
            (Ok(()), _) => Ok(()),
            (Err(reason), true) => Err(self
                .cookie_reason(&d, &td)
                .unwrap_or_else(|| reason.clone())),
            (Err(reason), false) => Err(reason.clone()),
        };
        d.token = Some(token);
        d.token_diagnosis = Some(td);
        d
    }

    /// When a cookie token does not open: what about the cookies explains it.
    fn cookie_reason(&self, d: &Diagnosis, td: &TokenDiagnosis) -> Option<Reason> {
        let set = d.set.as_ref()?;
        let members = || {
            set.unchunked
                .into_iter()
                .chain(set.chunks.iter().map(|(_, pos)| *pos))
                .map(|pos| &d.cookies[pos])
        };
        if members().any(ScannedCookie::is_quoted) {
            return Some(Reason::Quoted);
        }
        if members().any(|c| c.bad_percent) {
            return Some(Reason::BadPercent);
        }
        let name = self.cookie_name();
        let chunk_of = |c: &ScannedCookie| ChunkRule::AuthJs.chunk_index(&c.name, name);
        if let Some(first) = d
            .cookies
            .iter()
            .find(|c| c.duplicate && (c.name == name || chunk_of(c).is_some()))
        {
            let values = set.contiguous(&d.cookies);
            let later_opens = d
                .cookies
                .iter()
                .filter(|c| c.duplicate && (c.name == name || chunk_of(c).is_some()))
                .take(64)
                .any(|dup| {
                    let alternative = if dup.name == name {
                        Some(dup.value.clone())
                    } else {
                        chunk_of(dup).zip(values.clone()).and_then(|(i, mut v)| {
                            *v.get_mut(i)? = dup.value.as_str();
                            Some(v.concat())
                        })
                    };
                    alternative.is_some_and(|t| self.opened_by(&t).is_some())
                });
            return Some(Reason::DuplicateCookie {
                name: first.name.clone(),
                later_opens,
            });
        }
        if let Some(values) = set.contiguous(&d.cookies).filter(|v| v.len() > 1)
            && let Some(valid) = (1..values.len())
                .rev()
                .find(|k| self.opened_by(&values[..*k].concat()).is_some())
        {
            return Some(Reason::StaleChunks {
                valid,
                chunks: values.len(),
            });
        }
        // A full last chunk is only suspicious when the secret is not the obvious cause: v4
        // tokens carry no kid, a v5 kid naming a configured secret says the key is right.
        let key_known = self.flavor() == Flavor::V4 || td.kid_owner.is_some();
        if matches!(set.state, ChunkState::SingleChunk { .. })
            || (matches!(set.state, ChunkState::LastChunkFull { .. }) && key_known)
        {
            return Some(Reason::Truncated(set.state.clone()));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoder(secrets: &[&str]) -> Decoder {
        secrets
            .iter()
            .fold(
                Decoder::builder(Flavor::V5).fixed_time(1_750_000_000),
                |b, s| b.secret(*s),
            )
            .build()
            .unwrap()
    }

    #[test]
    fn which_secret_opens_and_why_not() {
        let token = decoder(&["old"])
            .encoder()
            .encode(&serde_json::json!({"sub": "1"}))
            .unwrap();
        let cookie = format!("authjs.session-token={token}");
        let d = decoder(&["new", "old"]).diagnose(&[&cookie], None);
        assert_eq!(d.outcome, Ok(()));
        assert_eq!(d.source, Some(TokenSource::Cookie { chunks: 0 }));
        let td = d.token_diagnosis.unwrap();
        assert_eq!((td.opened_by, td.kid_owner), (Some(1), Some(1)));

        let d = decoder(&["other"]).diagnose(&[&cookie], None);
        assert_eq!(d.outcome, Err(Reason::WrongSecret { kid: true }));
        // The kid names the secret, the ciphertext is modified: tampered, not a wrong secret.
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let flipped = if parts[3].starts_with('A') { "B" } else { "A" };
        parts[3].replace_range(..1, flipped);
        let modified = parts.join(".");
        let td = decoder(&["old"]).diagnose_token(&modified);
        assert_eq!(td.outcome, Err(Reason::Tampered { secret: 0 }));
        assert!(!format!("{td:?}").contains(&modified));

        let quoted = format!("authjs.session-token=\"{token}\"");
        assert_eq!(
            decoder(&["old"]).diagnose(&[&quoted], None).outcome,
            Err(Reason::Quoted)
        );
        let dup = format!("authjs.session-token=x.y.z.w.v; authjs.session-token={token}");
        assert_eq!(
            decoder(&["old"]).diagnose(&[&dup], None).outcome,
            Err(Reason::DuplicateCookie {
                name: "authjs.session-token".into(),
                later_opens: true
            })
        );
        assert_eq!(
            decoder(&["old"])
                .diagnose(&["a=1"], Some("bearer x"))
                .outcome,
            Err(Reason::NoCookie {
                bearer: Some(BearerProblem::SchemeCase)
            })
        );
        assert_eq!(
            decoder(&["old"])
                .diagnose_token(&"a".repeat(200_000))
                .outcome,
            Err(Reason::TooLarge {
                what: "token",
                limit: 128 * 1024
            })
        );
        assert_eq!(
            decoder(&["old"])
                .diagnose_token("0b9a8c2e-7d1f-4e3a-9c5b-2a6d8e0f1b3c")
                .outcome,
            Err(Reason::SessionId)
        );
    }
}
