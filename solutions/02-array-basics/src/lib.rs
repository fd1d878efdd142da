//! Solution to exercise 02: the NumPy lesson in ndarray. Each function names its NumPy form.

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
    Array1::from(values.to_vec())
}

/// `np.arange(start, stop, step)`: `stop` excluded. NumPy returns an empty array when `step`
/// points away from `stop`; ndarray's `range` panics there, so that case is checked first.
pub fn arange(start: f64, stop: f64, step: f64) -> Array1<f64> {
    if step == 0.0 || (stop - start) * step <= 0.0 { Array1::zeros(0) } else { Array1::range(start, stop, step) }
}

/// `np.linspace(start, stop, n)`: `stop` included.
pub fn linspace(start: f64, stop: f64, n: usize) -> Array1<f64> {
    Array1::linspace(start, stop, n)
}

/// `np.zeros((rows, cols))`
pub fn zeros(rows: usize, cols: usize) -> Array2<f64> {
    Array2::zeros((rows, cols))
}

/// `np.ones((rows, cols))`
pub fn ones(rows: usize, cols: usize) -> Array2<f64> {
    Array2::ones((rows, cols))
}

/// `np.full((rows, cols), value)`
pub fn full(rows: usize, cols: usize, value: f64) -> Array2<f64> {
    Array2::from_elem((rows, cols), value)
}

/// `np.array(re) + 1j * np.array(im)`, dtype `complex128`; `None` if the lengths differ.
pub fn complex_from_parts(re: &[f64], im: &[f64]) -> Option<Array1<Complex64>> {
    (re.len() == im.len()).then(|| re.iter().zip(im).map(|(&r, &i)| Complex64::new(r, i)).collect())
}

/// `np.frombuffer(sequence.encode(), dtype=np.uint8)`
pub fn dna_bytes(sequence: &str) -> Array1<u8> {
    Array1::from(sequence.as_bytes().to_vec())
}

// ---- Task 2: indexing and slicing ---------------------------------------------------------

/// The last `n` values: `a[-n:]` for n ≥ 1 (all of `a` if it is shorter), and empty for n = 0
/// (where NumPy's `a[-0:]` is all of `a`: `-0` is `0`, the start).
pub fn last(a: &Array1<f64>, n: usize) -> Array1<f64> {
    let n = n.min(a.len()) as isize;
    if n == 0 { Array1::zeros(0) } else { a.slice(s![-n..]).to_owned() }
}

/// `a[::-2]`: from the last element backwards, every other one.
pub fn every_other_reversed(a: &Array1<f64>) -> Array1<f64> {
    a.slice(s![..;-2]).to_owned()
}

/// `b[1:3, 1:3] = 2`
pub fn set_block(b: &mut Array2<f64>) {
    b.slice_mut(s![1..3, 1..3]).fill(2.0);
}

// ---- Task 3: the checkerboard -------------------------------------------------------------

/// `b = np.zeros((n, n), dtype=np.uint8); b[1::2, ::2] = 1; b[::2, 1::2] = 1`
pub fn checkerboard(n: usize) -> Array2<u8> {
    let mut b = Array2::zeros((n, n));
    if n == 0 {
        return b; // ndarray panics on `1..` of an empty axis, where NumPy gives an empty slice
    }
    b.slice_mut(s![1..;2, ..;2]).fill(1);
    b.slice_mut(s![..;2, 1..;2]).fill(1);
    b
}

// ---- Task 4: views and copies ---------------------------------------------------------------

/// `a[0]`: a view; writing through it changes `a`.
pub fn first_row_view(a: &mut Array2<f64>) -> ArrayViewMut1<'_, f64> {
    a.row_mut(0)
}

/// `a[0].copy()`: owns its data; writing to it leaves `a` alone.
pub fn first_row_copy(a: &Array2<f64>) -> Array1<f64> {
    a.row(0).to_owned()
}

/// `a.shape`, `a.strides` (in elements, not bytes) and `a.flags['C_CONTIGUOUS']`.
pub fn layout(a: ArrayView2<f64>) -> harness::arrays::Layout {
    harness::arrays::Layout {
        shape: a.shape().to_vec(),
        strides: a.strides().to_vec(),
        c_contiguous: a.is_standard_layout(),
    }
}

// ---- Task 5: element-wise operations and universal functions --------------------------------

/// `np.exp(-x) * np.sin(2 * np.pi * x)`
pub fn damped_wave(x: &Array1<f64>) -> Array1<f64> {
    x.mapv(|v| (-v).exp() * (2.0 * std::f64::consts::PI * v).sin())
}

/// `(a - a.mean()) / a.std()`, with NumPy's population standard deviation (`ddof=0`).
pub fn standardise(a: &Array1<f64>) -> Array1<f64> {
    let mean = a.mean().unwrap_or(0.0);
    let std = a.std(0.0);
    (a - mean) / std
}

// ---- Task 6: vectorised differences (timed) ---------------------------------------------------

/// `a[1:] - a[:-1]`: one pass with `Zip` over two shifted views, no index checks, no
/// reallocation (the loop version pushes into a growing `Vec` and checks every `a[i]`).
pub fn differences(a: ArrayView1<f64>) -> Array1<f64> {
    if a.len() < 2 {
        return Array1::zeros(0);
    }
    Zip::from(a.slice(s![1..])).and(a.slice(s![..-1])).map_collect(|next, prev| next - prev)
}

// ---- Task 7: reshape, ravel, concatenate, split -----------------------------------------------

/// `a.reshape(rows, cols)`; an error, not a panic, if the sizes disagree.
pub fn reshape(a: Array1<f64>, rows: usize, cols: usize) -> Result<Array2<f64>, ShapeError> {
    a.into_shape_with_order((rows, cols))
}

/// `a.ravel()`: row after row, whatever the memory layout of the view.
pub fn ravel(a: ArrayView2<f64>) -> Array1<f64> {
    a.iter().copied().collect()
}

/// `np.concatenate((a, b), axis=0)`
pub fn stack_rows(a: ArrayView2<f64>, b: ArrayView2<f64>) -> Result<Array2<f64>, ShapeError> {
    concatenate(Axis(0), &[a, b])
}

/// `np.concatenate((a, b), axis=1)`
pub fn stack_columns(a: ArrayView2<f64>, b: ArrayView2<f64>) -> Result<Array2<f64>, ShapeError> {
    concatenate(Axis(1), &[a, b])
}

/// `np.split(a, [at])`: rows before `at`, and the rest.
pub fn split_rows(a: ArrayView2<f64>, at: usize) -> (Array2<f64>, Array2<f64>) {
    let (top, bottom) = a.split_at(Axis(0), at.min(a.nrows()));
    (top.to_owned(), bottom.to_owned())
}

// ---- Task 8: broadcasting ---------------------------------------------------------------------

/// `a * w` with broadcasting, e.g. (3, 2) × (1, 2); `None` where NumPy raises.
pub fn broadcast_multiply(a: &Array2<f64>, w: &Array2<f64>) -> Option<Array2<f64>> {
    let shape = broadcast_shape(a.shape(), w.shape())?;
    let shape = (shape[0], shape[1]);
    Some(&a.broadcast(shape)? * &w.broadcast(shape)?)
}

fn broadcast_shape(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
    a.iter()
        .zip(b)
        .map(|(&x, &y)| match (x, y) {
            _ if x == y => Some(x),
            (1, y) => Some(y),
            (x, 1) => Some(x),
            _ => None,
        })
        .collect()
}

// ---- Task 9: fancy indexing and masks ---------------------------------------------------------

/// `a[indices]`: a copy, indices may repeat; `None` if one is out of range.
pub fn take(a: &Array1<f64>, indices: &[usize]) -> Option<Array1<f64>> {
    indices.iter().all(|&i| i < a.len()).then(|| a.select(Axis(0), indices))
}

/// `a[a > 0]`: a copy of the positive elements.
pub fn positives(a: &Array1<f64>) -> Array1<f64> {
    a.iter().copied().filter(|&v| v > 0.0).collect()
}

/// `a[a < 0] = 0`, in place.
pub fn clip_negatives(a: &mut Array1<f64>) {
    a.mapv_inplace(|v| if v < 0.0 { 0.0 } else { v });
}

// ---- Task 10: text files ----------------------------------------------------------------------

/// `np.savetxt(f, a, fmt=f'%.{decimals}f', header=header)`: header lines start with `# `.
pub fn to_text(a: &Array2<f64>, header: &str, decimals: usize) -> String {
    let mut out: String = header.lines().map(|l| format!("# {l}\n")).collect();
    for row in a.rows() {
        let cells: Vec<String> = row.iter().map(|v| format!("{v:.decimals$}")).collect();
        out += &cells.join(" ");
        out.push('\n');
    }
    out
}

/// `np.loadtxt(f)`: `#` comments and blank lines skipped, `nan` read as NaN, and a bad line
/// reported with its number.
pub fn from_text(text: &str) -> Result<Array2<f64>, TextError> {
    let mut data = Vec::new();
    let mut cols = None;
    let mut rows = 0;
    for (k, line) in text.lines().enumerate() {
        let line_no = k + 1;
        let content = line.split('#').next().unwrap_or("").trim();
        if content.is_empty() {
            continue;
        }
        let start = data.len();
        for (c, token) in content.split_whitespace().enumerate() {
            let v = token.parse::<f64>().map_err(|_| {
                TextError::new(line_no, TextErrorKind::BadNumber { column: c + 1, token: token.to_string() })
            })?;
            data.push(v);
        }
        let found = data.len() - start;
        match cols {
            None => cols = Some(found),
            Some(expected) if expected != found => {
                return Err(TextError::new(line_no, TextErrorKind::WrongCount { expected, found }));
            }
            _ => {}
        }
        rows += 1;
    }
    let cols = cols.ok_or(TextError::new(text.lines().count().max(1), TextErrorKind::Empty))?;
    Ok(Array2::from_shape_vec((rows, cols), data).expect("every row has `cols` values"))
}

// ---- Task 11: binary .npy files -----------------------------------------------------------------

/// `np.save(path, a)`: a file NumPy reads back with `np.load`.
pub fn save_npy(a: &Array2<f64>, path: &Path) -> Result<(), ndarray_npy::WriteNpyError> {
    ndarray_npy::write_npy(path, a)
}

/// `np.load(path)`
pub fn load_npy(path: &Path) -> Result<Array2<f64>, ndarray_npy::ReadNpyError> {
    ndarray_npy::read_npy(path)
}

// ---- Task 12: random arrays -----------------------------------------------------------------

/// `np.random.default_rng(seed).uniform(low, high, n)`
pub fn uniform(seed: u64, n: usize, low: f64, high: f64) -> Array1<f64> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n).map(|_| rng.random_range(low..high)).collect()
}

/// `np.random.default_rng(seed).normal(mean, std_dev, n)`
pub fn normal(seed: u64, n: usize, mean: f64, std_dev: f64) -> Array1<f64> {
    let mut rng = StdRng::seed_from_u64(seed);
    let dist = Normal::new(mean, std_dev).expect("std_dev must be finite and ≥ 0");
    (0..n).map(|_| dist.sample(&mut rng)).collect()
}

/// `np.random.default_rng(seed).choice(items, k)`: with replacement.
pub fn choice(seed: u64, items: &[i64], k: usize) -> Array1<i64> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..k).map(|_| items[rng.random_range(0..items.len())]).collect()
}

// ---- Task 13: linear algebra ------------------------------------------------------------------

fn to_matrix(a: &Array2<f64>) -> DMatrix<f64> {
    DMatrix::from_fn(a.nrows(), a.ncols(), |i, j| a[[i, j]])
}

fn to_array(m: &DMatrix<f64>) -> Array2<f64> {
    Array2::from_shape_fn((m.nrows(), m.ncols()), |(i, j)| m[(i, j)])
}

/// `a @ b` (`np.dot`)
pub fn dot(a: &Array2<f64>, b: &Array2<f64>) -> Array2<f64> {
    a.dot(b)
}

/// `np.linalg.solve(a, b)` by LU decomposition (nalgebra); `None` for a singular `a`.
pub fn solve(a: &Array2<f64>, b: &Array1<f64>) -> Option<Array1<f64>> {
    let x = to_matrix(a).lu().solve(&DVector::from_iterator(b.len(), b.iter().copied()))?;
    Some(x.iter().copied().collect())
}

/// `np.linalg.inv(a)`; `None` for a singular `a`.
pub fn inverse(a: &Array2<f64>) -> Option<Array2<f64>> {
    to_matrix(a).try_inverse().map(|m| to_array(&m))
}

/// `np.linalg.eigvalsh(a)`: eigenvalues of a symmetric matrix, ascending.
pub fn symmetric_eigenvalues(a: &Array2<f64>) -> Array1<f64> {
    let mut values: Vec<f64> = to_matrix(a).symmetric_eigenvalues().iter().copied().collect();
    values.sort_by(f64::total_cmp);
    Array1::from(values)
}

// ---- Task 14: polynomial fitting ----------------------------------------------------------------

/// `np.polyfit(x, y, degree)`: least-squares coefficients, highest power first. Solved with
/// the SVD of the Vandermonde matrix (stabler than the normal equations); `None` when there
/// are fewer points than coefficients.
pub fn polyfit(x: &Array1<f64>, y: &Array1<f64>, degree: usize) -> Option<Array1<f64>> {
    let n = degree + 1;
    if x.len() != y.len() || x.len() < n {
        return None;
    }
    let v = DMatrix::from_fn(x.len(), n, |i, j| x[i].powi((degree - j) as i32));
    let rhs = DVector::from_iterator(y.len(), y.iter().copied());
    let coefficients = v.svd(true, true).solve(&rhs, 1e-12).ok()?;
    Some(coefficients.iter().copied().collect())
}
