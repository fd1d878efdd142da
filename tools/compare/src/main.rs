//! One JSON line per implementation, in seconds per unit of work, on the same inputs as
//! `python/compare.py`: the Rust starting code (the frozen baseline), the Rust solution, the C
//! kernel through FFI, on two threads the heat-fast solution's rayon rows beside the C
//! kernel's OpenMP rows, and where the machine has a GPU, the gpu-heat solution on it.
//! `cargo xtask compare` merges this with Python's.
//!
//! Everything here is built alike (`.cargo/config.toml`: x86-64-v3; `shared/c-kernels`: `-O3
//! -march=x86-64-v3 -ffp-contract=off`). OpenMP takes its thread count from `OMP_NUM_THREADS`,
//! read when the program starts: `cargo xtask compare` sets it to [`THREADS`], and without it
//! the OpenMP row says it was skipped rather than time an unknown number of threads.

use harness::heat::{Baseline, CKernel, HeatSolver, Params, SHIPPED_INPUT, parse_grid};
use harness::heat_fast::{FastHeat, c_evolve_omp, to_array};
use harness::timeit::timeit_with;
use profiling_heat_solution::Heat;
use serde_json::json;

/// Steps per timed call: the Python side's NumPy, Cython and Numba runs use the same.
const STEPS: usize = 200;

/// Threads of the parallel heat rows (rayon's pool and OpenMP's team).
const THREADS: usize = 2;

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

fn skip(implementation: &str, why: &str) {
    println!(
        "{}",
        json!({ "kernel": "heat", "implementation": implementation, "unit": "cell update", "skipped": why })
    );
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

    two_threads(&initial, &p, units);
    gpu(&initial, &p, units);
    mandelbrot();
}

/// The same field and steps on the GPU (exercise 13's solution: up once in f32, every step on
/// the device, down once), timed whole. Only on a GPU: on lavapipe, Vulkan on the CPU, the row
/// would be a CPU's, and is skipped saying so.
fn gpu(initial: &harness::heat::Grid, p: &Params, units: f64) {
    let name = "Rust + wgpu (GPU)";
    let gpu = match harness_gpu::Gpu::new() {
        Ok(gpu) if !gpu.is_cpu() => gpu,
        Ok(gpu) => return skip(name, &format!("no GPU: the only adapter is {}, software on the CPU", gpu.describe())),
        Err(_) => return skip(name, "no GPU adapter (no Vulkan or Metal driver)"),
    };
    let t = timeit_with(5, Some(3), || gpu_heat_solution::evolve(&gpu, initial, p, STEPS));
    emit(&format!("{name}: {}", gpu.describe()), t.best(), units);
}

/// The same field and steps on [`THREADS`] threads: exercise 08's rayon rows beside the C
/// kernel's OpenMP loop over rows (both swap two buffers, both multiply by coefficients).
fn two_threads(initial: &harness::heat::Grid, p: &Params, units: f64) {
    let start = to_array(initial);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(THREADS).build().expect("a rayon pool");
    let t = timeit_with(5, Some(3), || {
        let (mut u, mut scratch) = (start.clone(), start.clone());
        pool.install(|| heat_fast_solution::Heat::evolve_parallel(&mut u, &mut scratch, p, STEPS));
        u
    });
    emit(&format!("Rust solution (rayon, {THREADS} threads)"), t.best(), units);

    let name = format!("C OpenMP ({THREADS} threads)");
    if std::env::var("OMP_NUM_THREADS").ok().and_then(|n| n.parse().ok()) != Some(THREADS) {
        skip(&name, &format!("OMP_NUM_THREADS is not {THREADS} (`cargo xtask compare` sets it)"));
        return;
    }
    let t = timeit_with(5, Some(3), || {
        let (mut u, mut scratch) = (start.clone(), start.clone());
        c_evolve_omp(&mut u, &mut scratch, p, STEPS);
        u
    });
    emit(&name, t.best(), units);
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
