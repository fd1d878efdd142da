//! The grader's entry point, run by `cargo xtask check array-basics`. Do not edit.
fn main() -> std::process::ExitCode {
    harness::arrays::grade_main(array_basics_solution::differences, harness::array_functions!(array_basics_solution))
}
