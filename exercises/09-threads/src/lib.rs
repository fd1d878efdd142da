//! Exercise 09: threads, the multiprocessing lesson the Rust way. Read README.md first.
//!
//! Tasks 1–4 are the patterns Python's `multiprocessing` teaches, written with threads: each
//! function has a `todo!()` body and a doc comment giving the Python form. Task 5 starts from
//! working serial code: make it use every core. `cargo xtask check threads` tells you which
//! tasks pass. Keep the signatures: the tests call them.
//!
//! The work functions come in as `&(dyn Fn(…) -> … + Sync)`: a reference to some function or
//! closure that several threads may call at once (`Sync`), and that can be copied into each
//! thread's closure (a shared reference is `Copy` and, here, `Send`).

// The `todo!()` bodies leave parameters and imports unused; delete this line when you are done.
#![allow(unused_variables, unused_imports)]

use rayon::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;

// ---- Task 1: one thread per work item -------------------------------------------------------

/// `multiprocessing.Process`, one per chunk: cut `values` into chunks of
/// `values.len().div_ceil(parts)` values (the last may be shorter; no values, no chunks), run
/// `work` on each chunk in a thread of its own, all at the same time, and return the results
/// in chunk order. `parts` is at least 1.
///
/// ```python
/// procs = [Process(target=work, args=(chunk,)) for chunk in chunks]
/// for p in procs: p.start()
/// for p in procs: p.join()
/// ```
pub fn chunks_on_threads(values: &[f64], parts: usize, work: &(dyn Fn(&[f64]) -> f64 + Sync)) -> Vec<f64> {
    todo!()
}

// ---- Task 2: a pool for many small items ----------------------------------------------------

/// `Pool().map(work, items)`: `work` on every item, by a pool of threads (about one per core),
/// results in item order.
pub fn pool_map(items: &[u64], work: &(dyn Fn(u64) -> u64 + Sync)) -> Vec<u64> {
    todo!()
}

// ---- Task 3: a producer, consumers and two queues -------------------------------------------

/// Two `multiprocessing.Queue`s: a producer thread sends every item, with its index, into one
/// channel; `workers` consumer threads (at least 1) take items from it, call `work` and send
/// `(index, result)` back on a second channel; the caller puts each result in its place. The
/// answer must not depend on which consumer finished first.
pub fn queue_map(items: &[u64], workers: usize, work: &(dyn Fn(u64) -> u64 + Sync)) -> Vec<u64> {
    todo!()
}

// ---- Task 4: shared state, three ways --------------------------------------------------------

/// How many items pass `test`, counted by `threads` threads (at least 1), each taking its own
/// part of `items`, into one `Arc<Mutex<usize>>` (`multiprocessing.Value` with its lock).
pub fn count_mutex(items: &[u64], threads: usize, test: &(dyn Fn(u64) -> bool + Sync)) -> usize {
    todo!()
}

/// The same count into one `AtomicUsize`: `fetch_add`, no lock.
pub fn count_atomic(items: &[u64], threads: usize, test: &(dyn Fn(u64) -> bool + Sync)) -> usize {
    todo!()
}

/// The same count with nothing shared: each thread sends its own count on a channel and the
/// caller adds them up.
pub fn count_messages(items: &[u64], threads: usize, test: &(dyn Fn(u64) -> bool + Sync)) -> usize {
    todo!()
}

// ---- Task 5: the centre of a molecule (timed) -----------------------------------------------

/// The centre of the coordinates (mean x, y, z) of the atoms of a PDB file: every `ATOM` and
/// `HETATM` record, with x, y and z in columns 31–38, 39–46 and 47–54; other records are
/// skipped. A file without atoms gives NaN, as NumPy's mean of nothing. This is correct, and
/// runs on one core: make it use them all (timed task).
pub fn centre(pdb: &str) -> [f64; 3] {
    let mut sum = [0.0; 3];
    let mut atoms = 0usize;
    for line in pdb.lines() {
        if line.starts_with("ATOM") || line.starts_with("HETATM") {
            for (axis, total) in sum.iter_mut().enumerate() {
                let field = &line[30 + 8 * axis..38 + 8 * axis];
                *total += field.trim().parse::<f64>().expect("a coordinate in columns 31-54");
            }
            atoms += 1;
        }
    }
    sum.map(|total| total / atoms as f64)
}
