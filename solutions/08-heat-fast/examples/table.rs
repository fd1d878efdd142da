//! Every version of the 4096² heat stencil as a fraction of the machine's copy bandwidth:
//!
//! ```text
//! cargo run --release -p heat-fast-solution --example table
//! ```
//!
//! Each figure is the best of five runs of 4 steps, after a warm-up run, with both buffers
//! allocated and touched beforehand. Memory bandwidth on a shared machine drifts by a factor of
//! two over minutes, so the copy bandwidth is measured again right before each version. A cell update needs at least 16 bytes of memory traffic
//! (read 8, write 8), so GB/s = 16 B × cell updates per second, comparable with STREAM's copy.

use harness::heat::{Params, bottle};
use harness::heat_fast::{FastHeat, GRADE_SIZE, Naive, bandwidth, c_evolve, to_array};
use heat_fast_solution::{Heat, evolve_rows, evolve_slicing, evolve_two_steps_per_sweep};
use ndarray::Array2;
use std::time::Instant;

type Version = fn(&mut Array2<f64>, &mut Array2<f64>, &Params, usize);

fn main() {
    let versions: [(&str, Version, usize); 7] = [
        ("naive indexing + clone per step (starting code)", Naive::evolve, 1),
        ("slicing arithmetic, NumPy style (temporaries)", evolve_slicing, 1),
        ("C -O3 through FFI", c_evolve, 1),
        ("row slices", evolve_rows, 1),
        ("Zip over shifted views (solution serial)", Heat::evolve, 1),
        ("two steps per sweep (temporal blocking)", evolve_two_steps_per_sweep, 1),
        ("rayon over rows (solution parallel)", Heat::evolve_parallel, 2),
    ];
    let initial = to_array(&bottle(GRADE_SIZE, GRADE_SIZE));
    let p = Params::course();
    let steps = 4;
    let cells = ((GRADE_SIZE - 2) * (GRADE_SIZE - 2) * steps) as f64;
    let (mut u, mut scratch) = (initial.clone(), initial.clone());
    println!(
        "| version | threads | ns per cell update | GB/s (16 B/cell) | copy GB/s just before | % of copy bandwidth |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    for (name, f, threads) in versions {
        let reference = bandwidth::copy_gbs(threads, 3);
        let mut best = f64::INFINITY;
        for run in 0..6 {
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
}
