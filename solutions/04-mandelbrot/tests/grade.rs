//! The grader's entry point, run by `cargo xtask check mandelbrot`. Do not edit.
fn main() -> std::process::ExitCode {
    harness::mandelbrot::grade_main::<mandelbrot_solution::Mandel>()
}
