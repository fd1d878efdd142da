//! The grader's entry point, run by `cargo xtask check call-overhead`. Do not edit.
fn main() -> std::process::ExitCode {
    harness::call_overhead::grade_main::<call_overhead_solution::Ladder>()
}
