//! Exercise 07's tasks 1 to 3 checked by the judge (see [`crate::remote`]): the safe wrappers
//! and the exported functions as proxies for the reference worker ([`proxy`]) and as served
//! functions for the candidate ([`interop_functions!`](crate::interop_functions)).
//!
//! Tasks 4 and 5 (a C program and Python calling the learner's library) run the course's own
//! program in another language: the judge runs it, on the learner's library, for the check's
//! requests ([`crate::remote::program`]), and the check here judges the answers.

use super::checks;
use crate::worker::{ExerciseSpec, TaskSpec};

/// The name of the exercise in `course.toml`.
pub const EXERCISE: &str = "c-interop";

/// The most values a pointer of an exported function is taken to hold (a check's fields are
/// small): beyond it, or when `rows × cols` overflows, the call gets empty buffers, so code
/// that does not refuse the size reads past them, as it would in C.
const MOST_VALUES: usize = 1 << 16;

/// The trusted side of exercise 07: no timed stage, the checks of its five tasks.
pub fn spec() -> ExerciseSpec {
    use crate::remote::program;
    use proxy::*;
    ExerciseSpec {
        exercise: EXERCISE,
        stages: Vec::new(),
        tasks: vec![
            TaskSpec { name: "task_1_c_heat_step", check: || checks::task_1_c_heat_step(c_heat_step) },
            TaskSpec { name: "task_2_c_escape_counts", check: || checks::task_2_c_escape_counts(c_escape_counts) },
            TaskSpec { name: "task_3_exports", check: || checks::task_3_exports(hpc_rust_heat_step, hpc_rust_kernel) },
            TaskSpec {
                name: "task_4_c_calls_rust",
                check: || checks::task_4_c_calls_rust(&|requests| program("c-calls-rust", requests)),
            },
            TaskSpec {
                name: "task_5_python_calls_rust",
                check: || checks::task_5_python_calls_rust(&|requests| program("python-calls-rust", requests)),
            },
        ],
    }
}

/// The values a buffer of an exported function's call holds: `rows × cols` of them, none when
/// that overflows or is implausibly large.
pub fn values_of(rows: usize, cols: usize) -> usize {
    rows.checked_mul(cols).filter(|&n| n <= MOST_VALUES).unwrap_or(0)
}

/// The learner's functions as the reference worker calls them.
pub mod proxy {
    use super::super::FfiError;
    use super::values_of;
    use crate::heat::Params;
    use crate::remote::{call, call_c};
    use std::ffi::c_int;

    pub fn c_heat_step(u: &[f64], out: &mut [f64], rows: usize, cols: usize, p: &Params) -> Result<(), FfiError> {
        let (result, written): (Result<(), FfiError>, Vec<f64>) = call("c_heat_step", &(u, &*out, rows, cols, p));
        if written.len() == out.len() {
            out.copy_from_slice(&written);
        }
        result
    }

    pub fn c_escape_counts(zr: &[f64], zi: &[f64], c: (f64, f64), lim: f64, cutoff: u32) -> Result<Vec<u32>, FfiError> {
        call("c_escape_counts", &(zr, zi, c, lim, cutoff))
    }

    /// # Safety
    /// As the C header says: `u` and `out` are null or hold `rows × cols` values.
    pub unsafe extern "C" fn hpc_rust_heat_step(u: *const f64, out: *mut f64, rows: usize, cols: usize) -> c_int {
        let n = values_of(rows, cols);
        // SAFETY: the caller vouches for `n` values behind each pointer that is not null.
        let input = (!u.is_null()).then(|| unsafe { std::slice::from_raw_parts(u, n) }.to_vec());
        // SAFETY: as for `u`.
        let output = (!out.is_null()).then(|| unsafe { std::slice::from_raw_parts(out, n) }.to_vec());
        let (code, written): (c_int, Option<Vec<f64>>) =
            call_c("hpc_rust_heat_step", &(input, output, rows, cols), (c_int::MIN, None));
        if let Some(written) = written.filter(|w| w.len() == n && !out.is_null()) {
            // SAFETY: as above, `out` holds `n` values.
            unsafe { std::slice::from_raw_parts_mut(out, n) }.copy_from_slice(&written);
        }
        code
    }

    pub extern "C" fn hpc_rust_kernel(zr: f64, zi: f64, cr: f64, ci: f64, lim: f64, cutoff: c_int) -> c_int {
        call_c("hpc_rust_kernel", &(zr, zi, cr, ci, lim, cutoff), c_int::MIN)
    }
}

/// Expands to the candidate's table of an exercise-07 crate's functions (see [`proxy`]):
/// `harness::interop_functions!(c_interop)`.
#[macro_export]
macro_rules! interop_functions {
    ($k:ident) => {{
        use $crate::heat::Params;
        use $crate::remote::function;
        vec![
            function("c_heat_step", |(u, mut out, rows, cols, p): (Vec<f64>, Vec<f64>, usize, usize, Params)| {
                let result = $k::c_heat_step(&u, &mut out, rows, cols, &p);
                (result, out)
            }),
            function("c_escape_counts", |(zr, zi, c, lim, cutoff): (Vec<f64>, Vec<f64>, (f64, f64), f64, u32)| {
                $k::c_escape_counts(&zr, &zi, c, lim, cutoff)
            }),
            function(
                "hpc_rust_heat_step",
                |(u, mut out, rows, cols): (Option<Vec<f64>>, Option<Vec<f64>>, usize, usize)| {
                    let u_ptr = u.as_ref().map_or(std::ptr::null(), |v| v.as_ptr());
                    let out_ptr = out.as_mut().map_or(std::ptr::null_mut(), |v| v.as_mut_ptr());
                    // SAFETY: each pointer is null or holds the values the check's own buffer
                    // held (`values_of(rows, cols)`, none for a size it must refuse): the
                    // contract the exported function is written against.
                    let code = unsafe { $k::hpc_rust_heat_step(u_ptr, out_ptr, rows, cols) };
                    (code, out)
                },
            ),
            function("hpc_rust_kernel", |(zr, zi, cr, ci, lim, cutoff): (f64, f64, f64, f64, f64, std::ffi::c_int)| {
                $k::hpc_rust_kernel(zr, zi, cr, ci, lim, cutoff)
            }),
        ]
    }};
}
