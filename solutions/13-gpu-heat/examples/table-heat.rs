//! The lesson's question, answered by measurement on this machine's adapter: where does the
//! time of a GPU heat simulation go, for small and large fields? Each row is one run of
//! `steps` steps, split into the copies (the field up in f32 and down in f64, timed as a run of
//! no steps) and the steps; against it, the course's C kernel on one CPU core (exercise 01's
//! speed, and the timed stage's baseline).
//!
//! ```text
//! cargo run --release -p gpu-heat-solution --example table-heat
//! ```
//!
//! Then exercise 04's Mandelbrot picture, on the device and by the C kernel. On a machine with a
//! GPU it prints the GPU's rows; on lavapipe, the CPU's.

use gpu_heat_solution::{Grid, Params};
use harness_gpu::Gpu;
use harness_gpu::harness::heat::{CKernel, HeatSolver, bottle};
use harness_gpu::harness::timeit::timeit_with;
use std::time::Instant;

/// Seconds of `f`, the best of three after a warm-up (the first call compiles the kernel).
/// The best, not the median: each figure here is one side of a difference.
fn best_s(mut f: impl FnMut()) -> f64 {
    f();
    timeit_with(3, Some(1), f).best()
}

fn main() {
    let gpu = match Gpu::new() {
        Ok(gpu) => gpu,
        Err(why) => {
            eprintln!("error: {why}");
            std::process::exit(1);
        }
    };
    println!("adapter: {}", gpu.describe());
    if gpu.is_cpu() {
        println!("(software on the CPU: the figures are a CPU's, not a GPU's)");
    }
    println!();
    println!(
        "| field | steps | up and down (0 steps) | the steps | per step | whole run | copies' share | copying every step | C kernel, 1 core | resident vs C |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let p = Params::course();
    for (size, steps) in [(200usize, 200usize), (1000, 100), (4096, 20)] {
        let field: Grid = bottle(size, size);
        // The field up (in f32) and down (back in f64) with no step between: the copies alone.
        let copies = best_s(|| {
            gpu_heat_solution::evolve(&gpu, &field, &p, 0);
        });
        let whole = best_s(|| {
            gpu_heat_solution::evolve(&gpu, &field, &p, steps);
        });
        let cpu = best_s(|| {
            let mut f = field.clone();
            CKernel::evolve(&mut f, &p, steps);
        });
        // The simple way, `step` after `step`: the field up and down at every step (timed once,
        // the kernel compiled by the runs above).
        let start = Instant::now();
        let mut f = field.clone();
        for _ in 0..steps {
            f = gpu_heat_solution::step(&gpu, &f, &p);
        }
        let copying = start.elapsed().as_secs_f64();
        let stepping = (whole - copies).max(0.0);
        println!(
            "| {size}² | {steps} | {:.1} ms | {:.1} ms | {:.3} ms | {:.1} ms | {:.0}% | {:.1} ms | {:.1} ms | {:.2}× |",
            copies * 1e3,
            stepping * 1e3,
            stepping * 1e3 / steps as f64,
            whole * 1e3,
            100.0 * copies / whole,
            copying * 1e3,
            cpu * 1e3,
            cpu / whole
        );
    }
    println!();
    println!("| Mandelbrot picture | on the device (whole call) | C kernel, 1 core | speedup over C |");
    println!("| ---: | ---: | ---: | ---: |");
    for side in [200usize, 1000] {
        let spec = harness_gpu::harness::mandelbrot::ImageSpec::sized(side, side);
        let device = best_s(|| {
            gpu_heat_solution::mandelbrot(&gpu, &spec);
        });
        let cpu = best_s(|| {
            harness_gpu::harness::mandelbrot::c_image(&spec);
        });
        println!("| {side}², cutoff 255 | {:.1} ms | {:.1} ms | {:.2}× |", device * 1e3, cpu * 1e3, cpu / device);
    }
}
