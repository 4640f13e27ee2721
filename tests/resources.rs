//! Bounded resources: oversized and pathological requests are rejected with the right error and
//! with a small, size-independent amount of heap. A counting global allocator measures the peak
//! heap in use above the level at the start of each measurement, on the measuring thread only
//! (the test harness runs tests on several threads; each thread has its own counters). No
//! timing is asserted.

// The one place of the package with unsafe code: implementing `GlobalAlloc` is an `unsafe impl`
// by definition. It only forwards every call to `System` unchanged and updates thread-local
// counters; the library itself forbids unsafe code (src/lib.rs).
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use nextauth_session::{Decoder, Error, Flavor, Limits, Session};
use serde_json::Value;

#[path = "support/fixtures.rs"]
#[allow(dead_code)] // the support module serves several test binaries
mod fixtures;
use fixtures::{by_id, flavor, json_fixture};

struct Counting;

thread_local! {
    /// Bytes allocated and not yet freed by this thread.
    static CURRENT: Cell<isize> = const { Cell::new(0) };
    /// The highest `CURRENT` since the last reset.
    static PEAK: Cell<isize> = const { Cell::new(0) };
    /// Allocations (including reallocations) made by this thread.
    static COUNT: Cell<usize> = const { Cell::new(0) };
}

fn count_one() {
    let _ = COUNT.try_with(|count| count.set(count.get() + 1));
}

fn record(delta: isize) {
    // `try_with`: the counters may be gone while a thread is torn down; that is never
    // inside a measurement.
    let _ = CURRENT.try_with(|current| {
        let now = current.get() + delta;
        current.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so the
// `GlobalAlloc` contract is `System`'s; the counters are plain thread-local integers that
// never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            record(layout.size() as isize);
            count_one();
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            record(layout.size() as isize);
            count_one();
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as is.
        unsafe { System.dealloc(ptr, layout) };
        record(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded as is.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            // Counted as "new block, then old one freed": a moving realloc holds both.
            record(new_size as isize);
            record(-(layout.size() as isize));
            count_one();
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns its result with the peak heap (bytes) it held on this thread above
/// what was in use when it started.
fn peak_heap<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let base = CURRENT.with(Cell::get);
    PEAK.with(|peak| peak.set(base));
    let result = f();
    let peak = PEAK.with(Cell::get) - base;
    (result, usize::try_from(peak).unwrap_or(0))
}

/// Runs `f` and returns its result with the number of allocations it made on this thread.
fn allocations<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let base = COUNT.with(Cell::get);
    let result = f();
    (result, COUNT.with(Cell::get) - base)
}

/// The bound for requests rejected on their size: far below any input here (1 MiB and up),
/// so no copy of the input was made.
const SMALL: usize = 64 * 1024;

const SECRET: &str = "resource-test-secret";
const NOW: i64 = 1_750_000_000;

fn decoder(flavor: Flavor) -> Decoder {
    Decoder::builder(flavor)
        .secret(SECRET)
        .fixed_time(NOW)
        .build()
        .unwrap()
}

#[test]
fn the_counter_sees_allocations() {
    let (v, peak) = peak_heap(|| vec![1u8; 100_000]);
    assert!(peak >= 100_000, "{peak}");
    drop(v);
    let ((), peak) = peak_heap(|| ());
    assert_eq!(peak, 0);
}

#[test]
fn one_mib_cookie_header() {
    let header = format!("theme=dark; {}", "a=b; ".repeat(1024 * 1024 / 5));
    assert!(header.len() > 1024 * 1024);
    for flavor in [Flavor::V4, Flavor::V5] {
        let decoder = decoder(flavor);
        let (result, peak) = peak_heap(|| decoder.session::<Session>(Some(&header), None));
        assert_eq!(
            result,
            Err(Error::TooLarge {
                what: "cookie header",
                limit: 256 * 1024
            })
        );
        assert!(peak < SMALL, "{flavor:?}: {peak} bytes");
        let (raw, peak) = peak_heap(|| decoder.raw_token(Some(&header), None));
        assert_eq!(raw, None);
        assert!(peak < SMALL, "{flavor:?}: {peak} bytes");
    }
}

/// Just under the header limit, 50,000 unrelated cookies are scanned without allocating per
/// cookie.
#[test]
fn header_just_under_the_limit_is_scanned_in_place() {
    let header = "a=b; ".repeat(50_000);
    assert!(header.len() < Limits::default().max_header_len);
    let decoder = decoder(Flavor::V5);
    let (result, peak) = peak_heap(|| decoder.session::<Session>(Some(&header), None));
    assert_eq!(result, Ok(None));
    assert!(peak < SMALL, "{peak} bytes");
}

fn chunk_header(name: &str, count: usize) -> String {
    (0..count)
        .map(|i| format!("{name}.{i}=eyJhbGciOiJkaXIi"))
        .collect::<Vec<_>>()
        .join("; ")
}

#[test]
fn ten_thousand_chunk_cookies() {
    // With the default names, 10,000 chunks are over the header limit already.
    let decoder = decoder(Flavor::V5);
    let header = chunk_header(decoder.cookie_name(), 10_000);
    let (result, peak) = peak_heap(|| decoder.session::<Session>(Some(&header), None));
    assert_eq!(
        result,
        Err(Error::TooLarge {
            what: "cookie header",
            limit: 256 * 1024
        })
    );
    assert!(peak < SMALL, "{peak} bytes");

    // With a header limit that lets them through, the chunk count limit stops them.
    for flavor in [Flavor::V4, Flavor::V5] {
        let limits = Limits {
            max_header_len: 16 * 1024 * 1024,
            ..Limits::default()
        };
        let decoder = Decoder::builder(flavor)
            .secret(SECRET)
            .limits(limits)
            .build()
            .unwrap();
        let header = chunk_header(decoder.cookie_name(), 10_000);
        let (result, peak) = peak_heap(|| decoder.session::<Session>(Some(&header), None));
        assert_eq!(
            result,
            Err(Error::TooLarge {
                what: "chunk count",
                limit: 64
            })
        );
        assert!(peak < SMALL, "{flavor:?}: {peak} bytes");

        // 10,000 copies of one chunk name: later duplicates are ignored, nothing piles up.
        let name = format!("{}.0", decoder.cookie_name());
        let header = format!("{name}=x; ").repeat(10_000);
        let (result, peak) = peak_heap(|| decoder.raw_token(Some(&header), None));
        assert_eq!(result.as_deref(), Some("x"));
        assert!(peak < SMALL, "{flavor:?}: {peak} bytes");
    }
}

#[cfg(feature = "http")]
#[test]
fn ten_thousand_cookie_header_lines() {
    let decoder = decoder(Flavor::V5);
    let mut headers = http::HeaderMap::new();
    for i in 0..10_000 {
        let line = format!("{}.{i}=eyJhbGciOiJkaXIi", decoder.cookie_name());
        headers.append(http::header::COOKIE, line.parse().unwrap());
    }
    let (result, peak) = peak_heap(|| decoder.from_headers::<Session>(&headers));
    assert_eq!(
        result,
        Err(Error::TooLarge {
            what: "cookie header",
            limit: 256 * 1024
        })
    );
    assert!(peak < SMALL, "{peak} bytes");
}

#[test]
fn hundred_megabyte_token() {
    // Shaped like a JWE so nothing but the size stops it.
    let mut token = String::with_capacity(100_000_000);
    token.push_str("eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAAAAAAAAAAAAAAA.");
    while token.len() < 100_000_000 - 30 {
        token.push_str("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    }
    token.push_str(".AAAAAAAAAAAAAAAAAAAAAA");
    let too_large = Error::TooLarge {
        what: "token",
        limit: 128 * 1024,
    };
    for flavor in [Flavor::V4, Flavor::V5] {
        let decoder = decoder(flavor);
        let (result, peak) = peak_heap(|| decoder.decode::<Value>(&token));
        assert_eq!(result, Err(too_large.clone()));
        assert!(peak < SMALL, "{flavor:?} decode: {peak} bytes");

        let bearer = format!("Bearer {token}");
        let (result, peak) = peak_heap(|| decoder.session::<Value>(None, Some(&bearer)));
        assert_eq!(result, Err(too_large.clone()));
        assert!(peak < SMALL, "{flavor:?} bearer: {peak} bytes");
        let (raw, peak) = peak_heap(|| decoder.raw_token(None, Some(&bearer)));
        assert_eq!(raw, None);
        assert!(peak < SMALL, "{flavor:?} bearer raw: {peak} bytes");
        drop(bearer);

        let cookie = format!("{}={token}", decoder.cookie_name());
        let (result, peak) = peak_heap(|| decoder.session::<Value>(Some(&cookie), None));
        assert_eq!(
            result,
            Err(Error::TooLarge {
                what: "cookie header",
                limit: 256 * 1024
            })
        );
        assert!(peak < SMALL, "{flavor:?} cookie: {peak} bytes");
    }
}

/// A v4 token (`dir` + `A256GCM`, the v4 session key) for any plaintext, made with the
/// RustCrypto primitives directly, not with the crate.
fn v4_token(plaintext: &[u8]) -> String {
    use aes_gcm::{AeadInOut, Aes256Gcm, KeyInit};
    let mut key = [0u8; 32];
    hkdf::Hkdf::<sha2::Sha256>::new(Some(b""), SECRET.as_bytes())
        .expand(b"NextAuth.js Generated Encryption Key", &mut key)
        .unwrap();
    let header = B64.encode(r#"{"alg":"dir","enc":"A256GCM"}"#);
    let iv = [7u8; 12];
    let mut buf = plaintext.to_vec();
    let tag = Aes256Gcm::new_from_slice(&key)
        .unwrap()
        .encrypt_inout_detached(&iv.into(), header.as_bytes(), buf.as_mut_slice().into())
        .unwrap();
    format!(
        "{header}..{}.{}.{}",
        B64.encode(iv),
        B64.encode(&buf),
        B64.encode(tag)
    )
}

#[test]
fn deeply_nested_claims() {
    let decoder = decoder(Flavor::V4);
    // Control: the hand-made token path is right.
    let ok: Value = decoder
        .decode(&v4_token(br#"{"sub":"1","deep":[[[1]]]}"#))
        .unwrap();
    assert_eq!(ok, serde_json::json!({"sub":"1","deep":[[[1]]]}));

    // 40,000 levels: the largest nesting that still fits the default 128 KiB token limit.
    let depth = 40_000;
    let nested = |open: &str, close: &str| {
        let mut s = String::from(r#"{"sub":"1","deep":"#);
        s.push_str(&open.repeat(depth));
        s.push_str(&close.repeat(depth));
        s.push('}');
        s
    };
    let arrays = v4_token(nested("[", "]").as_bytes());
    let objects = v4_token(nested(r#"{"a":"#, "}").as_bytes());
    // `{"a":` is five bytes a level: over the token limit, rejected on size alone.
    assert!(objects.len() > 128 * 1024, "{}", objects.len());
    assert!(arrays.len() <= 128 * 1024, "{}", arrays.len());

    // The registered-claims pass skips the unknown claim without recursion; the parser of
    // the caller's type stops at its recursion limit (128 levels): invalid claims. (The
    // references accept such nesting; our policy rejects it, see the README.)
    for result in [
        peak_heap(|| decoder.decode::<Value>(&arrays)),
        peak_heap(|| decoder.decode::<Session>(&arrays).map(|_| Value::Null)),
    ] {
        let (result, peak) = result;
        assert!(
            matches!(&result, Err(Error::InvalidClaims(m)) if m.starts_with("the claims nest 128 levels deep or more")),
            "{result:?}"
        );
        // Memory is proportional to the token (its ciphertext and plaintext), which the
        // token limit bounds; nothing grows per level of nesting.
        assert!(peak < 4 * arrays.len(), "{peak} bytes for {}", arrays.len());
    }
    let (result, peak) = peak_heap(|| decoder.decode::<Value>(&objects));
    assert_eq!(
        result,
        Err(Error::TooLarge {
            what: "token",
            limit: 128 * 1024
        })
    );
    assert!(peak < SMALL, "{peak} bytes");

    // Nesting inside a registered claim: read as "not a number", without recursion.
    let deep_exp = format!(r#"{{"exp":{}{}}}"#, "[".repeat(depth), "]".repeat(depth));
    let token = v4_token(deep_exp.as_bytes());
    let (result, peak) = peak_heap(|| decoder.decode::<Value>(&token));
    assert_eq!(result, Err(Error::InvalidClaims("exp is not a number")));
    assert!(peak < 4 * token.len(), "{peak} bytes for {}", token.len());

    // Nesting as the whole payload: not an object, rejected before any recursion.
    let deep_top = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let token = v4_token(deep_top.as_bytes());
    let (result, _) = peak_heap(|| decoder.decode::<Value>(&token));
    assert_eq!(
        result,
        Err(Error::InvalidClaims("the claims are not a JSON object"))
    );
}

/// The allocation budget of the hot path, on real tokens written by the references
/// (fixtures/tokens.json and fixtures/requests.json). Counts are deterministic, unlike times.
///
/// A typical decode into `Session` makes 6 allocations:
/// - one for the ciphertext buffer, decrypted in place (zeroized on drop, so the plaintext
///   never leaves it); the claims are checked and deserialized straight from it;
/// - five for the strings `Session` owns: `name`, `email`, `picture`, `sub`, `jti`.
///
/// Nothing else: the header the references write is recognized without decoding it, the `kid`
/// is kept inline, the time claims are found by an allocation-free scan, and cookie values are
/// borrowed from the header (only session cookies are even percent-decoded). A chunked session
/// adds two: the list of chunk cookies (to sort them by index) and the joined token.
#[test]
fn allocation_budget_of_a_typical_decode() {
    let tokens = json_fixture("tokens.json");
    let requests = json_fixture("requests.json");
    let find = |fixtures: &Value, id: &str| by_id(&fixtures["cases"], id);
    let build = |case: &Value| {
        Decoder::builder(flavor(case["flavor"].as_str().unwrap()))
            .secret(case["secrets"][0].as_str().unwrap())
            .fixed_time(case["now"].as_i64().unwrap())
            .build()
            .unwrap()
    };
    for id in ["v4-typical", "v5-typical"] {
        let case = find(&tokens, id);
        let decoder = build(&case);
        let token = case["token"].as_str().unwrap();
        let (session, count) = allocations(|| decoder.decode::<Session>(token));
        let session = session.unwrap();
        assert!(session.name.is_some() && session.email.is_some() && session.picture.is_some());
        assert_eq!(count, 6, "{id}: allocations per decode");
        // Into a type that owns nothing, only the ciphertext buffer remains.
        let (ignored, count) = allocations(|| decoder.decode::<serde::de::IgnoredAny>(token));
        ignored.unwrap();
        assert_eq!(count, 1, "{id}: allocations for a type that owns nothing");
    }
    for (id, extra) in [
        ("v4-unchunked-among-unrelated", 0),
        ("v5-unchunked-among-unrelated", 0),
        ("v5-chunks-3-in-order", 2),
    ] {
        let case = find(&requests, id);
        let decoder = build(&case);
        let cookie = case["cookie"].as_str().unwrap();
        let (session, count) =
            allocations(|| decoder.get_token::<serde::de::IgnoredAny>(Some(cookie), None));
        assert!(session.is_some(), "{id}");
        assert_eq!(count, 1 + extra, "{id}: allocations per request");
    }
}
