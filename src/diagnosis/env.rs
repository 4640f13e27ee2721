//! The configuration the references read from the environment, with the name of the variable
//! each part comes from: for tools that explain where a secret or the `__Secure-` choice came
//! from. The rules are the library's own (`authjs::env`), observed, not repeated.

use std::cell::RefCell;

use zeroize::Zeroizing;

use crate::authjs::env::secrets_and_secure;
use crate::authjs::flavor::Flavor;

/// One secret read from the environment.
pub struct EnvSecret {
    /// The variable it comes from (`AUTH_SECRET`, `AUTH_SECRET_1`, ...).
    pub variable: String,
    /// The secret.
    pub value: Zeroizing<String>,
}

impl std::fmt::Debug for EnvSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnvSecret")
            .field("variable", &self.variable)
            .field("value", &format_args!("[redacted]"))
            .finish()
    }
}

/// What [`Decoder::from_env`](crate::Decoder::from_env) reads for one flavor, by variable.
#[derive(Debug)]
pub struct EnvConfig {
    /// The secrets, current first (empty when no secret variable is set).
    pub secrets: Vec<EnvSecret>,
    /// The `secure` setting and the variable that decides it (`AUTH_URL`, `NEXTAUTH_URL`,
    /// `VERCEL`); `None` when none of them is set.
    pub secure: Option<(bool, String)>,
}

/// [`Decoder::from_env`](crate::Decoder::from_env)'s reading of the environment for `flavor`,
/// with the variable behind each value.
pub fn env_config(flavor: Flavor) -> EnvConfig {
    env_config_from(flavor, |name| std::env::var(name).ok())
}

pub(crate) fn env_config_from(flavor: Flavor, var: impl Fn(&str) -> Option<String>) -> EnvConfig {
    // Every lookup that found a value, in the order the rules made them.
    let read: RefCell<Vec<(String, Zeroizing<String>)>> = RefCell::new(Vec::new());
    let recording = |name: &str| {
        let value = var(name).filter(|v| !v.is_empty());
        if let Some(v) = &value {
            read.borrow_mut()
                .push((name.to_owned(), Zeroizing::new(v.clone())));
        }
        value
    };
    let is_secret = |name: &str| name.contains("SECRET");
    let secure_of = |found: bool| {
        let variable = read
            .borrow()
            .iter()
            .map(|(name, _)| name.clone())
            .find(|name| !is_secret(name));
        variable.map(|v| (found, v))
    };
    match secrets_and_secure(flavor, recording) {
        Ok((_, secure)) => {
            let secure = secure_of(secure);
            let secrets = read
                .take()
                .into_iter()
                .filter(|(name, _)| is_secret(name))
                .map(|(variable, value)| EnvSecret { variable, value })
                .collect();
            EnvConfig { secrets, secure }
        }
        Err(_) => {
            // No secret: the same rules, with a stand-in secret, still say what `secure` is.
            let stand_in = |name: &str| {
                if is_secret(name) {
                    Some("stand-in".to_owned())
                } else {
                    var(name)
                }
            };
            let secure = secrets_and_secure(flavor, stand_in).is_ok_and(|(_, s)| s);
            EnvConfig {
                secrets: Vec::new(),
                secure: secure_of(secure),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn names_follow_the_rules() {
        let c = env_config_from(
            Flavor::V5,
            env(&[
                ("AUTH_SECRET", "a"),
                ("AUTH_SECRET_1", "b"),
                ("NEXTAUTH_SECRET", "c"),
                ("NEXTAUTH_URL", "https://x"),
            ]),
        );
        let names: Vec<&str> = c.secrets.iter().map(|s| s.variable.as_str()).collect();
        assert_eq!(names, ["AUTH_SECRET_1", "AUTH_SECRET"]);
        assert_eq!(c.secrets[0].value.as_str(), "b");
        assert_eq!(c.secure, Some((true, "NEXTAUTH_URL".to_owned())));

        let c = env_config_from(Flavor::V4, env(&[("AUTH_SECRET", "a"), ("VERCEL", "1")]));
        assert_eq!(c.secrets[0].variable, "AUTH_SECRET");
        assert_eq!(c.secure, Some((true, "VERCEL".to_owned())));

        let c = env_config_from(Flavor::V4, env(&[("NEXTAUTH_URL", "http://x")]));
        assert!(c.secrets.is_empty());
        assert_eq!(c.secure, Some((false, "NEXTAUTH_URL".to_owned())));
        assert_eq!(env_config_from(Flavor::V5, env(&[])).secure, None);
    }
}
