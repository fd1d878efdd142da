//! Iterations per nanosecond of each version on the full picture:
//! `cargo run --release -p mandelbrot-solution --example rates`.
use harness::mandelbrot::{ImageSpec, Mandelbrot, c_image};
use mandelbrot_solution::{Mandel, image_simd_parallel};
use std::time::Instant;

fn main() {
    let spec = std::env::args().nth(1).map_or(ImageSpec::FULL, |n| {
        let n = n.parse().unwrap();
        ImageSpec::sized(n, n)
    });
    type Version = (&'static str, fn(&ImageSpec) -> Vec<u32>);
    let versions: [Version; 5] = [
        ("static (1 core)", Mandel::image_static),
        ("8 lanes (1 core)", Mandel::image_simd),
        ("C -O3 through FFI (1 core)", c_image),
        ("static + rayon (2 cores)", Mandel::image_parallel),
        ("8 lanes + rayon (2 cores)", image_simd_parallel),
    ];
    let total: f64 = Mandel::image_static(&spec).iter().map(|&c| c as f64).sum();
    println!("{}×{} pixels, {total:.0} iterations\n", spec.width, spec.height);
    println!("| version | time | ns per iteration | iterations per ns |\n| --- | --- | --- | --- |");
    for (name, f) in versions {
        let best = (0..3)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(f(&spec));
                t.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min);
        println!(
            "| {name} | {} | {:.3} | {:.2} |",
            harness::timeit::format_seconds(best),
            best / total * 1e9,
            total / best / 1e9
        );
    }
}
