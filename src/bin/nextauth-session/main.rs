//! `nextauth-session`: answers "why does my Rust service see no session?" (`inspect`, for
//! NextAuth.js v4 / Auth.js v5 and Better Auth cookies) and mints sessions and CSRF cookies
//! for tests and manual checks (`encode`, `csrf`). Built with the `cli` feature:
//! `cargo install nextauth-session --features cli`.
//!
//! The request is read by the library only (`nextauth_session::diagnosis`); this binary
//! parses its arguments and pasted input, and formats.
//!
//! Exit codes: 0 a session was decoded (or a token minted), 1 no session, 2 usage error.

mod better_auth;
mod diagnose;
mod input;
mod reasons;
mod report;
mod settings;
mod time;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::{Args, Parser, Subcommand, ValueEnum};
use nextauth_session::better_auth::CacheStrategy;
use nextauth_session::diagnosis::env_config;
use nextauth_session::{Csrf, Decoder, Flavor};
use zeroize::Zeroizing;

use settings::{NamedSecret, Request, Settings};

#[derive(Parser)]
#[command(
    name = "nextauth-session",
    version,
    about = "Inspect and mint NextAuth.js v4 / Auth.js v5 (and Better Auth) session cookies"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Explain step by step whether a request carries a session, and if not, why and how to
    /// fix it. Exit code 0: session decoded, 1: no session, 2: usage error.
    Inspect(InspectArgs),
    /// Mint a session token from JSON claims on standard input (iat, exp and jti are written
    /// over them, as the references do).
    Encode(EncodeArgs),
    /// Mint a CSRF double-submit cookie (token|sha256(token + secret)) as the references issue
    /// it: prints the token to submit and the Set-Cookie (or, with --cookie-header, the Cookie
    /// header).
    Csrf(CsrfArgs),
}

#[derive(Clone, Copy, ValueEnum)]
enum StrategyArg {
    /// `compact` (better-auth's default)
    Compact,
    /// `jwt`
    Jwt,
    /// `jwe` (stateless mode)
    Jwe,
}

impl From<StrategyArg> for CacheStrategy {
    fn from(s: StrategyArg) -> Self {
        match s {
            StrategyArg::Compact => CacheStrategy::Compact,
            StrategyArg::Jwt => CacheStrategy::Jwt,
            StrategyArg::Jwe => CacheStrategy::Jwe,
        }
    }
}

/// The Better Auth settings of the app (`inspect` reads Better Auth cookies when the request
/// has any).
#[derive(Args)]
struct BetterAuthArgs {
    /// Inspect Better Auth cookies even when the request has none.
    #[arg(long)]
    better_auth: bool,
    /// Better Auth's advanced.cookiePrefix.
    #[arg(long, value_name = "PREFIX", default_value = "better-auth")]
    cookie_prefix: String,
    /// Better Auth's session.cookieCache.strategy; default: what the cookie's shape says.
    #[arg(long, value_enum)]
    cache_strategy: Option<StrategyArg>,
    /// Better Auth's session.cookieCache.version.
    #[arg(long, value_name = "VERSION", default_value = "1")]
    cache_version: String,
    /// Better Auth's stateless mode (no database: the jwe cache is the whole session).
    #[arg(long)]
    stateless: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum FlavorArg {
    /// NextAuth.js v4 (next-auth@4)
    V4,
    /// Auth.js (next-auth@5, @auth/core)
    V5,
}

impl From<FlavorArg> for Flavor {
    fn from(f: FlavorArg) -> Self {
        match f {
            FlavorArg::V4 => Flavor::V4,
            FlavorArg::V5 => Flavor::V5,
        }
    }
}

/// The decoder settings shared by both commands.
#[derive(Args)]
struct KeyArgs {
    /// A secret, as the Next.js app has it. Repeat for a rotation, current first. Default: the
    /// environment variables Decoder::from_env reads (AUTH_SECRET_3.._1, AUTH_SECRET,
    /// NEXTAUTH_SECRET), which keeps secrets out of the shell history.
    #[arg(long = "secret", value_name = "SECRET")]
    secrets: Vec<String>,
    /// Use the __Secure- cookie name (the app runs behind HTTPS); `--secure=false` for the
    /// plain name. Default: from NEXTAUTH_URL / AUTH_URL / VERCEL as Decoder::from_env.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    secure: Option<bool>,
    /// A custom session cookie name (the app's cookies.sessionToken.name).
    #[arg(long, value_name = "NAME")]
    cookie_name: Option<String>,
    /// A custom HKDF salt (default: v4 empty, v5 the cookie name).
    #[arg(long, value_name = "SALT")]
    salt: Option<String>,
    /// The current time, unix seconds (default: the system clock).
    #[arg(long, value_name = "UNIX_SECONDS", allow_negative_numbers = true)]
    now: Option<i64>,
    /// The current time, unix milliseconds (Better Auth checks expiries to the millisecond).
    #[arg(
        long,
        value_name = "UNIX_MS",
        allow_negative_numbers = true,
        conflicts_with = "now"
    )]
    now_ms: Option<i64>,
}

#[derive(Args)]
struct InspectArgs {
    /// A Cookie header, a `Cookie: ...` line, a curl -v trace or a token; `-` or nothing reads
    /// standard input.
    input: Option<String>,
    /// The flavor of the app; default: try both.
    #[arg(long, value_enum)]
    flavor: Option<FlavorArg>,
    /// A Cookie header value.
    #[arg(long, value_name = "HEADER")]
    cookie: Option<String>,
    /// An Authorization header value (`Bearer <token>`).
    #[arg(long, value_name = "HEADER")]
    authorization: Option<String>,
    /// A session token (the cookie's value, chunks joined).
    #[arg(long, value_name = "TOKEN")]
    token: Option<String>,
    #[command(flatten)]
    keys: KeyArgs,
    #[command(flatten)]
    better_auth: BetterAuthArgs,
    /// Machine-readable output.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct CsrfArgs {
    /// The flavor of the app.
    #[arg(long, value_enum)]
    flavor: FlavorArg,
    #[command(flatten)]
    keys: KeyArgs,
    /// The token (default: 32 random bytes in hex, as the references make it).
    #[arg(long, value_name = "TOKEN")]
    token: Option<String>,
    /// Print the Cookie request header instead of the Set-Cookie header.
    #[arg(long)]
    cookie_header: bool,
}

#[derive(Args)]
struct EncodeArgs {
    /// The flavor of the app.
    #[arg(long, value_enum)]
    flavor: FlavorArg,
    #[command(flatten)]
    keys: KeyArgs,
    /// Session lifetime in seconds (default 30 days, as the references).
    #[arg(long, value_name = "SECONDS")]
    max_age: Option<u64>,
    /// Print the Set-Cookie headers that store the token (chunked when long) instead of the
    /// token.
    #[arg(long)]
    set_cookie: bool,
    /// With --set-cookie: the request's current Cookie header, whose stale session cookies
    /// are expired.
    #[arg(long, value_name = "HEADER")]
    cookie: Option<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Inspect(args) => inspect(args),
        Command::Encode(args) => encode(args),
        Command::Csrf(args) => csrf(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("error: {}", report::escape(&message));
            ExitCode::from(2)
        }
    }
}

/// The secrets `Decoder::from_env` reads for `flavor`, named by their variables.
fn env_secrets(flavor: Flavor) -> Vec<NamedSecret> {
    env_config(flavor)
        .secrets
        .into_iter()
        .map(|s| NamedSecret {
            value: s.value,
            source: s.variable,
        })
        .collect()
}

/// The `secure` setting `Decoder::from_env` uses, when the environment says anything.
fn env_secure(flavor: Flavor) -> Option<(bool, String)> {
    env_config(flavor).secure
}

fn settings(keys: KeyArgs, flavor: Option<Flavor>) -> Result<Settings, String> {
    if keys.secrets.iter().any(String::is_empty) {
        return Err("a --secret is empty".into());
    }
    if keys.cookie_name.as_deref() == Some("") {
        return Err("--cookie-name is empty".into());
    }
    let from_flags = |_: Flavor| -> Vec<NamedSecret> {
        keys.secrets
            .iter()
            .enumerate()
            .map(|(i, s)| NamedSecret {
                value: Zeroizing::new(s.clone()),
                source: format!("--secret #{}", i + 1),
            })
            .collect()
    };
    let mut secrets = if keys.secrets.is_empty() {
        [env_secrets(Flavor::V4), env_secrets(Flavor::V5)]
    } else {
        [from_flags(Flavor::V4), from_flags(Flavor::V5)]
    };
    // A flavor without its own variables borrows the other's, so both can be tried.
    if secrets[0].is_empty() {
        secrets[0] = env_secrets(Flavor::V5);
    }
    if secrets[1].is_empty() {
        secrets[1] = env_secrets(Flavor::V4);
    }
    let secure = |f: Flavor| match keys.secure {
        Some(b) => Some((b, format!("--secure={b}"))),
        None => env_secure(f),
    };
    let now_ms = match (keys.now_ms, keys.now) {
        (Some(ms), _) => ms,
        (None, Some(now)) => now.saturating_mul(1000),
        (None, None) => SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
    };
    let now = now_ms.div_euclid(1000);
    Ok(Settings {
        flavor,
        secure: [secure(Flavor::V4), secure(Flavor::V5)],
        cookie_name: keys.cookie_name,
        salt: keys.salt,
        secrets,
        now,
        now_ms,
    })
}

fn inspect(mut args: InspectArgs) -> Result<u8, String> {
    let explicit = args.cookie.is_some() || args.authorization.is_some() || args.token.is_some();
    let text = match args.input.take() {
        Some(text) if text == "-" => Some(read_stdin()?),
        Some(text) => Some(text),
        None if explicit => None,
        None => Some(read_stdin()?),
    };
    let pasted = text.as_deref().map(input::parse).unwrap_or_default();
    let mut request = Request {
        cookies: pasted.cookies,
        authorization: pasted.authorization,
        token: pasted.token,
    };
    request.cookies.extend(args.cookie.take());
    if args.authorization.is_some() {
        request.authorization = args.authorization.take();
    }
    if args.token.is_some() {
        // Exactly as given: whitespace in a token is an error the service would see too.
        request.token = args.token.take();
    }
    if request.token.as_deref() == Some("") {
        return Err("the token is empty".into());
    }
    // Pasted headers without a Cookie line are a request without cookies; nothing at all is a
    // usage error.
    let pasted_anything = text.as_deref().is_some_and(|t| !t.trim().is_empty());
    if !pasted_anything
        && request.cookies.is_empty()
        && request.authorization.is_none()
        && request.token.is_none()
    {
        return Err(
            "nothing to inspect: give a Cookie header, a token or an Authorization header (as an \
             argument or on standard input)"
                .into(),
        );
    }
    let secure_flag = args.keys.secure;
    let ba_secrets: Vec<NamedSecret> = args
        .keys
        .secrets
        .iter()
        .enumerate()
        .map(|(i, s)| NamedSecret {
            value: Zeroizing::new(s.clone()),
            source: format!("--secret #{}", i + 1),
        })
        .collect();
    let settings = settings(args.keys, args.flavor.map(Flavor::from))?;
    let ba = &args.better_auth;
    let options = better_auth::Options {
        force: ba.better_auth,
        prefix: ba.cookie_prefix.clone(),
        strategy: ba.cache_strategy.map(CacheStrategy::from),
        version: ba.cache_version.clone(),
        stateless: ba.stateless,
        secure: secure_flag,
    };
    let lines = request.lines();
    let ba_report = better_auth::inspect(&options, &ba_secrets, &lines, settings.now_ms)?;
    let ba_names: Vec<String> = ba_report
        .iter()
        .flat_map(|b| [b.token_cookie.clone(), b.data_cookie.clone()])
        .collect();
    let mut report = if settings.secrets.iter().all(Vec::is_empty) && ba_report.is_some() {
        // Better Auth secrets from its own variables: the Auth.js part has nothing to say.
        let mut r = diagnose::inspect(&settings, &request, &ba_names)?;
        r.reason = None;
        r
    } else {
        diagnose::inspect(&settings, &request, &ba_names)?
    };
    let authjs_cookies = report
        .cookies
        .iter()
        .any(|c| !c.role.contains("Better Auth"));
    report.better_auth_only = ba_report.is_some()
        && !authjs_cookies
        && request.authorization.is_none()
        && request.token.is_none();
    report.better_auth = ba_report;
    let out = if args.json {
        serde_json::to_string_pretty(&report).map_err(|e| e.to_string())? + "\n"
    } else {
        report.text()
    };
    print(&out)?;
    Ok(report.exit_code())
}

fn read_stdin() -> Result<String, String> {
    if std::io::stdin().is_terminal() {
        eprintln!("paste the Cookie header (or a curl -v trace, or a token), then press Ctrl-D");
    }
    input::read_stdin()
}

fn print(text: &str) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| format!("cannot write the output: {e}"))
}

/// The settings of a minting command, which needs a secret.
fn minting(keys: KeyArgs, flavor: Flavor) -> Result<Settings, String> {
    let s = settings(keys, Some(flavor))?;
    if s.secrets[settings::ix(flavor)].is_empty() {
        return Err(
            "no secret: pass --secret or set AUTH_SECRET (v5) / NEXTAUTH_SECRET (v4)".into(),
        );
    }
    Ok(s)
}

fn encode(args: EncodeArgs) -> Result<u8, String> {
    let flavor = Flavor::from(args.flavor);
    let s = minting(args.keys, flavor)?;
    let secrets = &s.secrets[settings::ix(flavor)];
    let mut builder = Decoder::builder(flavor).fixed_time(s.now);
    let secure = s.secure[usize::from(flavor == Flavor::V5)]
        .as_ref()
        .map(|(b, _)| *b);
    builder = builder.secure(secure.unwrap_or(false));
    if let Some(name) = &s.cookie_name {
        builder = builder.cookie_name(name.as_str());
    }
    if let Some(salt) = &s.salt {
        builder = builder.salt(salt.as_str());
    }
    for secret in secrets {
        builder = builder.secret(secret.value.as_str());
    }
    let decoder = builder.build().map_err(|e| e.to_string())?;
    let text = input::read_stdin()?;
    let claims: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| format!("the claims on standard input are not JSON: {e}"))?;
    if !claims.is_object() {
        return Err("the claims on standard input must be a JSON object".into());
    }
    let mut encoder = decoder.encoder();
    if let Some(secs) = args.max_age {
        encoder = encoder.max_age(Duration::from_secs(secs));
    }
    if let Some(b) = secure {
        encoder = encoder.secure(b);
    }
    let token = encoder.encode(&claims).map_err(|e| e.to_string())?;
    let out = if args.set_cookie {
        encoder
            .set_cookies(&token, args.cookie.as_deref())
            .into_iter()
            .map(|c| format!("Set-Cookie: {c}\n"))
            .collect()
    } else {
        format!("{token}\n")
    };
    print(&out)?;
    Ok(0)
}

fn csrf(args: CsrfArgs) -> Result<u8, String> {
    let flavor = Flavor::from(args.flavor);
    let s = minting(args.keys, flavor)?;
    let secrets = &s.secrets[settings::ix(flavor)];
    let secure = s.secure[settings::ix(flavor)]
        .as_ref()
        .is_some_and(|(b, _)| *b);
    let mut check = Csrf::builder(flavor).secure(secure);
    let mut decoder = Decoder::builder(flavor).secure(secure);
    for secret in secrets {
        check = check.secret(secret.value.as_str());
        decoder = decoder.secret(secret.value.as_str());
    }
    if let Some(name) = &s.cookie_name {
        check = check.cookie_name(name.as_str());
    }
    let check = check.build().map_err(|e| e.to_string())?;
    let encoder = decoder.build().map_err(|e| e.to_string())?.encoder();
    let cookie = match &args.token {
        Some(token) => encoder.csrf_cookie_with_token(&check, token),
        None => encoder.csrf_cookie(&check),
    }
    .map_err(|e| e.to_string())?;
    let out = if args.cookie_header {
        format!("{}\n", cookie.cookie_header())
    } else {
        format!(
            "token: {}\nSet-Cookie: {}\n",
            cookie.token(),
            cookie.set_cookie()
        )
    };
    print(&out)?;
    Ok(0)
}
