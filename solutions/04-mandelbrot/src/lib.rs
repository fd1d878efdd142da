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
//!   when all eight have. LLVM turns the lane loops into vector instructions.

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
    let mut count = [0u32; LANES];
    let mut active = [false; LANES];
    active[..n].fill(true);
    let lim2 = spec.lim * spec.lim;
    loop {
        // The scalar loop's test in every lane, without branches (`&`, not `&&`), so the
        // compiler can keep all eight lanes in vector registers.
        for k in 0..LANES {
            active[k] &= (zr[k] * zr[k] + zi[k] * zi[k] < lim2) & (count[k] < spec.cutoff);
        }
        if !active.iter().any(|&a| a) {
            break;
        }
        for k in 0..LANES {
            // A finished lane keeps its values and its count.
            let (r, m) = (zr[k] * zr[k] - zi[k] * zi[k] + cr[k], 2.0 * zr[k] * zi[k] + ci[k]);
            zr[k] = if active[k] { r } else { zr[k] };
            zi[k] = if active[k] { m } else { zi[k] };
            count[k] += u32::from(active[k]);
        }
    }
    out.copy_from_slice(&count[..n]);
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
        counts.par_chunks_mut(spec.width.max(1)).enumerate().for_each(|(i, row)| {
            for (block, out) in row.chunks_mut(LANES).enumerate() {
                lanes(spec, i, block * LANES, out);
            }
        });
        counts
    }
}
