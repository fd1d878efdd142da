//! The course's correctness checks for your solver (shared with the solution, in the harness).
harness::heat_tests!(profiling_heat::Heat);
