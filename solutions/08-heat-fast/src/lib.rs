//! Solution to exercise 08: the heat stencil on 4096² fields, as close to the memory system's
//! limit as one and two cores get. Every version swaps two buffers instead of allocating, and
//! multiplies by coefficients computed once instead of dividing (within the 1e-12 tolerance).
//!
//! - [`Heat::evolve`]: one pass over memory per step, row by row: [`step_row`] writes one
//!   output row from three input rows, over slices of equal length, which the compiler turns
//!   into AVX2 code with no bounds checks.
//! - [`Heat::evolve_parallel`]: the rows split across threads with rayon; each output row
//!   depends only on three input rows, so rows are independent.
//! - [`evolve_zip`]: `Zip` over six shifted views of the field (the lesson's first step): no
//!   indices either, a little slower, because `Zip` walks the 2-D views one row at a time.
//! - [`evolve_blocked`]: temporal blocking. Memory traffic, not arithmetic, is the limit, so each
//!   pass over the field does several time steps; the intermediate steps live in rings of three
//!   rows each, which stay in cache.
//! - [`evolve_streaming`]: [`Heat::evolve`] with non-temporal stores (x86-64 AVX only, `unsafe`),
//!   which skip the read that every ordinary store to uncached memory costs first.

// ndarray's `s![1..-1]` counts -1 from the end, as NumPy does; clippy reads it as an empty
// Rust range. This crate slices that way throughout.
#![allow(clippy::reversed_empty_ranges)]

use harness::heat::Params;
use harness::heat_fast::FastHeat;
use ndarray::{Array2, Zip, s};
use rayon::prelude::*;

pub struct Heat;

fn coefficients(p: &Params) -> (f64, f64) {
    (p.a * p.dt / p.dx2, p.a * p.dt / p.dy2)
}

/// The boundary never changes: copying it (not the whole field) into the second buffer once
/// is enough, and costs a sliver of a pass over memory.
fn copy_boundary(u: &Array2<f64>, scratch: &mut Array2<f64>) {
    let (rows, cols) = u.dim();
    for i in [0, rows - 1] {
        scratch.row_mut(i).assign(&u.row(i));
    }
    for j in [0, cols - 1] {
        scratch.column_mut(j).assign(&u.column(j));
    }
}

impl FastHeat for Heat {
    fn evolve(u: &mut Array2<f64>, scratch: &mut Array2<f64>, p: &Params, steps: usize) {
        evolve_rows_with(u, scratch, p, steps, step_row);
    }

    fn evolve_parallel(u: &mut Array2<f64>, scratch: &mut Array2<f64>, p: &Params, steps: usize) {
        evolve_parallel_with(u, scratch, p, steps, step_row);
    }
}

/// Steps with the rows split across rayon's threads, each row by `step`.
fn evolve_parallel_with(u: &mut Array2<f64>, scratch: &mut Array2<f64>, p: &Params, steps: usize, step: StepRow) {
    let (cx, cy) = coefficients(p);
    let (rows, cols) = u.dim();
    if rows < 3 || cols < 3 {
        return;
    }
    for _ in 0..steps {
        let src = u.as_slice().expect("standard layout");
        let dst = scratch.as_slice_mut().expect("standard layout");
        dst[cols..(rows - 1) * cols].par_chunks_mut(cols).enumerate().for_each(|(k, out)| {
            let i = k + 1;
            step(
                &src[(i - 1) * cols..i * cols],
                &src[i * cols..(i + 1) * cols],
                &src[(i + 1) * cols..(i + 2) * cols],
                out,
                cx,
                cy,
            );
        });
        copy_rows(src, dst, cols, [0, rows - 1]);
        std::mem::swap(u, scratch);
    }
}

/// One output row from the three input rows around it; the end cells are boundary values.
///
/// Every slice the loop reads is cut to the loop's length first, so the compiler sees that no
/// index can go out of bounds, drops the checks and vectorises (4 cells per AVX2 instruction).
pub fn step_row(north: &[f64], row: &[f64], south: &[f64], out: &mut [f64], cx: f64, cy: f64) {
    let n = row.len();
    out[0] = row[0];
    out[n - 1] = row[n - 1];
    let m = n - 2;
    let (out, c, west, east) = (&mut out[1..=m], &row[1..=m], &row[..m], &row[2..]);
    let (north, south) = (&north[1..=m], &south[1..=m]);
    for j in 0..m {
        out[j] = c[j] + cx * (south[j] - 2.0 * c[j] + north[j]) + cy * (east[j] - 2.0 * c[j] + west[j]);
    }
}

type StepRow = fn(&[f64], &[f64], &[f64], &mut [f64], f64, f64);

fn copy_rows(src: &[f64], dst: &mut [f64], cols: usize, which: [usize; 2]) {
    for i in which {
        dst[i * cols..(i + 1) * cols].copy_from_slice(&src[i * cols..(i + 1) * cols]);
    }
}

/// Serial steps over row slices of the flat buffer, each row by `step`.
fn evolve_rows_with(u: &mut Array2<f64>, scratch: &mut Array2<f64>, p: &Params, steps: usize, step: StepRow) {
    let (cx, cy) = coefficients(p);
    let (rows, cols) = u.dim();
    if rows < 3 || cols < 3 {
        return; // no interior cells
    }
    for _ in 0..steps {
        let (src, dst) = (u.as_slice().expect("standard layout"), scratch.as_slice_mut().expect("standard layout"));
        copy_rows(src, dst, cols, [0, rows - 1]);
        for i in 1..rows - 1 {
            let (north, row, south) =
                (&src[(i - 1) * cols..i * cols], &src[i * cols..(i + 1) * cols], &src[(i + 1) * cols..(i + 2) * cols]);
            step(north, row, south, &mut dst[i * cols..(i + 1) * cols], cx, cy);
        }
        std::mem::swap(u, scratch);
    }
}

/// `Zip` over the centre and four shifted views: index-free, bounds-check-free, vectorised.
pub fn evolve_zip(u: &mut Array2<f64>, scratch: &mut Array2<f64>, p: &Params, steps: usize) {
    let (cx, cy) = coefficients(p);
    if u.nrows() < 3 || u.ncols() < 3 {
        return; // no interior cells
    }
    copy_boundary(u, scratch);
    for _ in 0..steps {
        Zip::from(scratch.slice_mut(s![1..-1, 1..-1]))
            .and(u.slice(s![1..-1, 1..-1]))
            .and(u.slice(s![2.., 1..-1]))
            .and(u.slice(s![..-2, 1..-1]))
            .and(u.slice(s![1..-1, 2..]))
            .and(u.slice(s![1..-1, ..-2]))
            .for_each(|o, &c, &south, &north, &east, &west| {
                *o = c + cx * (south - 2.0 * c + north) + cy * (east - 2.0 * c + west);
            });
        std::mem::swap(u, scratch);
    }
}

/// NumPy's form, `u[1:-1, 1:-1] + cx * (u[2:, 1:-1] - 2 * u[1:-1, 1:-1] + u[:-2, 1:-1]) + …`:
/// correct and index-free, but each operator makes a whole temporary array, so one step makes
/// about ten passes over memory instead of one. (Kept for the lesson's table.)
pub fn evolve_slicing(u: &mut Array2<f64>, scratch: &mut Array2<f64>, p: &Params, steps: usize) {
    let (cx, cy) = coefficients(p);
    if u.nrows() < 3 || u.ncols() < 3 {
        return;
    }
    copy_boundary(u, scratch);
    for _ in 0..steps {
        let c = u.slice(s![1..-1, 1..-1]);
        let vertical = &(&u.slice(s![2.., 1..-1]) - &(&c * 2.0)) + &u.slice(s![..-2, 1..-1]);
        let horizontal = &(&u.slice(s![1..-1, 2..]) - &(&c * 2.0)) + &u.slice(s![1..-1, ..-2]);
        let next = &(&c + &(vertical * cx)) + &(horizontal * cy);
        scratch.slice_mut(s![1..-1, 1..-1]).assign(&next);
        std::mem::swap(u, scratch);
    }
}

/// Temporal blocking: `depth` time steps per pass over memory (the last pass does what is left).
///
/// Step `l` of row `m` needs step `l − 1` of rows `m − 1 …= m + 1`. So one sweep down the field
/// computes, at position `t`, step 1 of row `t`, step 2 of row `t − 1`, …, step `depth` of row
/// `t − depth + 1`: a wavefront. Each intermediate step lives in a ring of three rows (its slot
/// is the row number mod 3): (depth − 1) × 3 rows in all, 288 KiB at depth 4 and 4096 columns,
/// which the 1 MiB L2 holds. Memory sees one read and one write per cell per `depth` steps.
pub fn evolve_blocked(u: &mut Array2<f64>, scratch: &mut Array2<f64>, p: &Params, steps: usize, depth: usize) {
    let (cx, cy) = coefficients(p);
    let (rows, cols) = u.dim();
    if rows < 3 || cols < 3 {
        return;
    }
    let depth = depth.max(1);
    let mut rings = vec![0.0; (depth.min(steps).max(1) - 1) * 3 * cols];
    let mut done = 0;
    while done < steps {
        let k = depth.min(steps - done);
        let (src, dst) = (u.as_slice().expect("standard layout"), scratch.as_slice_mut().expect("standard layout"));
        sweep(src, dst, &mut rings, rows, cols, k, (cx, cy));
        std::mem::swap(u, scratch);
        done += k;
    }
}

/// `k` steps from `src` into `dst` in one sweep, through `rings` (3 rows per intermediate step).
fn sweep(src: &[f64], dst: &mut [f64], rings: &mut [f64], rows: usize, cols: usize, k: usize, (cx, cy): (f64, f64)) {
    let ring = 3 * cols;
    let slot = |m: usize| (m % 3) * cols..(m % 3 + 1) * cols;
    for t in 0..rows + k - 1 {
        // Steps in increasing order: step l − 1 of row m + 1 is written before step l of row m.
        for l in 1..=k.min(t + 1) {
            let m = t + 1 - l;
            if m >= rows {
                continue;
            }
            let (below, above) = rings.split_at_mut((l - 1) * ring);
            let out = if l == k { &mut dst[m * cols..(m + 1) * cols] } else { &mut above[slot(m)] };
            if m == 0 || m == rows - 1 {
                out.copy_from_slice(&src[m * cols..(m + 1) * cols]); // a boundary row, in every step
                continue;
            }
            let input = if l == 1 { src } else { &below[(l - 2) * ring..(l - 1) * ring] };
            let row = |r: usize| if l == 1 { &input[r * cols..(r + 1) * cols] } else { &input[slot(r)] };
            step_row(row(m - 1), row(m), row(m + 1), out, cx, cy);
        }
    }
}

/// Two time steps per pass over memory (the lesson's first temporal blocking).
pub fn evolve_two_steps_per_sweep(u: &mut Array2<f64>, scratch: &mut Array2<f64>, p: &Params, steps: usize) {
    evolve_blocked(u, scratch, p, steps, 2);
}

/// Four time steps per pass over memory.
pub fn evolve_four_steps_per_sweep(u: &mut Array2<f64>, scratch: &mut Array2<f64>, p: &Params, steps: usize) {
    evolve_blocked(u, scratch, p, steps, 4);
}

/// [`Heat::evolve`] with non-temporal stores: on x86-64 with AVX, the output rows are written
/// with `_mm256_stream_pd`, which sends the values to memory without first reading the cache
/// line they land in (an ordinary store to a line not in cache reads it first: 24 bytes of
/// traffic per cell update instead of 16). Elsewhere, the ordinary [`step_row`].
pub fn evolve_streaming(u: &mut Array2<f64>, scratch: &mut Array2<f64>, p: &Params, steps: usize) {
    evolve_rows_with(u, scratch, p, steps, streaming::step_row);
}

#[cfg(all(target_arch = "x86_64", target_feature = "avx"))]
mod streaming {
    use std::arch::x86_64::{
        __m256d, _mm_sfence, _mm256_add_pd, _mm256_loadu_pd, _mm256_mul_pd, _mm256_set1_pd, _mm256_stream_pd,
        _mm256_sub_pd,
    };

    /// [`super::step_row`], operation for operation, with streaming stores for the aligned body.
    pub fn step_row(north: &[f64], row: &[f64], south: &[f64], out: &mut [f64], cx: f64, cy: f64) {
        let n = row.len();
        assert!(n >= 3 && north.len() == n && south.len() == n && out.len() == n);
        // SAFETY: this module is compiled only when AVX is enabled for the whole build.
        unsafe { step_row_avx(north, row, south, out, cx, cy) }
    }

    // The scalar cells read their neighbours by index: an index loop is the plain form here.
    #[allow(clippy::needless_range_loop)]
    #[target_feature(enable = "avx")]
    fn step_row_avx(north: &[f64], row: &[f64], south: &[f64], out: &mut [f64], cx: f64, cy: f64) {
        let n = row.len();
        let cell = |j: usize| {
            let c = row[j];
            c + cx * (south[j] - 2.0 * c + north[j]) + cy * (row[j + 1] - 2.0 * c + row[j - 1])
        };
        // Cells 1 ..= n − 2; the body starts where `out` is 32-byte aligned, as streaming needs.
        let head = (1 + out[1..].as_ptr().align_offset(32)).min(n - 1);
        let body_end = head + (n - 1 - head) / 4 * 4;
        out[0] = row[0];
        out[n - 1] = row[n - 1];
        for j in 1..head {
            out[j] = cell(j);
        }
        let (vcx, vcy, two) = (_mm256_set1_pd(cx), _mm256_set1_pd(cy), _mm256_set1_pd(2.0));
        for j in (head..body_end).step_by(4) {
            let c = load4(row, j);
            let twice = _mm256_mul_pd(two, c);
            let vertical = _mm256_add_pd(_mm256_sub_pd(load4(south, j), twice), load4(north, j));
            let horizontal = _mm256_add_pd(_mm256_sub_pd(load4(row, j + 1), twice), load4(row, j - 1));
            let next = _mm256_add_pd(_mm256_add_pd(c, _mm256_mul_pd(vcx, vertical)), _mm256_mul_pd(vcy, horizontal));
            let target = &mut out[j..j + 4];
            // SAFETY: `target` holds the 4 values written, and is 32-byte aligned: j steps by 4
            // from `head`, the first aligned cell.
            unsafe { _mm256_stream_pd(target.as_mut_ptr(), next) };
        }
        for j in body_end..n - 1 {
            out[j] = cell(j);
        }
        // Streaming stores are weakly ordered: fence them before anything else reads the row.
        _mm_sfence();
    }

    /// `s[j .. j + 4]` as one vector.
    #[inline]
    #[target_feature(enable = "avx")]
    fn load4(s: &[f64], j: usize) -> __m256d {
        let four = &s[j..j + 4];
        // SAFETY: `four` holds the 4 values read (unaligned loads need no alignment).
        unsafe { _mm256_loadu_pd(four.as_ptr()) }
    }
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "avx")))]
mod streaming {
    pub use super::step_row;
}

#[cfg(test)]
mod tests {
    use super::*;
    use harness::heat::bottle;
    use harness::heat_fast::{check_against_reference, to_array};

    /// Runs the extra versions through the shared check (the trait's are covered by the suite).
    macro_rules! version {
        ($name:ident, $f:expr) => {
            struct $name;
            impl FastHeat for $name {
                fn evolve(u: &mut Array2<f64>, s: &mut Array2<f64>, p: &Params, steps: usize) {
                    $f(u, s, p, steps)
                }
                fn evolve_parallel(u: &mut Array2<f64>, s: &mut Array2<f64>, p: &Params, steps: usize) {
                    $f(u, s, p, steps)
                }
            }
        };
    }
    version!(Zipped, evolve_zip);
    version!(Slicing, evolve_slicing);
    version!(Streaming, evolve_streaming);
    version!(Two, evolve_two_steps_per_sweep);
    version!(Four, evolve_four_steps_per_sweep);
    version!(Seven, |u, s, p, steps| evolve_blocked(u, s, p, steps, 7));

    #[test]
    fn every_version_matches_the_reference() {
        for (rows, cols) in [(37, 23), (3, 3), (4, 9), (3, 40), (40, 3), (24, 101)] {
            let g = bottle(rows, cols);
            for steps in [0, 1, 2, 3, 5, 8, 9] {
                let at = format!("{rows}×{cols}, {steps} steps");
                assert_eq!(check_against_reference::<Zipped>(&g, steps, false), Ok(()), "zip, {at}");
                assert_eq!(check_against_reference::<Slicing>(&g, steps, false), Ok(()), "slicing, {at}");
                assert_eq!(check_against_reference::<Streaming>(&g, steps, false), Ok(()), "streaming, {at}");
                assert_eq!(check_against_reference::<Two>(&g, steps, false), Ok(()), "two per sweep, {at}");
                assert_eq!(check_against_reference::<Four>(&g, steps, false), Ok(()), "four per sweep, {at}");
                assert_eq!(check_against_reference::<Seven>(&g, steps, false), Ok(()), "seven per sweep, {at}");
            }
        }
    }

    #[test]
    fn blocking_and_streaming_give_the_one_pass_result_bit_for_bit() {
        let g = bottle(61, 77);
        let one_pass = {
            let (mut u, mut s) = (to_array(&g), to_array(&g));
            Heat::evolve(&mut u, &mut s, &Params::course(), 11);
            u
        };
        type Version = fn(&mut Array2<f64>, &mut Array2<f64>, &Params, usize);
        let versions: [(&str, Version); 4] = [
            ("streaming", evolve_streaming),
            ("two per sweep", evolve_two_steps_per_sweep),
            ("four per sweep", evolve_four_steps_per_sweep),
            ("parallel", Heat::evolve_parallel),
        ];
        for (name, f) in versions {
            let (mut u, mut s) = (to_array(&g), to_array(&g));
            f(&mut u, &mut s, &Params::course(), 11);
            assert_eq!(u, one_pass, "{name}");
        }
        let c = {
            let (mut u, mut s) = (to_array(&g), to_array(&g));
            harness::heat_fast::c_evolve(&mut u, &mut s, &Params::course(), 11);
            u
        };
        assert_eq!(c, one_pass, "C has the solution's arithmetic, operation for operation");
    }
}
