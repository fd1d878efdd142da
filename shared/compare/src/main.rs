//! One JSON line per implementation, in seconds per unit of work, on the same inputs as
//! `python/compare.py`: the Rust starting code (the frozen baseline), the Rust solution, and
//! the C kernel (`-O3`) through FFI. `cargo xtask compare` merges this with Python's.

use harness::heat::{Baseline, CKernel, HeatSolver, Params, SHIPPED_INPUT, parse_grid};
use harness::timeit::timeit_with;
use profiling_heat_solution::Heat;
use serde_json::json;

/// Steps per timed call: the Python side's NumPy and Cython runs use the same.
const STEPS: usize = 200;

fn emit(implementation: &str, seconds_per_call: f64, units_per_call: f64) {
    let record = json!({
        "kernel": "heat",
        "implementation": implementation,
        "unit": "cell update",
        "seconds_per_unit": seconds_per_call / units_per_call,
    });
    println!("{record}");
}

fn main() {
    let text = std::fs::read_to_string(SHIPPED_INPUT).expect("the shipped input is part of the course");
    let initial = parse_grid(&text).expect("the shipped input parses");
    let p = Params::course();
    let units = ((initial.rows - 2) * (initial.cols - 2) * STEPS) as f64;

    let t = timeit_with(5, Some(1), || {
        let mut f = Baseline::from_grid(&initial);
        Baseline::evolve(&mut f, &p, STEPS);
        f
    });
    emit("Rust starting code", t.best(), units);

    let t = timeit_with(5, Some(3), || {
        let mut f = Heat::from_grid(&initial);
        Heat::evolve(&mut f, &p, STEPS);
        f
    });
    emit("Rust solution", t.best(), units);

    let t = timeit_with(5, Some(3), || {
        let mut g = initial.clone();
        CKernel::evolve(&mut g, &p, STEPS);
        g
    });
    emit("C -O3 (FFI)", t.best(), units);
}
