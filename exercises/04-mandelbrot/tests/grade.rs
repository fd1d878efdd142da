// Course file, sealed (integrity.toml): an edit here reads as "course files modified". Your code goes in src/.
//! The grader's entry point, run by `cargo xtask check mandelbrot`. Do not edit.
fn main() -> std::process::ExitCode {
    harness::mandelbrot::grade_main::<mandelbrot::Mandel>()
}
