//! Exercise 02: array basics, the NumPy lesson in ndarray. Read README.md first.
//!
//! Each task is a few functions with `todo!()` bodies; the doc comment gives the NumPy form.
//! Replace each `todo!()` with the ndarray form (the lesson shows them side by side), then
//! `cargo xtask check array-basics` tells you which tasks pass. Keep the signatures: the
//! tests call them. Task 6 (`differences`) starts from a working loop: make it fast.

// The `todo!()` bodies leave parameters and imports unused; delete this line when you are done.
#![allow(unused_variables, unused_imports)]

use harness::arrays::{TextError, TextErrorKind};
use nalgebra::{DMatrix, DVector};
use ndarray::prelude::*;
use ndarray::{ShapeError, Zip, concatenate};
use num_complex::Complex64;
use rand::{Rng, SeedableRng, rngs::StdRng};
use rand_distr::{Distribution, Normal};
use std::path::Path;

// ---- Task 1: creating arrays -------------------------------------------------------------

/// `np.array(values)`
pub fn from_slice(values: &[f64]) -> Array1<f64> {
    todo!()
}

/// `np.arange(start, stop, step)`: `stop` excluded.
pub fn arange(start: f64, stop: f64, step: f64) -> Array1<f64> {
    todo!()
}

/// `np.linspace(start, stop, n)`: `stop` included.
pub fn linspace(start: f64, stop: f64, n: usize) -> Array1<f64> {
    todo!()
}

/// `np.zeros((rows, cols))`
pub fn zeros(rows: usize, cols: usize) -> Array2<f64> {
    todo!()
}

/// `np.ones((rows, cols))`
pub fn ones(rows: usize, cols: usize) -> Array2<f64> {
    todo!()
}

/// `np.full((rows, cols), value)`
pub fn full(rows: usize, cols: usize, value: f64) -> Array2<f64> {
    todo!()
}

/// `np.array(re) + 1j * np.array(im)`, dtype `complex128`; `None` if the lengths differ.
pub fn complex_from_parts(re: &[f64], im: &[f64]) -> Option<Array1<Complex64>> {
    todo!()
}

/// `np.frombuffer(sequence.encode(), dtype=np.uint8)`
pub fn dna_bytes(sequence: &str) -> Array1<u8> {
    todo!()
}

// ---- Task 2: indexing and slicing ---------------------------------------------------------

/// The last `n` values: `a[-n:]` for n ≥ 1 (all of `a` if it is shorter), and empty for n = 0
/// (where NumPy's `a[-0:]` is all of `a`: `-0` is `0`, the start).
pub fn last(a: &Array1<f64>, n: usize) -> Array1<f64> {
    todo!()
}

/// `a[::-2]`: from the last element backwards, every other one.
pub fn every_other_reversed(a: &Array1<f64>) -> Array1<f64> {
    todo!()
}

/// `b[1:3, 1:3] = 2`
pub fn set_block(b: &mut Array2<f64>) {
    todo!()
}

// ---- Task 3: the checkerboard -------------------------------------------------------------

/// `b = np.zeros((n, n), dtype=np.uint8); b[1::2, ::2] = 1; b[::2, 1::2] = 1`
pub fn checkerboard(n: usize) -> Array2<u8> {
    todo!()
}

// ---- Task 4: views and copies ---------------------------------------------------------------

/// `a[0]`: a view; writing through it changes `a`.
pub fn first_row_view(a: &mut Array2<f64>) -> ArrayViewMut1<'_, f64> {
    todo!()
}

/// `a[0].copy()`: owns its data; writing to it leaves `a` alone.
pub fn first_row_copy(a: &Array2<f64>) -> Array1<f64> {
    todo!()
}

/// `a.shape`, `a.strides` (in elements, not bytes) and `a.flags['C_CONTIGUOUS']`.
pub fn layout(a: ArrayView2<f64>) -> harness::arrays::Layout {
    todo!()
}

// ---- Task 5: element-wise operations and universal functions --------------------------------

/// `np.exp(-x) * np.sin(2 * np.pi * x)`
pub fn damped_wave(x: &Array1<f64>) -> Array1<f64> {
    todo!()
}

/// `(a - a.mean()) / a.std()`, with NumPy's population standard deviation (`ddof=0`).
pub fn standardise(a: &Array1<f64>) -> Array1<f64> {
    todo!()
}

// ---- Task 6: vectorised differences (timed) ---------------------------------------------------

/// `a[1:] - a[:-1]`. This loop is correct, and slow: write it the array way (timed task).
pub fn differences(a: ArrayView1<f64>) -> Array1<f64> {
    let mut out = Vec::new();
    for i in 0..a.len().saturating_sub(1) {
        out.push(a[i + 1] - a[i]);
    }
    Array1::from_vec(out)
}

// ---- Task 7: reshape, ravel, concatenate, split -----------------------------------------------

/// `a.reshape(rows, cols)`; an error, not a panic, if the sizes disagree.
pub fn reshape(a: Array1<f64>, rows: usize, cols: usize) -> Result<Array2<f64>, ShapeError> {
    todo!()
}

/// `a.ravel()`: row after row, whatever the memory layout of the view.
pub fn ravel(a: ArrayView2<f64>) -> Array1<f64> {
    todo!()
}

/// `np.concatenate((a, b), axis=0)`
pub fn stack_rows(a: ArrayView2<f64>, b: ArrayView2<f64>) -> Result<Array2<f64>, ShapeError> {
    todo!()
}

/// `np.concatenate((a, b), axis=1)`
pub fn stack_columns(a: ArrayView2<f64>, b: ArrayView2<f64>) -> Result<Array2<f64>, ShapeError> {
    todo!()
}

/// `np.split(a, [at])`: rows before `at`, and the rest.
pub fn split_rows(a: ArrayView2<f64>, at: usize) -> (Array2<f64>, Array2<f64>) {
    todo!()
}

// ---- Task 8: broadcasting ---------------------------------------------------------------------

/// `a * w` with broadcasting, e.g. (3, 2) × (1, 2); `None` where NumPy raises.
pub fn broadcast_multiply(a: &Array2<f64>, w: &Array2<f64>) -> Option<Array2<f64>> {
    todo!()
}

// ---- Task 9: fancy indexing and masks ---------------------------------------------------------

/// `a[indices]`: a copy, indices may repeat; `None` if one is out of range.
pub fn take(a: &Array1<f64>, indices: &[usize]) -> Option<Array1<f64>> {
    todo!()
}

/// `a[a > 0]`: a copy of the positive elements.
pub fn positives(a: &Array1<f64>) -> Array1<f64> {
    todo!()
}

/// `a[a < 0] = 0`, in place.
pub fn clip_negatives(a: &mut Array1<f64>) {
    todo!()
}

// ---- Task 10: text files ----------------------------------------------------------------------

/// `np.savetxt(f, a, fmt=f'%.{decimals}f', header=header)`: header lines start with `# `.
pub fn to_text(a: &Array2<f64>, header: &str, decimals: usize) -> String {
    todo!()
}

/// `np.loadtxt(f)`: `#` comments and blank lines skipped, `nan` read as NaN, and a bad line
/// reported with its number.
pub fn from_text(text: &str) -> Result<Array2<f64>, TextError> {
    todo!()
}

// ---- Task 11: binary .npy files -----------------------------------------------------------------

/// `np.save(path, a)`: a file NumPy reads back with `np.load`.
pub fn save_npy(a: &Array2<f64>, path: &Path) -> Result<(), ndarray_npy::WriteNpyError> {
    todo!()
}

/// `np.load(path)`
pub fn load_npy(path: &Path) -> Result<Array2<f64>, ndarray_npy::ReadNpyError> {
    todo!()
}

// ---- Task 12: random arrays -----------------------------------------------------------------

/// `np.random.default_rng(seed).uniform(low, high, n)`
pub fn uniform(seed: u64, n: usize, low: f64, high: f64) -> Array1<f64> {
    todo!()
}

/// `np.random.default_rng(seed).normal(mean, std_dev, n)`
pub fn normal(seed: u64, n: usize, mean: f64, std_dev: f64) -> Array1<f64> {
    todo!()
}

/// `np.random.default_rng(seed).choice(items, k)`: with replacement.
pub fn choice(seed: u64, items: &[i64], k: usize) -> Array1<i64> {
    todo!()
}

// ---- Task 13: linear algebra ------------------------------------------------------------------

/// `a @ b` (`np.dot`)
pub fn dot(a: &Array2<f64>, b: &Array2<f64>) -> Array2<f64> {
    todo!()
}

/// `np.linalg.solve(a, b)` by LU decomposition (nalgebra); `None` for a singular `a`.
pub fn solve(a: &Array2<f64>, b: &Array1<f64>) -> Option<Array1<f64>> {
    todo!()
}

/// `np.linalg.inv(a)`; `None` for a singular `a`.
pub fn inverse(a: &Array2<f64>) -> Option<Array2<f64>> {
    todo!()
}

/// `np.linalg.eigvalsh(a)`: eigenvalues of a symmetric matrix, ascending.
pub fn symmetric_eigenvalues(a: &Array2<f64>) -> Array1<f64> {
    todo!()
}

// ---- Task 14: polynomial fitting ----------------------------------------------------------------

/// `np.polyfit(x, y, degree)`: least-squares coefficients, highest power first. Solved with
/// the SVD of the Vandermonde matrix (stabler than the normal equations); `None` when there
/// are fewer points than coefficients.
pub fn polyfit(x: &Array1<f64>, y: &Array1<f64>, degree: usize) -> Option<Array1<f64>> {
    todo!()
}
