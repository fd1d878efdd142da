//! Exercise 07, C interop: the error type the safe wrappers return, Rust references for the
//! C kernels, and the shared checks (which also build a C program against the learner's
//! static library and call its shared library from Python).

pub mod checks;
pub mod driver;
pub mod remote;

/// The trusted side of grading: no timed stage, the checks of tasks 1 to 3 (see [`remote`]).
pub use remote::spec;

use crate::heat::{Baseline, Grid, HeatSolver, Params};
use std::ffi::c_int;

/// Success, and the error codes shared by the C kernels and the Rust exports
/// (`shared/c/hpc_codes.h`), defined once in the bindings crate.
pub use c_kernels::{HPC_ERR_NULL, HPC_ERR_SIZE, HPC_OK};

/// `main` of the exercise's `tests/grade.rs`: serves the crate's functions to the checks of
/// tasks 1 to 3, run by the judge (`functions`: [`interop_functions!`](crate::interop_functions)).
pub fn grade_main(functions: Vec<crate::remote::Function<'_>>) -> std::process::ExitCode {
    crate::worker::serve_candidate_with(remote::EXERCISE, Vec::new(), functions)
}

/// What can go wrong at the boundary, found *before* a pointer crosses it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum FfiError {
    #[error("a buffer holds {found} values where {expected} are needed")]
    LengthMismatch { expected: usize, found: usize },
    #[error("the shape has no cells, or more than fit in memory")]
    BadSize,
    #[error("{0} does not fit in a C int")]
    TooLarge(u64),
    #[error("a null pointer reached the C code")]
    NullPointer,
    #[error("the C code returned the unknown error code {0}")]
    Unknown(c_int),
}

impl FfiError {
    /// Turns a C return code into a `Result`.
    pub fn check(code: c_int) -> Result<(), FfiError> {
        match code {
            HPC_OK => Ok(()),
            HPC_ERR_NULL => Err(FfiError::NullPointer),
            HPC_ERR_SIZE => Err(FfiError::BadSize),
            other => Err(FfiError::Unknown(other)),
        }
    }
}

/// The Python course's escape-time kernel, in its exact evaluation order (exercise 04's).
pub use crate::mandelbrot::kernel as reference_kernel;

/// One heat step of the frozen baseline, on a flat row-major field.
pub fn reference_heat_step(u: &[f64], rows: usize, cols: usize) -> Vec<f64> {
    let mut field = Baseline::from_grid(&Grid::new(rows, cols, u.to_vec()));
    Baseline::evolve(&mut field, &Params::course(), 1);
    Baseline::to_grid(&field).data
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_errors() {
        assert_eq!(FfiError::check(HPC_OK), Ok(()));
        assert_eq!(FfiError::check(HPC_ERR_NULL), Err(FfiError::NullPointer));
        assert_eq!(FfiError::check(-7), Err(FfiError::Unknown(-7)));
        assert_eq!(
            FfiError::LengthMismatch { expected: 9, found: 8 }.to_string(),
            "a buffer holds 8 values where 9 are needed"
        );
    }

    #[test]
    fn the_reference_kernel_counts_like_the_course() {
        assert_eq!(reference_kernel(0.0, 0.0, 1.0, 1.0, 2.0, 255), 2);
        assert_eq!(reference_kernel(0.0, 0.0, 0.0, 0.0, 2.0, 255), 255);
        assert_eq!(reference_kernel(3.0, 0.0, 0.0, 0.0, 2.0, 255), 0);
    }

    #[test]
    fn the_reference_step_cools_a_hot_centre() {
        let out = reference_heat_step(&[0.0, 0.0, 0.0, 0.0, 100.0, 0.0, 0.0, 0.0, 0.0], 3, 3);
        assert!(out[4].abs() < 1e-12 && out[0] == 0.0, "{out:?}");
    }
}
