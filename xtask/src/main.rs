//! The course runner. `cargo xtask --help` lists the commands.

mod cargo;
mod check;
mod child;
mod compare;
mod course;
mod progress;
mod term;
mod verify;

use anyhow::Result;
use check::Status;
use clap::{Parser, Subcommand};
use course::{Course, Side};
use progress::Progress;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Run, grade and verify the course's exercises.", version)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Every exercise in order, with its state and best speedup.
    List,
    /// Build an exercise, run its tests, grade its speed. Exits 0 only when its target is met.
    Check {
        /// Exercise name (as in `list`), folder or number.
        exercise: String,
        /// Check the solution crate instead of yours.
        #[arg(long)]
        solution: bool,
        /// Print the machine-readable report (JSON) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Show the next hint for an exercise (and the ones already seen).
    Hint { exercise: String },
    /// Grade every solution (each must meet its targets) and every untouched exercise (each must
    /// be correct and miss them, or fail its `todo!()` tasks): shows the grader discriminates.
    Verify {
        /// Repeat the whole verification this many times and report the spread of speedups.
        #[arg(long, default_value_t = 1)]
        runs: usize,
        /// Only these exercises.
        #[arg(long = "only", value_name = "EXERCISE")]
        only: Vec<String>,
    },
    /// Everything CI runs: formatting, the workspace's tests, then `verify`.
    Ci,
    /// Time the course's kernels in Python, NumPy, Cython, Rust (start and solution) and C on
    /// the same input; print a table and draw a bar chart (target/compare/).
    Compare,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            anstream::eprintln!("{} {e:#}", term::paint(term::BAD, "error:"));
            ExitCode::from(2)
        }
    }
}

/// The workspace root: xtask lives one level below it.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask is inside the workspace").to_path_buf()
}

fn run(cmd: Cmd) -> Result<ExitCode> {
    let root = root();
    let course = Course::load(&root)?;
    match cmd {
        Cmd::List => list(&root, &course),
        Cmd::Check { exercise, solution, json } => check_one(&root, &course, &exercise, solution, json),
        Cmd::Hint { exercise } => hint(&root, &course, &exercise),
        Cmd::Verify { runs, only } => verify::verify(&root, &course, runs.max(1), &only),
        Cmd::Ci => verify::ci(&root, &course),
        Cmd::Compare => compare::compare(&root),
    }
}

fn list(root: &Path, course: &Course) -> Result<ExitCode> {
    let progress = Progress::load(root);
    let width = course.exercises.iter().map(|e| e.name.len()).max().unwrap_or(8);
    anstream::println!(
        "{}",
        term::paint(term::BOLD, format!("  #  {:<width$}  {:<18} best speedup / target", "exercise", "state"))
    );
    let mut done = 0;
    for (k, ex) in course.exercises.iter().enumerate() {
        let entry = progress.exercises.get(&ex.name).cloned().unwrap_or_default();
        let state = match entry.status {
            Some(s) => s.describe(),
            None => "not checked yet",
        };
        let style = match entry.status {
            Some(Status::Done) => term::GOOD,
            Some(Status::Slow) => term::WARN,
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
            .chain(ex.stages.iter().map(|s| match entry.best.get(&s.name) {
                Some(b) => format!("{} {b:.2}× / {}×", s.name, s.target),
                None => format!("{} – / {}×", s.name, s.target),
            }))
            .collect();
        anstream::println!(
            "{:>3}  {:<width$}  {}  {}",
            k + 1,
            ex.name,
            term::paint(style, format!("{state:<18}")),
            figures.join(", ")
        );
    }
    anstream::println!("\n{done}/{} exercises done. Next: cargo xtask check <exercise>", course.exercises.len());
    Ok(ExitCode::SUCCESS)
}

fn check_one(root: &Path, course: &Course, name: &str, solution: bool, json: bool) -> Result<ExitCode> {
    let ex = course.find(name)?;
    let side = if solution { Side::Solution } else { Side::Exercise };
    let report = check::check(root, ex, side, !json && term::color_enabled())?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        anstream::print!("{}", check::render(&report, ex));
    }
    if side == Side::Exercise {
        let mut progress = Progress::load(root);
        progress.record(&report);
        if report.status != Status::Done && !json {
            let entry = progress.entry(&ex.name);
            if let Some(text) = ex.hints.get(entry.hints_seen) {
                anstream::println!(
                    "\n{} {}\n(lesson: {})",
                    term::paint(term::BOLD, format!("Hint {}/{}:", entry.hints_seen + 1, ex.hints.len())),
                    text,
                    ex.lesson_path().display()
                );
                entry.hints_seen += 1;
            }
        } else if report.status == Status::Done && !json {
            anstream::println!("\n{} On to the next: cargo xtask list", term::paint(term::GOOD, "Well done!"));
        }
        progress.save(root)?;
    }
    Ok(if report.status == Status::Done { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn hint(root: &Path, course: &Course, name: &str) -> Result<ExitCode> {
    let ex = course.find(name)?;
    if ex.hints.is_empty() {
        anstream::println!("No hints for {}: the lesson is {}", ex.name, ex.lesson_path().display());
        return Ok(ExitCode::SUCCESS);
    }
    let mut progress = Progress::load(root);
    let entry = progress.entry(&ex.name);
    let shown = (entry.hints_seen + 1).min(ex.hints.len());
    for (k, text) in ex.hints.iter().take(shown).enumerate() {
        anstream::println!("{} {text}\n", term::paint(term::BOLD, format!("Hint {}/{}:", k + 1, ex.hints.len())));
    }
    if shown == ex.hints.len() {
        anstream::println!("That was the last hint. The lesson: {}", ex.lesson_path().display());
    }
    entry.hints_seen = shown;
    progress.save(root)?;
    Ok(ExitCode::SUCCESS)
}
