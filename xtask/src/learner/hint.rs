//! `cargo xtask hint`: the hints of an exercise, in the order `check` shows them, the ones that
//! give a task's code only when asked.

use super::progress::Progress;
use crate::course::Course;
use crate::term;
use anyhow::Result;
use std::path::Path;
use std::process::ExitCode;

/// `cargo xtask hint`: every hint seen so far and the next one; with `full`, the code a task needs.
pub fn hint(root: &Path, course: &Course, name: Option<&str>, full: bool) -> Result<ExitCode> {
    let last = Progress::load(root).last;
    let Some(name) = name.or(last.as_deref()) else {
        anstream::println!(
            "Which exercise? No exercise has been checked yet: `cargo xtask hint <exercise>` (names: cargo xtask list)"
        );
        return Ok(ExitCode::FAILURE);
    };
    let ex = course.find(name)?;
    if ex.hints.is_empty() {
        anstream::println!("No hints for {}: the lesson is {}", ex.name, ex.lesson_path().display());
        return Ok(ExitCode::SUCCESS);
    }
    let mut progress = Progress::load(root);
    let entry = progress.entry(&ex.name);
    // Those seen, the next one (about what failed last, else in turn), and, asked for, the code.
    let mut shown = entry.seen_hints();
    let next = ex.hint_for(&entry.failed, &shown);
    shown.extend(next);
    let failed_first = entry.failed.first().cloned().into_iter().collect::<Vec<_>>();
    if full {
        shown.extend(ex.full_hints_for(&failed_first));
    }
    for &k in &shown {
        let new = if Some(k) == next { " (new)" } else { "" };
        anstream::println!(
            "{} {}\n",
            term::paint(term::BOLD, format!("Hint {}/{}{new}:", k + 1, ex.hints.len())),
            ex.hints[k]
        );
        entry.saw_hint(k);
    }
    if next.is_none() {
        let more = if !full && !ex.full_hints_for(&failed_first).is_empty() {
            format!(" `cargo xtask hint {} --full` shows the code the task needs.", ex.name)
        } else {
            String::new()
        };
        anstream::println!("No new hint.{more} The lesson: {}", ex.lesson_path().display());
    }
    progress.save(root);
    Ok(ExitCode::SUCCESS)
}
