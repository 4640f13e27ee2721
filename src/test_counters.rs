//! Per-thread event counters for the tests that pin a fast path (test builds only): the
//! library adds to one where it takes the slow path, and a test counts what a call added.

use std::cell::Cell;
use std::thread::LocalKey;

thread_local! {
    /// Documents the registered-claims pass read with serde_json instead of the scan.
    pub(crate) static SERDE_PASSES: Cell<usize> = const { Cell::new(0) };
    /// Values the borrowing claims deserializer handed to serde_json.
    pub(crate) static DELEGATED: Cell<usize> = const { Cell::new(0) };
    /// Members the Better Auth JSON parser compared a key with one by one.
    pub(crate) static LINEAR_SCANNED: Cell<usize> = const { Cell::new(0) };
}

pub(crate) fn add(counter: &'static LocalKey<Cell<usize>>, n: usize) {
    counter.with(|c| c.set(c.get() + n));
}

/// What `f` added to `counter` on this thread.
pub(crate) fn during(counter: &'static LocalKey<Cell<usize>>, f: impl FnOnce()) -> usize {
    let before = counter.with(Cell::get);
    f();
    counter.with(Cell::get) - before
}
