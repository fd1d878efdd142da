//! The grader's entry point, run by `cargo xtask check profiling-heat`. Do not edit.
fn main() -> std::process::ExitCode {
    harness::heat::grade_main::<profiling_heat::Heat>()
}
