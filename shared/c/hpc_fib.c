/* Exercise 05's C rung; see hpc_fib.h. */
#include "hpc_fib.h"

uint64_t hpc_fib(uint32_t n) {
    if (n < 2) {
        return n;
    }
    return hpc_fib(n - 2) + hpc_fib(n - 1);
}

uint64_t hpc_fib_step(uint32_t n, uint64_t (*recurse)(uint32_t)) {
    if (n < 2) {
        return n;
    }
    return recurse(n - 2) + recurse(n - 1);
}
