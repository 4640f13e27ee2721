//! The cookies of a request as the readers see them, for people: every pair with its decoded
//! value, which occurrences are ignored, and how the chunks of one session cookie line up.
//!
//! Built on the same splitting and percent-decoding as the readers (`request::cookies`), so a
//! tool that explains a request never parses it differently from the code that reads it.

use std::collections::HashSet;

use crate::request::cookies::{self, ChunkNames};

/// One `name=value` pair of the `Cookie` header lines, in header order.
#[derive(Clone, PartialEq, Eq)]
pub struct ScannedCookie {
    /// The name, spaces and tabs trimmed.
    pub name: String,
    /// The value as the readers take it: percent-decoded when that works, else raw.
    pub value: String,
    /// The value contains `%` but is not valid percent-encoding (it is read raw).
    pub bad_percent: bool,
    /// A later occurrence of a name seen before: the readers take the first one.
    pub duplicate: bool,
}

impl std::fmt::Debug for ScannedCookie {
    /// Names and sizes only: a value may be a session token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScannedCookie")
            .field("name", &self.name)
            .field("value", &format_args!("[{} bytes]", self.value.len()))
            .field("bad_percent", &self.bad_percent)
            .field("duplicate", &self.duplicate)
            .finish()
    }
}

impl ScannedCookie {
    /// The value is wrapped in double quotes (`"..."`), which no reader strips.
    pub fn is_quoted(&self) -> bool {
        self.value.len() >= 2 && self.value.starts_with('"') && self.value.ends_with('"')
    }
}

/// Splits `Cookie` header lines (read as one header joined by `;`) into pairs, as the readers
/// do: pieces without `=` are skipped, the first occurrence of a name is the one read.
///
/// Linear in the size of the lines: duplicates are found with one hash-set lookup per pair.
/// The caller bounds the input (the readers refuse a header above
/// [`Limits::max_header_len`](crate::Limits::max_header_len) before scanning).
pub fn scan_cookies(cookie_lines: &[&str]) -> Vec<ScannedCookie> {
    scan_with(cookie_lines, std::collections::hash_map::RandomState::new())
}

/// [`scan_cookies`] with a chosen hasher (tests count its calls).
fn scan_with<'l, S: std::hash::BuildHasher>(
    cookie_lines: &[&'l str],
    hasher: S,
) -> Vec<ScannedCookie> {
    let mut seen: HashSet<&'l str, S> = HashSet::with_hasher(hasher);
    let mut out = Vec::new();
    for (name, raw) in cookie_lines.iter().flat_map(|line| cookies::pairs(line)) {
        let decoded = cookies::percent_decode(raw);
        out.push(ScannedCookie {
            name: name.to_owned(),
            bad_percent: decoded.is_none(),
            value: decoded.map_or_else(|| raw.to_owned(), |v| v.into_owned()),
            duplicate: !seen.insert(name),
        });
    }
    out
}

/// Which chunk names a reader accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChunkRule {
    /// NextAuth.js / Auth.js: `<name>.<digits>` (`.01` is chunk 1).
    AuthJs,
    /// Better Auth's server: `<name>.<canonical decimal>` (`.01` is not a chunk).
    BetterAuth,
}

impl ChunkRule {
    /// The chunk index of `cookie` for the session cookie `name` (a number too large for
    /// `usize` saturates).
    pub fn chunk_index(self, cookie: &str, name: &str) -> Option<usize> {
        let rule = match self {
            Self::AuthJs => ChunkNames::Digits,
            Self::BetterAuth => ChunkNames::Canonical,
        };
        cookies::chunk_index(cookie, name, rule)
    }
}

/// How the cookies of one session cookie name line up.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChunkState {
    /// Every cookie of the name is empty: they count as absent.
    Empty,
    /// One unchunked cookie with a value of `len` bytes.
    Unchunked {
        /// Length of the value.
        len: usize,
    },
    /// Chunks `.0` to `.(chunks - 1)`, none missing as far as the cookies can tell.
    Complete {
        /// How many chunks.
        chunks: usize,
        /// Length of the joined value.
        len: usize,
    },
    /// Only `.0`: the references write a value that fits one cookie without a suffix, so at
    /// least one chunk after `.0` is missing.
    SingleChunk {
        /// Length of `.0`.
        len: usize,
    },
    /// Chunks `.0` to `.(chunks - 1)`, and the last one is as long as a full chunk: a writer
    /// that split the value would only leave a full last chunk by chance, so the chunk after
    /// it is most likely missing (the value does not decode) or the value is an exact multiple
    /// of the chunk size (it does).
    LastChunkFull {
        /// How many chunks.
        chunks: usize,
        /// Length of the joined value.
        len: usize,
    },
    /// Chunks missing below the highest one present.
    Missing {
        /// The indices present with a value, ascending.
        present: Vec<usize>,
        /// The first missing indices, ascending (at most 8).
        missing: Vec<usize>,
    },
    /// The unchunked cookie and chunks at the same time (a cookie of an earlier session).
    Mixed {
        /// The chunk indices present with a value, ascending.
        chunks: Vec<usize>,
    },
    /// Two cookie names give the same chunk index (such as `.0` and `.00`).
    DuplicateIndex,
}

impl ChunkState {
    /// Whether the cookies form one value the writer could have written whole.
    pub fn is_complete(&self) -> bool {
        matches!(self, Self::Unchunked { .. } | Self::Complete { .. })
    }
}

/// The cookies of one session cookie name: the unchunked one and the chunks (first
/// occurrences), as positions in the scanned list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkSet {
    /// The session cookie name.
    pub name: String,
    /// The unchunked cookie's position in the scan.
    pub unchunked: Option<usize>,
    /// `(chunk index, position in the scan)`, sorted by chunk index.
    pub chunks: Vec<(usize, usize)>,
    /// How they line up.
    pub state: ChunkState,
}

/// The longest gap list reported.
const MAX_MISSING_LISTED: usize = 8;

impl ChunkSet {
    /// The cookies of `name` in `scan` (duplicates ignored); `None` when there is none.
    ///
    /// `full_chunk` is the writer's chunk size in characters when it is fixed (Auth.js:
    /// [`Flavor::chunk_size`](crate::Flavor::chunk_size)); `None` takes the length of `.0`
    /// (Better Auth's size depends on the cookie attributes).
    pub fn of(
        scan: &[ScannedCookie],
        name: &str,
        rule: ChunkRule,
        full_chunk: Option<usize>,
    ) -> Option<Self> {
        let mut unchunked = None;
        let mut chunks = Vec::new();
        for (pos, c) in scan.iter().enumerate().filter(|(_, c)| !c.duplicate) {
            if c.name == name {
                unchunked = Some(pos);
            } else if let Some(index) = rule.chunk_index(&c.name, name) {
                chunks.push((index, pos));
            }
        }
        if unchunked.is_none() && chunks.is_empty() {
            return None;
        }
        chunks.sort_by_key(|(index, _)| *index);
        let state = state(scan, unchunked, &chunks, full_chunk);
        Some(Self {
            name: name.to_owned(),
            unchunked,
            chunks,
            state,
        })
    }

    /// The chunk values in order, when they are contiguous from `.0` (empty ones skipped).
    pub fn contiguous<'s>(&self, scan: &'s [ScannedCookie]) -> Option<Vec<&'s str>> {
        let valued: Vec<(usize, &str)> = self
            .chunks
            .iter()
            .map(|(i, pos)| (*i, scan[*pos].value.as_str()))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        let ok = !valued.is_empty() && valued.iter().enumerate().all(|(n, (i, _))| n == *i);
        ok.then(|| valued.into_iter().map(|(_, v)| v).collect())
    }

    /// The indices (`.0`, `.1`, ...) of chunks present with a value.
    pub fn valued_indices(&self, scan: &[ScannedCookie]) -> Vec<usize> {
        self.chunks
            .iter()
            .filter(|(_, pos)| !scan[*pos].value.is_empty())
            .map(|(i, _)| *i)
            .collect()
    }

    /// The cookies (unchunked and chunks) present but empty, which count as absent: chunk
    /// indices, and `None` for the unchunked cookie.
    pub fn empty(&self, scan: &[ScannedCookie]) -> Vec<Option<usize>> {
        self.chunks
            .iter()
            .filter(|(_, pos)| scan[*pos].value.is_empty())
            .map(|(i, _)| Some(*i))
            .chain(
                self.unchunked
                    .filter(|pos| scan[*pos].value.is_empty())
                    .map(|_| None),
            )
            .collect()
    }
}

fn state(
    scan: &[ScannedCookie],
    unchunked: Option<usize>,
    chunks: &[(usize, usize)],
    full_chunk: Option<usize>,
) -> ChunkState {
    let unchunked = unchunked
        .map(|pos| &scan[pos])
        .filter(|c| !c.value.is_empty());
    let valued: Vec<(usize, &str)> = chunks
        .iter()
        .map(|(i, pos)| (*i, scan[*pos].value.as_str()))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    match (unchunked, valued.is_empty()) {
        (None, true) => return ChunkState::Empty,
        (Some(c), true) => return ChunkState::Unchunked { len: c.value.len() },
        (Some(_), false) => {
            return ChunkState::Mixed {
                chunks: valued.iter().map(|(i, _)| *i).collect(),
            };
        }
        (None, false) => {}
    }
    if valued.windows(2).any(|w| w[0].0 == w[1].0) {
        return ChunkState::DuplicateIndex;
    }
    if valued.iter().enumerate().any(|(n, (i, _))| n != *i) {
        // Linear: the indices are sorted and unique, so walk them once.
        let mut missing = Vec::new();
        let mut expected = 0usize;
        for (i, _) in &valued {
            while expected < *i && missing.len() < MAX_MISSING_LISTED {
                missing.push(expected);
                expected += 1;
            }
            if missing.len() == MAX_MISSING_LISTED {
                break;
            }
            expected = i.saturating_add(1);
        }
        return ChunkState::Missing {
            present: valued.iter().map(|(i, _)| *i).collect(),
            missing,
        };
    }
    let len = valued.iter().map(|(_, v)| v.len()).sum();
    let chars = |v: &str| v.chars().count();
    if valued.len() == 1 {
        return ChunkState::SingleChunk { len };
    }
    let full = full_chunk.unwrap_or_else(|| chars(valued[0].1));
    let last = valued.last().map_or(0, |(_, v)| chars(v));
    if last >= full {
        ChunkState::LastChunkFull {
            chunks: valued.len(),
            len,
        }
    } else {
        ChunkState::Complete {
            chunks: valued.len(),
            len,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(header: &str, full: Option<usize>) -> (Vec<ScannedCookie>, Option<ChunkSet>) {
        let scan = scan_cookies(&[header]);
        let set = ChunkSet::of(&scan, "a", ChunkRule::AuthJs, full);
        (scan, set)
    }

    #[test]
    fn values_are_decoded_like_the_readers() {
        let c = scan_cookies(&[" x = a%2Eb ;y=%E0%A4%A;\tz=\"q\"", "x=2"]);
        assert_eq!((c[0].name.as_str(), c[0].value.as_str()), ("x", "a.b"));
        assert!(!c[0].bad_percent && !c[0].duplicate);
        assert_eq!((c[1].value.as_str(), c[1].bad_percent), ("%E0%A4%A", true));
        assert!(c[2].is_quoted());
        assert!(c[3].duplicate);
        assert!(!format!("{:?}", c[0]).contains("a.b"));
    }

    #[test]
    fn chunk_states() {
        let state = |h: &str, full| set(h, full).1.map(|s| s.state);
        assert_eq!(
            state("a.1=yy; a.0=xx; b=1; a.0=z", Some(3)),
            Some(ChunkState::Complete { chunks: 2, len: 4 })
        );
        assert_eq!(
            state("a.0=xxx; a.1=yyy", Some(3)),
            Some(ChunkState::LastChunkFull { chunks: 2, len: 6 })
        );
        assert_eq!(
            state("a.0=xxx", Some(3)),
            Some(ChunkState::SingleChunk { len: 3 })
        );
        assert_eq!(
            state("a.0=x; a.2=z; a.3=; a.5=q", None),
            Some(ChunkState::Missing {
                present: vec![0, 2, 5],
                missing: vec![1, 3, 4]
            })
        );
        assert_eq!(
            state("a=t; a.0=x", None),
            Some(ChunkState::Mixed { chunks: vec![0] })
        );
        assert_eq!(
            state("a.0=x; a.00=y", None),
            Some(ChunkState::DuplicateIndex)
        );
        assert_eq!(state("a=; a.0=", None), Some(ChunkState::Empty));
        assert_eq!(state("a=t", None), Some(ChunkState::Unchunked { len: 1 }));
        assert_eq!(state("ab=t; a.bak=1", None), None);
        assert_eq!(
            state("a.0=x; a.99999999999999999999999=y", None),
            Some(ChunkState::Missing {
                present: vec![0, usize::MAX],
                missing: (1..9).collect()
            })
        );
    }

    #[test]
    fn better_auth_chunk_names_are_canonical() {
        assert_eq!(ChunkRule::BetterAuth.chunk_index("a.01", "a"), None);
        assert_eq!(ChunkRule::BetterAuth.chunk_index("a.10", "a"), Some(10));
        assert_eq!(ChunkRule::AuthJs.chunk_index("a.01", "a"), Some(1));
    }

    /// Counts the names hashed: one hash-set lookup per pair is a linear scan.
    #[derive(Clone, Default)]
    struct Counting(std::rc::Rc<std::cell::Cell<usize>>);

    impl std::hash::BuildHasher for Counting {
        type Hasher = std::collections::hash_map::DefaultHasher;
        fn build_hasher(&self) -> Self::Hasher {
            self.0.set(self.0.get() + 1);
            std::collections::hash_map::DefaultHasher::new()
        }
    }

    /// 16,000 occurrences of one name: every pair is hashed once; 16,000 distinct names: once
    /// each plus the rehashing of a growing table (under 2 per name). Either way a linear
    /// number of hash-set operations (the CLI's former check compared each pair with every
    /// earlier one: 128 million comparisons).
    #[test]
    fn duplicates_are_found_in_one_pass() {
        let same = "authjs.session-token=x; ".repeat(16_000);
        let distinct: String = (0..16_000).map(|i| format!("c{i}=x; ")).collect();
        for (header, most) in [(same, 16_000), (distinct, 3 * 16_000)] {
            let counter = Counting::default();
            let scan = scan_with(&[&header], counter.clone());
            assert_eq!(scan.len(), 16_000);
            assert!(
                counter.0.get() >= 16_000 && counter.0.get() <= most,
                "{}",
                counter.0.get()
            );
        }
        let scan = scan_cookies(&[&"a=1; ".repeat(16_000)]);
        assert_eq!(scan.iter().filter(|c| c.duplicate).count(), 15_999);
    }
}
