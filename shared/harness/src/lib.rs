//! The course harness: everything exercise and solution crates share.
//!
//! - [`timeit`] and [`scope_timer`]: the timing tools the first lesson teaches (Python's `timeit`
//!   and "timing with a context manager").
//! - [`protocol`] and [`worker`]: how `cargo xtask check` decides whether a candidate is fast
//!   enough. Read [`protocol`] for the measurement rules and why they are what they are;
//!   [`remote`] for how `todo!()` tasks are checked where learner code cannot reach.
//! - [`diff`]: correctness helpers that say *where* two results differ.
//! - one module per exercise topic ([`heat`], [`arrays`], …): the frozen baseline, the reference, input
//!   generators, the shared test suite and benches.

pub mod arrays;
pub mod diff;
pub mod dynamic;
pub mod gpu_basics;
pub mod gpu_heat;
pub mod heat;
pub mod heat_fast;
pub mod interop;
pub mod mandelbrot;
pub mod mpi_basics;
pub mod mpi_heat;
pub mod property;
pub mod ranks;
pub mod remote;
pub mod scope_timer;
pub mod static_typing;
pub mod threads;
pub mod worker;

pub use std::hint::black_box;
// For the macros that expand in exercise crates.
pub use ndarray;
// The protocol, the machine facts and the timers live in the small `grading` crate, so the
// runner can use them without building this crate's tree; here they keep their paths.
pub use grading::{machine, protocol, roofline, timeit};
pub mod call_overhead;
pub mod fibonacci;
