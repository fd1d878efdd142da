//! Exercise 03's checks (shared with the exercise, in the harness).
harness::static_typing_tests!(static_typing_solution);
