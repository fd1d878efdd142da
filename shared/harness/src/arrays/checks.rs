//! One check per task of exercise 02, each taking the exercise's functions, so the learner's
//! crate and the solution run the same tests. Every failure says what NumPy would give.

use super::{Layout, TextError, TextErrorKind, check_differences, numpy_available};
use crate::property::called;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut1, ShapeError, array, s};
use num_complex::Complex64;
use proptest::prelude::*;
use std::fmt::Debug;
use std::path::Path;

/// `expect!(call, got, want)`: `got` is evaluated as the call `call` names, so a panic inside
/// it (an ndarray assertion deep in the library) says which call and input caused it.
macro_rules! expect {
    ($call:expr, $got:expr, $want:expr $(,)?) => {
        expect_eq($call, called($call, || $got), $want)
    };
}

fn expect_eq<T: PartialEq + Debug>(call: &str, got: T, want: T) {
    assert!(got == want, "{call}\n  expected {}\n  got      {}", plain(&want), plain(&got));
}

/// `value`'s Debug text without ndarray's layout details (`, shape=[2], strides=[1],
/// layout=CFcf (0xf), const ndim=1`): the values and the nesting are what a learner compares.
fn plain(value: &impl Debug) -> String {
    let mut text = format!("{value:?}");
    while let Some(start) = text.find(", shape=[") {
        let Some(ndim) = text[start..].find("const ndim=").map(|k| start + k + "const ndim=".len()) else { break };
        let end = text[ndim..].find(|c: char| !c.is_ascii_digit()).map_or(text.len(), |k| ndim + k);
        text.replace_range(start..end, "");
    }
    text
}

fn expect_close(call: &str, got: &Array1<f64>, want: &Array1<f64>, tolerance: f64) {
    let close =
        got.len() == want.len() && got.iter().zip(want).all(|(g, w)| (g - w).abs() <= tolerance * w.abs().max(1.0));
    assert!(close, "{call}\n  expected {want} (within {tolerance:e})\n  got      {got}");
}

fn vector(max_len: usize) -> impl Strategy<Value = Vec<f64>> {
    proptest::collection::vec(-1000.0..1000.0f64, 0..max_len)
}

fn matrix(max_side: usize) -> impl Strategy<Value = Array2<f64>> {
    (1..max_side, 1..max_side).prop_flat_map(|(r, c)| {
        proptest::collection::vec(-100.0..100.0f64, r * c).prop_map(move |v| Array2::from_shape_vec((r, c), v).unwrap())
    })
}

type Complexes = fn(&[f64], &[f64]) -> Option<Array1<Complex64>>;

/// Task 1: `np.array`, `arange`, `linspace`, `zeros`, `ones`, `full`, complex dtype, bytes.
#[allow(clippy::too_many_arguments)]
pub fn task_01_creating(
    from_slice: fn(&[f64]) -> Array1<f64>,
    arange: fn(f64, f64, f64) -> Array1<f64>,
    linspace: fn(f64, f64, usize) -> Array1<f64>,
    zeros: fn(usize, usize) -> Array2<f64>,
    ones: fn(usize, usize) -> Array2<f64>,
    full: fn(usize, usize, f64) -> Array2<f64>,
    complex_from_parts: Complexes,
    dna_bytes: fn(&str) -> Array1<u8>,
) {
    expect!("from_slice(&[1.0, 2.5, -3.0])", from_slice(&[1.0, 2.5, -3.0]), array![1.0, 2.5, -3.0]);
    expect!("arange(0.0, 1.0, 0.25)  # stop is excluded", arange(0.0, 1.0, 0.25), array![0.0, 0.25, 0.5, 0.75]);
    expect!("arange(3.0, 0.0, 1.0)  # empty", arange(3.0, 0.0, 1.0), Array1::zeros(0));
    expect!("linspace(0.0, 1.0, 5)  # stop is included", linspace(0.0, 1.0, 5), array![0.0, 0.25, 0.5, 0.75, 1.0]);
    expect!("zeros(2, 3)", zeros(2, 3), Array2::from_elem((2, 3), 0.0));
    expect!("ones(3, 2)", ones(3, 2), Array2::from_elem((3, 2), 1.0));
    expect!("full(2, 2, 7.5)", full(2, 2, 7.5), Array2::from_elem((2, 2), 7.5));
    expect!(
        "complex_from_parts(&[1.0, 2.0], &[3.0, -1.0])",
        complex_from_parts(&[1.0, 2.0], &[3.0, -1.0]),
        Some(array![Complex64::new(1.0, 3.0), Complex64::new(2.0, -1.0)]),
    );
    expect!("complex_from_parts(&[1.0], &[])  # lengths differ", complex_from_parts(&[1.0], &[]), None);
    expect!("dna_bytes(\"ACGT\")", dna_bytes("ACGT"), array![65u8, 67, 71, 84]);
    crate::property::check(vector(50), |v| {
        let got = from_slice(&v);
        if got.to_vec() == v { Ok(()) } else { Err(format!("from_slice({v:?}) gave {got}")) }
    });
    crate::property::check((-100.0..100.0f64, 0.0..100.0f64, 2usize..50), |(a, width, n)| {
        let got = linspace(a, a + width, n);
        let ends_ok =
            got.len() == n && got[0] == a && (got[n - 1] - (a + width)).abs() <= 1e-9 * (1.0 + a.abs() + width);
        if ends_ok { Ok(()) } else { Err(format!("linspace({a}, {}, {n}) gave {got}", a + width)) }
    });
}

fn reference_last(a: &[f64], n: usize) -> Vec<f64> {
    a[a.len().saturating_sub(n)..].to_vec()
}

/// Task 2: negative indices, steps, assigning to a 2-D block.
pub fn task_02_indexing(
    last: fn(&Array1<f64>, usize) -> Array1<f64>,
    every_other_reversed: fn(&Array1<f64>) -> Array1<f64>,
    set_block: fn(&mut Array2<f64>),
) {
    let a = Array1::from_iter((0..10).map(f64::from));
    expect!("last(&[0, 1, …, 9], 3)  # a[-3:]", last(&a, 3), array![7.0, 8.0, 9.0]);
    expect!("last(&[0, 1, …, 9], 0)", last(&a, 0), Array1::zeros(0));
    expect!("last(&[0, 1, …, 9], 20)  # a[-20:] is all of a", last(&a, 20), a.clone());
    expect!(
        "every_other_reversed(&[0, 1, …, 9])  # a[::-2]",
        every_other_reversed(&a),
        array![9.0, 7.0, 5.0, 3.0, 1.0]
    );
    let mut b = Array2::zeros((4, 4));
    set_block(&mut b);
    let want = array![[0.0, 0.0, 0.0, 0.0], [0.0, 2.0, 2.0, 0.0], [0.0, 2.0, 2.0, 0.0], [0.0, 0.0, 0.0, 0.0]];
    expect!("set_block(zeros 4×4)  # b[1:3, 1:3] = 2", b, want);
    crate::property::check((vector(40), 0usize..50), |(v, n)| {
        let a = Array1::from(v.clone());
        let (got, want) = (last(&a, n).to_vec(), reference_last(&v, n));
        if got != want {
            return Err(format!("last({v:?}, {n}) gave {got:?}, expected {want:?}"));
        }
        let want: Vec<f64> = v.iter().rev().step_by(2).copied().collect();
        let got = every_other_reversed(&a).to_vec();
        if got == want { Ok(()) } else { Err(format!("every_other_reversed({v:?}) gave {got:?}, expected {want:?}")) }
    });
}

/// Task 3: the 8×8 checkerboard built with strided slices (any size works the same way).
pub fn task_03_checkerboard(checkerboard: fn(usize) -> Array2<u8>) {
    for n in [8, 1, 0, 5, 12] {
        let want = Array2::from_shape_fn((n, n), |(i, j)| ((i + j) % 2) as u8);
        expect!(&format!("checkerboard({n})  # b[1::2, ::2] = 1; b[::2, 1::2] = 1"), checkerboard(n), want);
    }
}

/// Task 4: a view aliases its array, a copy does not; layout facts like `a.flags`/`a.strides`.
pub fn task_04_views_and_copies(
    first_row_view: for<'a> fn(&'a mut Array2<f64>) -> ArrayViewMut1<'a, f64>,
    first_row_copy: fn(&Array2<f64>) -> Array1<f64>,
    layout: fn(ArrayView2<f64>) -> Layout,
) {
    let mut a = Array2::from_shape_fn((3, 4), |(i, j)| (i * 4 + j) as f64);
    first_row_view(&mut a)[1] = 99.0;
    expect!("after first_row_view(&mut a)[1] = 99: a[0, 1]  # a view writes through", a[[0, 1]], 99.0);
    let mut copy = first_row_copy(&a);
    copy[2] = -1.0;
    expect!("after first_row_copy(&a)[2] = -1: a[0, 2]  # a copy does not", a[[0, 2]], 2.0);
    expect!("first_row_copy(&a).len()", first_row_copy(&a).len(), 4);

    let c = Layout { shape: vec![3, 4], strides: vec![4, 1], c_contiguous: true };
    expect!("layout(a)  # 3×4, row-major", layout(a.view()), c);
    let t = Layout { shape: vec![4, 3], strides: vec![1, 4], c_contiguous: false };
    expect!("layout(a.t())  # a transposed view: same memory, strides swapped", layout(a.t()), t);
    let stepped = Layout { shape: vec![3, 2], strides: vec![4, 2], c_contiguous: false };
    expect!("layout(a.slice(s![.., ..;2]))  # every other column", layout(a.slice(s![.., ..;2])), stepped);
}

/// Task 5: element-wise arithmetic and universal functions.
pub fn task_05_ufuncs(damped_wave: fn(&Array1<f64>) -> Array1<f64>, standardise: fn(&Array1<f64>) -> Array1<f64>) {
    let x = Array1::linspace(0.0, 2.0, 9);
    let want = x.mapv(|v: f64| (-v).exp() * (2.0 * std::f64::consts::PI * v).sin());
    expect_close("damped_wave(linspace(0, 2, 9))  # np.exp(-x) * np.sin(2*np.pi*x)", &damped_wave(&x), &want, 1e-12);
    let z = standardise(&array![1.0, 2.0, 3.0, 4.0]);
    let s = 1.25f64.sqrt();
    expect_close(
        "standardise([1, 2, 3, 4])  # (a - a.mean()) / a.std()",
        &z,
        &array![-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s],
        1e-12,
    );
    crate::property::check(
        vector(60).prop_filter("needs spread", |v| v.len() >= 2 && v.iter().any(|&x| x != v[0])),
        |v| {
            let z = standardise(&Array1::from(v.clone()));
            let mean = z.mean().unwrap();
            let std = z.std(0.0);
            if mean.abs() < 1e-9 && (std - 1.0).abs() < 1e-9 {
                Ok(())
            } else {
                Err(format!("standardise({v:?}) has mean {mean} and std {std}, expected 0 and 1"))
            }
        },
    );
}

/// Task 6: `a[1:] - a[:-1]`, same values as the loop, on any length and on strided views.
pub fn task_06_differences(differences: fn(ArrayView1<f64>) -> Array1<f64>) {
    expect!("differences([1, 4, 9, 16])", differences(array![1.0, 4.0, 9.0, 16.0].view()), array![3.0, 5.0, 7.0]);
    expect!("differences([5])", differences(array![5.0].view()), Array1::zeros(0));
    crate::property::check(vector(200), |v| {
        let a = Array1::from(v);
        check_differences(differences, a.view())?;
        check_differences(differences, a.slice(s![..;2]))
    });
}

/// Two matrices joined along an axis, or a shape error.
type Join = for<'a, 'b> fn(ArrayView2<'a, f64>, ArrayView2<'b, f64>) -> Result<Array2<f64>, ShapeError>;

/// A matrix cut in two after a row.
type Split = fn(ArrayView2<f64>, usize) -> (Array2<f64>, Array2<f64>);
/// A vector given a shape, or a shape error.
type Reshape = fn(Array1<f64>, usize, usize) -> Result<Array2<f64>, ShapeError>;

/// Task 7: reshape, ravel, concatenate along both axes, split.
pub fn task_07_reshape(
    reshape: Reshape,
    ravel: fn(ArrayView2<f64>) -> Array1<f64>,
    stack_rows: Join,
    stack_columns: Join,
    split_rows: Split,
) {
    let six = Array1::from_iter((0..6).map(f64::from));
    let m = array![[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]];
    expect!("reshape(arange(6), 2, 3)", reshape(six.clone(), 2, 3).ok(), Some(m.clone()));
    assert!(
        reshape(six.clone(), 4, 2).is_err(),
        "reshape(arange(6), 4, 2) must be an error (6 values do not fill 4×2)"
    );
    expect!("ravel(m)  # row by row", ravel(m.view()), six.clone());
    expect!(
        "ravel(m.t())  # a transposed view ravels in its own row order",
        ravel(m.t()),
        array![0.0, 3.0, 1.0, 4.0, 2.0, 5.0],
    );
    let r = stack_rows(m.view(), m.view()).expect("stacking 2×3 on 2×3 rows works");
    expect!("stack_rows(m, m).shape()  # np.concatenate(axis=0)", r.shape().to_vec(), vec![4, 3]);
    let c = stack_columns(m.view(), m.view()).expect("stacking 2×3 beside 2×3 works");
    expect!(
        "stack_columns(m, m).row(1)  # np.concatenate(axis=1)",
        c.row(1).to_owned(),
        array![3.0, 4.0, 5.0, 3.0, 4.0, 5.0],
    );
    assert!(
        stack_columns(m.view(), m.t()).is_err(),
        "stack_columns of 2×3 and 3×2 must be an error (row counts differ)"
    );
    let (top, bottom) = split_rows(r.view(), 1);
    expect!("split_rows(stack_rows(m, m), 1).0", top, array![[0.0, 1.0, 2.0]]);
    expect!("split_rows(stack_rows(m, m), 1).1.shape()", bottom.shape().to_vec(), vec![3, 3]);
    crate::property::check(matrix(8), |m| {
        let flat = ravel(m.view()).to_vec();
        let want: Vec<f64> = m.iter().copied().collect();
        if flat != want {
            return Err(format!("ravel({m}) gave {flat:?}"));
        }
        match reshape(Array1::from(flat), m.nrows(), m.ncols()) {
            Ok(back) if back == m => Ok(()),
            other => Err(format!("reshape(ravel(m), rows, cols) gave {} for m = {m}", plain(&other))),
        }
    });
}

/// Task 8: broadcasting, (3, 2) × (1, 2) and friends.
pub fn task_08_broadcasting(broadcast_multiply: fn(&Array2<f64>, &Array2<f64>) -> Option<Array2<f64>>) {
    let a = array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]];
    let w = array![[10.0, 100.0]];
    expect!(
        "broadcast_multiply(3×2, 1×2)",
        broadcast_multiply(&a, &w),
        Some(array![[10.0, 200.0], [30.0, 400.0], [50.0, 600.0]]),
    );
    let col = array![[1.0], [0.0], [-1.0]];
    expect!(
        "broadcast_multiply(3×2, 3×1)",
        broadcast_multiply(&a, &col),
        Some(array![[1.0, 2.0], [0.0, 0.0], [-5.0, -6.0]]),
    );
    expect!(
        "broadcast_multiply(3×2, 2×2)  # NumPy raises: operands could not be broadcast",
        broadcast_multiply(&a, &Array2::ones((2, 2))),
        None,
    );
}

/// Task 9: integer-array and boolean-mask indexing, which copy.
pub fn task_09_fancy_indexing(
    take: fn(&Array1<f64>, &[usize]) -> Option<Array1<f64>>,
    positives: fn(&Array1<f64>) -> Array1<f64>,
    clip_negatives: fn(&mut Array1<f64>),
) {
    let a = array![10.0, -20.0, 30.0, -40.0];
    expect!("take(a, &[2, 0, 2])  # a[[2, 0, 2]]", take(&a, &[2, 0, 2]), Some(array![30.0, 10.0, 30.0]));
    expect!("take(a, &[4])  # index out of range", take(&a, &[4]), None);
    let mut picked = take(&a, &[0]).expect("index 0 exists");
    picked[0] = 0.0;
    expect!("a[0] after changing take(a, &[0])  # fancy indexing copies", a[0], 10.0);
    expect!("positives(a)  # a[a > 0]", positives(&a), array![10.0, 30.0]);
    let mut b = a.clone();
    clip_negatives(&mut b);
    expect!("clip_negatives(a)  # a[a < 0] = 0", b, array![10.0, 0.0, 30.0, 0.0]);
    crate::property::check(vector(50), |v| {
        let a = Array1::from(v.clone());
        let want: Vec<f64> = v.iter().copied().filter(|&x| x > 0.0).collect();
        let got = positives(&a).to_vec();
        if got == want { Ok(()) } else { Err(format!("positives({v:?}) gave {got:?}")) }
    });
}

/// Task 10: `savetxt` / `loadtxt` with a header, a format, `nan`, and bad lines by number.
pub fn task_10_text_files(
    to_text: fn(&Array2<f64>, &str, usize) -> String,
    from_text: fn(&str) -> Result<Array2<f64>, TextError>,
) {
    let m = array![[1.0, 2.5], [-3.25, 1e3]];
    expect!(
        "to_text(m, \"x y\", 3)  # np.savetxt(f, m, fmt='%.3f', header='x y')",
        to_text(&m, "x y", 3),
        "# x y\n1.000 2.500\n-3.250 1000.000\n".to_string(),
    );
    expect!("from_text(to_text(m, \"x y\", 3))", from_text(&to_text(&m, "x y", 3)), Ok(m));
    let parsed = from_text("# a header\n1 nan 3\n\n4 5 6  # a trailing comment\n").expect("a valid file");
    assert!(
        parsed.shape() == [2, 3] && parsed[[0, 1]].is_nan() && parsed[[1, 2]] == 6.0,
        "from_text with a nan, a blank line and comments gave {parsed}"
    );
    let errors = [
        ("1 2 3\n4 5\n", TextError::new(2, TextErrorKind::WrongCount { expected: 3, found: 2 })),
        ("1 2\n3 x\n", TextError::new(2, TextErrorKind::BadNumber { column: 2, token: "x".into() })),
        ("# only a comment\n", TextError::new(1, TextErrorKind::Empty)),
    ];
    for (text, want) in errors {
        expect!(&format!("from_text({text:?})"), from_text(text), Err(want));
    }
    crate::property::check((matrix(6), 0usize..6), |(m, decimals)| {
        let back = from_text(&to_text(&m, "h", 17)).map_err(|e| e.to_string())?;
        let rounded = from_text(&to_text(&m, "h", decimals)).map_err(|e| e.to_string())?;
        let close = back.iter().zip(&m).all(|(a, b)| (a - b).abs() <= 1e-12 * b.abs().max(1.0))
            && rounded.iter().zip(&m).all(|(a, b)| (a - b).abs() <= 0.5 * 10f64.powi(-(decimals as i32)) + 1e-9);
        if close { Ok(()) } else { Err(format!("to_text then from_text changed {m} into {back} / {rounded}")) }
    });
}

fn scratch_dir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("array-basics-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("the temp dir is writable");
    dir
}

/// Task 11: binary `.npy` files, round trip.
pub fn task_11_npy_files<E1: Debug, E2: Debug>(
    save_npy: fn(&Array2<f64>, &Path) -> Result<(), E1>,
    load_npy: fn(&Path) -> Result<Array2<f64>, E2>,
) {
    let dir = scratch_dir("npy");
    let m = Array2::from_shape_fn((3, 5), |(i, j)| i as f64 - 0.5 * j as f64);
    let path = dir.join("m.npy");
    save_npy(&m, &path).expect("save_npy to a writable path");
    expect!("load_npy(save_npy(m))", load_npy(&path).ok(), Some(m));
    assert!(load_npy(&dir.join("missing.npy")).is_err(), "load_npy of a missing file must be an error, not a panic");
    std::fs::write(dir.join("junk.npy"), b"not an npy file").unwrap();
    assert!(load_npy(&dir.join("junk.npy")).is_err(), "load_npy of a corrupt file must be an error, not a panic");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Task 11, continued: NumPy itself reads our `.npy` and we read NumPy's (skipped, with a
/// message, where python3 has no numpy: `pip install numpy` to run it).
pub fn task_11_npy_files_with_numpy<E1: Debug, E2: Debug>(
    save_npy: fn(&Array2<f64>, &Path) -> Result<(), E1>,
    load_npy: fn(&Path) -> Result<Array2<f64>, E2>,
) {
    if !numpy_available() {
        eprintln!("skipped: python3 with numpy is not installed here (pip install numpy)");
        return;
    }
    let dir = scratch_dir("numpy");
    let ours = dir.join("ours.npy");
    save_npy(&Array2::from_shape_fn((2, 3), |(i, j)| (10 * i + j) as f64), &ours).expect("save_npy");
    let theirs = dir.join("theirs.npy");
    let script = format!(
        "import numpy as np\na = np.load({ours:?})\nassert a.shape == (2, 3) and a[1, 2] == 12.0, a\n\
         np.save({theirs:?}, np.arange(6.0).reshape(3, 2) * 1.5)\n",
        ours = ours.display().to_string(),
        theirs = theirs.display().to_string()
    );
    let out = std::process::Command::new("python3").args(["-c", &script]).output().expect("python3 runs");
    assert!(out.status.success(), "NumPy could not read save_npy's file:\n{}", String::from_utf8_lossy(&out.stderr));
    let want = Array2::from_shape_fn((3, 2), |(i, j)| (2 * i + j) as f64 * 1.5);
    expect!("load_npy(a file NumPy wrote)", load_npy(&theirs).ok(), Some(want));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Task 12: seeded random arrays: uniform, normal, choice.
pub fn task_12_random(
    uniform: fn(u64, usize, f64, f64) -> Array1<f64>,
    normal: fn(u64, usize, f64, f64) -> Array1<f64>,
    choice: fn(u64, &[i64], usize) -> Array1<i64>,
) {
    let n = 100_000;
    let u = uniform(7, n, -2.0, 6.0);
    expect!("uniform(7, 100000, -2, 6).len()", u.len(), n);
    assert!(u.iter().all(|&x| (-2.0..6.0).contains(&x)), "uniform(7, n, -2, 6) has values outside [-2, 6)");
    let mean = u.mean().unwrap();
    assert!((mean - 2.0).abs() < 0.05, "uniform(7, n, -2, 6) has mean {mean}, expected about 2");
    expect!(
        "uniform with the same seed twice  # seeded means reproducible",
        uniform(7, 10, 0.0, 1.0),
        uniform(7, 10, 0.0, 1.0),
    );
    assert!(uniform(7, 10, 0.0, 1.0) != uniform(8, 10, 0.0, 1.0), "uniform with seeds 7 and 8 gave the same numbers");
    let g = normal(11, n, 5.0, 2.0);
    let (m, s) = (g.mean().unwrap(), g.std(0.0));
    assert!((m - 5.0).abs() < 0.05 && (s - 2.0).abs() < 0.05, "normal(11, n, 5, 2) has mean {m} and std {s}");
    let items = [3, 1, 4, 15];
    let c = choice(5, &items, 10_000);
    assert!(c.iter().all(|x| items.contains(x)), "choice(5, {items:?}, 10000) returned values not in the list");
    assert!(
        items.iter().all(|x| c.iter().any(|y| y == x)),
        "choice(5, {items:?}, 10000) never picked one of the items"
    );
}

fn well_conditioned(max_side: usize) -> impl Strategy<Value = (Array2<f64>, Array1<f64>)> {
    (1..max_side).prop_flat_map(|n| {
        let entries = proptest::collection::vec(-1.0..1.0f64, n * n);
        let rhs = proptest::collection::vec(-10.0..10.0f64, n);
        (entries, rhs).prop_map(move |(e, b)| {
            // Diagonally dominant, hence invertible and well conditioned.
            let a = Array2::from_shape_fn((n, n), |(i, j)| e[i * n + j] + if i == j { n as f64 + 1.0 } else { 0.0 });
            (a, Array1::from(b))
        })
    })
}

/// Task 13: `dot`, `solve`, `inv`, `eigvalsh`.
pub fn task_13_linear_algebra(
    dot: fn(&Array2<f64>, &Array2<f64>) -> Array2<f64>,
    solve: fn(&Array2<f64>, &Array1<f64>) -> Option<Array1<f64>>,
    inverse: fn(&Array2<f64>) -> Option<Array2<f64>>,
    symmetric_eigenvalues: fn(&Array2<f64>) -> Array1<f64>,
) {
    let a = array![[1.0, 2.0], [3.0, 4.0]];
    expect!("dot([[1, 2], [3, 4]], [[5], [6]])", dot(&a, &array![[5.0], [6.0]]), array![[17.0], [39.0]]);
    let singular = array![[1.0, 2.0], [2.0, 4.0]];
    expect!("solve(singular, b)  # np.linalg.solve raises LinAlgError", solve(&singular, &array![1.0, 2.0]), None);
    expect!("inverse(singular)", inverse(&singular), None);
    expect_close(
        "symmetric_eigenvalues([[2, 1], [1, 2]])",
        &symmetric_eigenvalues(&array![[2.0, 1.0], [1.0, 2.0]]),
        &array![1.0, 3.0],
        1e-12,
    );
    expect_close(
        "symmetric_eigenvalues(diag(3, -1, 2))  # ascending",
        &symmetric_eigenvalues(&Array2::from_diag(&array![3.0, -1.0, 2.0])),
        &array![-1.0, 2.0, 3.0],
        1e-12,
    );
    crate::property::check(well_conditioned(7), |(a, b)| {
        let x = solve(&a, &b).ok_or("solve returned None for an invertible matrix")?;
        let residual = (&a.dot(&x) - &b).iter().fold(0.0f64, |m, r| m.max(r.abs()));
        if residual > 1e-9 {
            return Err(format!("solve(a, b) = {x} leaves a·x − b up to {residual:e} for a = {a}"));
        }
        let inv = inverse(&a).ok_or("inverse returned None for an invertible matrix")?;
        let off = (&dot(&a, &inv) - &Array2::<f64>::eye(a.nrows())).iter().fold(0.0f64, |m, r| m.max(r.abs()));
        if off > 1e-9 {
            return Err(format!("a · inverse(a) differs from the identity by {off:e} for a = {a}"));
        }
        let sym = &a + &a.t();
        let eig = symmetric_eigenvalues(&sym);
        let trace: f64 = sym.diag().sum();
        let sorted = eig.windows(2).into_iter().all(|w| w[0] <= w[1]);
        if sorted && (eig.sum() - trace).abs() < 1e-9 * trace.abs().max(1.0) {
            Ok(())
        } else {
            Err(format!("symmetric_eigenvalues({sym}) = {eig}: not ascending, or not summing to the trace {trace}"))
        }
    });
}

/// Task 14: `np.polyfit` of degree 2 on noisy x².
/// A least-squares fit: x, y and the degree give the coefficients, highest power first.
type Fit = fn(&Array1<f64>, &Array1<f64>, usize) -> Option<Array1<f64>>;

pub fn task_14_polyfit(polyfit: Fit) {
    use rand::{SeedableRng, rngs::StdRng};
    use rand_distr::{Distribution, Normal};
    let x = Array1::linspace(-3.0, 3.0, 101);
    let exact = x.mapv(|v| 2.0 * v * v - v + 0.5);
    expect_close(
        "polyfit(x, 2x² − x + 0.5, 2)",
        &polyfit(&x, &exact, 2).expect("enough points"),
        &array![2.0, -1.0, 0.5],
        1e-9,
    );
    let mut rng = StdRng::seed_from_u64(42);
    let noise = Normal::new(0.0, 0.1).unwrap();
    let noisy = x.mapv(|v| v * v + noise.sample(&mut rng));
    let c = polyfit(&x, &noisy, 2).expect("enough points");
    let ok = c.len() == 3 && (c[0] - 1.0).abs() < 0.02 && c[1].abs() < 0.02 && c[2].abs() < 0.05;
    assert!(ok, "polyfit(x, x² + noise(σ = 0.1), 2) gave {c}, expected about [1, 0, 0] (highest power first)");
    expect!("polyfit with 2 points for degree 2", polyfit(&array![0.0, 1.0], &array![0.0, 1.0], 2), None);
}

/// Expands to one test per task for an exercise-02 crate: `harness::array_tasks!(array_basics);`
#[macro_export]
macro_rules! array_tasks {
    ($k:ident) => {
        use $crate::arrays::checks as tasks;
        #[test]
        fn task_01_creating() {
            tasks::task_01_creating(
                $k::from_slice,
                $k::arange,
                $k::linspace,
                $k::zeros,
                $k::ones,
                $k::full,
                $k::complex_from_parts,
                $k::dna_bytes,
            );
        }
        #[test]
        fn task_02_indexing() {
            tasks::task_02_indexing($k::last, $k::every_other_reversed, $k::set_block);
        }
        #[test]
        fn task_03_checkerboard() {
            tasks::task_03_checkerboard($k::checkerboard);
        }
        #[test]
        fn task_04_views_and_copies() {
            tasks::task_04_views_and_copies($k::first_row_view, $k::first_row_copy, $k::layout);
        }
        #[test]
        fn task_05_ufuncs() {
            tasks::task_05_ufuncs($k::damped_wave, $k::standardise);
        }
        #[test]
        fn task_06_differences() {
            tasks::task_06_differences($k::differences);
        }
        #[test]
        fn task_07_reshape() {
            tasks::task_07_reshape($k::reshape, $k::ravel, $k::stack_rows, $k::stack_columns, $k::split_rows);
        }
        #[test]
        fn task_08_broadcasting() {
            tasks::task_08_broadcasting($k::broadcast_multiply);
        }
        #[test]
        fn task_09_fancy_indexing() {
            tasks::task_09_fancy_indexing($k::take, $k::positives, $k::clip_negatives);
        }
        #[test]
        fn task_10_text_files() {
            tasks::task_10_text_files($k::to_text, $k::from_text);
        }
        #[test]
        fn task_11_npy_files() {
            tasks::task_11_npy_files($k::save_npy, $k::load_npy);
        }
        #[test]
        fn task_11_npy_files_with_numpy() {
            tasks::task_11_npy_files_with_numpy($k::save_npy, $k::load_npy);
        }
        #[test]
        fn task_12_random() {
            tasks::task_12_random($k::uniform, $k::normal, $k::choice);
        }
        #[test]
        fn task_13_linear_algebra() {
            tasks::task_13_linear_algebra($k::dot, $k::solve, $k::inverse, $k::symmetric_eigenvalues);
        }
        #[test]
        fn task_14_polyfit() {
            tasks::task_14_polyfit($k::polyfit);
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_in_messages_show_values_not_layout() {
        assert_eq!(plain(&array![1.0, 2.0]), "[1.0, 2.0]");
        assert_eq!(plain(&array![[1.0], [2.0]]), "[[1.0],\n [2.0]]");
        let ok: Result<Array1<f64>, ShapeError> = Ok(array![3.0]);
        assert_eq!(plain(&ok), "Ok([3.0])");
        assert_eq!(plain(&vec![1, 2]), "[1, 2]");
    }

    #[test]
    fn a_panic_inside_a_task_names_the_call() {
        let err = std::panic::catch_unwind(|| {
            fn asserts() -> Array1<f64> {
                panic!("assertion failed: start <= axis_len")
            }
            expect!("linspace(0.0, 1.0, 0)", asserts(), array![])
        })
        .unwrap_err();
        assert_eq!(
            crate::property::panic_text(&*err),
            "linspace(0.0, 1.0, 0) panicked: assertion failed: start <= axis_len"
        );
        // A todo!() stays itself, so the runner still reads "to do".
        let err = std::panic::catch_unwind(|| called("zeros(2, 3)", || -> Array1<f64> { todo!() })).unwrap_err();
        assert_eq!(crate::property::panic_text(&*err), "not yet implemented");
    }
}
