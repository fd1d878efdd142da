// Course file, sealed (integrity.toml): an edit here reads as "course files modified". Your code goes in src/.
//! The grader's entry point, run under `mpirun` by `cargo xtask check mpi-heat`. Do not edit.
fn main() -> std::process::ExitCode {
    harness_mpi::heat::grade_main(
        mpi_heat::evolve_halo,
        mpi_heat::evolve_overlap,
        harness_mpi::mpi_heat_functions!(mpi_heat),
    )
}
