/* A C program that calls the Rust library of exercise 07 (c-interop): the heat step on a
 * small field, the kernel at a few points, and the error codes for bad arguments. Prints
 * "ok" and exits 0 when every answer is right. */
#include <math.h>
#include <stdio.h>
#include "hpc_rust.h"

static int failures = 0;

static void expect(int ok, const char *what) {
    if (!ok) {
        printf("FAILED: %s\n", what);
        failures++;
    }
}

int main(void) {
    /* 3x3 field with a hot centre. With the course's values a*dt/dx2 = a*dt/dy2 = 0.25, so one
     * step takes the centre to 100 + 0.25*(-200) + 0.25*(-200) = 0. */
    double u[9] = {0, 0, 0, 0, 100, 0, 0, 0, 0};
    double out[9];
    expect(hpc_rust_heat_step(u, out, 3, 3) == HPC_OK, "heat step returns HPC_OK");
    expect(fabs(out[4] - 0.0) < 1e-12, "heat step cools the centre to 0");
    expect(out[0] == 0.0 && out[8] == 0.0, "heat step keeps the boundary");
    expect(hpc_rust_heat_step(NULL, out, 3, 3) == HPC_ERR_NULL, "a null input is HPC_ERR_NULL");
    expect(hpc_rust_heat_step(u, NULL, 3, 3) == HPC_ERR_NULL, "a null output is HPC_ERR_NULL");
    expect(hpc_rust_heat_step(u, out, 0, 3) == HPC_ERR_SIZE, "zero rows is HPC_ERR_SIZE");

    expect(hpc_rust_kernel(0.0, 0.0, 0.0, 0.0, 2.0, 255) == 255, "the origin never escapes");
    expect(hpc_rust_kernel(0.0, 0.0, 1.0, 1.0, 2.0, 255) == 2, "c = 1+i escapes after 2 steps");
    expect(hpc_rust_kernel(3.0, 0.0, 0.0, 0.0, 2.0, 255) == 0, "a start outside escapes at once");

    if (failures == 0) printf("ok\n");
    return failures == 0 ? 0 : 1;
}
