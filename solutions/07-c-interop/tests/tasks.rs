//! Exercise 07's tasks, shared with the exercise (in the harness): `cargo xtask check c-interop`.
harness::interop_tasks!(c_interop_solution, "c_interop_solution");
