//! Solution to exercise 04: the Mandelbrot kernel with static types, then on every core, then
//! twelve pixels at a time, then both.
//!
//! - `kernel`: `f64` in, `u32` out. Each operation is now one instruction on registers: no
//!   boxes, no tag checks, no allocation. Same operations in the same order as the course's
//!   kernel, so every count is identical.
//! - `image_parallel`: rows are independent; rayon hands them to the cores.
//! - `image_simd`: one pixel's iterations form a dependent chain (each step needs the last),
//!   so a single pixel cannot use the vector units. Twelve pixels side by side can: three
//!   groups of four lanes (four `f64` fill one AVX2 register), every lane running the same
//!   operations. A lane whose point escaped stops counting (a sticky mask), and the test
//!   whether any lane still runs comes once every eight iterations, not every one. LLVM turns
//!   the lane loops into vector instructions. One core, so the stage measures the lanes alone,
//!   whatever the other core is doing.
//! - `image_simd_parallel`: the same lanes, rows spread over every core.
//!
//! [`image_lanes_every_iteration`] and [`image_blocked`] are rungs of the lesson's ladder
//! (`examples/rates.rs` times them), not part of the exercise's API.

use harness::mandelbrot::{ImageSpec, Mandelbrot};
use rayon::prelude::*;

pub struct Mandel;

/// The course's kernel with static types (evaluation order as the lesson requires).
pub fn kernel(mut zr: f64, mut zi: f64, cr: f64, ci: f64, lim: f64, cutoff: u32) -> u32 {
    let mut count = 0;
    while zr * zr + zi * zi < lim * lim && count < cutoff {
        (zr, zi) = (zr * zr - zi * zi + cr, 2.0 * zr * zi + ci);
        count += 1;
    }
    count
}

fn row_static(spec: &ImageSpec, i: usize, out: &mut [u32]) {
    for (j, count) in out.iter_mut().enumerate() {
        let (x, y) = spec.point(i, j);
        *count = kernel(0.0, 0.0, x, y, spec.lim, spec.cutoff);
    }
}

/// `f64` lanes in one AVX2 register.
const WIDTH: usize = 4;
/// Independent groups of lanes in flight. One iteration is a chain of three dependent
/// operations (multiply, subtract, add: about 12 cycles) but only about 4.5 cycles of work for
/// the two vector units, so one group leaves them idle most of the time; three keep them busy.
const GROUPS: usize = 3;
/// Pixels per call of [`lanes`].
const LANES: usize = WIDTH * GROUPS;
/// Iterations between two tests of whether any lane still runs.
const BLOCK: u32 = 8;

/// One value per lane: `G` groups of [`WIDTH`] lanes.
type Lanes<T, const G: usize> = [[T; WIDTH]; G];

/// One iteration of every lane, the scalar kernel's operations in its order. A lane keeps
/// iterating after it stopped (its values grow to infinity and NaN, harmlessly), but its mask
/// stays zero, so its count stays put: a comparison with NaN is false, and the mask is sticky.
#[inline(always)]
fn step<const G: usize>(
    zr: &mut Lanes<f64, G>,
    zi: &mut Lanes<f64, G>,
    cr: &Lanes<f64, G>,
    ci: f64,
    lim2: f64,
    running: &mut Lanes<u64, G>,
    count: &mut Lanes<u64, G>,
) {
    for g in 0..G {
        for k in 0..WIDTH {
            let (rr, ii) = (zr[g][k] * zr[g][k], zi[g][k] * zi[g][k]);
            // The scalar loop's test, without a branch: all ones while the lane runs.
            running[g][k] &= u64::from(rr + ii < lim2).wrapping_neg();
            // Plus one while running (subtracting all ones adds one).
            count[g][k] = count[g][k].wrapping_sub(running[g][k]);
            zi[g][k] = 2.0 * zr[g][k] * zi[g][k] + ci;
            zr[g][k] = rr - ii + cr[g][k];
        }
    }
}

/// The first `out.len()` of `G · 4` pixels on one row: the row's `ci`, the columns' `cr`.
#[inline(always)]
fn lanes<const G: usize>(cr: &Lanes<f64, G>, ci: f64, lim2: f64, cutoff: u32, out: &mut [u32]) {
    let n = out.len();
    let (mut zr, mut zi) = ([[0.0; WIDTH]; G], [[0.0; WIDTH]; G]);
    let mut count = [[0u64; WIDTH]; G];
    let mut running: Lanes<u64, G> =
        std::array::from_fn(|g| std::array::from_fn(|k| if g * WIDTH + k < n { u64::MAX } else { 0 }));
    // The cutoff test: every lane still running has counted every iteration, so stopping after
    // `cutoff` iterations in all stops each at `count == cutoff`, as the scalar loop does.
    let mut left = cutoff;
    while left > 0 {
        if left >= BLOCK {
            for _ in 0..BLOCK {
                step(&mut zr, &mut zi, cr, ci, lim2, &mut running, &mut count);
            }
            left -= BLOCK;
        } else {
            step(&mut zr, &mut zi, cr, ci, lim2, &mut running, &mut count);
            left -= 1;
        }
        // The only branch: once every BLOCK iterations.
        if running.iter().flatten().fold(0, |any, &m| any | m) == 0 {
            break;
        }
    }
    // Converted a group at a time: written lane by lane into `out`, this loop led LLVM to lay
    // the lanes out across its vector registers in another order, and shuffle them at every
    // step (measured: 2.2 ns per iteration instead of 0.8). Check the speed after any change.
    let counts: Lanes<u32, G> = count.map(|group| group.map(|c| c as u32));
    out.copy_from_slice(&counts.as_flattened()[..n]);
}

/// Every column's `cr`, padded with the last one to whole groups of `width` lanes.
fn columns(spec: &ImageSpec, width: usize) -> Vec<f64> {
    let padded = spec.width.div_ceil(width) * width;
    (0..padded).map(|j| spec.point(0, j.min(spec.width.saturating_sub(1))).0).collect()
}

/// Row `i`, `G · 4` pixels at a time.
fn row_blocked<const G: usize>(spec: &ImageSpec, xs: &[f64], i: usize, out: &mut [u32]) {
    let ci = spec.point(i, 0).1;
    let lim2 = spec.lim * spec.lim;
    for (pixels, cr) in out.chunks_mut(G * WIDTH).zip(xs.chunks_exact(G * WIDTH)) {
        let cr: Lanes<f64, G> = std::array::from_fn(|g| std::array::from_fn(|k| cr[g * WIDTH + k]));
        lanes(&cr, ci, lim2, spec.cutoff, pixels);
    }
}

/// Lesson rung: the escape test only every `BLOCK` iterations, `GROUPS` groups of four lanes
/// (2: eight lanes; 3: the solution's `image_simd`).
pub fn image_blocked<const G: usize>(spec: &ImageSpec) -> Vec<u32> {
    let mut counts = vec![0; spec.pixels()];
    let xs = columns(spec, G * WIDTH);
    for (i, row) in counts.chunks_mut(spec.width.max(1)).enumerate() {
        row_blocked::<G>(spec, &xs, i, row);
    }
    counts
}

/// Lesson rung: eight lanes that test for escape (and branch on it) every iteration, keeping a
/// stopped lane's values with a bitwise select. The first vector version the lesson shows.
pub fn image_lanes_every_iteration(spec: &ImageSpec) -> Vec<u32> {
    const N: usize = 8;
    let mut counts = vec![0; spec.pixels()];
    for (i, row) in counts.chunks_mut(spec.width.max(1)).enumerate() {
        for (block, out) in row.chunks_mut(N).enumerate() {
            let n = out.len();
            let (mut cr, mut ci) = ([0.0; N], [0.0; N]);
            for k in 0..n {
                (cr[k], ci[k]) = spec.point(i, block * N + k);
            }
            let (mut zr, mut zi) = ([0.0f64; N], [0.0f64; N]);
            // Counts as f64 (exact up to 2^53) and the mask as u64: every lane array is 64 bits
            // wide, so one vector instruction serves each operation.
            let mut count = [0.0f64; N];
            let cutoff = f64::from(spec.cutoff);
            let mut running = [0u64; N];
            running[..n].fill(u64::MAX);
            let lim2 = spec.lim * spec.lim;
            loop {
                let mut any = 0;
                for k in 0..N {
                    let go = (zr[k] * zr[k] + zi[k] * zi[k] < lim2) & (count[k] < cutoff);
                    running[k] &= u64::from(go).wrapping_neg();
                    any |= running[k];
                }
                if any == 0 {
                    break;
                }
                for k in 0..N {
                    let (r, m) = (zr[k] * zr[k] - zi[k] * zi[k] + cr[k], 2.0 * zr[k] * zi[k] + ci[k]);
                    let keep = running[k];
                    zr[k] = f64::from_bits((r.to_bits() & keep) | (zr[k].to_bits() & !keep));
                    zi[k] = f64::from_bits((m.to_bits() & keep) | (zi[k].to_bits() & !keep));
                    count[k] += f64::from_bits(1.0f64.to_bits() & keep);
                }
            }
            for (out, &c) in out.iter_mut().zip(&count) {
                *out = c as u32;
            }
        }
    }
    counts
}

impl Mandelbrot for Mandel {
    fn image_static(spec: &ImageSpec) -> Vec<u32> {
        let mut counts = vec![0; spec.pixels()];
        for (i, row) in counts.chunks_mut(spec.width.max(1)).enumerate() {
            row_static(spec, i, row);
        }
        counts
    }

    fn image_parallel(spec: &ImageSpec) -> Vec<u32> {
        let mut counts = vec![0; spec.pixels()];
        counts.par_chunks_mut(spec.width.max(1)).enumerate().for_each(|(i, row)| row_static(spec, i, row));
        counts
    }

    fn image_simd(spec: &ImageSpec) -> Vec<u32> {
        image_blocked::<GROUPS>(spec)
    }

    fn image_simd_parallel(spec: &ImageSpec) -> Vec<u32> {
        let mut counts = vec![0; spec.pixels()];
        let xs = columns(spec, LANES);
        counts
            .par_chunks_mut(spec.width.max(1))
            .enumerate()
            .for_each(|(i, row)| row_blocked::<GROUPS>(spec, &xs, i, row));
        counts
    }
}

/// [`Mandel::image_simd_parallel`] as a plain function (`tools/compare` calls it).
pub fn image_simd_parallel(spec: &ImageSpec) -> Vec<u32> {
    Mandel::image_simd_parallel(spec)
}
