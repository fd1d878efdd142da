//! Exercise 07: C interop. Read README.md first.
//!
//! Four things to write, graded by `cargo xtask check c-interop`:
//! 1. `c_heat_step`: a safe wrapper around the C heat kernel (`c_kernels::hpc_heat_step`);
//! 2. `c_escape_counts`: a safe wrapper around the C escape-time kernel;
//! 3. `hpc_rust_heat_step` and `hpc_rust_kernel`: Rust functions exported to C, which a C
//!    program (`shared/c/call_rust.c`) and a Python script (`shared/python/call_rust.py`) call.
//!
//! `heat_step` and `kernel` below are done: the exports can use them.

// The `todo!()`s leave these unused; delete this line when you are done.
#![allow(unused_variables, unused_imports, dead_code)]

use harness::heat::Params;
use harness::interop::{FfiError, HPC_ERR_NULL, HPC_ERR_SIZE, HPC_OK};
use std::ffi::c_int;

/// What the exports return until you write them.
const NOT_WRITTEN_YET: c_int = -99;

// ---- Calling C from Rust --------------------------------------------------------------------

/// One heat step computed by the C kernel (`shared/c/heat.c`), behind a safe signature.
pub fn c_heat_step(u: &[f64], out: &mut [f64], rows: usize, cols: usize, p: &Params) -> Result<(), FfiError> {
    todo!("check the lengths, then call c_kernels::hpc_heat_step in an unsafe block")
}

/// Escape counts of the C kernel for the starting points `(zr[k], zi[k])` and constant `c`.
pub fn c_escape_counts(zr: &[f64], zi: &[f64], c: (f64, f64), lim: f64, cutoff: u32) -> Result<Vec<u32>, FfiError> {
    todo!("check the lengths and the cutoff, then call c_kernels::hpc_escape_counts")
}

// ---- Calling Rust from C (and Python) ----------------------------------------------------------

/// One heat step in Rust: the same arithmetic as the C kernel and the course's baseline.
pub fn heat_step(u: &[f64], out: &mut [f64], rows: usize, cols: usize, p: &Params) {
    out.copy_from_slice(u);
    for i in 1..rows.saturating_sub(1) {
        for j in 1..cols.saturating_sub(1) {
            let k = i * cols + j;
            out[k] = u[k]
                + p.a
                    * p.dt
                    * ((u[k + cols] - 2.0 * u[k] + u[k - cols]) / p.dx2 + (u[k + 1] - 2.0 * u[k] + u[k - 1]) / p.dy2);
        }
    }
}

/// The escape-time kernel in Rust.
pub fn kernel(mut zr: f64, mut zi: f64, cr: f64, ci: f64, lim: f64, cutoff: u32) -> u32 {
    let mut count = 0;
    while zr * zr + zi * zi < lim * lim && count < cutoff {
        (zr, zi) = (zr * zr - zi * zi + cr, 2.0 * zr * zi + ci);
        count += 1;
    }
    count
}

/// Exported to C as `int hpc_rust_heat_step(const double *u, double *u_new, size_t rows,
/// size_t cols)` (`shared/c/hpc_rust.h`): the checks C cannot make for itself are made here,
/// and a bad argument is an error code, never undefined behaviour.
///
/// # Safety
///
/// `u` and `u_new` are null (refused) or each point to `rows × cols` doubles, and do not
/// overlap: the header's contract, which no check here can verify.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hpc_rust_heat_step(u: *const f64, u_new: *mut f64, rows: usize, cols: usize) -> c_int {
    // A panic must not cross into C (it would abort the caller), so this starts by returning
    // a code no caller expects. Replace it: check the pointers and the size, then call
    // `heat_step` on slices made with `std::slice::from_raw_parts`.
    NOT_WRITTEN_YET
}

/// Exported to C as `int hpc_rust_kernel(double zr, double zi, double cr, double ci, double
/// lim, int cutoff)`; a negative cutoff means no iterations.
#[unsafe(no_mangle)]
pub extern "C" fn hpc_rust_kernel(zr: f64, zi: f64, cr: f64, ci: f64, lim: f64, cutoff: c_int) -> c_int {
    NOT_WRITTEN_YET
}
