//! Exercise 08's correctness checks (shared with the exercise, in the harness).
harness::heat_fast_tests!(heat_fast_solution::Heat);
