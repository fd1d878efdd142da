/* The heat stencil in C, for the course's C-interop lessons: one explicit step of the 2-D
 * heat equation, same arithmetic as the Rust baseline (operation for operation, so results
 * are bit-identical when compiled without -ffast-math).
 *
 * Returns 0 on success, HPC_ERR_NULL for a null pointer, HPC_ERR_SIZE for a shape without
 * cells. Boundaries (outer rows and columns) are copied, not updated: only they, so the
 * step makes one pass over memory. */
#include <stddef.h>
#include "hpc_kernels.h"

int hpc_heat_step(const double *u, double *u_new, size_t rows, size_t cols,
                  double a, double dt, double dx2, double dy2) {
    if (u == NULL || u_new == NULL) return HPC_ERR_NULL;
    if (rows == 0 || cols == 0) return HPC_ERR_SIZE;
    if (rows < 3 || cols < 3) {
        for (size_t k = 0; k < rows * cols; k++) u_new[k] = u[k];
        return HPC_OK;
    }
    for (size_t j = 0; j < cols; j++) {
        u_new[j] = u[j];
        u_new[(rows - 1) * cols + j] = u[(rows - 1) * cols + j];
    }
    for (size_t i = 1; i < rows - 1; i++) {
        u_new[i * cols] = u[i * cols];
        u_new[i * cols + cols - 1] = u[i * cols + cols - 1];
        for (size_t j = 1; j < cols - 1; j++) {
            size_t k = i * cols + j;
            u_new[k] = u[k] + a * dt * ((u[k + cols] - 2.0 * u[k] + u[k - cols]) / dx2
                                      + (u[k + 1] - 2.0 * u[k] + u[k - 1]) / dy2);
        }
    }
    return HPC_OK;
}
