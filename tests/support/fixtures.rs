//! Reading the committed fixtures (`fixtures/`, written by the real JS libraries) for the test
//! binaries: files, cases by id, and the decoders and CSRF checks a case configures.
//!
//! Each test binary compiles this module on its own and uses part of it, so it is included
//! with `#[allow(dead_code)]`.

use std::path::PathBuf;

use nextauth_session::{Csrf, Decoder, Flavor};
use serde_json::Value;

/// The path of `fixtures/{name}`.
pub fn path(name: &str) -> PathBuf {
    [env!("CARGO_MANIFEST_DIR"), "fixtures", name]
        .iter()
        .collect()
}

pub fn json_fixture(name: &str) -> Value {
    let text = std::fs::read_to_string(path(name)).expect("fixture file");
    serde_json::from_str(&text).expect("fixture JSON")
}

/// A text fixture without its surrounding whitespace (the final newline).
pub fn text_fixture(name: &str) -> String {
    std::fs::read_to_string(path(name))
        .expect("fixture file")
        .trim()
        .to_owned()
}

pub fn flavor(name: &str) -> Flavor {
    match name {
        "v4" => Flavor::V4,
        "v5" => Flavor::V5,
        other => panic!("unknown flavor {other}"),
    }
}

/// The entry with `"id": id` of a JSON array of fixture entries (cases, configs, databases).
pub fn by_id(list: &Value, id: &str) -> Value {
    list.as_array()
        .expect("a list of fixture entries")
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no fixture entry {id}"))
        .clone()
}

/// A case of `fixtures/requests.json`.
pub fn request_case(id: &str) -> Value {
    by_id(&json_fixture("requests.json")["cases"], id)
}

/// The decoder of a requests.json case, or `None` when the case has no secret.
pub fn case_decoder(case: &Value) -> Option<Decoder> {
    let secrets = case["secrets"].as_array().expect("secrets");
    let mut b = secrets.iter().fold(
        Decoder::builder(flavor(case["flavor"].as_str().expect("flavor"))),
        |b, s| b.secret(s.as_str().expect("secret")),
    );
    b = b
        .secure(case["secure"].as_bool().expect("secure"))
        .fixed_time(case["now"].as_i64().expect("now"));
    if let Some(name) = case["cookie_name"].as_str() {
        b = b.cookie_name(name);
    }
    if let Some(salt) = case["salt"].as_str() {
        b = b.salt(salt);
    }
    b.build().ok()
}

/// The secrets of a csrf.json case in the order the reference got them (a string is one).
pub fn csrf_secrets(case: &Value) -> Vec<String> {
    match &case["secret"] {
        Value::String(s) => vec![s.clone()],
        Value::Array(list) => list
            .iter()
            .map(|s| s.as_str().expect("secret").to_owned())
            .collect(),
        other => panic!("unexpected secret {other}"),
    }
}

/// The CSRF check of a csrf.json case.
pub fn case_csrf(case: &Value) -> Csrf {
    csrf_secrets(case)
        .into_iter()
        .fold(
            Csrf::builder(flavor(case["flavor"].as_str().expect("flavor"))),
            |b, s| b.secret(s),
        )
        .secure(case["secure"].as_bool().expect("secure"))
        .build()
        .expect("csrf config")
}

/// The verdict this crate must give for a csrf.json case: the reference's, unless a policy row
/// says otherwise.
pub fn csrf_expected(case: &Value) -> bool {
    match case["policy"].get("expect_verified") {
        Some(v) => v.as_bool().expect("expect_verified"),
        None => case["reference"]["verified"]
            .as_bool()
            .expect("reference.verified"),
    }
}

/// The quickstart v5 token (`fixtures/quickstart/`), its decoder at the time it was made, and
/// the payload it carries.
pub fn quickstart_v5_token() -> (Decoder, String, Value) {
    let params = json_fixture("quickstart/params.json");
    let p = &params["v5.token"];
    let decoder = Decoder::builder(Flavor::V5)
        .secret(p["secret"].as_str().unwrap())
        .fixed_time(p["now"].as_i64().unwrap())
        .build()
        .unwrap();
    (
        decoder,
        text_fixture("quickstart/v5.token"),
        p["payload"].clone(),
    )
}

/// The quickstart v5 token as a session cookie (next to an unrelated one), its decoder and its
/// payload.
pub fn quickstart_v5() -> (Decoder, String, Value) {
    let (decoder, token, payload) = quickstart_v5_token();
    let cookie = format!("theme=dark; authjs.session-token={token}");
    (decoder, cookie, payload)
}
