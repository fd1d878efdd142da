//! One test per task, shared with the exercise (in `harness_gpu::basics`): `cargo xtask check gpu-basics`.
harness_gpu::gpu_basics_tests!(gpu_basics_solution);
