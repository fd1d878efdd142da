//! Exercise 05: what a function call costs. Read README.md first.
//!
//! Rung 1, `def`, is Python's way of calling a function, written out in Rust: every value a
//! reference-counted box, every call a name lookup and a boxed `dyn Fn` taking a `Vec` of boxed
//! arguments. It is correct, and it is the baseline. Rungs 2–4 below start out calling it too,
//! so they are correct and exactly as slow. Rewrite each as its doc comment says, keeping the
//! naive recursion (the calls *are* the workload): `cargo xtask check call-overhead` times each
//! rung against `def`.

use harness::call_overhead::CallLadder;
use harness::call_overhead::dynamic::{DynError, Module, Object};

// ---- Rung 1: def (the baseline; leave it as it is) ----------------------------------------

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

/// The `def` rung with a fresh module; `fib` only ever sees ints, so it cannot fail.
fn def(n: u32) -> u64 {
    fib_def(&fib_module(), n).expect("the dynamic fib only ever sees ints")
}

// ---- Rungs 2–4: yours -----------------------------------------------------------------------

pub struct Ladder;

impl CallLadder for Ladder {
    /// Rung 2, `cpdef`: a statically typed `fn(u32) -> u64`, marked `#[inline(never)]`, whose
    /// recursive calls go through a function pointer (or a `&dyn Trait`) the compiler cannot
    /// see through. No boxes, no lookups, but every call a real, indirect call.
    fn cpdef(n: u32) -> u64 {
        def(n)
    }

    /// Rung 3, `cdef`: a plain recursive function calling itself by name, so the compiler sees
    /// every call and may inline and transform it.
    fn cdef(n: u32) -> u64 {
        def(n)
    }

    /// Rung 4, `c`: the same recursion in C, `hpc_fib` in `shared/c/hpc_fib.h`. `build.rs`
    /// already compiles and links it; declare it in an `unsafe extern "C"` block and call it.
    fn c(n: u32) -> u64 {
        def(n)
    }
}
