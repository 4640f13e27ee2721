//! The configuration the example services (`examples/axum.rs`, `examples/actix.rs`) share,
//! all from the environment: where sessions come from ([`SessionSource`]: the JWT decoder, the
//! app's database, or Better Auth's cookies) and the CSRF check. See either example's docs for
//! the variables.

use nextauth_session::integrations::SessionSource;
use nextauth_session::{Csrf, Decoder, Flavor, Session};
use serde_json::{Value, json};

/// A service's session source and CSRF check, built once.
pub struct Config {
    pub source: SessionSource,
    pub csrf: Csrf,
}

/// `NEXTAUTH_FLAVOR`: `v5` (the default) or `v4`.
pub fn flavor() -> Result<Flavor, String> {
    match std::env::var("NEXTAUTH_FLAVOR").as_deref() {
        Err(_) | Ok("" | "v5") => Ok(Flavor::V5),
        Ok("v4") => Ok(Flavor::V4),
        Ok(other) => Err(format!("NEXTAUTH_FLAVOR={other:?}: use v4 or v5")),
    }
}

/// The strategy and the session cookie's name, for the start-up line.
pub fn describe(source: &SessionSource) -> (&'static str, String) {
    match source {
        SessionSource::Jwt(decoder) => ("jwt", decoder.cookie_name().to_owned()),
        #[cfg(any(feature = "postgres", feature = "sqlite"))]
        SessionSource::Database(store) => ("database", store.cookie_name_in_use().to_owned()),
        _ => ("other", String::new()),
    }
}

/// The session source from the environment: the app's database when `DATABASE_URL` is set,
/// else the JWT decoder.
pub async fn configure(flavor: Flavor) -> Result<Config, Box<dyn std::error::Error>> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    if let Some(mode) = var("BA_MODE") {
        return configure_better_auth(&mode).await;
    }
    let csrf = Csrf::from_env(flavor)?;
    let Some(url) = var("DATABASE_URL") else {
        return Ok(Config {
            source: Decoder::from_env(flavor)?.into(),
            csrf,
        });
    };
    #[cfg(any(feature = "postgres", feature = "sqlite"))]
    {
        use nextauth_session::database::{Schema, Store};
        let name = var("DATABASE_SCHEMA").unwrap_or_else(|| "prisma".to_owned());
        let schema = Schema::by_name(&name)
            .ok_or(format!("DATABASE_SCHEMA={name:?} is not an adapter preset"))?;
        let ttl = var("SESSION_CACHE_TTL_MS")
            .map(|v| v.parse::<u64>())
            .transpose()?;
        // The references use `__Secure-` names behind https (AUTH_URL / NEXTAUTH_URL).
        let url_var = match flavor {
            Flavor::V4 => var("NEXTAUTH_URL"),
            _ => var("AUTH_URL").or_else(|| var("NEXTAUTH_URL")),
        };
        let secure = url_var.is_some_and(|u| u.starts_with("https://"));
        let mut store = Store::connect(&url, schema)
            .await?
            .flavor(flavor)
            .secure(secure);
        if let Some(ms) = ttl {
            let ttl = std::time::Duration::from_millis(ms);
            store = store.cache_ttl(ttl).negative_cache_ttl(ttl);
        }
        Ok(Config {
            source: store.into(),
            csrf,
        })
    }
    #[cfg(not(any(feature = "postgres", feature = "sqlite")))]
    {
        let _ = url;
        Err("DATABASE_URL is set: build with --features postgres (or sqlite)".into())
    }
}

/// Better Auth (`BA_MODE=database` or `stateless`): the secrets and `__Secure-` names from
/// `BETTER_AUTH_SECRET(S)` / `BETTER_AUTH_URL`, the cookie cache from `BA_CACHE` (`compact`,
/// `jwt`, `jwe`, `none`), the app's database from `DATABASE_URL` in database mode.
#[cfg(feature = "better-auth")]
async fn configure_better_auth(mode: &str) -> Result<Config, Box<dyn std::error::Error>> {
    use nextauth_session::better_auth::{BetterAuth, CacheStrategy};
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let cache = match var("BA_CACHE").as_deref() {
        None | Some("none") => None,
        Some("compact") => Some(CacheStrategy::Compact),
        Some("jwt") => Some(CacheStrategy::Jwt),
        Some("jwe") => Some(CacheStrategy::Jwe),
        Some(other) => return Err(format!("BA_CACHE={other:?}: compact, jwt, jwe or none").into()),
    };
    let stateless = mode == "stateless";
    let reader = BetterAuth::from_env_with(|b| {
        let b = b.stateless(stateless);
        match cache {
            Some(strategy) => b.cookie_cache(strategy),
            None => b,
        }
    })?;
    // The /posts route's CSRF check is Auth.js's; keyed here with the Better Auth secret only
    // so that the router has one.
    let csrf = Csrf::builder(Flavor::V5)
        .secret(
            var("BETTER_AUTH_SECRET")
                .or_else(|| var("AUTH_SECRET"))
                .unwrap_or_default(),
        )
        .build()
        .or_else(|_| Csrf::builder(Flavor::V5).secret("unused").build())?;
    let source = match (mode, var("DATABASE_URL")) {
        ("stateless", _) => reader.into(),
        #[cfg(any(feature = "postgres", feature = "sqlite"))]
        ("database", Some(url)) => {
            use nextauth_session::database::{Schema, Store};
            let schema = Schema::by_name("better-auth").expect("a preset");
            let mut store = Store::connect(&url, schema).await?;
            if let Some(ms) = var("SESSION_CACHE_TTL_MS") {
                let ttl = std::time::Duration::from_millis(ms.parse()?);
                store = store.cache_ttl(ttl).negative_cache_ttl(ttl);
            }
            SessionSource::from((reader, store))
        }
        (other, _) => {
            return Err(
                format!("BA_MODE={other:?}: stateless, or database with DATABASE_URL").into(),
            );
        }
    };
    Ok(Config { source, csrf })
}

#[cfg(not(feature = "better-auth"))]
async fn configure_better_auth(_mode: &str) -> Result<Config, Box<dyn std::error::Error>> {
    Err("BA_MODE is set: build with --features better-auth".into())
}

/// The dashboard page of a signed-in user.
pub fn dashboard_page(session: &Session) -> String {
    format!(
        "welcome to your dashboard, {}",
        session.name.as_deref().unwrap_or("user")
    )
}

/// The answer to a post created by a signed-in user (the CSRF check passed).
pub fn post_created(session: &Session, post: &Value) -> Value {
    json!({ "ok": true, "by": session.email, "title": post.get("title") })
}
