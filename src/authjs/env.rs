//! Configuration as the references read it from the environment: which variables hold the
//! secrets, in which order, and when the secure (`__Secure-` / `__Host-`) cookie names apply.
//! Shared by [`Decoder::from_env`](crate::Decoder::from_env) and
//! [`Csrf::from_env`](crate::Csrf::from_env).

use crate::authjs::flavor::Flavor;
use crate::error::Error;

/// The secrets (first = current) and the "secure cookies" flag, read through `var`.
///
/// - v4: `NEXTAUTH_SECRET`, else `AUTH_SECRET`; secure when `NEXTAUTH_URL` starts with
///   `https://`, or, when `NEXTAUTH_URL` is unset, when `VERCEL` is set.
/// - v5: `AUTH_SECRET_3`, `AUTH_SECRET_2`, `AUTH_SECRET_1`, `AUTH_SECRET` (those set, in that
///   order), else `NEXTAUTH_SECRET`; secure when `AUTH_URL` (else `NEXTAUTH_URL`) starts with
///   `https://`.
///
/// Variables set to the empty string count as unset.
pub(crate) fn secrets_and_secure(
    flavor: Flavor,
    var: impl Fn(&str) -> Option<String>,
) -> Result<(Vec<String>, bool), Error> {
    let var = |name: &str| var(name).filter(|v| !v.is_empty());
    let https = |url: Option<String>| url.is_some_and(|url| url.starts_with("https://"));
    let (secrets, secure): (Vec<String>, bool) = match flavor {
        Flavor::V4 => (
            var("NEXTAUTH_SECRET")
                .or_else(|| var("AUTH_SECRET"))
                .into_iter()
                .collect(),
            match var("NEXTAUTH_URL") {
                Some(url) => https(Some(url)),
                None => var("VERCEL").is_some(),
            },
        ),
        Flavor::V5 => {
            let rotation = [
                "AUTH_SECRET_3",
                "AUTH_SECRET_2",
                "AUTH_SECRET_1",
                "AUTH_SECRET",
            ];
            let mut secrets: Vec<String> = rotation.into_iter().filter_map(var).collect();
            if secrets.is_empty() {
                secrets.extend(var("NEXTAUTH_SECRET"));
            }
            (
                secrets,
                https(var("AUTH_URL").or_else(|| var("NEXTAUTH_URL"))),
            )
        }
    };
    if secrets.is_empty() {
        return Err(Error::Config(
            "no secret in the environment (AUTH_SECRET or NEXTAUTH_SECRET)",
        ));
    }
    Ok((secrets, secure))
}
