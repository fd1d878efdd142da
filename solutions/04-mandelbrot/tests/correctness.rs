//! Exercise 04's checks (shared with the exercise, in the harness).
harness::mandelbrot_tests!(mandelbrot_solution::Mandel);
