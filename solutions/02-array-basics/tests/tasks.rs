//! One test per task, shared with the exercise (in the harness): `cargo xtask check array-basics`.
harness::array_tasks!(array_basics_solution);
