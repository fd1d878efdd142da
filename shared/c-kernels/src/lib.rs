//! Raw bindings to the course's C kernels (`shared/c/`), compiled by `build.rs` with `-O3`,
//! `-ffp-contract=off`, the Rust build's instruction set (`-march=x86-64-v3` on x86-64) and
//! OpenMP.
//!
//! Everything here is `unsafe` and takes raw pointers, as C does: the safe wrappers are the
//! subject of exercise 07 (c-interop). The declarations must match `shared/c/hpc_kernels.h`, the codes `shared/c/hpc_codes.h`.

use std::ffi::c_int;

/// Success.
pub const HPC_OK: c_int = 0;
/// A null pointer was passed where data was required.
pub const HPC_ERR_NULL: c_int = -1;
/// The sizes describe no cells.
pub const HPC_ERR_SIZE: c_int = -2;

unsafe extern "C" {
    /// One heat step from `u` into `u_new`, both `rows * cols` doubles, row-major.
    ///
    /// # Safety
    /// `u` and `u_new` must be valid for `rows * cols` reads / writes and must not overlap.
    pub fn hpc_heat_step(
        u: *const f64,
        u_new: *mut f64,
        rows: usize,
        cols: usize,
        a: f64,
        dt: f64,
        dx2: f64,
        dy2: f64,
    ) -> c_int;

    /// [`hpc_heat_step`] with the interior rows split across OpenMP threads
    /// (`#pragma omp parallel for schedule(static)`; `OMP_NUM_THREADS`, by default one per core).
    ///
    /// # Safety
    /// As for [`hpc_heat_step`].
    pub fn hpc_heat_step_omp(
        u: *const f64,
        u_new: *mut f64,
        rows: usize,
        cols: usize,
        a: f64,
        dt: f64,
        dx2: f64,
        dy2: f64,
    ) -> c_int;

    /// The Python course's escape-time kernel; safe to call with any values.
    pub fn hpc_kernel(zr: f64, zi: f64, cr: f64, ci: f64, lim: f64, cutoff: c_int) -> c_int;

    /// `counts[k] = hpc_kernel(zr[k], zi[k], cr, ci, lim, cutoff)` for `k < n`.
    ///
    /// # Safety
    /// `zr`, `zi` must be valid for `n` reads and `counts` for `n` writes.
    pub fn hpc_escape_counts(
        zr: *const f64,
        zi: *const f64,
        counts: *mut c_int,
        n: usize,
        cr: f64,
        ci: f64,
        lim: f64,
        cutoff: c_int,
    ) -> c_int;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_c_kernels_link_and_answer() {
        // SAFETY: plain values, no pointers.
        assert_eq!(unsafe { hpc_kernel(0.0, 0.0, 1.0, 1.0, 2.0, 255) }, 2);
        let u = [0.0, 0.0, 0.0, 0.0, 100.0, 0.0, 0.0, 0.0, 0.0];
        let mut out = [1.0; 9];
        // SAFETY: both buffers hold 3 × 3 doubles and do not overlap.
        let code = unsafe { hpc_heat_step(u.as_ptr(), out.as_mut_ptr(), 3, 3, 0.5, 5e-5, 1e-4, 1e-4) };
        assert_eq!(code, HPC_OK);
        assert!(out[4].abs() < 1e-12 && out[0] == 0.0, "{out:?}");
        let mut omp = [1.0; 9];
        // SAFETY: as above.
        let code = unsafe { hpc_heat_step_omp(u.as_ptr(), omp.as_mut_ptr(), 3, 3, 0.5, 5e-5, 1e-4, 1e-4) };
        assert_eq!((code, omp), (HPC_OK, out));
        // SAFETY: a null pointer is what is being tested; C checks it before any access.
        let code = unsafe { hpc_heat_step(std::ptr::null(), out.as_mut_ptr(), 3, 3, 0.5, 5e-5, 1e-4, 1e-4) };
        assert_eq!(code, HPC_ERR_NULL);
    }

    #[test]
    fn openmp_rows_give_the_serial_result() {
        let (rows, cols) = (37, 23);
        let u: Vec<f64> = (0..rows * cols).map(|k| ((k * 7919) % 101) as f64).collect();
        let (mut serial, mut omp) = (vec![f64::NAN; u.len()], vec![f64::NAN; u.len()]);
        // SAFETY: every buffer holds rows × cols doubles; outputs and input do not overlap.
        unsafe {
            assert_eq!(hpc_heat_step(u.as_ptr(), serial.as_mut_ptr(), rows, cols, 0.5, 5e-5, 1e-4, 1e-4), HPC_OK);
            assert_eq!(hpc_heat_step_omp(u.as_ptr(), omp.as_mut_ptr(), rows, cols, 0.5, 5e-5, 1e-4, 1e-4), HPC_OK);
        }
        assert_eq!(serial, omp);
        // SAFETY: no cells, nothing is read or written.
        let code = unsafe { hpc_heat_step_omp(u.as_ptr(), omp.as_mut_ptr(), 0, 3, 0.5, 5e-5, 1e-4, 1e-4) };
        assert_eq!(code, HPC_ERR_SIZE);
    }
}
