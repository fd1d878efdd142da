//! Solution to exercise 07: both directions across the C boundary, with every check made on
//! the Rust side before a pointer crosses.

use harness::heat::Params;
use harness::interop::{FfiError, HPC_ERR_NULL, HPC_ERR_SIZE, HPC_OK};
use std::ffi::c_int;

/// Rows × columns, refusing an empty or overflowing shape.
fn cells(rows: usize, cols: usize) -> Result<usize, FfiError> {
    rows.checked_mul(cols).filter(|&n| n > 0).ok_or(FfiError::BadSize)
}

fn expect_len(found: usize, expected: usize) -> Result<(), FfiError> {
    if found == expected { Ok(()) } else { Err(FfiError::LengthMismatch { expected, found }) }
}

// ---- Calling C from Rust --------------------------------------------------------------------

/// One heat step computed by the C kernel (`shared/c/heat.c`), behind a safe signature.
pub fn c_heat_step(u: &[f64], out: &mut [f64], rows: usize, cols: usize, p: &Params) -> Result<(), FfiError> {
    let n = cells(rows, cols)?;
    expect_len(u.len(), n)?;
    expect_len(out.len(), n)?;
    // SAFETY: both slices hold exactly rows × cols values (checked above), and a shared and a
    // mutable borrow cannot overlap, as the C function requires.
    let code = unsafe { c_kernels::hpc_heat_step(u.as_ptr(), out.as_mut_ptr(), rows, cols, p.a, p.dt, p.dx2, p.dy2) };
    FfiError::check(code)
}

/// Escape counts of the C kernel for the starting points `(zr[k], zi[k])` and constant `c`.
pub fn c_escape_counts(zr: &[f64], zi: &[f64], c: (f64, f64), lim: f64, cutoff: u32) -> Result<Vec<u32>, FfiError> {
    expect_len(zi.len(), zr.len())?;
    let cutoff = c_int::try_from(cutoff).map_err(|_| FfiError::TooLarge(cutoff.into()))?;
    let mut counts: Vec<c_int> = vec![0; zr.len()];
    // SAFETY: zr, zi and counts all hold zr.len() values (checked above).
    let code = unsafe {
        c_kernels::hpc_escape_counts(zr.as_ptr(), zi.as_ptr(), counts.as_mut_ptr(), zr.len(), c.0, c.1, lim, cutoff)
    };
    FfiError::check(code)?;
    // Counts are in 0..=cutoff, so never negative.
    Ok(counts.into_iter().map(|k| k as u32).collect())
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
    if u.is_null() || u_new.is_null() {
        return HPC_ERR_NULL;
    }
    let Ok(n) = cells(rows, cols) else { return HPC_ERR_SIZE };
    // SAFETY: non-null (checked); the header's contract is that each points to rows × cols
    // doubles and that they do not overlap, which is all C can promise.
    let (u, out) = unsafe { (std::slice::from_raw_parts(u, n), std::slice::from_raw_parts_mut(u_new, n)) };
    heat_step(u, out, rows, cols, &Params::course());
    HPC_OK
}

/// Exported to C as `int hpc_rust_kernel(double zr, double zi, double cr, double ci, double
/// lim, int cutoff)`; a negative cutoff means no iterations.
#[unsafe(no_mangle)]
pub extern "C" fn hpc_rust_kernel(zr: f64, zi: f64, cr: f64, ci: f64, lim: f64, cutoff: c_int) -> c_int {
    let cutoff = u32::try_from(cutoff).unwrap_or(0);
    kernel(zr, zi, cr, ci, lim, cutoff) as c_int
}
