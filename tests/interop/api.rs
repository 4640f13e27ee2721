//! API guarantees: thread safety, redacted Debug, configuration errors, `from_env`.

use nextauth_session::{Decoder, DecoderBuilder, Error, Flavor, Secret, Session};

fn assert_send_sync<T: Send + Sync + 'static>() {}
fn assert_clone<T: Clone>() {}

#[test]
fn public_types_are_thread_safe() {
    assert_send_sync::<Decoder>();
    assert_send_sync::<Error>();
    assert_send_sync::<Session>();
    assert_send_sync::<Secret>();
    assert_send_sync::<Flavor>();
    assert_clone::<Decoder>();
    assert_clone::<Session>();
    let _: &dyn std::error::Error = &Error::DecryptionFailed;
}

#[test]
fn debug_is_redacted() {
    let secret = "correct horse battery staple";
    let builder: DecoderBuilder = Decoder::builder(Flavor::V5)
        .secret(secret)
        .secret(String::from("older one"));
    let shown = format!("{builder:?}");
    assert!(
        !shown.contains("horse") && !shown.contains("older"),
        "{shown}"
    );
    let decoder = builder.build().unwrap();
    assert_eq!(
        format!("{decoder:?}"),
        "Decoder { flavor: V5, cookie_name: \"authjs.session-token\", secrets: [redacted; 2], \
         clock_tolerance: 15s, limits: Limits { max_token_len: 131072, max_header_len: 262144, max_chunks: 64 } }"
    );
    assert!(!format!("{decoder:#?}").contains("horse"));
    assert_eq!(format!("{:?}", Secret::from(secret)), "Secret([redacted])");
    assert_eq!(
        format!("{:?}", Secret::from(secret.as_bytes().to_vec())),
        "Secret([redacted])"
    );
}

#[test]
fn configuration_errors() {
    assert_eq!(
        Decoder::builder(Flavor::V4).build().unwrap_err(),
        Error::Config("no secret configured")
    );
    assert!(matches!(
        Decoder::builder(Flavor::V5).secret("a").secret("").build(),
        Err(Error::Config(_))
    ));
    assert!(matches!(
        Decoder::builder(Flavor::V5).secret(&b""[..]).build(),
        Err(Error::Config(_))
    ));
    assert!(matches!(
        Decoder::builder(Flavor::V5)
            .secret("a")
            .cookie_name("")
            .build(),
        Err(Error::Config(_))
    ));
}

#[test]
fn cookie_names_per_flavor() {
    let name = |f, secure| {
        Decoder::builder(f)
            .secret("s")
            .secure(secure)
            .build()
            .unwrap()
            .cookie_name()
            .to_owned()
    };
    assert_eq!(name(Flavor::V4, false), "next-auth.session-token");
    assert_eq!(name(Flavor::V4, true), "__Secure-next-auth.session-token");
    assert_eq!(name(Flavor::V5, false), "authjs.session-token");
    assert_eq!(name(Flavor::V5, true), "__Secure-authjs.session-token");
}

/// `from_env` reads the process environment, which tests must not change in-process: each
/// scenario runs this test binary again as a child with exactly the variables it needs, and
/// the child prints what it built.
#[test]
fn from_env_reads_the_references_variables() {
    const VARS: [&str; 9] = [
        "NEXTAUTH_SECRET",
        "AUTH_SECRET",
        "AUTH_SECRET_1",
        "AUTH_SECRET_2",
        "AUTH_SECRET_3",
        "NEXTAUTH_URL",
        "AUTH_URL",
        "VERCEL",
        "FROM_ENV_FLAVOR",
    ];
    let run = |flavor: &str, vars: &[(&str, &str)]| -> String {
        let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
        cmd.args([
            "--exact",
            "api::from_env_child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ]);
        for var in VARS {
            cmd.env_remove(var);
        }
        cmd.env("FROM_ENV_FLAVOR", flavor)
            .envs(vars.iter().copied());
        let out = cmd.output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        stdout
            .lines()
            .find_map(|l| l.split_once("FROM_ENV ").map(|(_, rest)| rest))
            .unwrap_or_else(|| panic!("child printed no result: {stdout}"))
            .to_owned()
    };
    // What the builder makes of the same settings, printed the same way.
    let expect = |flavor: Flavor, secure: bool, secrets: &[&str]| -> String {
        let decoder = secrets
            .iter()
            .fold(Decoder::builder(flavor).secure(secure), |b, s| b.secret(*s))
            .build()
            .unwrap();
        describe(&decoder)
    };
    use Flavor::{V4, V5};
    // v4: NEXTAUTH_SECRET, else AUTH_SECRET; secure from NEXTAUTH_URL, else VERCEL.
    assert_eq!(
        run("v4", &[]),
        "error invalid configuration: no secret in the environment (AUTH_SECRET or NEXTAUTH_SECRET)"
    );
    assert_eq!(
        run("v4", &[("NEXTAUTH_SECRET", "a"), ("AUTH_SECRET", "b")]),
        expect(V4, false, &["a"])
    );
    assert_eq!(
        run("v4", &[("NEXTAUTH_SECRET", ""), ("AUTH_SECRET", "b")]),
        expect(V4, false, &["b"])
    );
    assert_eq!(
        run("v4", &[("AUTH_SECRET", "b"), ("NEXTAUTH_URL", "https://x")]),
        expect(V4, true, &["b"])
    );
    assert_eq!(
        run("v4", &[("AUTH_SECRET", "b"), ("VERCEL", "1")]),
        expect(V4, true, &["b"])
    );
    assert_eq!(
        run(
            "v4",
            &[
                ("AUTH_SECRET", "b"),
                ("VERCEL", "1"),
                ("NEXTAUTH_URL", "http://x")
            ]
        ),
        expect(V4, false, &["b"])
    );
    // v5: AUTH_SECRET_3.._1, AUTH_SECRET in that order (empty ones skipped), else
    // NEXTAUTH_SECRET; secure from AUTH_URL, else NEXTAUTH_URL.
    let rotation = [
        ("AUTH_SECRET", "s0"),
        ("AUTH_SECRET_1", "s1"),
        ("AUTH_SECRET_3", "s3"),
        ("AUTH_SECRET_2", ""),
        ("NEXTAUTH_SECRET", "n"),
    ];
    assert_eq!(run("v5", &rotation), expect(V5, false, &["s3", "s1", "s0"]));
    assert_ne!(run("v5", &rotation), expect(V5, false, &["s0", "s1", "s3"]));
    assert_eq!(
        run("v5", &[("NEXTAUTH_SECRET", "n")]),
        expect(V5, false, &["n"])
    );
    assert_eq!(
        run(
            "v5",
            &[
                ("AUTH_SECRET", "s"),
                ("AUTH_URL", "https://a"),
                ("NEXTAUTH_URL", "http://b")
            ]
        ),
        expect(V5, true, &["s"])
    );
    assert_eq!(
        run(
            "v5",
            &[
                ("AUTH_SECRET", "s"),
                ("AUTH_URL", "http://a"),
                ("NEXTAUTH_URL", "https://b")
            ]
        ),
        expect(V5, false, &["s"])
    );
    assert_eq!(
        run("v5", &[("AUTH_SECRET", "s"), ("NEXTAUTH_URL", "https://b")]),
        expect(V5, true, &["s"])
    );
    assert_eq!(
        run("v5", &[("AUTH_SECRET", "s"), ("VERCEL", "1")]),
        expect(V5, false, &["s"])
    );
}

/// The cookie name and the key ids (public thumbprints, one per secret, in order).
fn describe(decoder: &Decoder) -> String {
    format!(
        "{} {}",
        decoder.cookie_name(),
        decoder.key_ids().collect::<Vec<_>>().join(",")
    )
}

/// The child side of `from_env_reads_the_references_variables`. It prints the cookie name and
/// its key ids (public thumbprints), so no secret leaves the decoder.
#[test]
#[ignore = "run as a child process by from_env_reads_the_references_variables"]
fn from_env_child() {
    let flavor = match std::env::var("FROM_ENV_FLAVOR").as_deref() {
        Ok("v4") => Flavor::V4,
        _ => Flavor::V5,
    };
    match Decoder::from_env(flavor) {
        Err(e) => println!("FROM_ENV error {e}"),
        Ok(decoder) => println!("FROM_ENV {}", describe(&decoder)),
    }
}
