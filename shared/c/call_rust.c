/* A C program that calls the Rust library of exercise 07 (c-interop): the heat step on a
 * small field, the kernel at a few points, and the error codes for bad arguments. Prints
 * "ok" and exits 0 when every answer is right.
 *
 * `call_rust --serve FILE` answers the requests in FILE instead, one line each, for the
 * course's check of task 4 (harness::interop::driver): the check draws the inputs and judges
 * the answers itself. Every double travels as the 16 hex digits of its bits, so nothing is
 * lost on the way:
 *   heat ROWS COLS IN OUT [V...]   -> CODE [V...]  (IN/OUT 0: a null pointer; V: ROWS*COLS values)
 *   kernel ZR ZI CR CI LIM CUTOFF  -> COUNT */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hpc_rust.h"

static int failures = 0;

static void expect(int ok, const char *what) {
    if (!ok) {
        printf("FAILED: %s\n", what);
        failures++;
    }
}

static double read_double(FILE *in) {
    uint64_t bits = 0;
    double value = NAN;
    if (fscanf(in, "%" SCNx64, &bits) == 1) memcpy(&value, &bits, sizeof value);
    return value;
}

static void write_double(double value) {
    uint64_t bits;
    memcpy(&bits, &value, sizeof bits);
    printf(" %016" PRIx64, bits);
}

static int serve(const char *path) {
    FILE *in = fopen(path, "r");
    if (!in) {
        perror(path);
        return 2;
    }
    char word[16];
    while (fscanf(in, "%15s", word) == 1) {
        if (strcmp(word, "heat") == 0) {
            size_t rows = 0, cols = 0;
            int has_in = 0, has_out = 0;
            if (fscanf(in, "%zu %zu %d %d", &rows, &cols, &has_in, &has_out) != 4) break;
            size_t n = rows * cols > 0 ? rows * cols : 1;
            double *u = calloc(n, sizeof *u), *out = malloc(n * sizeof *out);
            if (!u || !out) return 3;
            for (size_t k = 0; k < n; k++) out[k] = NAN;
            if (has_in)
                for (size_t k = 0; k < rows * cols; k++) u[k] = read_double(in);
            int code = hpc_rust_heat_step(has_in ? u : NULL, has_out ? out : NULL, rows, cols);
            printf("%d", code);
            if (has_out && code == HPC_OK)
                for (size_t k = 0; k < rows * cols; k++) write_double(out[k]);
            printf("\n");
            free(u);
            free(out);
        } else if (strcmp(word, "kernel") == 0) {
            double zr = read_double(in), zi = read_double(in), cr = read_double(in), ci = read_double(in);
            double lim = read_double(in);
            int cutoff = 0;
            if (fscanf(in, "%d", &cutoff) != 1) break;
            printf("%d\n", hpc_rust_kernel(zr, zi, cr, ci, lim, cutoff));
        } else {
            fprintf(stderr, "unknown request '%s'\n", word);
            return 2;
        }
    }
    fclose(in);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--serve") == 0) return serve(argv[2]);
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
