//! The grader's entry point inside an exercise crate.
//!
//! Every exercise and solution crate has a `tests/grade.rs` test target (`harness = false`,
//! `test = false`) whose `main` calls its topic's `grade_main`, which calls [`run`] here.
//! `cargo xtask check` builds it in release mode and runs it as a child process with a time
//! limit, so a panic or an endless loop in learner code cannot take the runner down.
//!
//! The child's contract with the runner:
//! - arguments: `--target STAGE=SPEEDUP` for every stage, optionally `--max-seconds S`;
//! - standard output: one JSON [`GradeReport`];
//! - standard error: lines `@progress {json}` ([`Progress`]) while measuring, anything else is
//!   the learner's own output or a panic message;
//! - exit code: 0 every target met, 1 a target missed, 2 wrong results, 64 bad arguments.

use crate::machine::Machine;
use crate::protocol::{self, Contender, Progress, Protocol, StageResult, Verdict, Work};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::process::ExitCode;

/// Prefix of progress lines on standard error.
pub const PROGRESS_PREFIX: &str = "@progress ";

/// One graded stage: the frozen baseline and the candidate doing the same work.
pub struct Stage<'a> {
    pub name: &'static str,
    pub work: Option<Work>,
    pub baseline: Box<dyn Contender + 'a>,
    pub candidate: Box<dyn Contender + 'a>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Correctness {
    Passed,
    Failed { message: String },
}

/// What the grading child prints on standard output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradeReport {
    pub exercise: String,
    pub correctness: Correctness,
    /// Empty when the results were wrong: wrong code is never timed.
    pub stages: Vec<StageResult>,
    pub protocol: Protocol,
    pub machine: Machine,
}

impl GradeReport {
    pub fn all_met(&self) -> bool {
        self.correctness == Correctness::Passed && self.stages.iter().all(|s| s.verdict == Verdict::Met)
    }
}

/// Parsed command line of the grading child.
#[derive(Debug, PartialEq)]
struct Args {
    targets: Vec<(String, f64)>,
    max_seconds: Option<f64>,
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args { targets: Vec::new(), max_seconds: None };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--target" => {
                let v = value("--target")?;
                let (stage, x) = v.split_once('=').ok_or_else(|| format!("--target {v}: expected STAGE=SPEEDUP"))?;
                let x: f64 = x.parse().map_err(|_| format!("--target {v}: '{x}' is not a number"))?;
                parsed.targets.push((stage.to_string(), x));
            }
            "--max-seconds" => {
                let v = value("--max-seconds")?;
                parsed.max_seconds = Some(v.parse().map_err(|_| format!("--max-seconds: '{v}' is not a number"))?);
            }
            // libtest-style flags cargo may pass to a test target; harmless here.
            "--nocapture" | "--quiet" | "-q" => {}
            other => return Err(format!("unexpected argument '{other}'")),
        }
    }
    Ok(parsed)
}

/// Checks correctness, then measures every stage against its target; prints the report.
pub fn run<'a>(
    exercise: &str,
    check: impl FnOnce() -> Result<(), String>,
    stages: impl FnOnce() -> Vec<Stage<'a>>,
) -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(a) if !a.targets.is_empty() => a,
        Ok(_) => return usage(exercise, "no --target given"),
        Err(e) => return usage(exercise, &e),
    };
    let mut protocol = Protocol::default();
    if let Some(s) = args.max_seconds {
        protocol.max_seconds = s;
    }
    let mut report = GradeReport {
        exercise: exercise.to_string(),
        correctness: Correctness::Passed,
        stages: Vec::new(),
        protocol: protocol.clone(),
        machine: Machine::detect(),
    };
    if let Err(message) = check() {
        report.correctness = Correctness::Failed { message };
        return emit(&report, 2);
    }
    if report.machine.cores >= 2 {
        report.machine.two_thread_scaling = Some(crate::machine::two_thread_scaling());
    }
    for mut stage in stages() {
        let Some(&(_, target)) = args.targets.iter().find(|(n, _)| n == stage.name) else {
            return usage(exercise, &format!("no --target for stage '{}'", stage.name));
        };
        let result = protocol::measure(
            stage.name,
            target,
            stage.work.take(),
            stage.baseline.as_mut(),
            stage.candidate.as_mut(),
            &protocol,
            &mut report_progress,
        );
        match result {
            Ok(result) => report.stages.push(result),
            Err(message) => {
                report.correctness = Correctness::Failed { message };
                return emit(&report, 2);
            }
        }
    }
    let code = if report.all_met() { 0 } else { 1 };
    emit(&report, code)
}

fn report_progress(p: &Progress) {
    if let Ok(json) = serde_json::to_string(p) {
        eprintln!("{PROGRESS_PREFIX}{json}");
    }
}

fn emit(report: &GradeReport, code: u8) -> ExitCode {
    let json = serde_json::to_string(report).expect("a report always serialises");
    let mut out = std::io::stdout().lock();
    // A closed pipe means the runner has gone; nothing useful is left to do but exit.
    let _ = writeln!(out, "{json}").and_then(|_| out.flush());
    ExitCode::from(code)
}

fn usage(exercise: &str, problem: &str) -> ExitCode {
    eprintln!(
        "error: {problem}\n\nThis is the grader's entry point, run by the course runner.\n\
         To grade this exercise, run: cargo xtask check {exercise}"
    );
    ExitCode::from(64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Result<Args, String> {
        parse_args(s.split_whitespace().map(String::from))
    }

    #[test]
    fn parses_targets_and_time_cap() {
        let a = args("--target evolve=4 --target parse=1.5 --max-seconds 12").unwrap();
        assert_eq!(a.targets, vec![("evolve".into(), 4.0), ("parse".into(), 1.5)]);
        assert_eq!(a.max_seconds, Some(12.0));
    }

    #[test]
    fn bad_arguments_are_explained() {
        assert_eq!(args("--target evolve").unwrap_err(), "--target evolve: expected STAGE=SPEEDUP");
        assert_eq!(args("--target evolve=fast").unwrap_err(), "--target evolve=fast: 'fast' is not a number");
        assert_eq!(args("--max-seconds").unwrap_err(), "--max-seconds needs a value");
        assert_eq!(args("--frobnicate").unwrap_err(), "unexpected argument '--frobnicate'");
    }

    #[test]
    fn reports_round_trip_through_json() {
        let report = GradeReport {
            exercise: "x".into(),
            correctness: Correctness::Failed { message: "at [0]: expected 1, got 2".into() },
            stages: vec![],
            protocol: Protocol::default(),
            machine: Machine::detect(),
        };
        let json = serde_json::to_string(&report).unwrap();
        assert!(json.contains(r#""status":"failed""#), "{json}");
        assert_eq!(serde_json::from_str::<GradeReport>(&json).unwrap(), report);
        assert!(!report.all_met());
    }
}
