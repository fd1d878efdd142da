//! The frozen baseline: exercise 05's `def` rung exactly as shipped. Every graded speedup is
//! measured against this copy, which learners do not edit.
//!
//! Keep it identical to the `def` part of `exercises/05-call-overhead/src/lib.rs`.

use crate::dynamic::{DynError, Module, Object};

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
