//! `cargo xtask dev seal`: records the hashes of every file a verdict depends on.

use crate::course::{Course, Side};
use crate::{integrity, term};
use anyhow::Result;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Seals the course in `root` (`integrity.toml`), saying first that this is for course
/// developers: a learner's re-sealed course is still reported.
pub fn seal(root: &Path, course: &Course) -> Result<ExitCode> {
    anstream::eprintln!(
        "{} `seal` is for course developers: a learner's re-sealed course is still reported (check compares with the \
         seal committed in git).",
        term::paint(term::WARN, "note:")
    );
    let starting: Vec<PathBuf> = course.exercises.iter().map(|e| e.folder(Side::Exercise).join("src")).collect();
    let count = integrity::seal(root, &course.all_folders(), &starting)?;
    anstream::println!("sealed {count} files in {}", integrity::FILE);
    Ok(ExitCode::SUCCESS)
}
