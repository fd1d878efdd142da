//! One test per task, shared with the exercise (in the harness): `cargo xtask check threads`.
harness::threads_tests!(threads_solution);
