//! `cargo xtask list`: the exercises in course order, each with its state and best share.

use super::progress::Progress;
use crate::check::{self, Status};
use crate::course::{self, Course};
use crate::term;
use anyhow::Result;
use std::path::Path;
use std::process::ExitCode;

/// `cargo xtask list`: every exercise in order, its state and best share, and what comes next.
pub fn list(root: &Path, course: &Course) -> Result<ExitCode> {
    let progress = Progress::load(root);
    let width = course.exercises.iter().map(|e| e.name.len()).max().unwrap_or(8);
    anstream::println!(
        "{}",
        term::paint(
            term::BOLD,
            format!(
                "  #  {:<width$}  {:<21} best share of the solution's gain (speedup) / target",
                "exercise", "state"
            )
        )
    );
    let mut done = 0;
    let mpi_missing = course.exercises.iter().any(|e| e.mpi.is_some()) && crate::mpi::detect().is_err();
    for ex in &course.exercises {
        let entry = progress.exercises.get(&ex.name).cloned().unwrap_or_default();
        let state = match entry.status {
            Some(Status::Wrong) if entry.to_do => "to do",
            Some(s) => s.describe(),
            None if ex.mpi.is_some() && mpi_missing => "needs MPI (not found)",
            None => "not checked yet",
        };
        let style = match entry.status {
            Some(Status::Done) => term::GOOD,
            Some(Status::Slow) => term::WARN,
            Some(Status::Wrong) if entry.to_do => term::WARN,
            Some(_) => term::BAD,
            None => term::DIM,
        };
        done += usize::from(entry.status == Some(Status::Done));
        let tasks = match (ex.start, entry.tests) {
            (course::Start::Todo, Some([done, total])) => vec![format!("{done}/{total} tasks")],
            _ => vec![],
        };
        let figures: Vec<String> = tasks
            .into_iter()
            .chain(ex.stages.iter().map(|s| {
                let best = entry.best_share.get(&s.name).copied();
                let figure = best.map_or("–".to_string(), |b| {
                    format!("{} ({}×)", crate::text::percent(b.share), crate::text::two_digits(b.speedup))
                });
                let target = crate::text::percent(s.target);
                format!("{} {figure} / {target}{}", s.name, tier_reached(s, best.map(|b| b.share)))
            }))
            .collect();
        let number = ex.dir.split('-').next().unwrap_or("").trim_start_matches('0');
        anstream::println!(
            "{number:>3}  {:<width$}  {}  {}",
            ex.name,
            term::paint(style, format!("{state:<21}")),
            figures.join(", ")
        );
    }
    let next = match super::checking::next_exercise(course, &progress, None) {
        Some(name) => format!("Next: cargo xtask check {name}"),
        None => "Every exercise is done.".into(),
    };
    anstream::println!("\n{done}/{} exercises done. {next}", course.exercises.len());
    if mpi_missing {
        anstream::println!(
            "The MPI exercises need Open MPI and libclang, which this machine lacks:\n{}",
            crate::mpi::INSTALL
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// ` (tier 2/3, next 90%)` for a stage with tiers, from the best share (a best at or above
/// the target was met when measured); nothing for a stage with the target alone.
fn tier_reached(stage: &course::Stage, best: Option<f64>) -> String {
    let tiers = stage.tiers();
    if tiers.len() < 2 {
        return String::new();
    }
    let earned = best.map_or(0, |b| check::points(&tiers, b >= stage.target, b));
    match tiers.get(earned as usize) {
        Some(next) => format!(" (tier {earned}/{}, next {})", tiers.len(), crate::text::percent(*next)),
        None => format!(" (tier {earned}/{}, the top)", tiers.len()),
    }
}
