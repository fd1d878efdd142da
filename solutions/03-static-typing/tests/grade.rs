//! The grader's entry point, run by `cargo xtask check static-typing`. Do not edit.
harness::static_typing_grade!(static_typing_solution);
