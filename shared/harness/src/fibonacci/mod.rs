//! Exercise 06, naive recursion against memoisation: shared pieces.
//!
//! Every version returns `Result<u128, FibError>`: F(n) for n ≤ [`MAX_N`] = 186, the largest
//! Fibonacci number that fits in a `u128`, and [`FibError::TooLarge`] beyond, never a
//! wrapped-around number or a panic.
//!
//! - [`Fibonacci`]: what an exercise implements.
//! - [`naive`]: the frozen starting code (the Python course's recursion), the timing baseline.
//! - [`reference()`]: a plain checked loop, the correctness reference.

mod baseline;
#[cfg(feature = "bench")]
pub mod bench;
pub mod checks;

pub use baseline::naive;

use crate::property::call_caught;
use crate::protocol::Work;
use crate::roofline::Roof;
use crate::worker::{self, Batch, BatchWriter, ExerciseSpec, StageRunner, StageSpec};
use std::process::ExitCode;

/// The name of the exercise in `course.toml`.
pub const EXERCISE: &str = "fibonacci-memo";

/// The largest n with F(n) < 2¹²⁸.
pub const MAX_N: u32 = 186;

/// The Python course's n (`python3 -m timeit "fibonacci(30)"`): the graded call is F(30).
pub const COURSE_N: u32 = 30;

/// Why there is no answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FibError {
    #[error("F({n}) does not fit in a u128: the largest that does is F({MAX_N})")]
    TooLarge { n: u32 },
}

/// `Ok(())` for n ≤ [`MAX_N`], the error otherwise: the check every version starts with.
pub fn check_n(n: u32) -> Result<(), FibError> {
    if n <= MAX_N { Ok(()) } else { Err(FibError::TooLarge { n }) }
}

/// What an exercise provides: F(n) five ways, all with F(0) = 0, F(1) = 1.
pub trait Fibonacci {
    /// The naive recursion (the starting code).
    fn naive(n: u32) -> Result<u128, FibError>;
    /// Top-down recursion remembering results in a `HashMap`.
    fn memo(n: u32) -> Result<u128, FibError>;
    /// Top-down recursion remembering results in a `Vec` indexed by n.
    fn table(n: u32) -> Result<u128, FibError>;
    /// Bottom-up loop keeping the last two numbers.
    fn iterative(n: u32) -> Result<u128, FibError>;
    /// Fast doubling: F(2k) = F(k)·(2F(k+1) − F(k)), F(2k+1) = F(k)² + F(k+1)².
    fn doubling(n: u32) -> Result<u128, FibError>;
    /// The naive recursion wrapped in the crate's `memoize` helper, with a fresh cache.
    fn memoized(n: u32) -> Result<u128, FibError>;
}

/// A version of F(n), by name.
pub type Version = (&'static str, fn(u32) -> Result<u128, FibError>);

/// Every version of `F` but the naive one, by name.
pub fn versions<F: Fibonacci>() -> [Version; 5] {
    [
        ("memo", F::memo),
        ("table", F::table),
        ("iterative", F::iterative),
        ("doubling", F::doubling),
        ("memoized", F::memoized),
    ]
}

/// The graded versions: each is timed against [`naive`] at [`COURSE_N`].
pub fn graded<F: Fibonacci>() -> [Version; 4] {
    [("memo", F::memo), ("table", F::table), ("iterative", F::iterative), ("doubling", F::doubling)]
}

/// F(n) by a checked loop: the correctness reference.
pub fn reference(n: u32) -> Result<u128, FibError> {
    check_n(n)?;
    let (mut a, mut b) = (0u128, 1u128);
    for _ in 0..n {
        // At n = MAX_N the last `a + b` would be F(MAX_N + 1), which does not fit: only F(n) is needed.
        (a, b) = (b, a.checked_add(b).unwrap_or(0));
    }
    Ok(a)
}

/// The n every version is checked at: all that fit, the first that does not, and far beyond.
pub fn checked_ns() -> impl Iterator<Item = u32> {
    (0..=MAX_N).chain([MAX_N + 1, MAX_N + 2, 1000, u32::MAX])
}

/// `f` against the reference at every n of [`checked_ns`]; `Err` says the first n that differs.
pub fn check_version(name: &str, f: fn(u32) -> Result<u128, FibError>) -> Result<(), String> {
    for n in checked_ns() {
        let got = call_caught(name, f, n)?;
        let want = reference(n);
        if got != want {
            return Err(format!("{name}({n}) returned {got:?}, expected {want:?}"));
        }
    }
    Ok(())
}

/// Every version of `F` (the naive one on small n only: it is exponential).
pub fn check_all<F: Fibonacci>() -> Result<(), String> {
    for n in (0..=20).chain([MAX_N + 1, u32::MAX]) {
        let got = call_caught("naive", F::naive, n)?;
        if got != reference(n) {
            return Err(format!("naive({n}) returned {got:?}, expected {:?}", reference(n)));
        }
    }
    versions::<F>().into_iter().try_for_each(|(name, f)| check_version(name, f))
}

/// `main` of an exercise's `tests/grade.rs`: serves each graded version to the judge.
pub fn grade_main<F: Fibonacci>() -> ExitCode {
    let stages =
        graded::<F>().into_iter().map(|(name, f)| (name, Box::new(runner(f)) as Box<dyn StageRunner>)).collect();
    worker::serve_candidate(EXERCISE, stages)
}

/// F(n) for every n in the batch (4-byte items); each answer is 16 bytes of F(n), or all ones
/// for an error.
fn runner(f: fn(u32) -> Result<u128, FibError>) -> impl StageRunner {
    move |input: &Batch<'_>, out: &mut BatchWriter| {
        for item in input.items() {
            let n = u32::from_le_bytes(item[..4].try_into().expect("4 bytes"));
            out.push(&f(n).unwrap_or(u128::MAX).to_le_bytes());
        }
    }
}

/// The trusted side of grading: every graded version against [`naive`] at [`COURSE_N`]. The
/// workload is n itself, so n cannot vary: a cache kept between calls is not ruled out here
/// (see the lesson, which explains why such a cache does not measure the algorithm).
pub fn spec() -> ExerciseSpec {
    let stage = |name| {
        StageSpec {
        name,
        work: Work {
            unit: format!("F({COURSE_N})"),
            per_call: 1.0,
            roof: Some(Roof::Unbounded {
                why: "the stages differ in how many steps their algorithm takes: a better algorithm, not the hardware, is the limit"
                    .into(),
            }),
            // None: F(30) by the doubling formulas is a handful of multiplies, no faster
            // to tell apart from a table lookup than the time of one call.
            floor: None,
        },
        input: |_| COURSE_N.to_le_bytes().to_vec(),
        check: |input, got| {
            let n = u32::from_le_bytes(input[..4].try_into().expect("4 bytes"));
            let got = got.get(..16).map(|b| u128::from_le_bytes(b.try_into().expect("16 bytes")));
            let want = reference(n).unwrap_or(u128::MAX);
            match got {
                Some(g) if g == want => Ok(()),
                g => Err(format!("F({n}) returned {g:?}, expected {want}")),
            }
        },
        baseline: || Box::new(runner(naive)),
    }
    };
    ExerciseSpec {
        exercise: EXERCISE,
        tasks: Vec::new(),
        stages: vec![stage("memo"), stage("table"), stage("iterative"), stage("doubling")],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_knows_its_limits() {
        assert_eq!(reference(0), Ok(0));
        assert_eq!(reference(30), Ok(832_040));
        assert_eq!(reference(186), Ok(332_825_110_087_067_562_321_196_029_789_634_457_848));
        assert_eq!(reference(185).unwrap().checked_add(reference(186).unwrap()), None, "F(187) overflows");
        assert_eq!(reference(187), Err(FibError::TooLarge { n: 187 }));
        let msg = FibError::TooLarge { n: 187 }.to_string();
        assert_eq!(msg, "F(187) does not fit in a u128: the largest that does is F(186)");
    }

    #[test]
    fn the_naive_baseline_agrees_on_small_n_and_refuses_large_ones_at_once() {
        for n in 0..=20 {
            assert_eq!(naive(n), reference(n), "n = {n}");
        }
        assert_eq!(naive(u32::MAX), Err(FibError::TooLarge { n: u32::MAX }));
    }

    #[test]
    fn a_version_off_at_the_top_is_caught() {
        fn wraps(n: u32) -> Result<u128, FibError> {
            if n == MAX_N + 1 { Ok(0) } else { reference(n) }
        }
        assert_eq!(
            check_version("iterative", wraps).unwrap_err(),
            "iterative(187) returned Ok(0), expected Err(TooLarge { n: 187 })"
        );
        fn panics(n: u32) -> Result<u128, FibError> {
            if n == MAX_N { panic!("attempt to add with overflow") } else { reference(n) }
        }
        let msg = check_version("doubling", panics).unwrap_err();
        assert_eq!(msg, "doubling(186) panicked: attempt to add with overflow");
    }
}
