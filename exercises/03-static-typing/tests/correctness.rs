//! Exercise 03's checks (shared with the solution, in the harness).
harness::static_typing_tests!(static_typing);
