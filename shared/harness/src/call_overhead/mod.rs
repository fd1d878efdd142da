//! Exercise 05, function-call overhead (`def` / `cpdef` / `cdef`): shared pieces.
//!
//! The workload is the Python course's naive recursive Fibonacci, which is almost nothing but
//! calls: F(n) makes 2·F(n+1) − 1 of them ([`calls`]). Each rung of the ladder computes it
//! with a cheaper kind of call:
//!
//! 1. `def`: the [`dynamic`] model, Python's way ([`fib_def`], the frozen baseline);
//! 2. `cpdef`: typed, but every call goes through a function pointer or trait object the
//!    compiler cannot see through;
//! 3. `cdef`: a plain static call the compiler can inline and transform;
//! 4. `c`: the same function compiled from C, called across the language boundary.
//!
//! [`CallLadder`] is what the exercise implements for rungs 2–4; the grader times each against
//! rung 1 on F([`GRADE_N`]).

mod baseline;
#[cfg(feature = "bench")]
pub mod bench;
pub mod checks;
/// The course-wide dynamic value model, where exercise 05 first met it.
pub use crate::dynamic;

pub use baseline::{fib_def, fib_module};

use crate::property::call_caught;
use crate::protocol::Work;
use crate::roofline::{Floor, Roof};
use crate::worker::{self, Batch, BatchWriter, ExerciseSpec, StageRunner, StageSpec};
use std::process::ExitCode;

/// The name of the exercise in `course.toml`.
pub const EXERCISE: &str = "call-overhead";

/// The graded call computes F(GRADE_N) naively: 392 835 calls, ~50 ms on the `def` rung and
/// ~0.2–0.7 ms on the fast ones (the grader repeats those calls to fill its 20 ms samples).
pub const GRADE_N: u32 = 26;

/// The largest n the correctness check tries on every rung (quick even in a debug build).
pub const CHECK_MAX_N: u32 = 20;

/// The rungs an exercise writes. Each returns F(n) by the naive recursion (the workload is
/// the calls, so keep the recursion), with F(0) = 0, F(1) = 1; n stays ≤ 40 here.
pub trait CallLadder {
    /// Rung 2: a typed function, each recursive call through a pointer the compiler cannot see through.
    fn cpdef(n: u32) -> u64;
    /// Rung 3: a plain static call the compiler can inline.
    fn cdef(n: u32) -> u64;
    /// Rung 4: the C function `hpc_fib` (`shared/c/fib.c`), called through `extern "C"`.
    fn c(n: u32) -> u64;
}

/// A rung: its name and F(n) computed its way.
pub type Rung = (&'static str, fn(u32) -> u64);

/// The rungs by name, as the grader, the tests and the benches list them.
pub fn rungs<L: CallLadder>() -> [Rung; 3] {
    [("cpdef", L::cpdef), ("cdef", L::cdef), ("c", L::c)]
}

/// F(n), by a loop: the correctness reference (exact for n ≤ 93).
pub fn reference(n: u32) -> u64 {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..n {
        (a, b) = (b, a.wrapping_add(b));
    }
    a
}

/// Calls the naive recursion makes for F(n): 2·F(n+1) − 1.
pub fn calls(n: u32) -> u64 {
    2 * reference(n + 1) - 1
}

/// Every rung of `L` against the reference for n = 0..=`max_n`; `Err` says which rung and n.
pub fn check_ladder<L: CallLadder>(max_n: u32) -> Result<(), String> {
    for (name, f) in rungs::<L>() {
        for n in 0..=max_n {
            let got = call_caught(name, f, n)?;
            if got != reference(n) {
                return Err(format!("{name}({n}) returned {got}, but F({n}) = {}", reference(n)));
            }
        }
    }
    Ok(())
}

/// Calls in one graded call, so the report says ns per call.
pub fn grading_work() -> Work {
    Work {
        unit: "call".into(),
        per_call: calls(GRADE_N) as f64,
        roof: Some(Roof::Unbounded {
            why: "the stages time calls, and what a call costs is the lesson: no memory or arithmetic limit bounds it"
                .into(),
        }),
        // The recursion this exercise times reaches F(n) by adding the ones of its leaves:
        // F(n) − 1 additions however its calls are compiled.
        floor: Some(Floor::Ops {
            ops: (reference(GRADE_N) - 1) as f64,
            what: format!("the {} additions of the recursion these stages time", reference(GRADE_N) - 1),
        }),
    }
}

/// `main` of an exercise's `tests/grade.rs`: serves every rung of `L` to the judge.
pub fn grade_main<L: CallLadder>() -> ExitCode {
    let stages =
        rungs::<L>().into_iter().map(|(name, f)| (name, Box::new(runner(f)) as Box<dyn StageRunner>)).collect();
    worker::serve_candidate(EXERCISE, stages)
}

/// F(n) for every n in the batch (4-byte items), each answer 8 bytes.
fn runner(f: impl Fn(u32) -> u64) -> impl StageRunner {
    move |input: &Batch<'_>, out: &mut BatchWriter| {
        for item in input.items() {
            let n = u32::from_le_bytes(item[..4].try_into().expect("4 bytes"));
            out.push(&f(n).to_le_bytes());
        }
    }
}

/// The trusted side of grading: every rung against the `def` baseline at [`GRADE_N`] (the
/// call count is the workload, so n cannot vary; the judge times every call in a process
/// started for it, so no cache outlives a call: `fresh_process_per_call`).
pub fn spec() -> ExerciseSpec {
    let stage = |name| StageSpec {
        name,
        work: grading_work(),
        input: |_| GRADE_N.to_le_bytes().to_vec(),
        check: |input, got| {
            let n = u32::from_le_bytes(input[..4].try_into().expect("4 bytes"));
            let got = got.get(..8).map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")));
            match got {
                Some(g) if g == reference(n) => Ok(()),
                g => Err(format!("F({n}) returned {g:?}, but F({n}) = {}", reference(n))),
            }
        },
        baseline: || {
            let module = fib_module();
            Box::new(runner(move |n| fib_def(&module, n).unwrap_or(u64::MAX)))
        },
    };
    ExerciseSpec { exercise: EXERCISE, stages: vec![stage("cpdef"), stage("cdef"), stage("c")], tasks: Vec::new() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_def_baseline_computes_fibonacci() {
        let module = fib_module();
        let got: Vec<u64> = (0..=15).map(|n| fib_def(&module, n).unwrap()).collect();
        let want = [0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610];
        assert_eq!(got, want);
        assert_eq!(reference(93), 12_200_160_415_121_876_738);
        assert_eq!((calls(0), calls(1), calls(2), calls(GRADE_N)), (1, 1, 3, 392_835));
    }

    struct Broken;
    impl CallLadder for Broken {
        fn cpdef(n: u32) -> u64 {
            reference(n)
        }
        fn cdef(n: u32) -> u64 {
            if n == 17 { 0 } else { reference(n) }
        }
        fn c(_: u32) -> u64 {
            todo!()
        }
    }

    #[test]
    fn a_wrong_rung_is_named_with_its_n() {
        assert_eq!(check_ladder::<Broken>(20).unwrap_err(), "cdef(17) returned 0, but F(17) = 1597");
        let msg = check_ladder::<Broken>(16).unwrap_err();
        assert_eq!(msg, "c(0) panicked: not yet implemented");
    }
}
