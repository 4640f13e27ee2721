//! Checks of `nextauth-session` against josekit, an independent JOSE implementation that
//! links the system OpenSSL: the differential test (`tests/josekit_diff.rs`) and the
//! benchmark baseline (`benches/josekit.rs`). A workspace member of its own (`publish =
//! false`) so that the crate's own tests and examples need no OpenSSL.
//!
//! Both read the token fixtures the reference libraries wrote (`../fixtures/tokens.json`) and
//! derive every key here with HKDF-SHA256, independently of the crate.

use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hkdf::Hkdf;
use nextauth_session::{Decoder, Flavor};
use serde::Deserialize;
use serde_json::Value;
use sha2::Sha256;

/// One case of `fixtures/tokens.json`: a token the references wrote (or a mutation of one)
/// and the settings it was checked with.
#[derive(Deserialize)]
pub struct TokenCase {
    /// The case's name.
    pub id: String,
    /// `v4` or `v5`.
    pub flavor: String,
    /// The secrets, current first.
    pub secrets: Vec<String>,
    /// The HKDF salt.
    pub salt: String,
    /// The instant (unix seconds) the references checked the token at.
    pub now: i64,
    /// The compact JWE.
    pub token: String,
}

#[derive(Deserialize)]
struct TokenFixtures {
    cases: Vec<TokenCase>,
}

/// Every case of `fixtures/tokens.json`, in file order.
pub fn cases() -> Vec<TokenCase> {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "..", "fixtures", "tokens.json"]
        .iter()
        .collect();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str::<TokenFixtures>(&text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .cases
}

/// The flavor named `v4` or `v5`.
pub fn flavor(name: &str) -> Flavor {
    match name {
        "v4" => Flavor::V4,
        "v5" => Flavor::V5,
        other => panic!("unknown flavor {other}"),
    }
}

impl TokenCase {
    /// The crate's decoder for this case: its secrets, salt and instant.
    pub fn decoder(&self) -> Decoder {
        self.secrets
            .iter()
            .fold(Decoder::builder(flavor(&self.flavor)), |b, s| {
                b.secret(s.as_str())
            })
            .salt(self.salt.as_str())
            .fixed_time(self.now)
            .build()
            .unwrap_or_else(|e| panic!("{}: {e}", self.id))
    }

    /// HKDF-SHA256 of `secret` with the references' salt and info (reference-behaviour.md
    /// section 1), `len` bytes: 32 for `A256GCM`, 64 for `A256CBC-HS512`.
    pub fn derive(&self, secret: &str, len: usize) -> Vec<u8> {
        let info = match (self.flavor.as_str(), self.salt.as_str()) {
            ("v4", "") => "NextAuth.js Generated Encryption Key".to_owned(),
            ("v4", salt) => format!("NextAuth.js Generated Encryption Key ({salt})"),
            (_, salt) => format!("Auth.js Generated Encryption Key ({salt})"),
        };
        let mut key = vec![0u8; len];
        Hkdf::<Sha256>::new(Some(self.salt.as_bytes()), secret.as_bytes())
            .expand(info.as_bytes(), &mut key)
            .expect("HKDF-SHA256 gives 32 or 64 bytes");
        key
    }

    /// The key length and IV length of the token's `enc`, when it is one the references issue.
    pub fn enc_lengths(&self) -> Option<(usize, usize)> {
        let header = self.token.split('.').next()?;
        let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
        match header.get("enc")?.as_str()? {
            "A256GCM" => Some((32, 12)),
            "A256CBC-HS512" => Some((64, 16)),
            _ => None,
        }
    }

    /// A josekit `dir` decrypter for `secret`'s key, when the token's `enc` is one the
    /// references issue.
    pub fn josekit_decrypter(
        &self,
        secret: &str,
    ) -> Option<josekit::jwe::alg::direct::DirectJweDecrypter> {
        let (len, _) = self.enc_lengths()?;
        josekit::jwe::Dir
            .decrypter_from_bytes(self.derive(secret, len))
            .ok()
    }

    /// The plaintext josekit gets with any of the case's secrets, if any.
    pub fn josekit_open(&self) -> Option<Vec<u8>> {
        let (_, iv_len) = self.enc_lengths()?;
        // josekit panics inside OpenSSL on an IV of the wrong length (for example an empty
        // one) instead of returning an error, so such tokens are not given to it.
        let iv = self.token.split('.').nth(2)?;
        if URL_SAFE_NO_PAD.decode(iv).map(|iv| iv.len()) != Ok(iv_len) {
            return None;
        }
        self.secrets.iter().find_map(|secret| {
            let decrypter = self.josekit_decrypter(secret)?;
            josekit::jwe::deserialize_compact(&self.token, &decrypter)
                .ok()
                .map(|(payload, _)| payload)
        })
    }
}
