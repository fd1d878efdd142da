//! Solution to exercise 04: the Mandelbrot kernel with static types, then on every core, then
//! eight pixels at a time.
//!
//! - `kernel`: `f64` in, `u32` out. Each operation is now one instruction on registers: no
//!   boxes, no tag checks, no allocation. Same operations in the same order as the course's
//!   kernel, so every count is identical.
//! - `image_parallel`: rows are independent; rayon hands them to the cores.
//! - `image_simd`: one pixel's iterations form a dependent chain (each step needs the last),
//!   so a single pixel cannot use the vector units. Eight pixels side by side can: every lane
//!   runs the same operations, a lane whose point escaped stops counting, and the loop ends
//!   when all eight have. LLVM turns the lane loops into vector instructions. One core, so the
//!   stage measures the lanes alone, whatever the other core is doing.
//! - `image_simd_parallel` (not graded): lanes and rows on every core, the fastest of all.

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

const LANES: usize = 8;

/// Up to eight pixels of row `i` starting at column `j0`, in lockstep.
fn lanes(spec: &ImageSpec, i: usize, j0: usize, out: &mut [u32]) {
    let n = out.len();
    let (mut cr, mut ci) = ([0.0; LANES], [0.0; LANES]);
    for k in 0..n {
        (cr[k], ci[k]) = spec.point(i, j0 + k);
    }
    let (mut zr, mut zi) = ([0.0f64; LANES], [0.0f64; LANES]);
    // Counts as f64 (exact up to 2^53) and the mask as u64: every lane array is 64 bits wide,
    // so one vector instruction serves each operation; mixing u32 and f64 lanes defeats that.
    let mut count = [0.0f64; LANES];
    let cutoff = f64::from(spec.cutoff);
    // All ones while a lane runs, zero once it has stopped.
    let mut running = [0u64; LANES];
    running[..n].fill(u64::MAX);
    let lim2 = spec.lim * spec.lim;
    loop {
        let mut any = 0;
        for k in 0..LANES {
            // The scalar loop's test, without branches (`&`, not `&&`).
            let go = (zr[k] * zr[k] + zi[k] * zi[k] < lim2) & (count[k] < cutoff);
            running[k] &= u64::from(go).wrapping_neg();
            any |= running[k];
        }
        if any == 0 {
            break;
        }
        for k in 0..LANES {
            // A stopped lane keeps its values and its count (bitwise select, no branch).
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

/// One row, eight pixels at a time (the SIMD version's work for one thread).
pub fn row_lanes(spec: &ImageSpec, i: usize, out: &mut [u32]) {
    for (block, pixels) in out.chunks_mut(LANES).enumerate() {
        lanes(spec, i, block * LANES, pixels);
    }
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
        let mut counts = vec![0; spec.pixels()];
        for (i, row) in counts.chunks_mut(spec.width.max(1)).enumerate() {
            row_lanes(spec, i, row);
        }
        counts
    }
}

/// Eight lanes per row and rows on every core: steps 2 and 3 together (`compare` and the
/// `rates` example show it; the grader times each step on its own).
pub fn image_simd_parallel(spec: &ImageSpec) -> Vec<u32> {
    let mut counts = vec![0; spec.pixels()];
    counts.par_chunks_mut(spec.width.max(1)).enumerate().for_each(|(i, row)| row_lanes(spec, i, row));
    counts
}
