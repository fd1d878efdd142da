//! Every version of the 4096² heat stencil as a fraction of the machine's copy bandwidth:
//!
//! ```text
//! cargo run --release -p heat-fast-solution --example table
//! ```
//!
//! Each version runs once to warm up, then five times 4 steps, each run right after a copy of
//! 2 × 256 MiB with the same number of threads (both buffers of the field and both arrays of the
//! copy allocated and touched beforehand); the table shows the best run of each. Memory
//! bandwidth on a shared machine drifts over minutes, so the two are measured interleaved, in
//! the same seconds. A cell update needs at least 16 bytes of memory traffic (read 8, write 8),
//! so GB/s = 16 B × cell updates per second, comparable with STREAM's copy (16 B per element).
//! Temporal blocking moves fewer bytes than that: its GB/s is the one-pass rate it equals.

use harness::heat::{Params, bottle};
use harness::heat_fast::bandwidth::Copier;
use harness::heat_fast::{FastHeat, GRADE_SIZE, Naive, c_evolve, c_evolve_omp, to_array};
use heat_fast_solution::{
    Heat, evolve_four_steps_per_sweep, evolve_slicing, evolve_streaming, evolve_two_steps_per_sweep, evolve_zip,
};
use ndarray::Array2;
use std::time::Instant;

type Version = fn(&mut Array2<f64>, &mut Array2<f64>, &Params, usize);

fn main() {
    let versions: [(&str, Version, usize); 10] = [
        ("naive indexing + clone per step (starting code)", Naive::evolve, 1),
        ("slicing arithmetic, NumPy style (temporaries)", evolve_slicing, 1),
        ("Zip over shifted views", evolve_zip, 1),
        ("row slices (solution serial)", Heat::evolve, 1),
        ("row slices + non-temporal stores (unsafe, x86-64)", evolve_streaming, 1),
        ("C through FFI (same arithmetic, -O3 -march=x86-64-v3)", c_evolve, 1),
        ("two steps per sweep (temporal blocking)", evolve_two_steps_per_sweep, 1),
        ("four steps per sweep (temporal blocking)", evolve_four_steps_per_sweep, 1),
        ("rayon over rows (solution parallel)", Heat::evolve_parallel, 2),
        ("C OpenMP over rows", c_evolve_omp, 2),
    ];
    let initial = to_array(&bottle(GRADE_SIZE, GRADE_SIZE));
    let p = Params::course();
    let steps = 4;
    let cells = ((GRADE_SIZE - 2) * (GRADE_SIZE - 2) * steps) as f64;
    let (mut u, mut scratch) = (initial.clone(), initial.clone());
    let mut copier = Copier::new();
    println!(
        "| version | threads | ns per cell update | GB/s (16 B/cell) | copy GB/s alongside | % of copy bandwidth |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    for (name, f, threads) in versions {
        let (mut best, mut reference) = (f64::INFINITY, 0.0f64);
        for run in 0..6 {
            if run > 0 {
                reference = reference.max(copier.gbs(threads));
            }
            u.assign(&initial);
            let start = Instant::now();
            f(&mut u, &mut scratch, &p, steps);
            let t = start.elapsed().as_secs_f64();
            if run > 0 {
                best = best.min(t);
            }
        }
        let gbs = 16.0 * cells / best / 1e9;
        println!(
            "| {name} | {threads} | {:.2} | {gbs:.1} | {reference:.1} | {:.0}% |",
            best / cells * 1e9,
            100.0 * gbs / reference
        );
    }
    // The arithmetic alone: a field small enough for L2, stepped many times.
    let (rows, cols) = (16, 2048);
    let small = to_array(&bottle(rows, cols));
    let (mut u, mut scratch) = (small.clone(), small.clone());
    let steps = 2000;
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let start = Instant::now();
        Heat::evolve(&mut u, &mut scratch, &p, steps);
        best = best.min(start.elapsed().as_secs_f64());
    }
    let ns = best / ((rows - 2) * (cols - 2) * steps) as f64 * 1e9;
    println!(
        "| row slices on a {rows} × {cols} field (in L2: the arithmetic alone) | 1 | {ns:.2} | {:.1} | | |",
        16.0 / ns
    );
}
