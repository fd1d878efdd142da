//! The lesson's table, measured on this machine's adapter: where the time of each kernel goes,
//! and what it moves per second. On a machine with a GPU it prints the GPU's row; on lavapipe,
//! the CPU's.
//!
//! ```text
//! cargo run --release -p gpu-basics-solution --example table-basics
//! ```
//!
//! Each figure is the median of 7 runs after one warm-up (the first run compiles the kernel).

use gpu_basics_solution::*;
use harness_gpu::Gpu;
use harness_gpu::harness::timeit::timeit_with;

/// The median of `runs` timings of `f`, in seconds, after one warm-up call.
fn median_s(runs: usize, mut f: impl FnMut()) -> f64 {
    f();
    timeit_with(runs, Some(1), f).median()
}

fn main() {
    let gpu = match Gpu::new() {
        Ok(gpu) => gpu,
        Err(why) => {
            eprintln!("error: {why}");
            std::process::exit(1);
        }
    };
    let report = describe(&gpu);
    println!("adapter: {} ({}, {})", report.name, report.device_type, report.backend);
    if report.is_cpu {
        println!("(software on the CPU: the figures are a CPU's, not a GPU's)");
    }
    println!();
    println!(
        "| n (f32) | upload | kernel | download | transfer share | SAXPY whole call | sum | GB/s (kernel, 12 B/element) |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for n in [1usize << 16, 1 << 20, 1 << 24] {
        let mut costs: Vec<TransferCost> = (0..7).map(|_| transfer_cost(&gpu, n)).collect();
        costs.sort_by(|a, b| {
            (a.upload_s + a.kernel_s + a.download_s).total_cmp(&(b.upload_s + b.kernel_s + b.download_s))
        });
        let c = &costs[3];
        let x: Vec<f32> = (0..n).map(|i| (i % 1000) as f32).collect();
        let whole = median_s(7, || {
            saxpy(&gpu, 2.0, &x, &x);
        });
        let summed = median_s(7, || {
            sum(&gpu, &x);
        });
        println!(
            "| {n} | {:.2} ms | {:.2} ms | {:.2} ms | {:.0}% | {:.2} ms | {:.2} ms | {:.1} |",
            c.upload_s * 1e3,
            c.kernel_s * 1e3,
            c.download_s * 1e3,
            100.0 * c.transfer_fraction(),
            whole * 1e3,
            summed * 1e3,
            12.0 * n as f64 / c.kernel_s / 1e9
        );
    }
    println!();
    println!("| matrix | transpose naive | transpose tiled | tiled / naive |");
    println!("| ---: | ---: | ---: | ---: |");
    for side in [1024usize, 4096] {
        let m: Vec<f32> = (0..side * side).map(|i| i as f32).collect();
        let naive = median_s(5, || {
            transpose_naive(&gpu, &m, side, side);
        });
        let tiled = median_s(5, || {
            transpose_tiled(&gpu, &m, side, side);
        });
        println!("| {side}² | {:.2} ms | {:.2} ms | {:.2}× |", naive * 1e3, tiled * 1e3, naive / tiled);
    }
}
