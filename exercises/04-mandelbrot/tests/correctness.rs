//! Exercise 04's checks (shared with the solution, in the harness).
harness::mandelbrot_tests!(mandelbrot::Mandel);
