//! Exercise 03, static typing: small functions written over dynamic values, rewritten with
//! static Rust types. The tests call the learner's functions with *literals* (`subtract(10.2,
//! 8.5)`), so the learner chooses the types, and a 32-bit choice shows up in the results: the
//! trap the Python course itself fell into, when a Cython `float` (C's 32-bit float) turned
//! `10.2 − 8.5` into `1.6999998092651367`.

use crate::dynamic::Object;
use crate::protocol::Work;
use crate::roofline::{Floor, Roof};
use crate::worker::{self, Batch, BatchWriter, ExerciseSpec, StageSpec};
use std::process::ExitCode;

/// The name of the exercise in `course.toml`.
pub const EXERCISE: &str = "static-typing";

/// Terms of the series in the graded call.
pub const GRADE_N: u32 = 100_000;

/// Any result the learner may return, read as the `f64` it stands for.
pub trait Real {
    fn real(self) -> f64;
    /// The type's name, for messages.
    fn type_name(&self) -> &'static str;
}

macro_rules! real {
    ($($t:ty),*) => {$(
        impl Real for $t {
            fn real(self) -> f64 {
                self as f64
            }
            fn type_name(&self) -> &'static str {
                stringify!($t)
            }
        }
    )*};
}
real!(f64, f32, i64, i32, u64, u32);

impl Real for Object {
    fn real(self) -> f64 {
        self.as_float().expect("a number")
    }
    fn type_name(&self) -> &'static str {
        "Object"
    }
}

/// The frozen baseline: exercise 03's `series` as shipped, Σ 1/k² for k = 1..=n over boxes.
pub fn baseline_series(n: Object) -> Object {
    let one = Object::int(1);
    let mut total = Object::float(0.0);
    let mut k = Object::int(1);
    while !n.lt(&k).expect("numbers compare") {
        let term = Object::float(1.0 / k.mul(&k).and_then(|k2| k2.as_float()).expect("a number"));
        total = total.add(&term).expect("floats add");
        k = k.add(&one).expect("ints add");
    }
    total
}

/// The reference: the same sum, same order, static types.
pub fn reference_series(n: u32) -> f64 {
    (1..=n).map(|k| 1.0 / (k as f64 * k as f64)).sum::<f64>()
}

/// Checks a result against `want`, explaining the 32-bit trap when it is one.
pub fn check_real<T: Real>(call: &str, got: T, want: f64) -> Result<(), String> {
    let ty = got.type_name();
    let got = got.real();
    if got == want {
        return Ok(());
    }
    let scale = want.abs().max(1.0);
    // An f32 result widened to f64 is exactly an f32 value (an f64 sum taken in another order
    // is off in its last bits but almost never one), and close: a sum accumulated in f32 drifts
    // by 1e-4 here, a wrong whole number (6 for 5) is no trap.
    let f32_value = got as f32 as f64 == got && (got - want).abs() <= 1e-2 * scale;
    let trap = if ty == "f32" || f32_value {
        "\n  This is the 32-bit trap: the answer was computed or returned in f32 (Cython's `float`), which \
         keeps about 7 significant digits. Python's float is 64-bit: use f64."
    } else if (got - want).abs() <= 1e-12 * scale {
        "\n  Off in the last digits only: the same operations in another order? Floating-point addition \
         is not associative, so the result must add the terms in the reference's order (k = 1, 2, …)."
    } else {
        ""
    };
    Err(format!("{call}\n  expected {want:?} (f64)\n  got      {got:?} ({ty}){trap}"))
}

/// `main` of the exercise's `tests/grade.rs`: serves `series` to the judge. `check` is kept for
/// the macro's sake; the judge checks every output itself.
pub fn grade_main<S: Real, F: FnMut() -> S>(_check: impl FnOnce() -> Result<(), String>, mut series: F) -> ExitCode {
    let runner = move |input: &Batch<'_>, out: &mut BatchWriter| {
        for _ in input.items() {
            out.push_f64s(&[series().real()]);
        }
    };
    worker::serve_candidate(EXERCISE, vec![("series", Box::new(runner))])
}

/// The trusted side of grading. The input is n itself ([`GRADE_N`], the literal the exercise's
/// `series` is called with), so fresh inputs cannot rule out a cache keyed by n: the judge
/// times every call in a process started for it instead (`fresh_process_per_call`).
pub fn spec() -> ExerciseSpec {
    ExerciseSpec {
        exercise: EXERCISE,
        tasks: Vec::new(),
        stages: vec![StageSpec {
            name: "series",
            // `sum += 1.0 / (k * k)`: each term's add waits for the previous sum.
            work: Work {
                unit: "term".into(),
                per_call: GRADE_N as f64,
                roof: Some(Roof::Chain { ops: 1.0 }),
                // Summed in order to the last bit: no code can add these terms side by side.
                floor: Some(Floor::Chain {
                    ops: GRADE_N as f64,
                    what: format!("the {GRADE_N} additions of series({GRADE_N}), each waiting for the one before,"),
                }),
            },
            input: |_| GRADE_N.to_le_bytes().to_vec(),
            check: |_, got| {
                let got = worker::values::<f64>(got);
                check_real(
                    &format!("series({GRADE_N})"),
                    got.first().copied().unwrap_or(f64::NAN),
                    reference_series(GRADE_N),
                )
            },
            baseline: || {
                Box::new(|input: &Batch<'_>, out: &mut BatchWriter| {
                    for _ in input.items() {
                        out.push_f64s(&[baseline_series(Object::from(std::hint::black_box(GRADE_N))).real()]);
                    }
                })
            },
        }],
    }
}

/// Expands to exercise 03's tests for a crate path: `harness::static_typing_tests!(static_typing);`
#[macro_export]
macro_rules! static_typing_tests {
    ($k:ident) => {
        use $crate::static_typing::{check_real, reference_series};

        fn ok(r: Result<(), String>) {
            if let Err(e) = r {
                panic!("{e}");
            }
        }

        #[test]
        fn add_ints_and_floats() {
            ok(check_real("add(2, 3)", $k::add(2, 3), 5.0));
            ok(check_real("add(0.1, 0.2)", $k::add(0.1, 0.2), 0.1f64 + 0.2f64));
        }

        #[test]
        fn subtract_keeps_64_bit_precision() {
            ok(check_real("subtract(10.2, 8.5)", $k::subtract(10.2, 8.5), 10.2f64 - 8.5f64));
            ok(check_real("subtract(1e16, 1.0)", $k::subtract(1e16, 1.0), 1e16f64 - 1.0));
        }

        #[test]
        fn series_sums_in_the_same_order() {
            ok(check_real("series(1)", $k::series(1), 1.0));
            ok(check_real("series(1000)", $k::series(1000), reference_series(1000)));
            ok(check_real("series(0)", $k::series(0), 0.0));
        }

        #[test]
        fn series_on_random_lengths() {
            // `n` is a u32: the natural type for a count of terms.
            $crate::property::check(0u32..5000, |n| {
                check_real(&format!("series({n})"), $k::series(n), reference_series(n))
            });
        }
    };
}

/// Expands to exercise 03's grading `main`: `harness::static_typing_grade!(static_typing);`
#[macro_export]
macro_rules! static_typing_grade {
    ($k:ident) => {
        fn main() -> std::process::ExitCode {
            use $crate::static_typing::{GRADE_N, check_real, reference_series};
            $crate::static_typing::grade_main(
                || check_real("series(100000)", $k::series(100_000), reference_series(GRADE_N)),
                || $k::series(std::hint::black_box(100_000)),
            )
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_baseline_sums_like_the_reference() {
        assert_eq!(baseline_series(Object::from(1000)).real(), reference_series(1000));
        assert_eq!(baseline_series(Object::from(0)).real(), 0.0);
    }

    #[test]
    fn the_32_bit_trap_is_named() {
        let err = check_real("subtract(10.2, 8.5)", 10.2f32 - 8.5f32, 10.2f64 - 8.5f64).unwrap_err();
        assert!(err.contains("got      1.6999998092651367 (f32)"), "{err}");
        assert!(err.contains("32-bit trap"), "{err}");
        // Right type, wrong value: no trap message.
        let err = check_real("add(2, 3)", 6i64, 5.0).unwrap_err();
        assert!(!err.contains("32-bit"), "{err}");
        assert_eq!(check_real("add(2, 3)", 5i64, 5.0), Ok(()));
        // An f64 sum in another order: off in the last bits, not an f32 value.
        let backwards: f64 = (1..=10_000u32).rev().map(|k| 1.0 / (k as f64 * k as f64)).sum();
        let err = check_real("series(10000)", backwards, reference_series(10_000)).unwrap_err();
        assert!(!err.contains("32-bit") && err.contains("another order"), "{err}");
        // The same sum in f32, returned as f64: the trap, whatever the declared type.
        let in_f32: f32 = (1..=10_000u32).map(|k| 1.0 / (k as f32 * k as f32)).sum();
        let err = check_real("series(10000)", in_f32 as f64, reference_series(10_000)).unwrap_err();
        assert!(err.contains("32-bit trap"), "{err}");
    }
}
