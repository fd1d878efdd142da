// Course file, sealed (integrity.toml): an edit here reads as "course files modified". Your code goes in src/.
//! The grader's entry point, run by `cargo xtask check heat-fast`. Do not edit.
fn main() -> std::process::ExitCode {
    harness::heat_fast::grade_main::<heat_fast::Heat>()
}
