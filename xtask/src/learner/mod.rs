//! The learner's commands: `list`, `check` (the command; the grading itself is `crate::check`),
//! `hint`, `watch`, `profile`, `reset`, `solution`, `report`, and the progress they
//! keep in `.course/progress.json`.

pub mod checking;
pub mod hint;
pub mod list;
pub mod profile;
pub mod progress;
pub mod report;
pub mod reset;
pub mod watch;
