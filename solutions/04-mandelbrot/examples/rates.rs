//! Nanoseconds per iteration of each step of the lesson on the full picture, best of 5 rounds:
//! `cargo run --release -p mandelbrot-solution --example rates [SIZE]`.
//!
//! Built as the course builds (x86-64-v3, `.cargo/config.toml`). The lesson's other columns
//! come from the same program built for other instruction sets, each into a target folder of
//! its own so the course's build is not redone:
//!
//! ```text
//! CARGO_TARGET_DIR=/tmp/t-x86-64 RUSTFLAGS="-C target-cpu=x86-64" cargo run --release -p mandelbrot-solution --example rates
//! CARGO_TARGET_DIR=/tmp/t-native RUSTFLAGS="-C target-cpu=native" cargo run --release -p mandelbrot-solution --example rates
//! ```
use harness::mandelbrot::{ImageSpec, Mandelbrot, c_image};
use mandelbrot_solution::{Mandel, image_blocked, image_lanes_every_iteration};
use std::time::Instant;

/// The widest vector instructions this build may use.
fn instruction_set() -> &'static str {
    if cfg!(target_feature = "avx512f") {
        "AVX-512 (8 f64 per register)"
    } else if cfg!(target_feature = "avx2") {
        "AVX2 + FMA (4 f64 per register)"
    } else {
        "SSE2 (2 f64 per register)"
    }
}

fn main() {
    let spec = std::env::args().nth(1).map_or(ImageSpec::FULL, |n| {
        let n = n.parse().unwrap();
        ImageSpec::sized(n, n)
    });
    type Version = (&'static str, fn(&ImageSpec) -> Vec<u32>);
    let versions: [Version; 8] = [
        ("static (1 core)", Mandel::image_static),
        ("C -O3 through FFI (1 core)", c_image),
        ("8 lanes, escape test every iteration (1 core)", image_lanes_every_iteration),
        ("8 lanes, escape test every 8 iterations (1 core)", image_blocked::<2>),
        ("12 lanes, escape test every 8 iterations (1 core): `simd`", Mandel::image_simd),
        ("static + rayon (2 cores): `parallel`", Mandel::image_parallel),
        ("8 lanes every iteration + rayon (2 cores)", |spec| {
            use rayon::prelude::*;
            let rows: Vec<Vec<u32>> = (0..spec.height)
                .into_par_iter()
                .map(|i| image_lanes_every_iteration(&ImageSpec { height: 1, y: (spec.point(i, 0).1, 0.0), ..*spec }))
                .collect();
            rows.concat()
        }),
        ("12 lanes + rayon (2 cores): `simd-parallel`", Mandel::image_simd_parallel),
    ];
    let reference = Mandel::image_static(&spec);
    let total: f64 = reference.iter().map(|&c| c as f64).sum();
    println!("{}×{} pixels, {total:.0} iterations; built for {}\n", spec.width, spec.height, instruction_set());
    println!("| version | time | ns per iteration | × static |\n| --- | --- | --- | --- |");
    for (name, f) in &versions {
        assert_eq!(f(&spec), reference, "{name}: counts differ from the static kernel's");
    }
    // Rounds of every version in turn, so that a slower spell of the machine hits all alike.
    let mut best = [f64::INFINITY; 8];
    for _ in 0..5 {
        for ((_, f), best) in versions.iter().zip(&mut best) {
            let t = Instant::now();
            std::hint::black_box(f(&spec));
            *best = best.min(t.elapsed().as_secs_f64());
        }
    }
    for ((name, _), &time) in versions.iter().zip(&best) {
        println!(
            "| {name} | {} | {:.3} | {:.1}× |",
            harness::timeit::format_seconds(time),
            time / total * 1e9,
            best[0] / time
        );
    }
}
