//! Criterion benches for exercise 01: the frozen baseline against a candidate on the graded
//! workload. For pass/fail the grader's interleaved protocol is used instead; criterion is for
//! exploring (`cargo bench -p profiling-heat`).

use super::{Baseline, CKernel, HeatSolver, Params, grading_input, grading_work};
use super::{GRADE_STEPS, Grid};
use criterion::{BatchSize, BenchmarkGroup, BenchmarkId, Criterion, Throughput, measurement::WallTime};
use std::hint::black_box;

/// Benchmarks the baseline, `H` (labelled `name`) and the C kernel evolving the graded field.
pub fn compare<H: HeatSolver>(c: &mut Criterion, name: &str) {
    let initial = grading_input();
    let params = Params::course();
    let mut group = c.benchmark_group("heat-evolve");
    group.throughput(Throughput::Elements(grading_work().per_call as u64));
    group.sample_size(20);
    let size = format!("{}x{}", initial.rows, initial.cols);
    bench_one::<Baseline>(&mut group, BenchmarkId::new("baseline", &size), &initial, &params);
    bench_one::<H>(&mut group, BenchmarkId::new(name, &size), &initial, &params);
    bench_one::<CKernel>(&mut group, BenchmarkId::new("C -O3 (FFI)", &size), &initial, &params);
    group.finish();
}

/// Like the grader: the field is reset from the initial one outside the timed region.
fn bench_one<H: HeatSolver>(group: &mut BenchmarkGroup<WallTime>, id: BenchmarkId, initial: &Grid, params: &Params) {
    let start = H::from_grid(initial);
    group.bench_function(id, |b| {
        b.iter_batched_ref(
            || start.clone(),
            |field| H::evolve(black_box(field), params, GRADE_STEPS),
            BatchSize::LargeInput,
        )
    });
}
