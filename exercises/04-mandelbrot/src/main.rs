//! The full picture as a PNG: `cargo run --release -p mandelbrot` writes mandelbrot.png.
fn main() -> std::process::ExitCode {
    harness::mandelbrot::program_main::<mandelbrot::Mandel>("mandelbrot")
}
