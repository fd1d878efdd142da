/* Functions a Rust library exports to C (exercise 07, c-interop). Written by hand: the Rust
 * signatures in src/lib.rs and these must agree, which the C test program checks by calling
 * them. Link with the crate's static library: gcc call_rust.c libc_interop.a -lm -lpthread -ldl */
#ifndef HPC_RUST_H
#define HPC_RUST_H
#include <stddef.h>

#include "hpc_codes.h"

/* One heat step from u into u_new (both rows*cols doubles), the course's parameters. */
int hpc_rust_heat_step(const double *u, double *u_new, size_t rows, size_t cols);
/* The course's escape-time kernel. */
int hpc_rust_kernel(double zr, double zi, double cr, double ci, double lim, int cutoff);
#endif
