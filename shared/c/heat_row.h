/* The heat step's pieces shared by heat.c and heat_omp.c (internal: not part of the API). */
#ifndef HPC_HEAT_ROW_H
#define HPC_HEAT_ROW_H
#include <stddef.h>
#include "hpc_codes.h"

/* One output row from the three input rows around it; the end cells are boundary values. */
static inline void step_row(const double *restrict north, const double *restrict row,
                            const double *restrict south, double *restrict out, size_t cols,
                            double cx, double cy) {
    out[0] = row[0];
    out[cols - 1] = row[cols - 1];
    for (size_t j = 1; j < cols - 1; j++) {
        double c = row[j];
        out[j] = c + cx * (south[j] - 2.0 * c + north[j]) + cy * (row[j + 1] - 2.0 * c + row[j - 1]);
    }
}

/* Checks the arguments and does what needs no stencil; 1 when the interior is still to do. */
static inline int prepare(const double *u, double *u_new, size_t rows, size_t cols, int *code) {
    *code = HPC_OK;
    if (u == NULL || u_new == NULL) {
        *code = HPC_ERR_NULL;
        return 0;
    }
    if (rows == 0 || cols == 0) {
        *code = HPC_ERR_SIZE;
        return 0;
    }
    if (rows < 3 || cols < 3) {
        for (size_t k = 0; k < rows * cols; k++) u_new[k] = u[k];
        return 0;
    }
    for (size_t j = 0; j < cols; j++) {
        u_new[j] = u[j];
        u_new[(rows - 1) * cols + j] = u[(rows - 1) * cols + j];
    }
    return 1;
}
#endif
