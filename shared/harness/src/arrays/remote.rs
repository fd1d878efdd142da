//! Exercise 02's tasks checked by the judge (see [`crate::remote`]): every learner function as
//! a proxy for the reference worker ([`proxy`]) and as a served function for the candidate
//! ([`array_functions!`](crate::array_functions)), and the course's checks run on the proxies
//! ([`tasks`]).
//!
//! A proxy's wire form follows its signature: owned values for borrowed ones, a
//! [`Strided`](crate::remote::Strided) for a view (its layout kept), the array back for a
//! `&mut` one, a file's bytes for a path, an error's text for an error.

use super::checks;
use crate::worker::TaskSpec;

/// The course's checks of every task, each on the proxies of the learner's functions.
pub fn tasks() -> Vec<TaskSpec> {
    use proxy::*;
    vec![
        TaskSpec {
            name: "task_01_creating",
            check: || {
                checks::task_01_creating(from_slice, arange, linspace, zeros, ones, full, complex_from_parts, dna_bytes)
            },
        },
        TaskSpec {
            name: "task_02_indexing",
            check: || checks::task_02_indexing(last, every_other_reversed, set_block),
        },
        TaskSpec { name: "task_03_checkerboard", check: || checks::task_03_checkerboard(checkerboard) },
        TaskSpec {
            name: "task_04_views_and_copies",
            check: || checks::task_04_views_and_copies(first_row_view, first_row_copy, layout),
        },
        TaskSpec { name: "task_05_ufuncs", check: || checks::task_05_ufuncs(damped_wave, standardise) },
        TaskSpec { name: "task_06_differences", check: || checks::task_06_differences(differences) },
        TaskSpec {
            name: "task_07_reshape",
            check: || checks::task_07_reshape(reshape, ravel, stack_rows, stack_columns, split_rows),
        },
        TaskSpec { name: "task_08_broadcasting", check: || checks::task_08_broadcasting(broadcast_multiply) },
        TaskSpec {
            name: "task_09_fancy_indexing",
            check: || checks::task_09_fancy_indexing(take, positives, clip_negatives),
        },
        TaskSpec { name: "task_10_text_files", check: || checks::task_10_text_files(to_text, from_text) },
        TaskSpec { name: "task_11_npy_files", check: || checks::task_11_npy_files(save_npy, load_npy) },
        TaskSpec {
            name: "task_11_npy_files_with_numpy",
            check: || checks::task_11_npy_files_with_numpy(save_npy, load_npy),
        },
        TaskSpec { name: "task_12_random", check: || checks::task_12_random(uniform, normal, choice) },
        TaskSpec {
            name: "task_13_linear_algebra",
            check: || checks::task_13_linear_algebra(dot, solve, inverse, symmetric_eigenvalues),
        },
        TaskSpec { name: "task_14_polyfit", check: || checks::task_14_polyfit(polyfit) },
    ]
}

/// The learner's functions as the reference worker calls them: each call goes to the
/// candidate worker (see [`crate::remote::call`]).
pub mod proxy {
    use super::super::{Layout, TextError};
    use crate::remote::{Strided, call};
    use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut1, ShapeBuilder, ShapeError};
    use num_complex::Complex64;
    use std::path::Path;

    fn shape_error(result: Result<Array2<f64>, String>) -> Result<Array2<f64>, ShapeError> {
        result.map_err(|_| ShapeError::from_kind(ndarray::ErrorKind::IncompatibleShape))
    }

    pub fn from_slice(values: &[f64]) -> Array1<f64> {
        call("from_slice", &(values,))
    }
    pub fn arange(start: f64, stop: f64, step: f64) -> Array1<f64> {
        call("arange", &(start, stop, step))
    }
    pub fn linspace(start: f64, stop: f64, n: usize) -> Array1<f64> {
        call("linspace", &(start, stop, n))
    }
    pub fn zeros(rows: usize, cols: usize) -> Array2<f64> {
        call("zeros", &(rows, cols))
    }
    pub fn ones(rows: usize, cols: usize) -> Array2<f64> {
        call("ones", &(rows, cols))
    }
    pub fn full(rows: usize, cols: usize, value: f64) -> Array2<f64> {
        call("full", &(rows, cols, value))
    }
    pub fn complex_from_parts(re: &[f64], im: &[f64]) -> Option<Array1<Complex64>> {
        call("complex_from_parts", &(re, im))
    }
    pub fn dna_bytes(sequence: &str) -> Array1<u8> {
        call("dna_bytes", &(sequence,))
    }
    pub fn last(a: &Array1<f64>, n: usize) -> Array1<f64> {
        call("last", &(a, n))
    }
    pub fn every_other_reversed(a: &Array1<f64>) -> Array1<f64> {
        call("every_other_reversed", &(a,))
    }
    pub fn set_block(b: &mut Array2<f64>) {
        *b = call("set_block", &(&*b,));
    }
    pub fn checkerboard(n: usize) -> Array2<u8> {
        call("checkerboard", &(n,))
    }
    /// The view the learner's function returned, as (offset, length, stride) in its copy of
    /// `a`, made again over `a` itself: only a view that lies inside `a` is accepted.
    pub fn first_row_view(a: &mut Array2<f64>) -> ArrayViewMut1<'_, f64> {
        let (offset, len, stride): (usize, usize, isize) = call("first_row_view", &(&*a,));
        let data = a.as_slice_mut().expect("the course's check passes a row-major array");
        let Ok(stride) = usize::try_from(stride) else {
            panic!("first_row_view(a) returned a view with a negative stride ({stride}): a row of a runs forwards");
        };
        let inside = data.get_mut(offset..).and_then(|rest| ArrayViewMut1::from_shape(len.strides(stride), rest).ok());
        inside.unwrap_or_else(|| {
            panic!("first_row_view(a) returned a view that is not inside a: a copy, or another array?")
        })
    }
    pub fn first_row_copy(a: &Array2<f64>) -> Array1<f64> {
        call("first_row_copy", &(a,))
    }
    pub fn layout(a: ArrayView2<f64>) -> Layout {
        call("layout", &(Strided::of(a),))
    }
    pub fn damped_wave(x: &Array1<f64>) -> Array1<f64> {
        call("damped_wave", &(x,))
    }
    pub fn standardise(a: &Array1<f64>) -> Array1<f64> {
        call("standardise", &(a,))
    }
    pub fn differences(a: ArrayView1<f64>) -> Array1<f64> {
        call("differences", &(Strided::of(a),))
    }
    pub fn reshape(a: Array1<f64>, rows: usize, cols: usize) -> Result<Array2<f64>, ShapeError> {
        shape_error(call("reshape", &(a, rows, cols)))
    }
    pub fn ravel(a: ArrayView2<f64>) -> Array1<f64> {
        call("ravel", &(Strided::of(a),))
    }
    pub fn stack_rows(a: ArrayView2<f64>, b: ArrayView2<f64>) -> Result<Array2<f64>, ShapeError> {
        shape_error(call("stack_rows", &(Strided::of(a), Strided::of(b))))
    }
    pub fn stack_columns(a: ArrayView2<f64>, b: ArrayView2<f64>) -> Result<Array2<f64>, ShapeError> {
        shape_error(call("stack_columns", &(Strided::of(a), Strided::of(b))))
    }
    pub fn split_rows(a: ArrayView2<f64>, at: usize) -> (Array2<f64>, Array2<f64>) {
        call("split_rows", &(Strided::of(a), at))
    }
    pub fn broadcast_multiply(a: &Array2<f64>, w: &Array2<f64>) -> Option<Array2<f64>> {
        call("broadcast_multiply", &(a, w))
    }
    pub fn take(a: &Array1<f64>, indices: &[usize]) -> Option<Array1<f64>> {
        call("take", &(a, indices))
    }
    pub fn positives(a: &Array1<f64>) -> Array1<f64> {
        call("positives", &(a,))
    }
    pub fn clip_negatives(a: &mut Array1<f64>) {
        *a = call("clip_negatives", &(&*a,));
    }
    pub fn to_text(a: &Array2<f64>, header: &str, decimals: usize) -> String {
        call("to_text", &(a, header, decimals))
    }
    pub fn from_text(text: &str) -> Result<Array2<f64>, TextError> {
        call("from_text", &(text,))
    }
    /// Saved in the candidate's own folder; the file's bytes come back and are written at `path`.
    pub fn save_npy(a: &Array2<f64>, path: &Path) -> Result<(), String> {
        let (result, bytes): (Result<(), String>, Option<Vec<u8>>) = call("save_npy", &(a,));
        if let Some(bytes) = bytes {
            std::fs::write(path, bytes).expect("the reference worker's folder is writable");
        }
        result
    }
    /// The file's bytes (none when it does not exist) go to the candidate, which loads them
    /// from its own folder.
    pub fn load_npy(path: &Path) -> Result<Array2<f64>, String> {
        call("load_npy", &(std::fs::read(path).ok(),))
    }
    pub fn uniform(seed: u64, n: usize, low: f64, high: f64) -> Array1<f64> {
        call("uniform", &(seed, n, low, high))
    }
    pub fn normal(seed: u64, n: usize, mean: f64, std_dev: f64) -> Array1<f64> {
        call("normal", &(seed, n, mean, std_dev))
    }
    pub fn choice(seed: u64, items: &[i64], k: usize) -> Array1<i64> {
        call("choice", &(seed, items, k))
    }
    pub fn dot(a: &Array2<f64>, b: &Array2<f64>) -> Array2<f64> {
        call("dot", &(a, b))
    }
    pub fn solve(a: &Array2<f64>, b: &Array1<f64>) -> Option<Array1<f64>> {
        call("solve", &(a, b))
    }
    pub fn inverse(a: &Array2<f64>) -> Option<Array2<f64>> {
        call("inverse", &(a,))
    }
    pub fn symmetric_eigenvalues(a: &Array2<f64>) -> Array1<f64> {
        call("symmetric_eigenvalues", &(a,))
    }
    pub fn polyfit(x: &Array1<f64>, y: &Array1<f64>, degree: usize) -> Option<Array1<f64>> {
        call("polyfit", &(x, y, degree))
    }
}

/// A view back from the wire, or a panic that says the course's grader is broken (the wire
/// form is the course's own).
pub fn view<D: ndarray::Dimension>(wire: &crate::remote::Strided<f64>) -> ndarray::ArrayView<'_, f64, D> {
    wire.view().expect("a view from the course's own proxy")
}

/// A temporary file in the candidate's folder for `save_npy` and `load_npy` (its `TMPDIR`).
pub fn npy_path(tag: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("course-{tag}-{}.npy", std::process::id()))
}

/// Expands to the candidate's table of an exercise-02 crate's functions, each served as its
/// proxy calls it (see [`proxy`]): `harness::array_functions!(array_basics)`.
#[macro_export]
macro_rules! array_functions {
    ($k:ident) => {{
        use $crate::arrays::remote::{npy_path, view};
        use $crate::ndarray::{Array1, Array2, Ix1, Ix2};
        use $crate::remote::{Strided, function};
        type V = Strided<f64>;
        vec![
            function("from_slice", |(v,): (Vec<f64>,)| $k::from_slice(&v)),
            function("arange", |(a, b, c): (f64, f64, f64)| $k::arange(a, b, c)),
            function("linspace", |(a, b, n): (f64, f64, usize)| $k::linspace(a, b, n)),
            function("zeros", |(r, c): (usize, usize)| $k::zeros(r, c)),
            function("ones", |(r, c): (usize, usize)| $k::ones(r, c)),
            function("full", |(r, c, v): (usize, usize, f64)| $k::full(r, c, v)),
            function("complex_from_parts", |(re, im): (Vec<f64>, Vec<f64>)| $k::complex_from_parts(&re, &im)),
            function("dna_bytes", |(s,): (String,)| $k::dna_bytes(&s)),
            function("last", |(a, n): (Array1<f64>, usize)| $k::last(&a, n)),
            function("every_other_reversed", |(a,): (Array1<f64>,)| $k::every_other_reversed(&a)),
            function("set_block", |(mut b,): (Array2<f64>,)| {
                $k::set_block(&mut b);
                b
            }),
            function("checkerboard", |(n,): (usize,)| $k::checkerboard(n)),
            function("first_row_view", |(mut a,): (Array2<f64>,)| {
                let base = a.as_ptr() as usize;
                let row = $k::first_row_view(&mut a);
                let offset = (row.as_ptr() as usize).wrapping_sub(base) / std::mem::size_of::<f64>();
                (offset, row.len(), row.strides()[0])
            }),
            function("first_row_copy", |(a,): (Array2<f64>,)| $k::first_row_copy(&a)),
            function("layout", |(a,): (V,)| $k::layout(view::<Ix2>(&a))),
            function("damped_wave", |(x,): (Array1<f64>,)| $k::damped_wave(&x)),
            function("standardise", |(a,): (Array1<f64>,)| $k::standardise(&a)),
            function("differences", |(a,): (V,)| $k::differences(view::<Ix1>(&a))),
            function("reshape", |(a, r, c): (Array1<f64>, usize, usize)| {
                $k::reshape(a, r, c).map_err(|e| e.to_string())
            }),
            function("ravel", |(a,): (V,)| $k::ravel(view::<Ix2>(&a))),
            function("stack_rows", |(a, b): (V, V)| {
                $k::stack_rows(view::<Ix2>(&a), view::<Ix2>(&b)).map_err(|e| e.to_string())
            }),
            function("stack_columns", |(a, b): (V, V)| {
                $k::stack_columns(view::<Ix2>(&a), view::<Ix2>(&b)).map_err(|e| e.to_string())
            }),
            function("split_rows", |(a, at): (V, usize)| $k::split_rows(view::<Ix2>(&a), at)),
            function("broadcast_multiply", |(a, w): (Array2<f64>, Array2<f64>)| $k::broadcast_multiply(&a, &w)),
            function("take", |(a, i): (Array1<f64>, Vec<usize>)| $k::take(&a, &i)),
            function("positives", |(a,): (Array1<f64>,)| $k::positives(&a)),
            function("clip_negatives", |(mut a,): (Array1<f64>,)| {
                $k::clip_negatives(&mut a);
                a
            }),
            function("to_text", |(a, h, d): (Array2<f64>, String, usize)| $k::to_text(&a, &h, d)),
            function("from_text", |(t,): (String,)| $k::from_text(&t)),
            function("save_npy", |(a,): (Array2<f64>,)| {
                let path = npy_path("save");
                let _ = std::fs::remove_file(&path);
                let result = $k::save_npy(&a, &path).map_err(|e| format!("{e:?}"));
                let bytes = std::fs::read(&path).ok();
                let _ = std::fs::remove_file(&path);
                (result, bytes)
            }),
            function("load_npy", |(bytes,): (Option<Vec<u8>>,)| {
                let path = npy_path("load");
                let _ = std::fs::remove_file(&path);
                if let Some(bytes) = bytes {
                    std::fs::write(&path, bytes).expect("the worker's folder is writable");
                }
                let result = $k::load_npy(&path).map_err(|e| format!("{e:?}"));
                let _ = std::fs::remove_file(&path);
                result
            }),
            function("uniform", |(s, n, a, b): (u64, usize, f64, f64)| $k::uniform(s, n, a, b)),
            function("normal", |(s, n, m, d): (u64, usize, f64, f64)| $k::normal(s, n, m, d)),
            function("choice", |(s, items, k): (u64, Vec<i64>, usize)| $k::choice(s, &items, k)),
            function("dot", |(a, b): (Array2<f64>, Array2<f64>)| $k::dot(&a, &b)),
            function("solve", |(a, b): (Array2<f64>, Array1<f64>)| $k::solve(&a, &b)),
            function("inverse", |(a,): (Array2<f64>,)| $k::inverse(&a)),
            function("symmetric_eigenvalues", |(a,): (Array2<f64>,)| $k::symmetric_eigenvalues(&a)),
            function("polyfit", |(x, y, d): (Array1<f64>, Array1<f64>, usize)| $k::polyfit(&x, &y, d)),
        ]
    }};
}
