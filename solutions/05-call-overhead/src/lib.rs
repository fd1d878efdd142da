//! Solution to exercise 05: the same naive recursion, called four ways.
//!
//! - `def` (the baseline): every call allocates an argument `Vec`, boxes two ints, hashes the
//!   name `"fib"` to find the function, checks its arity and each operand's type.
//! - `cpdef`: typed, no allocation, but each recursive call is an indirect call through a
//!   function pointer the optimiser is not allowed to look through (`black_box`), into a
//!   function it may not inline (`#[inline(never)]`): the bare cost of a call.
//! - `cdef`: the function calls itself by name; LLVM sees the whole recursion, turns one of the
//!   two calls into a loop and unrolls, so there are far fewer real calls than the 2·F(n+1) − 1
//!   the source makes.
//! - `c`: the same recursion in C, compiled by gcc `-O3`, one call across the boundary per
//!   F(n). The boundary costs one ordinary call; what it costs is that neither compiler can
//!   inline across it. [`fib_crossing_every_call`] shows that cost when the recursion itself
//!   crosses the boundary on every call.

use harness::call_overhead::CallLadder;
use harness::call_overhead::dynamic::{DynError, Module, Object};
use std::hint::black_box;

// ---- Rung 1: def (the baseline, unchanged) ---------------------------------------------------

/// The module holding `fib`, Python's
///
/// ```python
/// def fib(n):
///     if n < 2:
///         return n
///     return fib(n - 2) + fib(n - 1)
/// ```
pub fn fib_module() -> Module {
    let mut module = Module::new();
    module.def("fib", 1, |module, args| {
        let n = &args[0];
        if n.lt(&Object::int(2))? {
            return Ok(n.clone());
        }
        let a = module.call("fib", vec![n.sub(&Object::int(2))?])?;
        let b = module.call("fib", vec![n.sub(&Object::int(1))?])?;
        a.add(&b)
    });
    module
}

/// Rung 1, `def`: F(n) through the dynamic model, every call boxed and looked up by name.
pub fn fib_def(module: &Module, n: u32) -> Result<u64, DynError> {
    let result = module.call("fib", vec![Object::int(i64::from(n))])?;
    Ok(result.as_int()? as u64)
}

// ---- Rung 2: cpdef ------------------------------------------------------------------------

/// Where the `cpdef` recursion finds itself: like a Python name, resolved at run time.
static FIB_CPDEF: fn(u32) -> u64 = fib_cpdef;

/// Typed, but opaque: `black_box` hides which function the pointer holds, so each recursive
/// call stays an indirect call that cannot be inlined.
#[inline(never)]
fn fib_cpdef(n: u32) -> u64 {
    if n < 2 {
        return u64::from(n);
    }
    let recurse = black_box(FIB_CPDEF);
    recurse(n - 2) + recurse(n - 1)
}

// ---- Rung 3: cdef -------------------------------------------------------------------------

/// Plain recursion: the compiler sees every call.
#[inline]
fn fib_cdef(n: u32) -> u64 {
    if n < 2 {
        return u64::from(n);
    }
    fib_cdef(n - 2) + fib_cdef(n - 1)
}

// ---- Rung 4: C ----------------------------------------------------------------------------

// `shared/c/hpc_fib.h`; compiled and linked by build.rs.
unsafe extern "C" {
    /// F(n) by the naive recursion, entirely in C. Any `n` is safe to pass (no pointers).
    safe fn hpc_fib(n: u32) -> u64;
    /// One step of the recursion, whose two calls go through `recurse`.
    safe fn hpc_fib_step(n: u32, recurse: extern "C" fn(u32) -> u64) -> u64;
}

/// The recursion crossing the boundary on every call: Rust calls C, which calls back into
/// Rust for both halves. Not a rung; the benches show what the crossings cost.
pub extern "C" fn fib_crossing_every_call(n: u32) -> u64 {
    hpc_fib_step(n, fib_crossing_every_call)
}

pub struct Ladder;

impl CallLadder for Ladder {
    fn cpdef(n: u32) -> u64 {
        fib_cpdef(n)
    }

    fn cdef(n: u32) -> u64 {
        fib_cdef(n)
    }

    fn c(n: u32) -> u64 {
        hpc_fib(n)
    }
}

/// `fib_crossing_every_call` as a plain Rust `fn`, for the benches and tests.
pub fn crossing(n: u32) -> u64 {
    fib_crossing_every_call(n)
}

#[cfg(test)]
mod tests {
    /// Solution-only (the exercise has no `crossing`), so a unit test here rather than in
    /// `tests/correctness.rs`, whose test list every learner's run must match.
    #[test]
    fn crossing_the_boundary_every_call_gives_the_same_numbers() {
        harness::call_overhead::checks::rung_matches_the_reference("crossing", super::crossing);
    }
}
