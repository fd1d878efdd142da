//! One check per task of exercise 13, each taking the exercise's functions as plain functions
//! of data (`harness_gpu` binds the GPU context), so the learner's crate, the solution and the
//! judge run the same checks. Fields and parameters are random, from a seed drawn per run and
//! named in a failure; the shapes are the ones GPU code gets wrong (not a multiple of the
//! workgroup's 16×16, a single row, a field with no interior).

use super::{check_field, reference_evolve};
use crate::heat::{Grid, Params};
use crate::property::called;
use rand::Rng;

/// A field of `rows`×`cols` values in ±100.
fn field(rng: &mut impl Rng, rows: usize, cols: usize) -> Grid {
    Grid::new(rows, cols, (0..rows * cols).map(|_| rng.random_range(-100.0..100.0)).collect())
}

/// Parameters other than the course's (so a kernel with the course's numbers written in
/// fails), with a stable time step.
fn params(rng: &mut impl Rng) -> Params {
    let a = rng.random_range(0.1..1.0);
    let (dx2, dy2) = (rng.random_range(0.5e-4..2e-4), rng.random_range(0.5e-4..2e-4));
    let limit = dx2 * dy2 / (2.0 * a * (dx2 + dy2));
    Params { a, dx2, dy2, dt: limit * rng.random_range(0.5..1.0) }
}

/// The shapes every check tries: the edges, then random ones.
fn shapes(rng: &mut impl Rng) -> Vec<(usize, usize)> {
    let mut shapes = vec![(1, 1), (2, 7), (3, 3), (1, 40), (16, 16), (17, 33), (100, 3)];
    shapes.extend((0..3).map(|_| (rng.random_range(3..300), rng.random_range(3..300))));
    shapes
}

/// A seeded generator for this run's inputs, and the words that name the seed in a failure.
fn seeded() -> (rand::rngs::StdRng, String) {
    let seed = crate::worker::unknown_seed();
    (crate::worker::rng(seed), format!("(inputs from seed {seed:#x})"))
}

/// The result's shape first: a field of another size is named as such, not value by value.
fn same_shape(call: &str, initial: &Grid, got: &Grid) {
    assert!(
        got.shape() == initial.shape() && got.data.len() == initial.data.len(),
        "{call} returned a {}×{} field ({} values) for a {}×{} one",
        got.rows,
        got.cols,
        got.data.len(),
        initial.rows,
        initial.cols
    );
}

/// Task 1: one step on the device, every cell of the interior updated, the boundary kept.
pub fn task_01_step(step: fn(&Grid, &Params) -> Grid) {
    let (mut rng, seed) = seeded();
    let mut cases: Vec<(Grid, Params)> = vec![(crate::heat::bottle(200, 200), Params::course())];
    for (rows, cols) in shapes(&mut rng) {
        cases.push((field(&mut rng, rows, cols), params(&mut rng)));
    }
    for (initial, p) in cases {
        let call = format!("step on a {}×{} field", initial.rows, initial.cols);
        let got = called(&call, || step(&initial, &p));
        same_shape(&call, &initial, &got);
        if let Err(m) = check_field(&initial, &p, 1, &got) {
            let unchanged =
                crate::diff::compare(&initial.data, &got.data, &[got.data.len()], &[got.data.len()], super::TOLERANCE)
                    .is_ok();
            let hint = if unchanged && initial.rows > 2 && initial.cols > 2 {
                "\nThe field came back unchanged: is the kernel's result written to the buffer you download?"
            } else {
                ""
            };
            panic!("{m}{hint}\n{seed}");
        }
    }
}

/// Task 2: `steps` steps with the field resident: the same field as the reference after any
/// number of steps, odd or even (which of the two buffers holds the result alternates).
pub fn task_02_evolve(evolve: fn(&Grid, &Params, usize) -> Grid) {
    let (mut rng, seed) = seeded();
    let mut cases: Vec<(Grid, Params, usize)> = vec![(crate::heat::bottle(200, 200), Params::course(), 200)];
    for (k, (rows, cols)) in shapes(&mut rng).into_iter().enumerate() {
        let steps = [0, 1, 2, 7, 50][k % 5];
        cases.push((field(&mut rng, rows, cols), params(&mut rng), steps));
    }
    for (initial, p, steps) in cases {
        let call = format!("evolve({steps} steps) on a {}×{} field", initial.rows, initial.cols);
        let got = called(&call, || evolve(&initial, &p, steps));
        same_shape(&call, &initial, &got);
        if let Err(m) = check_field(&initial, &p, steps, &got) {
            let after = |n: usize| {
                let want = reference_evolve(&initial, &p, n);
                crate::diff::compare(&want.data, &got.data, &[got.data.len()], &[got.data.len()], super::TOLERANCE)
                    .is_ok()
            };
            let hint = if steps > 0 && after(steps - 1) {
                format!(
                    "\nIt is the field after {} steps: the buffer read back is the one before the last step's",
                    steps - 1
                )
            } else if after(steps + 1) {
                format!("\nIt is the field after {} steps: one step too many", steps + 1)
            } else {
                String::new()
            };
            panic!("{m}{hint}\n{seed}");
        }
    }
}

/// Task 3: Mandelbrot on the device, one invocation per pixel, in f32: the escape counts of the
/// f64 reference but near the boundary. Random sizes (not multiples of 16) and random regions
/// and cutoffs, so a picture computed once cannot pass.
pub fn task_03_mandelbrot(mandelbrot: fn(&crate::mandelbrot::ImageSpec) -> Vec<u32>) {
    let (mut rng, seed) = seeded();
    let mut specs = vec![crate::mandelbrot::ImageSpec::sized(1, 1), crate::mandelbrot::ImageSpec::sized(200, 200)];
    for _ in 0..4 {
        let (cx, cy, half) = (rng.random_range(-1.5..0.3), rng.random_range(-0.8..0.8), rng.random_range(0.05..1.5));
        specs.push(crate::mandelbrot::ImageSpec {
            width: rng.random_range(2..300),
            height: rng.random_range(2..300),
            x: (cx - half, cx + half),
            y: (cy - half, cy + half),
            lim: 2.0,
            cutoff: rng.random_range(20..300),
        });
    }
    for spec in specs {
        let call = format!("mandelbrot of a {}×{} image", spec.width, spec.height);
        let got = called(&call, || mandelbrot(&spec));
        if let Err(m) = super::check_mandelbrot(&spec, &got) {
            panic!("{m}\nregion x ∈ [{}, {}], y ∈ [{}, {}] {seed}", spec.x.0, spec.x.1, spec.y.0, spec.y.1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::property::panic_message;

    fn f32_step(g: &Grid, p: &Params) -> Grid {
        f32_evolve(g, p, 1)
    }

    /// The reference's arithmetic in f32, as a device does it: must pass.
    fn f32_evolve(g: &Grid, p: &Params, steps: usize) -> Grid {
        let (rows, cols) = (g.rows, g.cols);
        let mut u: Vec<f32> = g.data.iter().map(|&v| v as f32).collect();
        let mut next = u.clone();
        let (cx, cy) = ((p.a * p.dt / p.dx2) as f32, (p.a * p.dt / p.dy2) as f32);
        for _ in 0..steps {
            for i in 1..rows.saturating_sub(1) {
                for j in 1..cols.saturating_sub(1) {
                    let c = u[i * cols + j];
                    next[i * cols + j] = c
                        + cx * (u[(i + 1) * cols + j] - 2.0 * c + u[(i - 1) * cols + j])
                        + cy * (u[i * cols + j + 1] - 2.0 * c + u[i * cols + j - 1]);
                }
            }
            std::mem::swap(&mut u, &mut next);
        }
        Grid::new(rows, cols, u.into_iter().map(f64::from).collect())
    }

    /// The kernel in f32 with the point computed as the solution's kernel does: must pass.
    fn f32_mandelbrot(spec: &crate::mandelbrot::ImageSpec) -> Vec<u32> {
        let step = |(a, b): (f64, f64), n: usize| if n > 1 { ((b - a) / (n - 1) as f64) as f32 } else { 0.0 };
        let (dx, dy) = (step(spec.x, spec.width), step(spec.y, spec.height));
        let mut counts = Vec::with_capacity(spec.pixels());
        for i in 0..spec.height {
            for j in 0..spec.width {
                let (cr, ci) = (spec.x.0 as f32 + dx * j as f32, spec.y.0 as f32 + dy * i as f32);
                let (mut zr, mut zi, mut n) = (0.0f32, 0.0f32, 0);
                let lim2 = (spec.lim * spec.lim) as f32;
                while zr * zr + zi * zi < lim2 && n < spec.cutoff {
                    (zr, zi) = (zr * zr - zi * zi + cr, 2.0 * zr * zi + ci);
                    n += 1;
                }
                counts.push(n);
            }
        }
        counts
    }

    #[test]
    fn an_f32_mandelbrot_passes_and_an_off_by_one_fails() {
        task_03_mandelbrot(f32_mandelbrot);
        // The full picture of exercise 04, 1000², as the lesson shows it: how many differ.
        let full = crate::mandelbrot::ImageSpec::FULL;
        let got = f32_mandelbrot(&full);
        let want = crate::mandelbrot::reference_image(&full);
        let differ = got.iter().zip(&want).filter(|(g, w)| g != w).count() as f64 / want.len() as f64;
        assert!(differ < 0.01, "{differ}");
        fn one_more(spec: &crate::mandelbrot::ImageSpec) -> Vec<u32> {
            f32_mandelbrot(spec).into_iter().map(|n| n + 1).collect()
        }
        let m = panic_message(|| task_03_mandelbrot(one_more));
        assert!(m.contains("pixels differ from the f64 reference"), "{m}");
    }

    #[test]
    fn an_f32_stencil_passes_both_checks() {
        task_01_step(f32_step);
        task_02_evolve(f32_evolve);
    }

    #[test]
    fn reading_back_the_other_buffer_is_named() {
        fn one_short(g: &Grid, p: &Params, steps: usize) -> Grid {
            f32_evolve(g, p, steps.saturating_sub(1))
        }
        let m = panic_message(|| task_02_evolve(one_short));
        assert!(m.contains("the buffer read back is the one before the last step's"), "{m}");
        assert!(m.contains("seed 0x"), "{m}");
    }

    #[test]
    fn an_unchanged_field_is_named() {
        fn nothing(g: &Grid, _: &Params) -> Grid {
            g.clone()
        }
        let m = panic_message(|| task_01_step(nothing));
        assert!(m.contains("came back unchanged"), "{m}");
    }

    #[test]
    fn course_numbers_written_into_the_kernel_fail() {
        fn fixed(g: &Grid, _: &Params) -> Grid {
            f32_evolve(g, &Params::course(), 1)
        }
        let m = panic_message(|| task_01_step(fixed));
        assert!(m.contains("differs from the f64 reference"), "{m}");
    }
}
