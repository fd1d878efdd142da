//! Exercise 04, the Mandelbrot kernel: static types against dynamic ones.
//!
//! The Python course's escape-time kernel, `kernel(zr, zi, cr, ci, lim, cutoff)`:
//!
//! ```text
//! count = 0
//! while (zr*zr + zi*zi) < (lim*lim) and count < cutoff:
//!     zr, zi = zr*zr - zi*zi + cr, 2*zr*zi + ci
//!     count += 1
//! ```
//!
//! **The evaluation order is part of the contract.** Just outside the set a point's orbit can
//! linger for hundreds of steps before it escapes, and one rounding difference then changes its
//! count: measured here, with cutoff 1000, 8 of the 90 000 pixels of a 300² picture change if
//! `zr² − zi²` is computed as `(zr − zi)(zr + zi)`, 7 with a fused multiply-add, 7 with
//! `zr² + cr − zi²` (with cutoff 255, none of the 1000² picture's pixels do). The grader
//! requires exactly: `zr·zr + zi·zi` compared with `lim·lim`; new `zr = (zr·zr − zi·zi) + cr`;
//! new `zi = ((2·zr)·zi) + ci` (multiplying by 2 is exact, so `2·(zr·zi)` is the same), both
//! from the old values; no fused multiply-add.

mod baseline;
pub mod checks;

pub use baseline::{DynamicImage, dynamic_kernel};

use crate::protocol::Work;
use crate::roofline::{Floor, Roof};
use crate::worker::{self, Batch, BatchWriter, ExerciseSpec, StageRunner, StageSpec};
#[cfg(feature = "bench")]
use std::hint::black_box;
use std::process::ExitCode;

/// The name of the exercise in `course.toml`.
pub const EXERCISE: &str = "mandelbrot";

/// A picture of the set: `width × height` pixels over `x × y`, each pixel the escape count of
/// `c = x + iy` from `z = 0`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ImageSpec {
    pub width: usize,
    pub height: usize,
    pub x: (f64, f64),
    pub y: (f64, f64),
    pub lim: f64,
    pub cutoff: u32,
}

impl ImageSpec {
    /// The program's picture: 1000 × 1000 over x ∈ [−2, 1], y ∈ [−1.5, 1.5], escape radius 2,
    /// at most 255 iterations (47.4 million iterations in all).
    pub const FULL: ImageSpec =
        ImageSpec { width: 1000, height: 1000, x: (-2.0, 1.0), y: (-1.5, 1.5), lim: 2.0, cutoff: 255 };

    /// A smaller picture of the same region.
    pub const fn sized(width: usize, height: usize) -> ImageSpec {
        ImageSpec { width, height, ..ImageSpec::FULL }
    }

    /// The point of pixel (row `i`, column `j`), like `np.linspace` over each axis (both ends
    /// included); a single pixel sits at the start of the range.
    pub fn point(&self, i: usize, j: usize) -> (f64, f64) {
        let along =
            |k: usize, n: usize, (a, b): (f64, f64)| if n > 1 { a + (b - a) * k as f64 / (n - 1) as f64 } else { a };
        (along(j, self.width, self.x), along(i, self.height, self.y))
    }

    pub fn pixels(&self) -> usize {
        self.width * self.height
    }
}

/// The course's kernel with static types, in the required evaluation order (module docs).
pub fn kernel(mut zr: f64, mut zi: f64, cr: f64, ci: f64, lim: f64, cutoff: u32) -> u32 {
    let mut count = 0;
    while zr * zr + zi * zi < lim * lim && count < cutoff {
        (zr, zi) = (zr * zr - zi * zi + cr, 2.0 * zr * zi + ci);
        count += 1;
    }
    count
}

/// The reference picture: escape counts, row after row.
pub fn reference_image(spec: &ImageSpec) -> Vec<u32> {
    let mut counts = Vec::with_capacity(spec.pixels());
    for i in 0..spec.height {
        for j in 0..spec.width {
            let (x, y) = spec.point(i, j);
            counts.push(kernel(0.0, 0.0, x, y, spec.lim, spec.cutoff));
        }
    }
    counts
}

/// What exercise 04 implements: the picture four ways, each returning row-major counts.
pub trait Mandelbrot {
    /// Static types, one core (the graded stage).
    fn image_static(spec: &ImageSpec) -> Vec<u32>;
    /// Rows spread over threads (optional stage).
    fn image_parallel(spec: &ImageSpec) -> Vec<u32>;
    /// Several pixels in lockstep so the compiler can vectorise, on one core (optional stage).
    fn image_simd(spec: &ImageSpec) -> Vec<u32>;
    /// Pixels in lockstep and rows spread over threads: lanes and cores together (optional
    /// stage).
    fn image_simd_parallel(spec: &ImageSpec) -> Vec<u32>;
}

/// The graded picture for the `static` stage: small, because the dynamic baseline takes
/// ~0.3 µs per iteration (120² pixels: 0.7 million iterations).
pub const GRADE_STATIC: ImageSpec = ImageSpec::sized(120, 120);
/// The graded picture for the optional stages, against the static reference.
pub const GRADE_FAST: ImageSpec = ImageSpec::sized(400, 400);

/// Compares `got` with the reference for `spec`; `Err` names the first differing pixels.
pub fn check_image(name: &str, spec: &ImageSpec, got: &[u32]) -> Result<(), String> {
    let want = reference_image(spec);
    if got.len() != want.len() {
        return Err(format!(
            "{name}: {} counts for a {}×{} image, expected {}",
            got.len(),
            spec.width,
            spec.height,
            want.len()
        ));
    }
    let wrong: Vec<String> = (0..want.len())
        .filter(|&k| got[k] != want[k])
        .take(5)
        .map(|k| {
            let (i, j) = (k / spec.width, k % spec.width);
            let (x, y) = spec.point(i, j);
            format!("  pixel [{i}, {j}] (c = {x} + {y}i): expected {} iterations, got {}", want[k], got[k])
        })
        .collect();
    let count = (0..want.len()).filter(|&k| got[k] != want[k]).count();
    if count == 0 {
        Ok(())
    } else {
        Err(format!(
            "{name}: {count} of {} pixels differ from the reference on a {}×{} image (cutoff {}):\n{}\n\
             (near the set's boundary a different operation order changes counts: see the lesson)",
            want.len(),
            spec.width,
            spec.height,
            spec.cutoff,
            wrong.join("\n")
        ))
    }
}

fn iterations(spec: &ImageSpec) -> f64 {
    reference_image(spec).iter().map(|&c| c as f64).sum()
}

/// `main` of the exercise's `tests/grade.rs`: serves the four pictures to the judge.
pub fn grade_main<M: Mandelbrot>() -> ExitCode {
    worker::serve_candidate(
        EXERCISE,
        vec![
            ("static", Box::new(runner(M::image_static))),
            ("parallel", Box::new(runner(M::image_parallel))),
            ("simd", Box::new(runner(M::image_simd))),
            ("simd-parallel", Box::new(runner(M::image_simd_parallel))),
        ],
    )
}

/// One picture per item: the spec as 8 f64 (width, height, x range, y range, lim, cutoff).
fn runner(image: impl Fn(&ImageSpec) -> Vec<u32>) -> impl StageRunner {
    move |input: &Batch<'_>, out: &mut BatchWriter| {
        for item in input.items() {
            out.keep(image(&spec_of(item)));
        }
    }
}

fn item_of(spec: &ImageSpec) -> Vec<u8> {
    let words =
        [spec.width as f64, spec.height as f64, spec.x.0, spec.x.1, spec.y.0, spec.y.1, spec.lim, spec.cutoff as f64];
    bytemuck::cast_slice(&words).to_vec()
}

fn spec_of(item: &[u8]) -> ImageSpec {
    let w = worker::values::<f64>(item);
    ImageSpec {
        width: w[0] as usize,
        height: w[1] as usize,
        x: (w[2], w[3]),
        y: (w[4], w[5]),
        lim: w[6],
        cutoff: w[7] as u32,
    }
}

/// A fresh picture of the graded size: the region shifted by a seeded fraction of a pixel or
/// more, so every call has other counts but about the same work.
fn fresh_spec(seed: u64, size: &ImageSpec) -> ImageSpec {
    use rand::Rng;
    let mut rng = worker::rng(seed);
    let (dx, dy) = (rng.random_range(-0.01..0.01), rng.random_range(-0.01..0.01));
    ImageSpec { x: (size.x.0 + dx, size.x.1 + dx), y: (size.y.0 + dy, size.y.1 + dy), ..*size }
}

/// The trusted side of grading: `static` against the dynamic starting code on the small
/// picture, the optional stages against the static reference on the larger one.
pub fn spec() -> ExerciseSpec {
    let check = |input: &[u8], got: &[u8]| check_image("your picture", &spec_of(input), &worker::values::<u32>(got));
    // One pixel's iteration is a chain: `zr·zr − zi·zi + cr` waits on a multiply, a subtract
    // and an add. Across lanes, an iteration is 10 independent operations (5 multiplies and 3
    // adds for the update and |z|², the escape comparison, the count's update).
    // The floor: one operation per pixel of the picture at least (a point inside the set may
    // be recognised without iterating, so iterations are no floor).
    let work = |spec: &ImageSpec, roof| {
        let pixels = spec.pixels() as f64;
        let floor = Floor::Ops { ops: pixels, what: format!("the {pixels} pixels of the picture") };
        Work { unit: "iteration".into(), per_call: iterations(spec), roof: Some(roof), floor: Some(floor) }
    };
    let lanes = |name: &str| name.starts_with("simd");
    let fast = |name| StageSpec {
        name,
        work: work(&GRADE_FAST, if lanes(name) { Roof::Vector { flops: 10.0 } } else { Roof::Chain { ops: 3.0 } }),
        input: |seed| item_of(&fresh_spec(seed, &GRADE_FAST)),
        check,
        baseline: || Box::new(runner(reference_image)),
    };
    ExerciseSpec {
        exercise: EXERCISE,
        tasks: Vec::new(),
        stages: vec![
            StageSpec {
                name: "static",
                work: work(&GRADE_STATIC, Roof::Chain { ops: 3.0 }),
                input: |seed| item_of(&fresh_spec(seed, &GRADE_STATIC)),
                check,
                baseline: || Box::new(runner(DynamicImage::image_static)),
            },
            fast("parallel"),
            fast("simd"),
            fast("simd-parallel"),
        ],
    }
}

/// The exercise's program: the full picture, timed, as a PNG.
pub fn program_main<M: Mandelbrot>(name: &str) -> ExitCode {
    let spec = ImageSpec::FULL;
    let path = std::path::Path::new("mandelbrot.png");
    let start = std::time::Instant::now();
    let counts = M::image_parallel(&spec);
    let seconds = start.elapsed().as_secs_f64();
    let total: f64 = counts.iter().map(|&c| c as f64).sum();
    println!(
        "{name}: {}×{} pixels, {total:.0} iterations in {} ({:.2} ns per iteration)",
        spec.width,
        spec.height,
        crate::timeit::format_seconds(seconds),
        seconds / total * 1e9
    );
    let grid = crate::heat::Grid::new(spec.height, spec.width, counts.iter().map(|&c| c as f64).collect());
    match crate::heat::image::write_png(&grid, (0.0, spec.cutoff as f64), path) {
        Ok(()) => {
            println!("wrote {}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Criterion: dynamic, static, parallel, SIMD-friendly, both, and C through FFI.
#[cfg(feature = "bench")]
pub fn bench<M: Mandelbrot>(c: &mut criterion::Criterion, name: &str) {
    let mut group = c.benchmark_group("mandelbrot");
    group.sample_size(10);
    let small = GRADE_STATIC;
    group.throughput(criterion::Throughput::Elements(iterations(&small) as u64));
    group.bench_function("dynamic (baseline) 120²", |b| b.iter(|| DynamicImage::image_static(black_box(&small))));
    group.bench_function(format!("{name} static 120²"), |b| b.iter(|| M::image_static(black_box(&small))));
    let big = GRADE_FAST;
    group.throughput(criterion::Throughput::Elements(iterations(&big) as u64));
    group.bench_function(format!("{name} static 400²"), |b| b.iter(|| M::image_static(black_box(&big))));
    group.bench_function(format!("{name} parallel 400²"), |b| b.iter(|| M::image_parallel(black_box(&big))));
    group.bench_function(format!("{name} simd 400²"), |b| b.iter(|| M::image_simd(black_box(&big))));
    group.bench_function(format!("{name} simd + parallel 400²"), |b| {
        b.iter(|| M::image_simd_parallel(black_box(&big)))
    });
    group.bench_function("C -O3 through FFI 400²", |b| b.iter(|| c_image(black_box(&big))));
    group.finish();
}

/// The picture with the C kernel (`shared/c/mandelbrot.c`, `-O3`), one FFI call per pixel.
pub fn c_image(spec: &ImageSpec) -> Vec<u32> {
    let cutoff = std::ffi::c_int::try_from(spec.cutoff).expect("cutoffs fit in a C int");
    let mut counts = Vec::with_capacity(spec.pixels());
    for i in 0..spec.height {
        for j in 0..spec.width {
            let (x, y) = spec.point(i, j);
            // SAFETY: plain values, no pointers.
            counts.push(unsafe { c_kernels::hpc_kernel(0.0, 0.0, x, y, spec.lim, cutoff) } as u32);
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pixels_span_the_region_like_linspace() {
        let s = ImageSpec::sized(4, 3);
        assert_eq!(s.point(0, 0), (-2.0, -1.5));
        assert_eq!(s.point(2, 3), (1.0, 1.5));
        assert_eq!(s.point(1, 1), (-1.0, 0.0));
        assert_eq!(
            ImageSpec { width: 1, height: 1, x: (0.3, 0.3), y: (0.1, 0.1), ..ImageSpec::FULL }.point(0, 0),
            (0.3, 0.1)
        );
    }

    #[test]
    fn known_points_and_the_c_kernel_agree() {
        assert_eq!(kernel(0.0, 0.0, 0.0, 0.0, 2.0, 255), 255, "0 is in the set");
        assert_eq!(kernel(0.0, 0.0, 1.0, 1.0, 2.0, 255), 2);
        let spec = ImageSpec::sized(60, 40);
        assert_eq!(c_image(&spec), reference_image(&spec), "C, compiled without -ffast-math, counts alike");
    }

    #[test]
    fn a_changed_operation_order_changes_counts_on_the_boundary() {
        // (zr − zi)(zr + zi) equals zr² − zi² in exact arithmetic, not in floating point.
        fn reordered(mut zr: f64, mut zi: f64, cr: f64, ci: f64, lim: f64, cutoff: u32) -> u32 {
            let mut count = 0;
            while zr * zr + zi * zi < lim * lim && count < cutoff {
                (zr, zi) = ((zr - zi) * (zr + zi) + cr, 2.0 * zr * zi + ci);
                count += 1;
            }
            count
        }
        let spec = checks::SENSITIVE_SPEC;
        let differing: Vec<(usize, usize)> = (0..spec.height)
            .flat_map(|i| (0..spec.width).map(move |j| (i, j)))
            .filter(|&(i, j)| {
                let (x, y) = spec.point(i, j);
                kernel(0.0, 0.0, x, y, 2.0, spec.cutoff) != reordered(0.0, 0.0, x, y, 2.0, spec.cutoff)
            })
            .collect();
        assert_eq!(differing, checks::SENSITIVE_PIXELS, "the pixels the checks rely on");
    }

    #[test]
    fn the_dynamic_baseline_counts_like_the_reference() {
        let spec = ImageSpec::sized(30, 20);
        assert_eq!(check_image("dynamic", &spec, &DynamicImage::image_static(&spec)), Ok(()));
    }
}
