//! Solution to exercise 08: the heat stencil on 4096² fields, as close to the memory system's
//! limit as one and two cores get. Every version swaps two buffers instead of allocating, and
//! multiplies by coefficients computed once instead of dividing (within the 1e-12 tolerance).
//!
//! - [`Heat::evolve`]: `Zip` over six shifted views of the field; no index arithmetic, no
//!   bounds checks, and the compiler vectorises the inner loop.
//! - [`Heat::evolve_parallel`]: the rows split across threads with rayon; each output row
//!   depends only on three input rows, so rows are independent.
//! - [`evolve_rows`]: the same loop written over row slices (exercise 01's form), for comparison.
//! - [`evolve_two_steps_per_sweep`]: temporal blocking. Memory traffic, not arithmetic, is the
//!   limit, so each pass over the field does two time steps: the intermediate step lives in a
//!   ring of three rows, which stays in cache.

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

    fn evolve_parallel(u: &mut Array2<f64>, scratch: &mut Array2<f64>, p: &Params, steps: usize) {
        let (cx, cy) = coefficients(p);
        let (rows, cols) = u.dim();
        if rows < 3 || cols < 3 {
            return;
        }
        copy_boundary(u, scratch);
        for _ in 0..steps {
            let src = u.as_slice().expect("standard layout");
            let dst = scratch.as_slice_mut().expect("standard layout");
            dst[cols..(rows - 1) * cols].par_chunks_mut(cols).enumerate().for_each(|(k, out)| {
                let i = k + 1;
                step_row(
                    &src[(i - 1) * cols..i * cols],
                    &src[i * cols..(i + 1) * cols],
                    &src[(i + 1) * cols..(i + 2) * cols],
                    out,
                    cx,
                    cy,
                );
            });
            std::mem::swap(u, scratch);
        }
    }
}

/// One output row from the three input rows around it; the end cells are boundary values.
fn step_row(above: &[f64], row: &[f64], below: &[f64], out: &mut [f64], cx: f64, cy: f64) {
    let n = row.len();
    out[0] = row[0];
    out[n - 1] = row[n - 1];
    let neighbours = above[1..].iter().zip(&below[1..]).zip(row.windows(3));
    for (o, ((north, south), w)) in out[1..n - 1].iter_mut().zip(neighbours) {
        let (west, c, east) = (w[0], w[1], w[2]);
        *o = c + cx * (south - 2.0 * c + north) + cy * (east - 2.0 * c + west);
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

/// Serial, over row slices of the flat buffer.
pub fn evolve_rows(u: &mut Array2<f64>, scratch: &mut Array2<f64>, p: &Params, steps: usize) {
    let (cx, cy) = coefficients(p);
    let (rows, cols) = u.dim();
    if rows < 3 || cols < 3 {
        return;
    }
    copy_boundary(u, scratch);
    for _ in 0..steps {
        let (src, dst) = (u.as_slice().expect("standard layout"), scratch.as_slice_mut().expect("standard layout"));
        for i in 1..rows - 1 {
            let out = &mut dst[i * cols..(i + 1) * cols];
            step_row(
                &src[(i - 1) * cols..i * cols],
                &src[i * cols..(i + 1) * cols],
                &src[(i + 1) * cols..(i + 2) * cols],
                out,
                cx,
                cy,
            );
        }
        std::mem::swap(u, scratch);
    }
}

/// Two time steps per pass over memory (temporal blocking), serial: step one of row `r` goes
/// into a ring of three rows; as soon as rows `r − 2 … r` of step one exist, step two of row
/// `r − 1` is written to the output. Memory sees one read and one write per cell per two steps.
pub fn evolve_two_steps_per_sweep(u: &mut Array2<f64>, scratch: &mut Array2<f64>, p: &Params, steps: usize) {
    let (cx, cy) = coefficients(p);
    let (rows, cols) = u.dim();
    if rows < 3 || cols < 3 {
        return;
    }
    let mut ring = vec![0.0; 3 * cols];
    for _ in 0..steps / 2 {
        let (a, c) = (u.as_slice().expect("standard layout"), scratch.as_slice_mut().expect("standard layout"));
        let row = |k: usize| &a[k * cols..(k + 1) * cols];
        c[..cols].copy_from_slice(row(0));
        c[(rows - 1) * cols..].copy_from_slice(row(rows - 1));
        for r in 0..rows {
            let slot = (r % 3) * cols;
            if r == 0 || r == rows - 1 {
                ring[slot..slot + cols].copy_from_slice(row(r));
            } else {
                step_row(row(r - 1), row(r), row(r + 1), &mut ring[slot..slot + cols], cx, cy);
            }
            if r >= 2 {
                let m = r - 1;
                let ring_row = |k: usize| &ring[(k % 3) * cols..(k % 3 + 1) * cols];
                step_row(ring_row(m - 1), ring_row(m), ring_row(r), &mut c[m * cols..(m + 1) * cols], cx, cy);
            }
        }
        std::mem::swap(u, scratch);
    }
    if steps % 2 == 1 {
        evolve_rows(u, scratch, p, 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use harness::heat::bottle;
    use harness::heat_fast::{check_against_reference, to_array};

    /// The two extra versions against the reference (the trait's are covered by the shared suite).
    struct Rows;
    impl FastHeat for Rows {
        fn evolve(u: &mut Array2<f64>, s: &mut Array2<f64>, p: &Params, steps: usize) {
            evolve_rows(u, s, p, steps)
        }
        fn evolve_parallel(u: &mut Array2<f64>, s: &mut Array2<f64>, p: &Params, steps: usize) {
            evolve_two_steps_per_sweep(u, s, p, steps)
        }
    }

    struct Slicing;
    impl FastHeat for Slicing {
        fn evolve(u: &mut Array2<f64>, s: &mut Array2<f64>, p: &Params, steps: usize) {
            evolve_slicing(u, s, p, steps)
        }
        fn evolve_parallel(u: &mut Array2<f64>, s: &mut Array2<f64>, p: &Params, steps: usize) {
            evolve_slicing(u, s, p, steps)
        }
    }

    #[test]
    fn row_slices_and_temporal_blocking_match_the_reference() {
        for steps in [0, 1, 2, 5, 8] {
            let g = bottle(37, 23);
            assert_eq!(check_against_reference::<Rows>(&g, steps, false), Ok(()), "rows, {steps} steps");
            assert_eq!(check_against_reference::<Rows>(&g, steps, true), Ok(()), "two per sweep, {steps} steps");
            assert_eq!(check_against_reference::<Slicing>(&g, steps, false), Ok(()), "slicing, {steps} steps");
        }
        let mut u = to_array(&bottle(3, 3));
        let mut s = u.clone();
        evolve_two_steps_per_sweep(&mut u, &mut s, &Params::course(), 4); // smallest field with an interior
    }
}
