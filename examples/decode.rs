//! Decodes a session token and prints the session as JSON.
//!
//! ```text
//! cargo run --example decode                               # the bundled v5 fixture token
//! cargo run --example decode -- v4                         # the bundled v4 fixture token
//! cargo run --example decode -- v5 <token> <secret>...     # your token, checked at the current time
//! ```
//!
//! The bundled tokens were written by the real Auth.js / NextAuth.js (`fixtures/quickstart/`);
//! they are checked at the time they were made, since they expired long ago.

use std::process::ExitCode;

use nextauth_session::{Decoder, Flavor, Session};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/quickstart");

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flavor = match args.first().map(String::as_str) {
        None | Some("v5") => Flavor::V5,
        Some("v4") => Flavor::V4,
        Some(other) => {
            eprintln!("unknown flavor {other:?}: use v4 or v5");
            return ExitCode::from(2);
        }
    };
    let built = if args.len() >= 3 {
        let decoder = args[2..]
            .iter()
            .fold(Decoder::builder(flavor), |b, s| b.secret(s.as_str()))
            .build();
        decoder.map(|d| (d, args[1].clone()))
    } else {
        bundled(flavor)
    };
    let (decoder, token) = match built {
        Ok(pair) => pair,
        Err(e) => {
            eprintln!("cannot build the decoder: {e}");
            return ExitCode::from(2);
        }
    };
    match decoder.decode::<Session>(token.trim()) {
        Ok(session) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&session).expect("a session serializes")
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("no session: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The bundled fixture token of `flavor`, with its secret and the time it was made at.
fn bundled(flavor: Flavor) -> Result<(Decoder, String), nextauth_session::Error> {
    let file = if flavor == Flavor::V4 {
        "v4.token"
    } else {
        "v5.token"
    };
    let read = |name: &str| {
        std::fs::read_to_string(format!("{DIR}/{name}")).expect("fixtures/quickstart is present")
    };
    let params: serde_json::Value =
        serde_json::from_str(&read("params.json")).expect("params.json is JSON");
    let case = &params[file];
    let decoder = Decoder::builder(flavor)
        .secret(case["secret"].as_str().expect("secret"))
        .fixed_time(case["now"].as_i64().expect("now"))
        .build()?;
    Ok((decoder, read(file)))
}
