/* Exercise 05's C rung: the naive Fibonacci recursion, compiled by the exercise's build.rs. */
#ifndef HPC_FIB_H
#define HPC_FIB_H
#include <stdint.h>

/* F(n) by the naive recursion (F(0) = 0, F(1) = 1): every recursive call stays inside C. */
uint64_t hpc_fib(uint32_t n);

/* One step of the same recursion whose two recursive calls go through `recurse`: called with a
 * Rust function as `recurse`, every call of the recursion crosses the language boundary. */
uint64_t hpc_fib_step(uint32_t n, uint64_t (*recurse)(uint32_t));
#endif
