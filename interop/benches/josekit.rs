//! The josekit baseline of the decode benchmark: josekit (`deserialize_compact` plus the same
//! serde parse into `Session`) against the crate's `decode::<Session>`, on the same fixture
//! tokens the references wrote, in the same run, so that their ratio means something on a
//! shared machine.
//!
//! ```text
//! cargo bench -p nextauth-session-interop --bench josekit && python3 benches/compare/ratios.py
//! ```
//!
//! Criterion ids: `josekit/<flavor>-josekit/<size>` and `josekit/<flavor>-decode/<size>`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nextauth_session::Session;
use nextauth_session_interop::{TokenCase, cases};

/// The fixture tokens of the decode benchmark (`benches/decode.rs`), with their size label.
const TOKEN_CASES: [(&str, &str); 4] = [
    ("v4-typical", "typical"),
    ("v5-typical", "typical"),
    ("v4-large-8k", "large-8k"),
    ("v5-large-8k", "large-8k"),
];

fn bench(c: &mut Criterion) {
    let all = cases();
    let picked: Vec<(&TokenCase, &str)> = TOKEN_CASES
        .iter()
        .map(|(id, size)| {
            let case = all
                .iter()
                .find(|c| c.id == *id)
                .unwrap_or_else(|| panic!("fixture case {id} is missing"));
            (case, *size)
        })
        .collect();
    let mut group = c.benchmark_group("josekit");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    for (case, size) in picked {
        let token = case.token.as_str();
        let decoder = case.decoder();
        let ours = decoder.decode::<Session>(token).expect("fixture decodes");
        let decrypter = case
            .josekit_decrypter(&case.secrets[0])
            .expect("a dir decrypter");
        let (payload, _) =
            josekit::jwe::deserialize_compact(token, &decrypter).expect("josekit opens");
        let theirs: Session = serde_json::from_slice(&payload).expect("claims");
        assert_eq!(ours, theirs, "{}", case.id);
        group.throughput(Throughput::Bytes(token.len() as u64));
        group.bench_with_input(
            BenchmarkId::new(format!("{}-josekit", case.flavor), size),
            token,
            |b, token| {
                b.iter(|| {
                    let (payload, _header) =
                        josekit::jwe::deserialize_compact(black_box(token), &decrypter)
                            .expect("opens");
                    serde_json::from_slice::<Session>(&payload).expect("claims")
                });
            },
        );
        group.bench_with_input(
            BenchmarkId::new(format!("{}-decode", case.flavor), size),
            token,
            |b, token| {
                b.iter(|| {
                    decoder
                        .decode::<Session>(black_box(token))
                        .expect("decodes")
                });
            },
        );
    }
    group.finish();
}

criterion_group!(josekit, bench);
criterion_main!(josekit);
