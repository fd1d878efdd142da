//! Criterion benches for exercise 06 (`cargo bench -p fibonacci-memo`): the naive baseline and
//! every version at the course's n, then the fast versions at the largest n that fits, where
//! their growth shows (the naive recursion would need ~10³⁹ calls there). For pass/fail the
//! grader's interleaved protocol is used instead.

use super::{COURSE_N, FibError, Fibonacci, MAX_N, naive, versions};
use criterion::Criterion;
use std::hint::black_box;

/// An extra contender: a name and a call that may keep state between calls (a warm cache).
pub type Extra<'a> = (&'a str, &'a mut dyn FnMut(u32) -> Result<u128, FibError>);

/// Benchmarks the versions of `F` and the `extras` at [`COURSE_N`] and at [`MAX_N`].
pub fn versions_of<F: Fibonacci>(c: &mut Criterion, extras: &mut [Extra]) {
    for n in [COURSE_N, MAX_N] {
        let mut group = c.benchmark_group(format!("fib({n})"));
        if n == COURSE_N {
            group.sample_size(20);
            group.bench_function("naive (baseline)", |b| b.iter(|| naive(black_box(n))));
        }
        for (name, f) in versions::<F>() {
            group.bench_function(name, |b| b.iter(|| f(black_box(n))));
        }
        for (name, f) in extras.iter_mut() {
            group.bench_function(*name, |b| b.iter(|| f(black_box(n))));
        }
        group.finish();
    }
}
