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
    // Cookie names are RFC 6265 tokens: nothing that could inject an attribute or a header
    // into the Set-Cookie values the encoder writes.
    for bad in [
        "",
        "sess; Domain=evil.com",
        "a b",
        "a\tb",
        "authjs.session-token\r\nSet-Cookie: pwn=1",
        "a=b",
        "\"q\"",
        "é",
    ] {
        assert!(
            matches!(
                Decoder::builder(Flavor::V5)
                    .secret("a")
                    .cookie_name(bad)
                    .build(),
                Err(Error::Config(_))
            ),
            "{bad:?}"
        );
        assert!(
            matches!(
                nextauth_session::Csrf::builder(Flavor::V5)
                    .secret("a")
                    .cookie_name(bad)
                    .build(),
                Err(Error::Config(_))
            ),
            "{bad:?}"
        );
    }
    for good in ["__Secure-my.session_token", "a", "x!#$%&'*+-.^_`|~"] {
        assert!(
            Decoder::builder(Flavor::V5)
                .secret("a")
                .cookie_name(good)
                .build()
                .is_ok(),
            "{good:?}"
        );
    }
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

fn quickstart(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/fixtures/quickstart/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn quickstart_params() -> serde_json::Value {
    serde_json::from_str(&quickstart("params.json")).unwrap()
}

/// The quickstart files are the reference's values: decoding them gives the recorded payload.
#[test]
fn quickstart_files_decode_to_the_reference_payload() {
    let params = quickstart_params();
    for (file, flavor) in [("v4.token", Flavor::V4), ("v5.token", Flavor::V5)] {
        let p = &params[file];
        let decoder = Decoder::builder(flavor)
            .secret(p["secret"].as_str().unwrap())
            .fixed_time(p["now"].as_i64().unwrap())
            .build()
            .unwrap();
        let got: serde_json::Value = decoder.decode(&quickstart(file)).unwrap();
        assert_eq!(got, p["payload"], "{file}");
    }
}

/// A caller's own claims type needs neither `exp` nor `iat`: they are checked in their own pass.
#[test]
fn custom_claims_type_without_registered_claims() {
    #[derive(serde::Deserialize)]
    struct Me {
        email: String,
        sub: String,
    }
    let p = &quickstart_params()["v5.token"];
    let decoder = Decoder::builder(Flavor::V5)
        .secret(p["secret"].as_str().unwrap())
        .fixed_time(p["now"].as_i64().unwrap())
        .build()
        .unwrap();
    let me: Me = decoder.decode(&quickstart("v5.token")).unwrap();
    assert_eq!(me.email, p["payload"]["email"]);
    assert_eq!(me.sub, p["payload"]["sub"]);
    // Expiry is still enforced for that type.
    let late = Decoder::builder(Flavor::V5)
        .secret(p["secret"].as_str().unwrap())
        .fixed_time(p["payload"]["exp"].as_i64().unwrap() + 15)
        .build()
        .unwrap();
    assert!(matches!(
        late.decode::<Me>(&quickstart("v5.token")),
        Err(Error::Expired { .. })
    ));
    // A type the claims do not fit reports where and how, never the value.
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Wrong {
        email: u64,
    }
    let err = decoder
        .decode::<Wrong>(&quickstart("v5.token"))
        .unwrap_err();
    assert_eq!(
        err,
        Error::ClaimsType {
            path: "$.email".into(),
            mismatch: nextauth_session::Mismatch::WrongType {
                expected: "u64".into(),
                found: "a string",
            },
        }
    );
    let email = p["payload"]["email"].as_str().unwrap();
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(
            !text.contains(email) && !text.contains("example.com"),
            "{text}"
        );
    }
    // getToken parity: `get_token` answers None for it, `session` tells why.
    let cookie = format!("authjs.session-token={}", quickstart("v5.token"));
    assert!(decoder.get_token::<Wrong>(Some(&cookie), None).is_none());
    assert_eq!(
        decoder.session::<Wrong>(Some(&cookie), None).unwrap_err(),
        err
    );
}

/// HTTP/2 may split cookies over several `Cookie` lines; `from_headers` reads them all.
#[cfg(feature = "http")]
#[test]
fn from_headers_reads_every_cookie_line() {
    use http::header::{AUTHORIZATION, COOKIE, HeaderMap, HeaderValue};
    let p = &quickstart_params()["v5-chunked.cookie"];
    let decoder = Decoder::builder(Flavor::V5)
        .secret(p["secret"].as_str().unwrap())
        .fixed_time(p["now"].as_i64().unwrap())
        .build()
        .unwrap();
    let cookie = quickstart("v5-chunked.cookie");
    let mut headers = HeaderMap::new();
    for piece in cookie.split(';').map(str::trim) {
        headers.append(COOKIE, HeaderValue::from_str(piece).unwrap());
    }
    assert!(headers.get_all(COOKIE).iter().count() >= 2);
    let got: Option<serde_json::Value> = decoder.from_headers(&headers).unwrap();
    assert_eq!(got.as_ref(), Some(&p["payload"]));
    assert_eq!(decoder.from_headers::<Session>(&HeaderMap::new()), Ok(None));
    // The Bearer fallback applies from the map too.
    let token = decoder.raw_token(Some(&cookie), None).unwrap();
    let mut bearer = HeaderMap::new();
    bearer.insert(
        AUTHORIZATION,
        HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
    );
    let got: Option<serde_json::Value> = decoder.from_headers(&bearer).unwrap();
    assert_eq!(got.as_ref(), Some(&p["payload"]));
}

/// A256CBC-HS512: a token whose tag is valid but whose padding is not, and a token with a bad
/// tag, give the identical error: the tag is checked before decryption, and a padding failure
/// is not distinguishable from a tag failure.
#[test]
fn bad_padding_and_bad_tag_are_indistinguishable() {
    use aes::cipher::{BlockModeEncrypt, KeyInit, KeyIvInit};
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    use hmac::{Hmac, Mac};

    let secret = "padding-oracle-test-secret";
    let salt = "authjs.session-token";
    let mut key = [0u8; 64];
    hkdf::Hkdf::<sha2::Sha256>::new(Some(salt.as_bytes()), secret.as_bytes())
        .expand(
            format!("Auth.js Generated Encryption Key ({salt})").as_bytes(),
            &mut key,
        )
        .unwrap();
    let header = B64.encode(r#"{"alg":"dir","enc":"A256CBC-HS512"}"#);
    let iv = [9u8; 16];
    let seal = |plaintext: &[u8]| -> String {
        // Raw CBC without padding: the caller decides what the last block ends with.
        let mut buf = plaintext.to_vec();
        let mut enc = cbc::Encryptor::<aes::Aes256>::new_from_slices(&key[32..], &iv).unwrap();
        for block in buf.chunks_mut(16) {
            enc.encrypt_block((&mut *block).try_into().unwrap());
        }
        let mut mac = <Hmac<sha2::Sha512> as KeyInit>::new_from_slice(&key[..32]).unwrap();
        mac.update(header.as_bytes());
        mac.update(&iv);
        mac.update(&buf);
        mac.update(&(header.len() as u64 * 8).to_be_bytes());
        let tag = &mac.finalize().into_bytes()[..32];
        format!(
            "{header}..{}.{}.{}",
            B64.encode(iv),
            B64.encode(&buf),
            B64.encode(tag)
        )
    };
    let decoder = Decoder::builder(Flavor::V5).secret(secret).build().unwrap();

    // Control: correct PKCS#7 padding decodes.
    let good = seal(
        b"{\"sub\":\"pad-ok\"}\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10\x10",
    );
    let session: Session = decoder.decode(&good).unwrap();
    assert_eq!(session.sub.as_deref(), Some("pad-ok"));

    // Valid tag, invalid padding (last byte 0x00, then 0x11 > block size).
    let bad_padding = seal(b"{\"sub\":\"pad-ok\"}0123456789abcde\x00");
    let bad_padding_2 = seal(b"{\"sub\":\"pad-ok\"}0123456789abcde\x11");
    // Valid padding, modified tag.
    let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
    let mut tag = B64.decode(&parts[4]).unwrap();
    tag[0] ^= 1;
    parts[4] = B64.encode(tag);
    let bad_tag = parts.join(".");

    let errors: Vec<_> = [&bad_padding, &bad_padding_2, &bad_tag]
        .iter()
        .map(|t| decoder.decode::<Session>(t).unwrap_err())
        .collect();
    for e in &errors {
        assert_eq!(*e, Error::DecryptionFailed);
        assert_eq!(e.to_string(), "decryption failed");
    }
}
