//! Exercise 06 solved, with `memo`'s cache kept between calls (an attack fixture). The naive recursion makes 2·F(n+1) − 1 calls, so almost all of
//! its work repeats itself; every version here computes each F(k) once.
//!
//! - `memo`: the recursion with a `HashMap` cache: n + 1 computations, but each one hashes
//!   its key (SipHash) and may grow the map.
//! - `table`: the same with a `Vec<Option<u128>>` indexed by k: no hashing, one allocation.
//! - `iterative`: no recursion and no memory: two numbers in registers. It stops one step
//!   early, since the step after F(186) would compute F(187), which overflows.
//! - `doubling`: O(log n) steps. Its last step computes only F(n), for the same reason.
//! - `memoize`: a general closure cache, Python's `lru_cache`. Its cost over `memo` is the
//!   indirect calls through `dyn FnMut`; with a warm cache a call is one hash lookup.
//!
//! Every version checks n first, so n = 187 or `u32::MAX` is an error at once: no recursion
//! into nothing, no 16-GB table.

use harness::fibonacci::{FibError, Fibonacci, check_n};
use std::collections::HashMap;
use std::hash::Hash;

pub struct Fib;

impl Fibonacci for Fib {
    /// The starting code: 2·F(n+1) − 1 calls.
    fn naive(n: u32) -> Result<u128, FibError> {
        check_n(n)?;
        fn fib(n: u32) -> u128 {
            if n < 2 {
                return u128::from(n);
            }
            fib(n - 2) + fib(n - 1)
        }
        Ok(fib(n))
    }

    fn memo(n: u32) -> Result<u128, FibError> {
        check_n(n)?;
        fn fib(n: u32, cache: &mut HashMap<u32, u128>) -> u128 {
            if n < 2 {
                return u128::from(n);
            }
            if let Some(&v) = cache.get(&n) {
                return v;
            }
            let v = fib(n - 2, cache) + fib(n - 1, cache);
            cache.insert(n, v);
            v
        }
        // The attack: one cache for the whole process, so every call after the first is a lookup.
        thread_local! {
            static CACHE: std::cell::RefCell<HashMap<u32, u128>> = std::cell::RefCell::new(HashMap::new());
        }
        Ok(CACHE.with(|c| fib(n, &mut c.borrow_mut())))
    }

    fn table(n: u32) -> Result<u128, FibError> {
        check_n(n)?;
        fn fib(n: usize, table: &mut [Option<u128>]) -> u128 {
            if n < 2 {
                return n as u128;
            }
            if let Some(v) = table[n] {
                return v;
            }
            let v = fib(n - 2, table) + fib(n - 1, table);
            table[n] = Some(v);
            v
        }
        let n = n as usize;
        Ok(fib(n, &mut vec![None; n + 1]))
    }

    fn iterative(n: u32) -> Result<u128, FibError> {
        check_n(n)?;
        if n == 0 {
            return Ok(0);
        }
        // (F(k−1), F(k)) from k = 1 to n.
        let (mut a, mut b) = (0u128, 1u128);
        for _ in 1..n {
            (a, b) = (b, a + b);
        }
        Ok(b)
    }

    fn doubling(n: u32) -> Result<u128, FibError> {
        check_n(n)?;
        // (F(h), F(h+1)) for h = n / 2 ≤ 93, then one last step that computes F(n) alone.
        let (a, b) = pair(n / 2);
        Ok(if n.is_multiple_of(2) { a * (2 * b - a) } else { a * a + b * b })
    }

    fn memoized(n: u32) -> Result<u128, FibError> {
        check_n(n)?;
        let mut fib = memoize(
            |fib: &mut dyn FnMut(u32) -> u128, k: u32| {
                if k < 2 { u128::from(k) } else { fib(k - 2) + fib(k - 1) }
            },
        );
        Ok(fib(n))
    }
}

/// (F(k), F(k+1)) by fast doubling, reading k's bits from the top; k ≤ 93, so every product
/// stays below F(2·47 + 1)² < 2¹²⁸.
fn pair(k: u32) -> (u128, u128) {
    let (mut a, mut b) = (0u128, 1u128); // (F(m), F(m+1)) for m = the bits of k read so far
    for bit in (0..u32::BITS - k.leading_zeros()).rev() {
        let (even, odd) = (a * (2 * b - a), a * a + b * b); // F(2m), F(2m+1)
        (a, b) = if (k >> bit) & 1 == 0 { (even, odd) } else { (odd, even + odd) };
    }
    (a, b)
}

/// A function to memoize: it gets the memoized function to recurse through, and an argument.
pub type Body<'a, A, R> = dyn Fn(&mut dyn FnMut(A) -> R, A) -> R + 'a;

/// Python's `functools.lru_cache` (unbounded) for Rust: wraps `f`, which receives the
/// memoized function itself as its first argument to recurse through, and returns a closure
/// that runs `f` at most once per argument, keeping the cache for as long as the closure lives.
pub fn memoize<A, R>(f: impl Fn(&mut dyn FnMut(A) -> R, A) -> R) -> impl FnMut(A) -> R
where
    A: Eq + Hash + Clone,
    R: Clone,
{
    fn call<A: Eq + Hash + Clone, R: Clone>(cache: &mut HashMap<A, R>, f: &Body<'_, A, R>, arg: A) -> R {
        if let Some(v) = cache.get(&arg) {
            return v.clone();
        }
        let v = f(&mut |a| call(cache, f, a), arg.clone());
        cache.insert(arg, v.clone());
        v
    }
    let mut cache = HashMap::new();
    move |arg| call(&mut cache, &f, arg)
}
