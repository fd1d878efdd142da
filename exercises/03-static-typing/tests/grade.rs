// Course file, sealed (integrity.toml): an edit here reads as "course files modified". Your code goes in src/.
//! The grader's entry point, run by `cargo xtask check static-typing`. Do not edit.
harness::static_typing_grade!(static_typing);
