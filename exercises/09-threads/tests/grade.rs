// Course file, sealed (integrity.toml): an edit here reads as "course files modified". Your code goes in src/.
//! The grader's entry point, run by `cargo xtask check threads`. Do not edit.
fn main() -> std::process::ExitCode {
    harness::threads::grade_main(harness::threads_api!(threads))
}
