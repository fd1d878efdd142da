//! `cargo xtask check`: the command around the grading (`crate::check`): which exercises, the
//! report printed or written (text, JSON, JUnit, Markdown), the progress recorded, the next
//! hint after a miss and the next exercise after a pass.

use super::progress::Progress;
use crate::check::{self, Status, export};
use crate::cli::CheckArgs;
use crate::course::{self, Course, Side};
use crate::term;
use anyhow::{Context, Result};
use std::path::Path;
use std::process::ExitCode;

/// Checks each named exercise; one JSON report (or an `all` document), optional JUnit and
/// Markdown files. Exits 0 only when every one is done.
pub fn check_many(root: &Path, course: &Course, args: &CheckArgs) -> Result<ExitCode> {
    let CheckArgs { all, json, .. } = *args;
    let names: Vec<&str> = match &args.exercise {
        Some(name) if !all => vec![name.as_str()],
        _ => course.exercises.iter().map(|e| e.name.as_str()).collect(),
    };
    let exercises: Vec<_> = names.iter().map(|n| course.find(n)).collect::<Result<_>>()?;
    let side = if args.solution { Side::Solution } else { Side::Exercise };
    if let Some(note) = crate::allocation::note_here() {
        anstream::eprintln!("{} {note}", term::paint(term::WARN, "note:"));
    }
    let mut reports = Vec::new();
    for ex in exercises {
        let report = check_one(root, course, ex, Shown { side, json, hints: !all })?;
        reports.push(report);
    }
    if json {
        let text = if all {
            serde_json::to_string_pretty(&export::AllReport { schema: check::SCHEMA, reports: reports.clone() })?
        } else {
            serde_json::to_string_pretty(&reports[0])?
        };
        println!("{text}");
    } else if all {
        anstream::println!("{}", export::summary(&reports));
    }
    if let Some(path) = &args.junit {
        std::fs::write(path, export::junit(&reports)).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let Some(path) = &args.summary {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        file.write_all(export::summary(&reports).as_bytes())?;
    }
    Ok(if reports.iter().all(|r| r.status == Status::Done) { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// How one check is run and shown.
#[derive(Clone, Copy)]
struct Shown {
    side: Side,
    /// The JSON report only: no text, no hints.
    json: bool,
    /// A hint after a miss, "on to the next" after a pass (not in a `--all` run).
    hints: bool,
}

fn check_one(root: &Path, course: &Course, ex: &course::Exercise, shown: Shown) -> Result<check::CheckReport> {
    let Shown { side, json, hints } = shown;
    let report = check::check(root, ex, side, !json && term::color_enabled())?;
    if !json {
        anstream::print!("{}", check::render(&report, ex));
    }
    if side == Side::Exercise {
        let mut progress = Progress::load(root);
        progress.record(&report);
        if report.status != Status::Done && !json && hints {
            let failed = report.failed_names();
            let entry = progress.entry(&ex.name);
            if let Some(k) = ex.hint_for(&failed, &entry.seen_hints()) {
                anstream::println!(
                    "\n{} {}\n(lesson: {}; every hint so far: cargo xtask hint {})",
                    term::paint(term::BOLD, format!("Hint {}/{}:", k + 1, ex.hints.len())),
                    ex.hints[k],
                    ex.lesson_path().display(),
                    ex.name
                );
                entry.saw_hint(k);
            }
            if let (Some(first), false) = (failed.first(), ex.full_hints_for(&failed[..1.min(failed.len())]).is_empty())
            {
                anstream::println!(
                    "{}",
                    term::paint(
                        term::DIM,
                        format!("Stuck on {first}? `cargo xtask hint {} --full` shows the code it needs.", ex.name)
                    )
                );
            }
        } else if report.status == Status::Done && !json && hints {
            let next = next_exercise(course, &progress, Some(&ex.name));
            anstream::println!("\n{} {}", term::paint(term::GOOD, "Well done!"), on_to(next));
        }
        progress.save(root);
    }
    Ok(report)
}

/// The first exercise not done yet, in course order, after `after` (wrapping round), if any.
pub fn next_exercise<'a>(course: &'a Course, progress: &Progress, after: Option<&str>) -> Option<&'a str> {
    let exercises = &course.exercises;
    let start = after.and_then(|name| exercises.iter().position(|e| e.name == name)).map_or(0, |k| k + 1);
    let done = |e: &&course::Exercise| {
        progress.exercises.get(&e.name).is_some_and(|p| p.status == Some(Status::Done))
            || Some(e.name.as_str()) == after
    };
    exercises.iter().cycle().skip(start).take(exercises.len()).find(|e| !done(e)).map(|e| e.name.as_str())
}

/// "On to the next: cargo xtask check NAME", or that every exercise is done.
fn on_to(next: Option<&str>) -> String {
    match next {
        Some(name) => format!("On to the next: cargo xtask check {name}"),
        None => "Every exercise of the course is done.".into(),
    }
}
