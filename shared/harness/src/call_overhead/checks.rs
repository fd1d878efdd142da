//! The correctness suite every exercise-05 crate runs, through
//! [`call_overhead_tests!`](crate::call_overhead_tests): the same checks for the learner's code
//! and the solution, written once. The inputs are every n up to [`CHECK_MAX_N`]: the whole range
//! the naive recursion can reach quickly in a debug build, so nothing is left to sampling.

use super::{CHECK_MAX_N, CallLadder, reference};
use crate::property::call_caught;

/// One rung against the reference for every n in 0..=[`CHECK_MAX_N`].
pub fn rung_matches_the_reference(name: &str, f: fn(u32) -> u64) {
    for n in 0..=CHECK_MAX_N {
        match call_caught(name, f, n) {
            Ok(got) if got == reference(n) => {}
            Ok(got) => panic!("{name}({n}) returned {got}, but F({n}) = {}", reference(n)),
            Err(message) => panic!("{message}"),
        }
    }
}

pub fn cpdef_matches_the_reference<L: CallLadder>() {
    rung_matches_the_reference("cpdef", L::cpdef);
}

pub fn cdef_matches_the_reference<L: CallLadder>() {
    rung_matches_the_reference("cdef", L::cdef);
}

pub fn c_matches_the_reference<L: CallLadder>() {
    rung_matches_the_reference("c", L::c);
}

/// Expands to the exercise-05 test suite for a [`CallLadder`] type:
/// `harness::call_overhead_tests!(call_overhead::Ladder);` in `tests/correctness.rs`.
#[macro_export]
macro_rules! call_overhead_tests {
    ($ladder:ty) => {
        #[test]
        fn cpdef_matches_the_reference() {
            $crate::call_overhead::checks::cpdef_matches_the_reference::<$ladder>();
        }
        #[test]
        fn cdef_matches_the_reference() {
            $crate::call_overhead::checks::cdef_matches_the_reference::<$ladder>();
        }
        #[test]
        fn c_matches_the_reference() {
            $crate::call_overhead::checks::c_matches_the_reference::<$ladder>();
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference itself, as every rung: the suite passes on right answers.
    struct Right;
    impl CallLadder for Right {
        fn cpdef(n: u32) -> u64 {
            reference(n)
        }
        fn cdef(n: u32) -> u64 {
            reference(n)
        }
        fn c(n: u32) -> u64 {
            reference(n)
        }
    }

    mod the_reference_passes_the_suite {
        crate::call_overhead_tests!(super::Right);
    }

    #[test]
    fn an_off_by_one_recursion_is_caught() {
        fn shifted(n: u32) -> u64 {
            reference(n + 1)
        }
        let err = std::panic::catch_unwind(|| rung_matches_the_reference("cdef", shifted)).unwrap_err();
        let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
        assert_eq!(msg, "cdef(0) returned 1, but F(0) = 0");
    }
}
