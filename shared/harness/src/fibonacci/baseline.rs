//! The frozen baseline: exercise 06's starting code exactly as shipped (the Python course's
//! recursion, with the range check). Speedups are measured against this copy, which learners
//! do not edit. Keep it identical to `naive` in `exercises/06-fibonacci-memo/src/lib.rs`.

use super::{FibError, check_n};

/// F(n) by the naive recursion: 2·F(n+1) − 1 calls.
pub fn naive(n: u32) -> Result<u128, FibError> {
    check_n(n)?;
    fn fib(n: u32) -> u128 {
        if n < 2 {
            return u128::from(n);
        }
        fib(n - 2) + fib(n - 1)
    }
    Ok(fib(n))
}
