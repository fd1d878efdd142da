//! Criterion benches for exercise 05: every rung of the ladder on F([`GRADE_N`]), throughput in
//! calls, so criterion's "elem/s" reads as calls per second. For pass/fail the grader's
//! interleaved protocol is used instead; criterion is for exploring (`cargo bench -p call-overhead`).

use super::{CallLadder, GRADE_N, Rung, calls, fib_def, fib_module, rungs};
use criterion::{Criterion, Throughput};
use std::hint::black_box;

/// Benchmarks the `def` baseline, the rungs of `L`, and any `extras` (name, function) on F(GRADE_N).
pub fn ladder<L: CallLadder>(c: &mut Criterion, extras: &[Rung]) {
    let module = fib_module();
    let mut group = c.benchmark_group(format!("fib({GRADE_N})"));
    group.throughput(Throughput::Elements(calls(GRADE_N)));
    group.sample_size(20);
    group.bench_function("def (baseline)", |b| b.iter(|| fib_def(&module, black_box(GRADE_N))));
    for (name, f) in rungs::<L>().into_iter().chain(extras.iter().copied()) {
        group.bench_function(name, |b| b.iter(|| f(black_box(GRADE_N))));
    }
    group.finish();
}
