//! Exercise 02, array basics (the NumPy lesson in ndarray): the types the tasks share, the
//! frozen baseline of the one timed task, and the grading entry point.
//!
//! The checks live in [`checks`] and reach an exercise crate through
//! [`array_tasks!`](crate::array_tasks): one test per task, each taking the crate's functions.

pub mod checks;
pub mod remote;

use crate::diff::{self, Tolerance};
use crate::protocol::Work;
use crate::remote::Function;
use crate::roofline::{Floor, Roof};
use crate::worker::{self, Batch, BatchWriter, ExerciseSpec, StageRunner, StageSpec};
use ndarray::{Array1, ArrayView1};
#[cfg(feature = "bench")]
use std::hint::black_box;
use std::process::ExitCode;

/// The name of the exercise in `course.toml`.
pub const EXERCISE: &str = "array-basics";

/// Elements in the graded `differences` input: 800 kB of f64. Every timed call gets a fresh
/// one, so it comes from memory; on one array kept in the cache the gap between the loop and
/// the solution is wider (see the lesson).
pub const GRADE_LEN: usize = 100_000;

/// `a.shape`, `a.strides` (in elements; NumPy counts bytes) and `a.flags['C_CONTIGUOUS']`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Layout {
    pub shape: Vec<usize>,
    pub strides: Vec<isize>,
    pub c_contiguous: bool,
}

/// A malformed text array, as `np.loadtxt` would complain, with the 1-based line.
#[derive(Clone, Debug, PartialEq, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[error("line {line}: {kind}")]
pub struct TextError {
    pub line: usize,
    pub kind: TextErrorKind,
}

#[derive(Clone, Debug, PartialEq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum TextErrorKind {
    #[error("expected {expected} numbers, found {found}")]
    WrongCount { expected: usize, found: usize },
    #[error("number {column}: cannot read '{token}' as a number")]
    BadNumber { column: usize, token: String },
    #[error("no data: every line is blank or a comment")]
    Empty,
}

impl TextError {
    pub fn new(line: usize, kind: TextErrorKind) -> Self {
        TextError { line, kind }
    }
}

/// The frozen baseline of task 6: the starting code's loop, as shipped.
pub fn baseline_differences(a: ArrayView1<f64>) -> Array1<f64> {
    let mut out = Vec::new();
    for i in 0..a.len().saturating_sub(1) {
        out.push(a[i + 1] - a[i]);
    }
    Array1::from_vec(out)
}

/// The graded input: a seeded random walk (values of every sign and size).
pub fn grading_input() -> Array1<f64> {
    use rand::{Rng, SeedableRng, rngs::StdRng};
    let mut rng = StdRng::seed_from_u64(2);
    let mut x = 0.0;
    (0..GRADE_LEN)
        .map(|_| {
            x += rng.random_range(-1.0..1.0);
            x
        })
        .collect()
}

/// Checks `differences` against the baseline on `a`; `Err` says where they differ.
pub fn check_differences(differences: fn(ArrayView1<f64>) -> Array1<f64>, a: ArrayView1<f64>) -> Result<(), String> {
    let want = baseline_differences(a);
    let got = differences(a);
    diff::compare(
        want.as_slice().expect("fresh arrays are contiguous"),
        &got.to_vec(),
        &[want.len()],
        &[got.len()],
        Tolerance::EXACT,
    )
    .map_err(|m| format!("differences of {} values differ from a[1:] - a[:-1]:\n{m}", a.len()))
}

/// `main` of the exercise's `tests/grade.rs`: serves `differences` to the judge, and every
/// function of the crate to the task checks (`functions`: [`array_functions!`](crate::array_functions)).
pub fn grade_main(differences: fn(ArrayView1<f64>) -> Array1<f64>, functions: Vec<Function<'_>>) -> ExitCode {
    worker::serve_candidate_with(EXERCISE, vec![("differences", Box::new(runner(differences)))], functions)
}

fn runner(differences: fn(ArrayView1<f64>) -> Array1<f64>) -> impl StageRunner {
    move |input: &Batch<'_>, out: &mut BatchWriter| {
        for item in input.items() {
            let values = worker::values::<f64>(item);
            let got = differences(ArrayView1::from(&values[..]));
            // The returned array is kept and read where it is: no copy inside the timed call.
            match got.as_slice() {
                Some(_) if got.is_standard_layout() => out.keep(got.into_raw_vec_and_offset().0),
                _ => out.push_f64s(&got.to_vec()),
            }
        }
    }
}

/// A fresh graded input: a random walk of [`GRADE_LEN`] values from `seed`.
fn fresh_input(seed: u64) -> Vec<f64> {
    use rand::Rng;
    let mut rng = worker::rng(seed);
    let mut x = rng.random_range(-100.0..100.0);
    // A fast generator for the steps: a sample draws a hundred walks.
    let mut step = worker::uniform(rng.random());
    (0..GRADE_LEN)
        .map(|_| {
            x += 2.0 * step() - 1.0;
            x
        })
        .collect()
}

/// The trusted side of grading: fresh random walks, the loop as baseline and reference.
pub fn spec() -> ExerciseSpec {
    ExerciseSpec {
        exercise: EXERCISE,
        tasks: remote::tasks(),
        stages: vec![StageSpec {
            name: "differences",
            work: Work {
                unit: "element".into(),
                per_call: (GRADE_LEN - 1) as f64,
                // Read 8 B, write 8 B per element; input and output together stay in L3.
                roof: Some(Roof::Memory { bytes: 16.0, working_set: (2 * GRADE_LEN * 8) as f64 }),
                floor: Some(Floor::Ops {
                    ops: (GRADE_LEN - 1) as f64,
                    what: format!("the {} subtractions", GRADE_LEN - 1),
                }),
            },
            input: |seed| bytemuck::cast_slice(&fresh_input(seed)).to_vec(),
            check: |input, got| {
                let a = worker::values::<f64>(input);
                let want = baseline_differences(ArrayView1::from(&a[..]));
                let got = worker::values::<f64>(got);
                diff::compare(want.as_slice().expect("contiguous"), &got, &[want.len()], &[got.len()], Tolerance::EXACT)
                    .map_err(|m| format!("differences of {} values differ from a[1:] - a[:-1]:\n{m}", a.len()))
            },
            baseline: || Box::new(runner(baseline_differences)),
        }],
    }
}

/// Criterion: the loop against `differences` (`cargo bench -p array-basics`).
#[cfg(feature = "bench")]
pub fn bench(c: &mut criterion::Criterion, name: &str, differences: fn(ArrayView1<f64>) -> Array1<f64>) {
    let input = grading_input();
    let mut group = c.benchmark_group("array-differences");
    group.throughput(criterion::Throughput::Elements(GRADE_LEN as u64));
    group.bench_function("loop (baseline)", |b| b.iter(|| baseline_differences(black_box(input.view()))));
    group.bench_function(name, |b| b.iter(|| differences(black_box(input.view()))));
    group.finish();
}

/// Whether `python3` with NumPy is available for the interoperability test.
pub fn numpy_available() -> bool {
    std::process::Command::new("python3").args(["-c", "import numpy"]).output().is_ok_and(|o| o.status.success())
}

#[cfg(test)]
mod tests {
    use super::checks;
    use super::*;
    use crate::property::panic_message;
    use ndarray::{Array2, array};

    #[test]
    fn the_baseline_loop_is_a_minus_shifted_a() {
        assert_eq!(baseline_differences(array![1.0, 4.0, 9.0].view()), array![3.0, 5.0]);
        assert_eq!(baseline_differences(Array1::<f64>::zeros(0).view()).len(), 0);
        assert_eq!(grading_input().len(), GRADE_LEN);
    }

    #[test]
    fn text_errors_read_like_numpy_complaints() {
        let e = TextError::new(2, TextErrorKind::WrongCount { expected: 3, found: 2 });
        assert_eq!(e.to_string(), "line 2: expected 3 numbers, found 2");
    }

    #[test]
    fn wrong_answers_fail_with_the_numpy_form_in_the_message() {
        fn inverted(n: usize) -> Array2<u8> {
            Array2::from_shape_fn((n, n), |(i, j)| ((i + j + 1) % 2) as u8)
        }
        let msg = panic_message(|| checks::task_03_checkerboard(inverted));
        assert!(msg.contains("checkerboard(8)  # b[1::2, ::2] = 1"), "{msg}");

        fn off_by_one(a: ArrayView1<f64>) -> Array1<f64> {
            a.iter().skip(1).copied().collect()
        }
        let msg = panic_message(|| checks::task_06_differences(off_by_one));
        assert!(msg.contains("differences([1, 4, 9, 16])"), "{msg}");

        fn lenient(_: &str) -> Result<Array2<f64>, TextError> {
            Ok(Array2::zeros((0, 0)))
        }
        fn writer(_: &Array2<f64>, _: &str, _: usize) -> String {
            String::new()
        }
        let msg = panic_message(|| checks::task_10_text_files(writer, lenient));
        assert!(msg.contains("to_text(m, \"x y\", 3)"), "{msg}");
    }

    #[test]
    fn a_differences_check_reports_where() {
        fn skewed(a: ArrayView1<f64>) -> Array1<f64> {
            let mut d = baseline_differences(a);
            if d.len() > 3 {
                d[3] += 1.0;
            }
            d
        }
        let err = check_differences(skewed, grading_input().view()).unwrap_err();
        assert!(err.contains("1 of 99999 values differ") && err.contains("at [3]"), "{err}");
    }
}
