//! One test per task, shared with the exercise (in `harness_mpi::heat`), run under `mpirun`
//! with every rank count of course.toml: `cargo xtask check mpi-heat`.
harness_mpi::mpi_heat_tests!(mpi_heat_solution);
