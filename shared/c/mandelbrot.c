/* The Python course's escape-time kernel in C:
 *   while zr*zr + zi*zi < lim*lim and count < cutoff:
 *       zr, zi = zr*zr - zi*zi + cr, 2*zr*zi + ci
 * in that evaluation order (a different order changes counts on the set's boundary). */
#include <stddef.h>
#include "hpc_kernels.h"

int hpc_kernel(double zr, double zi, double cr, double ci, double lim, int cutoff) {
    int count = 0;
    while ((zr * zr + zi * zi) < (lim * lim) && count < cutoff) {
        double next_zr = zr * zr - zi * zi + cr;
        zi = 2.0 * zr * zi + ci;
        zr = next_zr;
        count++;
    }
    return count;
}

int hpc_escape_counts(const double *zr, const double *zi, int *counts, size_t n,
                      double cr, double ci, double lim, int cutoff) {
    if (zr == NULL || zi == NULL || counts == NULL) return n == 0 ? HPC_OK : HPC_ERR_NULL;
    for (size_t k = 0; k < n; k++) counts[k] = hpc_kernel(zr[k], zi[k], cr, ci, lim, cutoff);
    return HPC_OK;
}
