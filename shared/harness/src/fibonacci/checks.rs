//! The correctness suite every exercise-06 crate runs, through
//! [`fibonacci_tests!`](crate::fibonacci_tests), one test per task: the same checks for the
//! learner's code and the solution, written once.
//!
//! Each version is compared with the reference at *every* n that fits in a `u128`, and must
//! refuse the ones that do not with [`FibError::TooLarge`]; a property test also checks the
//! addition law F(m+n) = F(m)·F(n+1) + F(m−1)·F(n) on the version's own answers.

use super::{FibError, Fibonacci, MAX_N, check_version, reference};
use crate::property::call_caught;
use proptest::prelude::*;
use std::cell::Cell;

/// Panics with the message of [`check_version`] if `f` differs from the reference anywhere.
pub fn matches_the_reference_everywhere(name: &str, f: fn(u32) -> Result<u128, FibError>) {
    if let Err(message) = check_version(name, f) {
        panic!("{message}");
    }
}

/// F(m+n) = F(m)·F(n+1) + F(m−1)·F(n) for random 1 ≤ m, m + n ≤ [`MAX_N`], on `f`'s answers.
/// Every term is at most F(m+n), so nothing here overflows when `f` is right.
pub fn addition_law_holds(name: &str, f: fn(u32) -> Result<u128, FibError>) {
    let pairs = (1..=MAX_N).prop_flat_map(|m| (Just(m), 0..=MAX_N - m));
    crate::property::check(pairs, |(m, n)| {
        let at = |k: u32| match call_caught(name, f, k)? {
            Ok(v) => Ok(v),
            Err(e) => Err(format!("{name}({k}) returned the error \"{e}\", but F({k}) fits")),
        };
        let (sum, fm, fn1, fm1, fn0) = (at(m + n)?, at(m)?, at(n + 1)?, at(m - 1)?, at(n)?);
        let right = fm.checked_mul(fn1).zip(fm1.checked_mul(fn0)).and_then(|(x, y)| x.checked_add(y));
        if right == Some(sum) {
            Ok(())
        } else {
            Err(format!(
                "F(m+n) = F(m)·F(n+1) + F(m−1)·F(n) fails for m = {m}, n = {n}: {name} gives \
                 F({}) = {sum}, but F({m})·F({}) + F({})·F({n}) = {}",
                m + n,
                n + 1,
                m - 1,
                right.map_or("(overflows u128)".to_string(), |r| r.to_string())
            ))
        }
    });
}

/// Both checks for one version.
pub fn version_is_right(name: &str, f: fn(u32) -> Result<u128, FibError>) {
    matches_the_reference_everywhere(name, f);
    addition_law_holds(name, f);
}

/// The starting code: right for small n, and refuses n beyond [`MAX_N`] without recursing.
pub fn naive_is_right_where_it_can_run<F: Fibonacci>() {
    for n in (0..=20).chain([MAX_N + 1, 1000, u32::MAX]) {
        match call_caught("naive", F::naive, n) {
            Ok(got) if got == reference(n) => {}
            Ok(got) => panic!("naive({n}) returned {got:?}, expected {:?}", reference(n)),
            Err(message) => panic!("{message}"),
        }
    }
}

/// How often the wrapped function may run before the cache is declared unused: F(90) with a
/// working cache needs 91 calls, without one about 10¹⁹.
const MEMOIZE_CALL_LIMIT: u32 = 10_000;

/// A `memoize`d naive recursion on u64, with a counter of how often its body runs; the body
/// panics with an explanation instead of running (nearly) forever when nothing is cached.
pub fn counted_fib(calls: &Cell<u32>) -> impl Fn(&mut dyn FnMut(u64) -> u64, u64) -> u64 + '_ {
    move |fib, n| {
        calls.set(calls.get() + 1);
        if calls.get() > MEMOIZE_CALL_LIMIT {
            panic!("the memoized function ran more than {MEMOIZE_CALL_LIMIT} times for F(90): is its cache used?");
        }
        if n < 2 { n } else { fib(n - 1) + fib(n - 2) }
    }
}

/// The memoized function runs once per argument, and its cache outlives a call, like
/// `functools.lru_cache`: `fib` is `memoize(counted_fib(calls))`.
pub fn memoize_runs_once_per_argument(mut fib: impl FnMut(u64) -> u64, calls: &Cell<u32>) {
    let want = |n: u32| reference(n).expect("small n") as u64;
    assert_eq!(fib(90), want(90), "memoized fib(90)");
    assert_eq!(calls.get(), 91, "fib(90) should run the function once for each n in 0..=90");
    assert_eq!(fib(90), want(90), "memoized fib(90), asked again");
    assert_eq!(calls.get(), 91, "asking again should find fib(90) in the cache, not run the function");
    assert_eq!(fib(91), want(91), "memoized fib(91)");
    assert_eq!(calls.get(), 92, "fib(91) needs one new run: fib(90) and fib(89) are cached");
}

/// Expands to the exercise-06 test suite, one test per task, for a [`Fibonacci`] type and the
/// crate's `memoize` helper: `harness::fibonacci_tests!(fibonacci_memo::Fib, fibonacci_memo::memoize);`
#[macro_export]
macro_rules! fibonacci_tests {
    ($fib:ty, $memoize:path) => {
        use $crate::fibonacci::Fibonacci as _;
        #[test]
        fn task_0_naive_is_the_starting_point() {
            $crate::fibonacci::checks::naive_is_right_where_it_can_run::<$fib>();
        }
        #[test]
        fn task_1_memo_with_a_hashmap() {
            $crate::fibonacci::checks::version_is_right("memo", <$fib>::memo);
        }
        #[test]
        fn task_2_memo_with_a_vec_table() {
            $crate::fibonacci::checks::version_is_right("table", <$fib>::table);
        }
        #[test]
        fn task_3_iterative() {
            $crate::fibonacci::checks::version_is_right("iterative", <$fib>::iterative);
        }
        #[test]
        fn task_4_fast_doubling() {
            $crate::fibonacci::checks::version_is_right("doubling", <$fib>::doubling);
        }
        #[test]
        fn task_5_memoize_caches_each_argument_once() {
            let calls = ::std::cell::Cell::new(0);
            let fib = $memoize($crate::fibonacci::checks::counted_fib(&calls));
            $crate::fibonacci::checks::memoize_runs_once_per_argument(fib, &calls);
        }
        #[test]
        fn task_5_memoized_fibonacci() {
            $crate::fibonacci::checks::version_is_right("memoized", <$fib>::memoized);
        }
    };
}

#[cfg(test)]
mod tests {
    use super::super::naive;
    use super::*;
    use crate::property::panic_message;
    use std::collections::HashMap;

    /// The reference as every version: the suite passes on right answers.
    struct Right;
    impl Fibonacci for Right {
        fn naive(n: u32) -> Result<u128, FibError> {
            naive(n)
        }
        fn memo(n: u32) -> Result<u128, FibError> {
            reference(n)
        }
        fn table(n: u32) -> Result<u128, FibError> {
            reference(n)
        }
        fn iterative(n: u32) -> Result<u128, FibError> {
            reference(n)
        }
        fn doubling(n: u32) -> Result<u128, FibError> {
            reference(n)
        }
        fn memoized(n: u32) -> Result<u128, FibError> {
            reference(n)
        }
    }

    /// The function a test memoizes.
    type Body<'a> = dyn Fn(&mut dyn FnMut(u64) -> u64, u64) -> u64 + 'a;

    /// A plain closure cache, as the suite expects `memoize` to be.
    fn memoize(f: impl Fn(&mut dyn FnMut(u64) -> u64, u64) -> u64) -> impl FnMut(u64) -> u64 {
        fn call(cache: &mut HashMap<u64, u64>, f: &Body<'_>, n: u64) -> u64 {
            if let Some(&v) = cache.get(&n) {
                return v;
            }
            let v = f(&mut |k| call(cache, f, k), n);
            cache.insert(n, v);
            v
        }
        let mut cache = HashMap::new();
        move |n| call(&mut cache, &f, n)
    }

    mod the_reference_passes_the_suite {
        crate::fibonacci_tests!(super::Right, super::memoize);
    }

    #[test]
    fn a_consistent_but_shifted_sequence_is_caught_by_the_reference() {
        fn lucas_like(n: u32) -> Result<u128, FibError> {
            reference(n + 1)
        }
        let msg = panic_message(|| matches_the_reference_everywhere("memo", lucas_like));
        assert_eq!(msg, "memo(0) returned Ok(1), expected Ok(0)");
    }

    #[test]
    fn wrong_values_break_the_addition_law() {
        // Off by one from F(100) on: about half the random (m, n) pairs reach it.
        fn off(n: u32) -> Result<u128, FibError> {
            reference(n).map(|v| if n >= 100 { v + 1 } else { v })
        }
        let msg = panic_message(|| addition_law_holds("table", off));
        assert!(msg.contains("fails for m = ") && msg.contains("table gives F("), "{msg}");
    }

    #[test]
    fn a_cache_that_forgets_between_calls_is_caught() {
        let calls = Cell::new(0);
        let f = counted_fib(&calls);
        let forgetful = |n| memoize(&f)(n);
        let msg = panic_message(std::panic::AssertUnwindSafe(|| memoize_runs_once_per_argument(forgetful, &calls)));
        assert!(msg.contains("asking again should find fib(90) in the cache"), "{msg}");
    }

    #[test]
    fn no_cache_at_all_stops_with_an_explanation() {
        let calls = Cell::new(0);
        let f = counted_fib(&calls);
        fn plain(f: &Body<'_>, n: u64) -> u64 {
            f(&mut |k| plain(f, k), n)
        }
        let msg =
            panic_message(std::panic::AssertUnwindSafe(|| memoize_runs_once_per_argument(|n| plain(&f, n), &calls)));
        assert!(msg.contains("is its cache used?"), "{msg}");
    }
}
