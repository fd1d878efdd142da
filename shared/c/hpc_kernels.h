/* C kernels of the course, called from Rust through the `c-kernels` crate, which builds them
 * with -O3 -ffp-contract=off and, on x86-64, the Rust builds' instruction set (x86-64-v3). */
#ifndef HPC_KERNELS_H
#define HPC_KERNELS_H
#include <stddef.h>

#include "hpc_codes.h"

int hpc_heat_step(const double *u, double *u_new, size_t rows, size_t cols,
                  double a, double dt, double dx2, double dy2);
/* hpc_heat_step with the rows split across OpenMP threads (OMP_NUM_THREADS). */
int hpc_heat_step_omp(const double *u, double *u_new, size_t rows, size_t cols,
                      double a, double dt, double dx2, double dy2);
int hpc_kernel(double zr, double zi, double cr, double ci, double lim, int cutoff);
int hpc_escape_counts(const double *zr, const double *zi, int *counts, size_t n,
                      double cr, double ci, double lim, int cutoff);
#endif
