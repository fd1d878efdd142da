//! One test per task, shared with the exercise (in `harness_gpu::heat`): `cargo xtask check gpu-heat`.
harness_gpu::gpu_heat_tests!(gpu_heat_solution);
