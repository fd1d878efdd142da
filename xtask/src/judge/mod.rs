//! The judge: times and checks learner code without believing anything it says.
//!
//! Three workers (see `harness::worker` for the wire protocol): the reference worker, built
//! from the sealed harness only; the candidate worker, the exercise's `tests/grade.rs` with the
//! learner's crate linked in; and the solution worker, the same file in the course's sealed
//! solution crate, timed beside the others to measure what this machine gives (the verdict is
//! the share of the solution's gain, see `grading::protocol`). For every sample the judge draws
//! a seed, has the reference worker make a fresh input batch of the graded size, copies it into
//! the stopped candidate's memory, times the candidate's calls with its own clock, copies the
//! outputs out of the stopped candidate and has the reference worker check every one of them;
//! the solution gets the same batch in the same round. A worker runs only while it is being
//! asked something; the candidate is stopped (`SIGSTOP`, its whole process group) whenever
//! another is timed, so nothing it starts can slow the others down.

mod failure;
mod session;
mod tasks;
mod worker;

pub use failure::Failure;
pub use session::{CoreUse, Executables, grade};
pub use tasks::{JudgedTasks, TaskVerdict, TaskWorkers, check_tasks};
#[cfg(test)]
pub use worker::Role;
pub use worker::Worker;

use anyhow::{Context, Result, bail};
use grading::worker::{Request, SpecAnswer};
use std::time::Duration;

/// The reference worker's stages and tasks (`spec`).
fn ask_spec(reference: &mut Worker) -> Result<SpecAnswer> {
    let answer = match reference.ask(&Request::Spec.to_string(), Duration::from_secs(60), false) {
        Ok(answer) => answer,
        Err(failure) => bail!("the course's reference worker failed: {}", failure.describe()),
    };
    let json = answer.strip_prefix("spec ").context("the reference worker did not answer 'spec'")?;
    serde_json::from_str(json).context("the reference worker's spec")
}

/// Refuses a reference worker whose spec (`answered_for`, `grader`) is not course.toml's for
/// `exercise` (`course`): another exercise's, or other stage names, either way round (the order
/// aside). A stage only course.toml names could not be timed, and one only the grader has would
/// never be graded: left alone, either would go unnoticed. Both are faults of the course, never
/// of the learner's code, so this is an error of the runner (like a reference worker that does
/// not start), raised before anything is timed, naming the stages and both lists.
pub fn match_stages(exercise: &str, course: &[&str], answered_for: &str, grader: &[&str]) -> Result<()> {
    let mut faults = Vec::new();
    if answered_for != exercise {
        faults.push(format!("the grader answered with the spec of '{answered_for}'"));
    }
    for name in course.iter().filter(|n| !grader.contains(n)) {
        faults.push(format!("stage '{name}' is in course.toml but not in the grader, so it cannot be timed"));
    }
    for name in grader.iter().filter(|n| !course.contains(n)) {
        faults.push(format!("stage '{name}' is in the grader but not in course.toml, so it would never be graded"));
    }
    let mut repeated: Vec<&str> = Vec::new();
    for (k, name) in grader.iter().enumerate() {
        if grader[..k].contains(name) && !repeated.contains(name) {
            repeated.push(name);
            faults.push(format!("the grader names stage '{name}' more than once"));
        }
    }
    if faults.is_empty() {
        return Ok(());
    }
    bail!(
        "the course's grader does not match course.toml for '{exercise}' (a fault of the course, not of your \
         code: please report it to the course's maintainers):\n{}\n  course.toml's stages: [{}]\n  the grader's \
         stages (its reference worker's spec): [{}]",
        faults.iter().map(|f| format!("  - {f}")).collect::<Vec<_>>().join("\n"),
        course.join(", "),
        grader.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::child::Ending;

    #[test]
    fn failures_are_labelled_by_what_happened_and_to_whom() {
        let crashed = |while_timing| Failure::Crashed { ending: Ending::Exited(101), while_timing, output: "x".into() };
        assert!(crashed(true).describe().starts_with("Your code crashed while being timed: it panicked."));
        assert!(crashed(false).describe().starts_with("Your code crashed on the graded input: it panicked."));
        let wrong = Failure::Wrong { message: "sample 7: at 3".into(), while_timing: true };
        assert!(wrong.describe().contains("results changed while being timed"), "{}", wrong.describe());
        assert!(!wrong.describe().contains("crashed"));

        // The reference worker's failures are the grader's, never an endless loop of the learner's.
        for inner in [
            Failure::TimedOut { after: Duration::from_secs(600), output: String::new(), ranks: None },
            Failure::Crashed { ending: Ending::Signalled(24), while_timing: true, output: String::new() },
        ] {
            let text = Failure::Reference(Box::new(inner)).describe();
            assert!(text.starts_with("The grader's reference worker"), "{text}");
            assert!(!text.contains("endless loop?") && !text.contains("Your code"), "{text}");
            assert!(text.contains("so fast"), "{text}");
        }
    }

    #[test]
    fn a_grader_whose_stages_are_not_course_tomls_is_refused_naming_both_lists() {
        // The same names in another order: fine.
        assert!(match_stages("heat-fast", &["serial", "parallel"], "heat-fast", &["parallel", "serial"]).is_ok());
        let refused = |course: &[&str], answered_for: &str, grader: &[&str]| {
            let text = match match_stages("heat-fast", course, answered_for, grader) {
                Ok(()) => panic!("accepted: course.toml {course:?}, the grader {grader:?} for {answered_for}"),
                Err(e) => format!("{e:#}"),
            };
            assert!(text.contains("for 'heat-fast'") && text.contains("not of your code"), "{text}");
            assert!(!text.contains("Your code"), "never the learner's fault: {text}");
            text
        };
        // A stage of course.toml's that the grader lacks: it could not be timed.
        let text = refused(&["serial", "parallel"], "heat-fast", &["serial"]);
        assert!(text.contains("stage 'parallel' is in course.toml but not in the grader"), "{text}");
        assert!(text.contains("course.toml's stages: [serial, parallel]"), "{text}");
        assert!(text.contains("stages (its reference worker's spec): [serial]"), "{text}");
        // A stage only the grader has: it would never be graded (this used to pass unnoticed).
        let text = refused(&["serial"], "heat-fast", &["serial", "parallel"]);
        assert!(text.contains("stage 'parallel' is in the grader but not in course.toml"), "{text}");
        assert!(!text.contains("cannot be timed"), "{text}");
        // Both at once, a repeated stage, another exercise's spec.
        let text = refused(&["serial", "parallel"], "heat-fast", &["serial", "simd", "serial"]);
        assert!(text.contains("'parallel' is in course.toml") && text.contains("'simd' is in the grader"), "{text}");
        assert!(text.contains("names stage 'serial' more than once"), "{text}");
        let text = refused(&["serial"], "mandelbrot", &["serial"]);
        assert!(text.contains("answered with the spec of 'mandelbrot'"), "{text}");
    }
}
