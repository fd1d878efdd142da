//! The reference worker: fresh inputs, the frozen baselines and the reference checks of every
//! graded exercise, built from the sealed harness only (no learner code is linked in). The
//! runner starts it as `course-reference EXERCISE`; see `harness::worker`.
fn main() -> std::process::ExitCode {
    harness::worker::serve_reference(vec![
        harness::heat::spec(),
        harness::arrays::spec(),
        harness::static_typing::spec(),
        harness::mandelbrot::spec(),
        harness::call_overhead::spec(),
        harness::fibonacci::spec(),
        harness::interop::spec(),
        harness::heat_fast::spec(),
        harness::threads::spec(),
        harness::mpi_basics::spec(),
        harness::mpi_heat::spec(),
        harness::gpu_basics::spec(),
        harness::gpu_heat::spec(),
    ])
}
