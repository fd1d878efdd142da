//! The grader's entry point, run by `cargo xtask check array-basics`. Do not edit.
fn main() -> std::process::ExitCode {
    harness::arrays::grade_main(array_basics::differences, harness::array_functions!(array_basics))
}
