//! One test per task, shared with the solution (in the harness): `cargo xtask check threads`.
harness::threads_tests!(threads);
