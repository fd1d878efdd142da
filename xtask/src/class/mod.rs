//! Grading a class, `cargo xtask class …`: `grade` grades learners' submissions with the
//! course's own files (`grade.rs`), `table` gathers the reports into one table of the class
//! (`table.rs`).

pub mod grade;
pub mod table;
