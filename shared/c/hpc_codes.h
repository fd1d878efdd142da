/* The return codes shared by the course's C kernels and the Rust exports of exercise 07
 * (mirrored in Rust by the `c-kernels` crate's HPC_* constants). */
#ifndef HPC_CODES_H
#define HPC_CODES_H
#define HPC_OK 0
#define HPC_ERR_NULL (-1)
#define HPC_ERR_SIZE (-2)
#endif
