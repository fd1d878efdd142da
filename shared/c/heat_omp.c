/* The heat step of heat.c with OpenMP threads: the C peer of the Rust solution's rayon version
 * (exercise 08). Compiled with -fopenmp and linked with libgomp by shared/c-kernels/build.rs. */
#include <stddef.h>
#include "hpc_kernels.h"
#include "heat_row.h"

/* hpc_heat_step with the interior rows split statically across the threads (OMP_NUM_THREADS, by
 * default one per core), as rayon's par_chunks_mut splits them in the Rust solution. Built without
 * OpenMP, the pragma is ignored and this is hpc_heat_step. In its own file (its own object in the
 * library), so that only programs that call it need libgomp. */
int hpc_heat_step_omp(const double *u, double *u_new, size_t rows, size_t cols,
                      double a, double dt, double dx2, double dy2) {
    int code;
    if (!prepare(u, u_new, rows, cols, &code)) return code;
    const double cx = a * dt / dx2, cy = a * dt / dy2;
    const long last = (long)rows - 1;
#pragma omp parallel for schedule(static)
    for (long i = 1; i < last; i++)
        step_row(u + (i - 1) * cols, u + i * cols, u + (i + 1) * cols, u_new + i * cols, cols, cx, cy);
    return HPC_OK;
}
