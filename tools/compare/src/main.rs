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
    emit_for("heat", "cell update", implementation, seconds_per_call, units_per_call);
}

fn emit_for(kernel: &str, unit: &str, implementation: &str, seconds_per_call: f64, units_per_call: f64) {
    let record = json!({
        "kernel": kernel,
        "implementation": implementation,
        "unit": unit,
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

    mandelbrot();
}

/// The same picture as `python/mandelbrot.py` (200², the exercise's region, cutoff 255).
fn mandelbrot() {
    use harness::mandelbrot::{DynamicImage, ImageSpec, Mandelbrot, c_image, reference_image};
    use mandelbrot_solution::Mandel;
    let spec = ImageSpec::sized(200, 200);
    let iterations: f64 = reference_image(&spec).iter().map(|&c| c as f64).sum();
    let row = |name: &str, loops: u64, f: fn(&ImageSpec) -> Vec<u32>| {
        let t = timeit_with(5, Some(loops), || f(&spec));
        emit_for("mandelbrot", "iteration", name, t.best(), iterations);
    };
    row("Rust starting code", 1, DynamicImage::image_static);
    row("Rust solution", 10, Mandel::image_static);
    row("Rust solution (8 lanes, 2 cores)", 10, mandelbrot_solution::image_simd_parallel);
    row("C -O3 (FFI)", 10, c_image);
}
