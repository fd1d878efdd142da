// Course file, sealed (integrity.toml): an edit here reads as "course files modified". Your code goes in src/.
//! The grader's entry point, run by `cargo xtask check fibonacci-memo`. Do not edit.
fn main() -> std::process::ExitCode {
    harness::fibonacci::grade_main::<fibonacci_memo::Fib>()
}
