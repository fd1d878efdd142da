/* The heat stencil in C, for the course's C-interop lessons and the C peers of exercise 08:
 * one explicit step of the 2-D heat equation with the same arithmetic as the Rust solution
 * (solutions/08-heat-fast): the coefficients a*dt/dx2 and a*dt/dy2 are computed once, and every
 * cell is  c + cx*(south - 2c + north) + cy*(east - 2c + west),  operation for operation. Built
 * with -ffp-contract=off (shared/c-kernels/build.rs), so gcc fuses no multiply-add that Rust
 * does not fuse either: the results are bit-identical to the Rust solution's, and within 1e-15
 * relative of the dividing baseline's (exercise 01), well inside the course's 1e-12.
 *
 * Returns 0 on success, HPC_ERR_NULL for a null pointer, HPC_ERR_SIZE for a shape without
 * cells. Boundaries (outer rows and columns) are copied, not updated: only they, so the
 * step makes one pass over memory. The OpenMP version is in heat_omp.c: its own object file,
 * so a program that links this library without OpenMP (exercise 07's C caller) can still use
 * hpc_heat_step. */
#include <stddef.h>
#include "hpc_kernels.h"
#include "heat_row.h"

int hpc_heat_step(const double *u, double *u_new, size_t rows, size_t cols,
                  double a, double dt, double dx2, double dy2) {
    int code;
    if (!prepare(u, u_new, rows, cols, &code)) return code;
    const double cx = a * dt / dx2, cy = a * dt / dy2;
    for (size_t i = 1; i < rows - 1; i++)
        step_row(u + (i - 1) * cols, u + i * cols, u + (i + 1) * cols, u_new + i * cols, cols, cx, cy);
    return HPC_OK;
}
