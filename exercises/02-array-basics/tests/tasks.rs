//! One test per task, shared with the solution (in the harness): `cargo xtask check array-basics`.
harness::array_tasks!(array_basics);
