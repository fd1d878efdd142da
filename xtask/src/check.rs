//! `check`: build an exercise crate, run its correctness tests, then grade its speed, each step
//! in a child process with a time limit; the outcome is one [`CheckReport`].

use crate::cargo::{self, Build};
use crate::child::{self, Ending, Limits};
use crate::course::{Exercise, Side, Start};
use crate::judge;
use crate::term::{self, Status as StatusLine};
use anyhow::Result;
use harness::grade::{Correctness, GradeReport, PROGRESS_PREFIX};
use harness::machine::Machine;
use harness::protocol::{Progress, Protocol, StageResult, Verdict};
use harness::timeit::format_seconds;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// Version of the JSON report's layout; bumped on incompatible changes.
pub const SCHEMA: u32 = 1;

/// Limit for one correctness test binary (release build; the course's suites take seconds).
const TEST_LIMIT: Duration = Duration::from_secs(60);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Files the verdict depends on (baselines, tests, the grader) differ from the sealed ones.
    Tampered,
    NotCompiled,
    Wrong,
    /// Correct, but a required speed target is missed.
    Slow,
    /// Correct, and every required target met.
    Done,
}

impl Status {
    pub fn describe(self) -> &'static str {
        match self {
            Status::Tampered => "course files modified",
            Status::NotCompiled => "does not compile",
            Status::Wrong => "wrong results",
            Status::Slow => "correct but slow",
            Status::Done => "target met",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TestSummary {
    pub passed: usize,
    pub failed: usize,
    pub ignored: usize,
    /// Every test that ran, in the order reported.
    pub tests: Vec<TestOutcome>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestOutcome {
    pub name: String,
    pub passed: bool,
    /// For a failure, its first line: `todo!() at src/lib.rs:48:5`, or the panic message.
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageReport {
    pub name: String,
    pub target: f64,
    pub optional: bool,
    /// Absent when the stage was not measured (the code did not compile or was wrong).
    pub result: Option<StageResult>,
}

/// Everything `check` found out; `--json` prints exactly this.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckReport {
    pub schema: u32,
    pub exercise: String,
    pub package: String,
    pub solution: bool,
    pub status: Status,
    /// Compiler diagnostics, test failures or a crash, as text (may hold ANSI colours when
    /// printed to a terminal; never in `--json`).
    pub details: Option<String>,
    pub tests: Option<TestSummary>,
    pub stages: Vec<StageReport>,
    pub protocol: Option<Protocol>,
    pub machine: Option<Machine>,
    /// Protected files (frozen baselines, tests, the grader) that differ from `integrity.toml`;
    /// when any do, the status is `tampered` whatever the measurements say.
    #[serde(default)]
    pub tampered: Vec<String>,
}

impl CheckReport {
    fn new(ex: &Exercise, side: Side) -> Self {
        CheckReport {
            schema: SCHEMA,
            exercise: ex.name.clone(),
            package: ex.package(side),
            solution: side == Side::Solution,
            status: Status::NotCompiled,
            details: None,
            tests: None,
            stages: ex
                .stages
                .iter()
                .map(|s| StageReport { name: s.name.clone(), target: s.target, optional: s.optional, result: None })
                .collect(),
            protocol: None,
            machine: None,
            tampered: Vec::new(),
        }
    }

    /// Best measured speedup per stage.
    pub fn speedups(&self) -> impl Iterator<Item = (&str, f64)> {
        self.stages.iter().filter_map(|s| s.result.as_ref().map(|r| (s.name.as_str(), r.speedup)))
    }
}

/// Checks one side of an exercise. `color` asks cargo for coloured diagnostics.
pub fn check(root: &Path, ex: &Exercise, side: Side, color: bool) -> Result<CheckReport> {
    let tampered = crate::integrity::differences(root, &[ex.folder(side)])?.unwrap_or_default();
    let mut report = grade(root, ex, side, color)?;
    if !tampered.is_empty() {
        report.status = Status::Tampered;
        report.tampered = tampered;
    }
    Ok(report)
}

fn grade(root: &Path, ex: &Exercise, side: Side, color: bool) -> Result<CheckReport> {
    let mut report = CheckReport::new(ex, side);
    let mut status = StatusLine::new();
    let package = ex.package(side);

    status.phase(&format!("building {package} (release)…"));
    let built = match cargo::build_tests(root, &package, !ex.stages.is_empty(), color, |s| {
        status.set(&format!("building {package}: {s}"))
    })? {
        Build::Failed(diagnostics) => {
            report.details = Some(diagnostics);
            return Ok(report);
        }
        Build::Built(b) => b,
    };

    report.status = Status::Wrong;
    let mut tests = TestSummary::default();
    for (name, exe) in &built.tests {
        status.phase(&format!("testing {package}: {name}…"));
        let mut cmd = Command::new(exe);
        cmd.env("RUST_BACKTRACE", "0").args(["--color", if color { "always" } else { "never" }]);
        Limits::for_learner_code(TEST_LIMIT).apply(&mut cmd);
        let finished = child::run(&mut cmd, TEST_LIMIT, |_| false)?;
        let counts = count_tests(&finished.stdout);
        tests.passed += counts.passed;
        tests.failed += counts.failed;
        tests.ignored += counts.ignored;
        tests.tests.extend(counts.tests);
        if !finished.ending.success() && !matches!(finished.ending, Ending::Exited(101) if counts.failed > 0) {
            // Not a test failure: the test binary itself crashed or hung.
            report.details =
                Some(format!("the tests in `{name}` {}\n{}", finished.ending.describe(), tail(&finished.stderr, 20)));
            report.tests = Some(tests);
            return Ok(report);
        }
        if counts.failed > 0 {
            // With a task list, the first unfinished task that is more than a `todo!()` is
            // the one being worked on: show it in full, the others as one line each.
            let sections = failure_sections(&finished.stdout);
            let focus = if ex.start == Start::Todo {
                let outcomes = &tests.tests;
                sections
                    .iter()
                    .find(|(n, _)| !outcomes.iter().any(|t| &t.name == n && is_todo(t)))
                    .into_iter()
                    .collect()
            } else {
                sections.iter().collect::<Vec<_>>()
            };
            let text: String = focus.iter().map(|(n, body)| format!("---- {n}\n{body}")).collect();
            if !text.is_empty() {
                report.details = Some(report.details.take().unwrap_or_default() + &text);
            }
        }
    }
    let failed = tests.failed;
    report.tests = Some(tests);
    if failed > 0 {
        return Ok(report);
    }

    let Some(grade) = built.grade else {
        report.status = Status::Done;
        return Ok(report);
    };
    if ex.in_process {
        return grade_in_process(ex, &grade, &package, &mut status, report);
    }
    status.phase("building the course's reference worker…");
    let reference = cargo::build_reference(root)?;
    let protocol = Protocol::default();
    let mut machine = Machine::detect();
    if machine.cores >= 2 {
        machine.two_thread_scaling = Some(harness::machine::two_thread_scaling());
    }
    status.phase(&format!("grading {package}: checking results, then timing against the baseline…"));
    let stages: Vec<(String, f64)> = ex.stages.iter().map(|s| (s.name.clone(), s.target)).collect();
    let judged = judge::grade(&grade, &reference, &ex.name, &stages, &protocol, &root.join("target"), &mut |p| {
        status.set(&format!(
            "grading {package}: {} · pair {} · speedup {:.2}× [{:.2}–{:.2}]",
            p.stage, p.pairs, p.speedup, p.interval[0], p.interval[1]
        ))
    })?;
    report.protocol = Some(protocol);
    report.machine = Some(machine);
    if let Some(failure) = judged.failure {
        report.details = Some(failure.describe());
        return Ok(report);
    }
    for result in judged.stages {
        if let Some(s) = report.stages.iter_mut().find(|s| s.name == result.name) {
            s.result = Some(result);
        }
    }
    let met = |name: &str| {
        report.stages.iter().any(|s| s.name == name && s.result.as_ref().is_some_and(|r| r.verdict == Verdict::Met))
    };
    report.status = if ex.required_stages().all(|s| met(&s.name)) { Status::Done } else { Status::Slow };
    Ok(report)
}

/// The grading binary measures itself in one process and prints its report (the way every
/// exercise was graded before the judge; it trusts learner code, see `Exercise::in_process`).
fn grade_in_process(
    ex: &Exercise,
    grade: &Path,
    package: &str,
    status: &mut StatusLine,
    mut report: CheckReport,
) -> Result<CheckReport> {
    let mut cmd = Command::new(grade);
    cmd.env("RUST_BACKTRACE", "0");
    for stage in &ex.stages {
        cmd.arg("--target").arg(format!("{}={}", stage.name, stage.target));
    }
    let protocol = Protocol::default();
    // Sampling stops at max_seconds per stage; warm-up, calibration and the result check add a
    // few seconds. Past this, the code is stuck.
    let limit = Duration::from_secs_f64((protocol.max_seconds + 10.0) * ex.stages.len() as f64 + 20.0);
    Limits::for_learner_code(limit).apply(&mut cmd);
    status.phase(&format!("grading {package}: checking results, then timing against the baseline…"));
    let finished = child::run(&mut cmd, limit, |line| match line.strip_prefix(PROGRESS_PREFIX) {
        Some(json) => {
            if let Ok(p) = serde_json::from_str::<Progress>(json) {
                status.set(&format!(
                    "grading {package}: {} · pair {} · speedup {:.2}× [{:.2}–{:.2}]",
                    p.stage, p.pairs, p.speedup, p.interval[0], p.interval[1]
                ));
            }
            true
        }
        None => false,
    })?;
    let parsed: Option<GradeReport> = finished.stdout.lines().rev().find_map(|l| serde_json::from_str(l).ok());
    match (&finished.ending, parsed) {
        (Ending::Exited(0 | 1 | 2), Some(grade)) => {
            if let Correctness::Failed { message } = &grade.correctness {
                report.details = Some(message.clone());
            } else {
                for result in grade.stages {
                    if let Some(s) = report.stages.iter_mut().find(|s| s.name == result.name) {
                        s.result = Some(result);
                    }
                }
                let met = |name: &str| {
                    report
                        .stages
                        .iter()
                        .any(|s| s.name == name && s.result.as_ref().is_some_and(|r| r.verdict == Verdict::Met))
                };
                report.status = if ex.required_stages().all(|s| met(&s.name)) { Status::Done } else { Status::Slow };
            }
            report.protocol = Some(grade.protocol);
            report.machine = Some(grade.machine);
        }
        (ending, _) => {
            report.details = Some(format!(
                "The tests passed, but while being graded on the larger input your code {}.\n{}",
                ending.describe(),
                tail(&finished.stderr, 20)
            ));
        }
    }
    Ok(report)
}

/// Reads libtest's `test name ... ok|FAILED|ignored` lines, and each failure's first line.
fn count_tests(stdout: &str) -> TestSummary {
    let sections = failure_sections(stdout);
    let mut summary = TestSummary::default();
    for line in stdout.lines() {
        let Some(rest) = line.strip_prefix("test ") else { continue };
        let Some((name, outcome)) = rest.rsplit_once(" ... ") else { continue };
        let (passed, reason) = match strip_ansi(outcome).trim() {
            "ok" => (true, None),
            "FAILED" => {
                let body = sections.iter().find(|(n, _)| n == name).map_or("", |(_, b)| b.as_str());
                (false, Some(first_reason(body)))
            }
            o if o.starts_with("ignored") => {
                summary.ignored += 1;
                continue;
            }
            _ => continue,
        };
        if passed {
            summary.passed += 1
        } else {
            summary.failed += 1
        }
        summary.tests.push(TestOutcome { name: name.to_string(), passed, reason });
    }
    summary
}

fn is_todo(t: &TestOutcome) -> bool {
    t.reason.as_deref().is_some_and(|r| r.starts_with("todo!()"))
}

/// The panic's location and message, in one line: `todo!() at src/lib.rs:48:5` for a `todo!()`.
fn first_reason(body: &str) -> String {
    let mut lines = body.lines().map(|l| strip_ansi(l)).skip_while(|l| !l.contains(" panicked at "));
    let location =
        lines.next().and_then(|l| l.split(" panicked at ").nth(1).map(|r| r.trim_end_matches(':').to_string()));
    let message = lines.next().unwrap_or_default();
    match (location, message.trim()) {
        (Some(at), m) if m.starts_with("not yet implemented") => format!("todo!() at {at}"),
        (Some(at), "") => format!("panicked at {at}"),
        (_, m) => shorten(m, 160),
    }
}

/// libtest's `---- name stdout ----` sections: (test name, body cut to a readable length).
fn failure_sections(stdout: &str) -> Vec<(String, String)> {
    const LINES_PER_FAILURE: usize = 40;
    let mut out = Vec::new();
    for section in stdout.split("\n---- ").skip(1) {
        let section = section.split("\n\nfailures:").next().unwrap_or(section);
        let mut lines = section.lines();
        let title = lines.next().unwrap_or_default().trim_end_matches(" ----").trim_end_matches(" stdout").to_string();
        let body: Vec<&str> = lines.filter(|l| !l.starts_with("note: run with `RUST_BACKTRACE")).collect();
        let mut text: String = body.iter().take(LINES_PER_FAILURE).map(|l| format!("{}\n", shorten(l, 300))).collect();
        if body.len() > LINES_PER_FAILURE {
            text += &format!("… {} more lines\n", body.len() - LINES_PER_FAILURE);
        }
        out.push((title, text));
    }
    out
}

fn shorten(line: &str, max: usize) -> String {
    if line.chars().count() <= max {
        line.to_string()
    } else {
        format!("{}…", line.chars().take(max).collect::<String>())
    }
}

fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The one-line verdict: `correct ✔ · evolve 3.1× of target 10× ✘`.
pub fn verdict_line(r: &CheckReport) -> String {
    let mut parts = vec![match (r.status, &r.tests) {
        (Status::Tampered, _) => format!("course files modified {}", term::mark(false)),
        (Status::NotCompiled, _) => format!("compiles {}", term::mark(false)),
        (Status::Wrong, Some(t)) if t.failed > 0 => {
            format!("tests {}/{} {}", t.passed, t.passed + t.failed, term::mark(false))
        }
        (Status::Wrong, _) => format!("correct {}", term::mark(false)),
        _ => format!("correct {}", term::mark(true)),
    }];
    for s in &r.stages {
        let optional = if s.optional { " (optional)" } else { "" };
        parts.push(match &s.result {
            Some(res) => format!(
                "{} {}× of target {}×{optional} {}",
                s.name,
                two_digits(res.speedup),
                two_digits(s.target),
                term::mark(res.verdict == Verdict::Met)
            ),
            None => format!("{} not measured{optional}", s.name),
        });
    }
    parts.join(" · ")
}

/// The full human report: steps, figures, details.
pub fn render(r: &CheckReport, ex: &Exercise) -> String {
    let side = if r.solution { "solutions" } else { "exercises" };
    let mut out = format!(
        "{} · {} {}\n",
        term::paint(term::BOLD, &r.exercise),
        ex.title,
        term::paint(term::DIM, format!("({side}/{})", ex.dir))
    );
    if r.status == Status::NotCompiled {
        out += &format!("  {} compiles\n", term::mark(false));
    }
    if let Some(t) = &r.tests {
        let ok = t.failed == 0;
        let ignored = if t.ignored > 0 { format!(", {} ignored", t.ignored) } else { String::new() };
        out += &format!("  {} compiles\n", term::mark(true));
        if ex.start == Start::Todo {
            let mut tasks: Vec<&TestOutcome> = t.tests.iter().collect();
            tasks.sort_by(|a, b| a.name.cmp(&b.name)); // libtest reports in completion order
            let width = tasks.iter().map(|t| t.name.len()).max().unwrap_or(0);
            for test in tasks {
                let reason = test.reason.as_deref().map(|r| term::paint(term::DIM, r)).unwrap_or_default();
                out += &format!("  {} {:<width$}  {reason}\n", term::mark(test.passed), test.name);
            }
            out += &format!("  {} tasks: {}/{} done{ignored}\n", term::mark(ok), t.passed, t.passed + t.failed);
        } else {
            out += &format!("  {} tests: {} passed, {} failed{ignored}\n", term::mark(ok), t.passed, t.failed);
        }
    }
    for s in &r.stages {
        let Some(res) = &s.result else { continue };
        let optional = if s.optional { " (optional)" } else { "" };
        out += &format!(
            "  {} {}{optional}: {}× faster than the baseline, target {}×  {}\n",
            term::mark(res.verdict == Verdict::Met),
            s.name,
            two_digits(res.speedup),
            two_digits(s.target),
            term::paint(
                term::DIM,
                format!(
                    "(95% interval {}–{}×, {} pairs)",
                    two_digits(res.interval[0]),
                    two_digits(res.interval[1]),
                    res.pairs
                )
            ),
        );
        let per = |seconds: f64| match &res.work {
            Some(w) => format!("{} per {}", format_seconds(seconds / w.per_call), w.unit),
            None => format!("{} per call", format_seconds(seconds)),
        };
        out += &format!("      baseline {} · yours {}\n", per(res.baseline_seconds), per(res.candidate_seconds));
        if !res.conclusive {
            out += &format!(
                "      {} the machine was too noisy to be sure at the time limit; the verdict uses the median. Close other programs and check again.\n",
                term::paint(term::WARN, "noisy machine:")
            );
        }
    }
    if let Some(note) = busy_core_note(r) {
        out += &note;
    }
    if !r.tampered.is_empty() {
        out += &format!(
            "\n{} files the grader trusts differ from the sealed course (integrity.toml), so this verdict does not count:\n",
            term::paint(term::BAD, "integrity:")
        );
        for file in &r.tampered {
            out += &format!("  {file}\n");
        }
        out += "Restore them (git checkout -- <file>) and check again. (Course developers: run `cargo xtask seal` after changing them.)\n";
    }
    if let Some(details) = &r.details {
        out += "\n";
        out += details.trim_end();
        out += "\n";
    }
    out += &format!("\n{}\n", verdict_line(r));
    out
}

/// Below this two-thread scaling a second core was not free while grading.
const BUSY_SCALING: f64 = 1.6;

/// When a stage missed and the grader found no free second core, says so: a multi-threaded
/// version cannot reach its target then, and the learner should not rewrite correct code.
fn busy_core_note(r: &CheckReport) -> Option<String> {
    let scaling = r.machine.as_ref()?.two_thread_scaling?;
    let missed = r.stages.iter().any(|s| s.result.as_ref().is_some_and(|res| res.verdict != Verdict::Met));
    (missed && scaling < BUSY_SCALING).then(|| {
        format!(
            "      {} two threads ran only {}× faster than one while grading: another program is using a core, so \
             multi-threaded stages cannot reach their targets now. Check again when the machine is idle.\n",
            term::paint(term::WARN, "busy machine:"),
            two_digits(scaling)
        )
    })
}

fn two_digits(x: f64) -> String {
    if x >= 10.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}").trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_libtest_outcomes() {
        let out = "running 3 tests\ntest a ... ok\ntest b::c ... FAILED\ntest d ... ignored, slow\ntest e ... \x1b[32mok\x1b[0m\n";
        let t = count_tests(out);
        assert_eq!((t.passed, t.failed, t.ignored), (2, 1, 1));
        let failed: Vec<&str> = t.tests.iter().filter(|t| !t.passed).map(|t| t.name.as_str()).collect();
        assert_eq!(failed, vec!["b::c"]);
    }

    #[test]
    fn extracts_failure_sections() {
        let out = "test x ... FAILED\n\nfailures:\n\n---- x stdout ----\n\nthread 'x' panicked at src/lib.rs:1:1:\nafter 5 steps …\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n\n\nfailures:\n    x\n\ntest result: FAILED.";
        let sections = failure_sections(out);
        assert_eq!(sections.len(), 1);
        let (name, text) = &sections[0];
        assert_eq!(name, "x");
        assert!(text.contains("after 5 steps"), "{text}");
        assert!(!text.contains("RUST_BACKTRACE") && !text.contains("test result"), "{text}");
        assert_eq!(count_tests(out).tests[0].reason.as_deref(), Some("after 5 steps …"));
    }

    #[test]
    fn todo_panics_read_as_todo() {
        let body = "\nthread 't' (12) panicked at exercises/02-array-basics/src/lib.rs:48:5:\nnot yet implemented\n";
        assert_eq!(first_reason(body), "todo!() at exercises/02-array-basics/src/lib.rs:48:5");
    }

    #[test]
    fn a_missed_stage_on_a_busy_machine_says_the_machine_was_busy() {
        let result = |speedup: f64| StageResult {
            name: "parallel".into(),
            target: 1.3,
            verdict: if speedup >= 1.3 { Verdict::Met } else { Verdict::Missed },
            conclusive: true,
            speedup,
            interval: [speedup * 0.9, speedup * 1.1],
            confidence: 0.96,
            pairs: 15,
            baseline_seconds: 2e-3,
            candidate_seconds: 2e-3 / speedup,
            calls_per_sample: [10, 10],
            work: None,
            ratios: vec![speedup; 15],
        };
        let report = |speedup: f64, scaling: f64| {
            let mut machine = Machine::detect();
            machine.two_thread_scaling = Some(scaling);
            CheckReport {
                schema: SCHEMA,
                exercise: "mandelbrot".into(),
                package: "mandelbrot".into(),
                solution: false,
                status: Status::Done,
                details: None,
                tests: None,
                stages: vec![StageReport {
                    name: "parallel".into(),
                    target: 1.3,
                    optional: true,
                    result: Some(result(speedup)),
                }],
                protocol: None,
                machine: Some(machine),
                tampered: Vec::new(),
            }
        };
        assert!(busy_core_note(&report(1.05, 1.2)).is_some_and(|n| n.contains("1.2× faster than one")));
        assert_eq!(busy_core_note(&report(1.05, 1.95)), None, "an idle core: the code is slow");
        assert_eq!(busy_core_note(&report(1.9, 1.2)), None, "nothing missed, nothing to explain");
    }

    #[test]
    fn speedups_print_with_sensible_digits() {
        assert_eq!(two_digits(12.27), "12");
        assert_eq!(two_digits(1.034), "1.03");
        assert_eq!(two_digits(5.0), "5");
        assert_eq!(two_digits(2.5), "2.5");
    }
}
