//! Grading a class, `cargo xtask class …`: `grade` grades learners' submissions with the
//! course's own files (`grade.rs`), `table` gathers the reports into one table of the class
//! (`table.rs`); `report.rs` is the one document the first writes and the second reads.

pub mod grade;
pub mod report;
pub mod table;
