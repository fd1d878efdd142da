//! `check`: build an exercise crate, run its correctness tests, then grade its speed, each step
//! in a child process with a time limit; the outcome is one [`CheckReport`].

use crate::cargo::{self, Build};
use crate::child::{self, Ending, Limits};
use crate::course::{Exercise, Side, Start};
use crate::judge;
use crate::term::{self, StatusLine};
use anyhow::{Result, bail};
use grading::machine::Machine;
use grading::protocol::{Protocol, StageResult, Verdict};
use grading::timeit::format_seconds;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
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

/// What stopped a check short of a verdict, where the status alone would mislabel it: `wrong`
/// covers wrong results, but also tests that crashed, test output that cannot be believed and
/// code that crashed or hung while it was timed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// A test binary crashed, hung, or ended in a way libtest never ends.
    TestsCrashed,
    /// A test binary's output does not match the course's list of its tests.
    TestsNotTrusted,
    /// A result differed from the reference on the first, untimed call.
    WrongResults,
    /// A result differed from the reference while being timed.
    WrongWhileTimed,
    /// The code crashed on the first, untimed call.
    Crashed,
    /// The code crashed while being timed.
    CrashedWhileTimed,
    /// The code did not answer in time.
    TimedOut,
    /// The grading worker broke the grader's protocol.
    Protocol,
    /// The code keeps state between calls where the input is the workload itself (a cache
    /// would be timed instead of the code; `stateless` in `course.toml`).
    KeepsState,
    /// The grader's own reference worker failed (a candidate whose calls are so fast that a
    /// sample holds a huge number of them).
    Grader,
}

impl Problem {
    pub fn describe(self) -> &'static str {
        match self {
            Problem::TestsCrashed => "tests crashed",
            Problem::TestsNotTrusted => "test output not trusted",
            Problem::WrongResults => "wrong results",
            Problem::WrongWhileTimed => "results changed while being timed",
            Problem::Crashed => "crashed on the graded input",
            Problem::CrashedWhileTimed => "crashed while being timed",
            Problem::TimedOut => "did not answer in time",
            Problem::Protocol => "broke the grading protocol",
            Problem::Grader => "too many calls for the grader to check",
            Problem::KeepsState => "keeps state between calls",
        }
    }

    fn of(failure: &judge::Failure) -> Problem {
        use judge::Failure as F;
        match failure {
            F::Wrong { while_timing: false, .. } => Problem::WrongResults,
            F::Wrong { while_timing: true, .. } => Problem::WrongWhileTimed,
            F::Crashed { while_timing: false, .. } => Problem::Crashed,
            F::Crashed { while_timing: true, .. } => Problem::CrashedWhileTimed,
            F::TimedOut { .. } => Problem::TimedOut,
            F::Protocol { .. } => Problem::Protocol,
            F::Reference(_) => Problem::Grader,
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

impl TestOutcome {
    /// The test's own name, without its module path (`task_06_differences`), as course.toml
    /// names tests.
    pub fn short_name(&self) -> &str {
        self.name.rsplit("::").next().unwrap_or(&self.name)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageReport {
    pub name: String,
    pub target: f64,
    pub optional: bool,
    /// Absent when the stage was not measured (the code did not compile or was wrong).
    pub result: Option<StageResult>,
}

impl StageReport {
    /// Measured and missed its target.
    fn missed(&self) -> bool {
        self.result.as_ref().is_some_and(|r| r.verdict != Verdict::Met)
    }
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
    /// With status `wrong`: what exactly went wrong (absent from reports written before it).
    #[serde(default)]
    pub problem: Option<Problem>,
}

impl CheckReport {
    /// What went wrong, by name: failed tests (in name order, so the first unfinished task comes
    /// first), then stages that missed their target (required ones first).
    pub fn failed_names(&self) -> Vec<String> {
        let mut tests: Vec<String> = self
            .tests
            .iter()
            .flat_map(|t| &t.tests)
            .filter(|t| !t.passed)
            .map(|t| t.short_name().to_string())
            .collect();
        tests.sort();
        let (required, optional): (Vec<&StageReport>, Vec<_>) =
            self.stages.iter().filter(|s| s.missed()).partition(|s| !s.optional);
        tests.extend(required.into_iter().chain(optional).map(|s| s.name.clone()));
        tests
    }

    /// A report of nothing done yet (status `not_compiled`, no measurements).
    pub fn new(ex: &Exercise, side: Side) -> Self {
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
            problem: None,
        }
    }

    /// The state in a few words: the problem when there is one, else the status.
    pub fn state(&self) -> &'static str {
        match (self.status, self.problem) {
            (Status::Wrong, Some(problem)) => problem.describe(),
            (status, _) => status.describe(),
        }
    }

    /// Best measured speedup per stage.
    pub fn speedups(&self) -> impl Iterator<Item = (&str, f64)> {
        self.stages.iter().filter_map(|s| s.result.as_ref().map(|r| (s.name.as_str(), r.speedup)))
    }
}

/// Checks one side of an exercise. `color` asks cargo for coloured diagnostics.
pub fn check(root: &Path, ex: &Exercise, side: Side, color: bool) -> Result<CheckReport> {
    let seal = crate::integrity::check_seal(root, &[ex.folder(side)])?;
    let tampered = seal.changes.unwrap_or_default();
    // A tampered course is not built (a build script could run) nor timed: the verdict would
    // not count, and the learner's message says which files to restore.
    let mut report = if tampered.is_empty() { grade(root, ex, side, color)? } else { CheckReport::new(ex, side) };
    // Whatever learner code started and left behind (a grandchild holding the test pipes)
    // ends with the check.
    child::reap_orphans();
    if let Some(note) = seal.note {
        report.details =
            Some(report.details.take().map(|d| d.trim_end().to_string() + "\n\n").unwrap_or_default() + &note);
    }
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

    // Before the learner's build: nothing of it (a build script) has run yet.
    let expected = match side {
        Side::Solution => None,
        Side::Exercise => Some(expected_tests(root, ex, &mut status)?),
    };
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
    // The solution's own tests are listed from its own binaries (it is course code).
    let expected = match expected {
        Some(e) => e,
        None => list_course_tests(&built.tests)?,
    };

    report.status = Status::Wrong;
    let tests_passed = run_tests(ex, &package, &built.tests, &expected, &mut status, &mut report)?;
    // With tasks still open, a stage whose own task passed is timed already (trusted output only).
    let task_passed =
        |task: &str| report.tests.iter().flat_map(|t| &t.tests).any(|t| t.passed && t.short_name() == task);
    let gradable: Vec<(String, f64)> = ex
        .stages
        .iter()
        .filter(|s| tests_passed || (report.problem.is_none() && s.task.as_deref().is_some_and(task_passed)))
        .map(|s| (s.name.clone(), s.target))
        .collect();
    if !tests_passed && gradable.is_empty() {
        return Ok(report);
    }

    let Some(grade) = built.grade else {
        report.status = Status::Done;
        return Ok(report);
    };
    if ex.stateless {
        let found = crate::stateless::kept_state(&root.join(ex.folder(side)))?;
        if !found.is_empty() {
            report.problem = Some(Problem::KeepsState);
            report.details = Some(crate::stateless::explain(&found));
            return Ok(report);
        }
    }
    status.phase("building the course's reference worker…");
    let reference = cargo::build_reference(root)?;
    let protocol = Protocol::default();
    let mut machine = Machine::detect();
    if machine.cores >= 2 {
        machine.two_thread_scaling = Some(grading::machine::two_thread_scaling());
    }
    status.phase(&format!("grading {package}: checking results, then timing against the baseline…"));
    let stages = gradable;
    let judged = judge::grade(&grade, &reference, ex, &stages, &protocol, &root.join("target"), &mut |p| {
        status.set(&format!(
            "grading {package}: {} · pair {} · speedup {:.2}× [{:.2}–{:.2}]",
            p.stage, p.pairs, p.speedup, p.interval[0], p.interval[1]
        ))
    })?;
    report.protocol = Some(protocol);
    report.machine = Some(machine);
    if let Some(failure) = judged.failure {
        report.problem = Some(Problem::of(&failure));
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
    report.status = if !tests_passed {
        Status::Wrong
    } else if ex.required_stages().all(|s| met(&s.name)) {
        Status::Done
    } else {
        Status::Slow
    };
    Ok(report)
}

/// The course's test binaries (an exercise's sealed `tests/*.rs`, not its library's unit tests)
/// by target name, each with the names of the tests it must report.
type Expected = Vec<(String, Vec<String>)>;

/// The tests the learner's test binaries must report, read from the solution's twin binaries.
///
/// A test binary of the learner's crate has the learner's code linked in, so nothing it prints
/// is evidence by itself: a test can print `test x ... ok` lines, or end the whole run with
/// `std::process::exit(0)` before the other tests ran. So the runner must know which tests
/// have to report. Their list comes from the solution crate, built from the same sealed test
/// files (the exercise's and the solution's `tests/*.rs` expand the same harness macros and
/// differ only in the crate they test), listed with libtest's `--list --format terse`, which
/// runs no test. Not from the learner's binary (its code can run before `main`), nor from a
/// cached file (`target/` is writable by a build script): cargo's own build cache makes a
/// second listing cost a second.
fn expected_tests(root: &Path, ex: &Exercise, status: &mut StatusLine) -> Result<Expected> {
    let solution = ex.package(Side::Solution);
    status.phase(&format!("reading the list of the course's tests from {solution}…"));
    match cargo::build_tests(root, &solution, false, false, |s| status.set(&format!("building {solution}: {s}")))? {
        Build::Built(built) => list_course_tests(&built.tests),
        Build::Failed(why) => {
            bail!("the course's solution {solution} does not build, so the list of tests to expect is unknown:\n{why}")
        }
    }
}

/// `--list --format terse` of each of the course's test binaries among `binaries` (course code).
fn list_course_tests(binaries: &[(String, PathBuf)]) -> Result<Expected> {
    let mut expected = Vec::new();
    for (name, exe) in binaries.iter().filter(|(name, _)| name != UNIT_TESTS) {
        let mut cmd = Command::new(exe);
        cmd.args(["--list", "--format", "terse"]);
        let finished = child::run(&mut cmd, TEST_LIMIT, |_| false)?;
        if !finished.ending.success() {
            bail!(
                "listing the course's tests in `{name}` ({}) failed: it {}\n{}",
                exe.display(),
                finished.ending.describe(),
                tail(&finished.stderr, 20)
            );
        }
        expected.push((name.clone(), listed_tests(&finished.stdout)));
    }
    Ok(expected)
}

/// The name cargo's JSON gives a library's unit-test binary (see `cargo::build_tests`): the
/// learner's own tests, if any, not the course's.
const UNIT_TESTS: &str = "unit tests";

/// Test names in libtest's `--list --format terse` output (`name: test`, one a line).
fn listed_tests(stdout: &str) -> Vec<String> {
    stdout.lines().filter_map(|l| l.strip_suffix(": test")).map(str::to_string).collect()
}

/// Runs every test binary and fills `report.tests` (and `details` and `problem` when something
/// is off). True when every test passed and every course binary's output matched its list.
///
/// The course's binaries are held to their lists: each expected test reported exactly once, as
/// `ok`, `FAILED` or `ignored`, and nothing else. Anything else (a test missing because the run
/// ended early, one reported twice, a name that is not a course test) and the binary's output
/// is not trusted: all its tests count as failed and the status is `wrong`. The learner's own
/// unit tests run too; their failures count, their passes prove nothing and are not needed.
fn run_tests(
    ex: &Exercise,
    package: &str,
    binaries: &[(String, PathBuf)],
    expected: &Expected,
    status: &mut StatusLine,
    report: &mut CheckReport,
) -> Result<bool> {
    let mut tests = TestSummary::default();
    if let Some((name, _)) = expected.iter().find(|(n, _)| !binaries.iter().any(|(b, _)| b == n)) {
        report.problem = Some(Problem::TestsNotTrusted);
        report.details = Some(format!(
            "The course's tests in `{name}` were not built for {package}, so they could not run. Is its \
             `tests/{name}.rs` or its Cargo.toml changed?"
        ));
        report.tests = Some(tests);
        return Ok(false);
    }
    for (name, exe) in binaries {
        status.phase(&format!("testing {package}: {name}…"));
        let mut cmd = test_command(exe);
        let finished = child::run(&mut cmd, TEST_LIMIT, |_| false)?;
        let reported = result_lines(&finished.stdout);
        let counts = count_tests(&finished.stdout);
        if !finished.ending.success() && !matches!(finished.ending, Ending::Exited(101) if counts.failed > 0) {
            // Not a test failure: the test binary itself crashed or hung.
            report.problem = Some(Problem::TestsCrashed);
            report.details =
                Some(format!("the tests in `{name}` {}\n{}", finished.ending.describe(), tail(&finished.stderr, 20)));
            add(&mut tests, counts);
            report.tests = Some(tests);
            return Ok(false);
        }
        if let Some((_, names)) = expected.iter().find(|(n, _)| n == name) {
            let mut mismatch = mismatches(names, &reported);
            if finished.ending.success() && counts.failed > 0 {
                mismatch.push("failed tests reported by a run that ended as successful".into());
            }
            if !mismatch.is_empty() {
                report.problem = Some(Problem::TestsNotTrusted);
                report.details = Some(format!(
                    "The test output of `{name}` does not match the course's tests: {}. The test run {}, so none \
                     of its results are believed and its {} tests count as failed. Does your code end the process \
                     (`std::process::exit`), or print lines that look like test results?",
                    mismatch.join("; "),
                    finished.ending.describe(),
                    names.len()
                ));
                add(
                    &mut tests,
                    TestSummary {
                        failed: names.len(),
                        tests: names
                            .iter()
                            .map(|n| TestOutcome {
                                name: n.clone(),
                                passed: false,
                                reason: Some(
                                    "result not trusted: the test output did not match the course's tests".into(),
                                ),
                            })
                            .collect(),
                        ..TestSummary::default()
                    },
                );
                report.tests = Some(tests);
                return Ok(false);
            }
        }
        let failed = counts.failed;
        add(&mut tests, counts);
        if failed > 0
            && let Some(text) = failure_details(&finished.stdout, ex.start, &tests.tests)
        {
            report.details = Some(report.details.take().unwrap_or_default() + &text);
        }
    }
    let passed = tests.failed == 0;
    report.tests = Some(tests);
    Ok(passed)
}

/// A course test binary as the runner starts it, limited. Never coloured: the runner reads its
/// output and paints its own lines; colour codes (and the `\x0f` that tmux's and screen's
/// terminal settings add after them) could only be stripped, and once were not.
fn test_command(exe: &Path) -> Command {
    let mut cmd = Command::new(exe);
    cmd.env("RUST_BACKTRACE", "0").args(["--color", "never"]);
    Limits::for_learner_code(TEST_LIMIT).apply(&mut cmd);
    cmd
}

fn add(total: &mut TestSummary, more: TestSummary) {
    total.passed += more.passed;
    total.failed += more.failed;
    total.ignored += more.ignored;
    total.tests.extend(more.tests);
}

/// The failures to show, escape sequences inert (the captured output is the learner's). With a
/// task list, the first unfinished task that is more than a `todo!()` is the one being worked
/// on: shown in full, the others are one line each in the list.
fn failure_details(stdout: &str, start: Start, outcomes: &[TestOutcome]) -> Option<String> {
    let sections = failure_sections(stdout);
    let focus = if start == Start::Todo {
        sections.iter().find(|(n, _)| !outcomes.iter().any(|t| &t.name == n && is_todo(t))).into_iter().collect()
    } else {
        sections.iter().collect::<Vec<_>>()
    };
    let text: String =
        focus.iter().map(|(n, body)| format!("---- {}\n{}", term::inert(n), term::inert(body))).collect();
    (!text.is_empty()).then_some(text)
}

/// How `reported` differs from the `expected` names, in plain words (empty when it matches).
fn mismatches(expected: &[String], reported: &[(String, Outcome)]) -> Vec<String> {
    let times = |name: &str| reported.iter().filter(|(n, _)| n == name).count();
    let mut twice = Vec::new();
    let mut unknown = Vec::new();
    for (k, (name, _)) in reported.iter().enumerate() {
        if reported[..k].iter().any(|(n, _)| n == name) {
            continue;
        }
        if !expected.contains(name) {
            unknown.push(format!("`{}`", term::inert(name)));
        } else if times(name) > 1 {
            twice.push(format!("`{}` ({} times)", term::inert(name), times(name)));
        }
    }
    let missing: Vec<String> =
        expected.iter().filter(|n| times(n) == 0).map(|n| format!("`{}`", term::inert(n))).collect();
    let mut out = Vec::new();
    if !twice.is_empty() {
        out.push(format!("{} reported more than once", names(&twice)));
    }
    if !missing.is_empty() {
        out.push(format!("{} never reported", names(&missing)));
    }
    if !unknown.is_empty() {
        out.push(format!("{} reported but not one of the course's tests", names(&unknown)));
    }
    out
}

/// `a`, `b`, `c` and 4 more.
fn names(list: &[String]) -> String {
    const SHOWN: usize = 3;
    let shown = list[..list.len().min(SHOWN)].join(", ");
    if list.len() > SHOWN { format!("{shown} and {} more", list.len() - SHOWN) } else { shown }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Ok,
    Failed,
    Ignored,
}

/// libtest's result lines, `test NAME ... ok|FAILED|ignored`, in order (ANSI colours and control
/// characters removed), up to its `failures:` section, which holds the tests' own output.
fn result_lines(stdout: &str) -> Vec<(String, Outcome)> {
    let mut out = Vec::new();
    for line in stdout.lines().map(strip_ansi) {
        if line.trim_end() == "failures:" {
            break;
        }
        let Some(rest) = line.strip_prefix("test ") else { continue };
        let Some((name, outcome)) = rest.rsplit_once(" ... ") else { continue };
        let outcome = match outcome.trim() {
            "ok" => Outcome::Ok,
            "FAILED" => Outcome::Failed,
            o if o.starts_with("ignored") => Outcome::Ignored,
            _ => continue,
        };
        out.push((name.to_string(), outcome));
    }
    out
}

/// Reads libtest's result lines, and each failure's first line.
fn count_tests(stdout: &str) -> TestSummary {
    let sections = failure_sections(stdout);
    let mut summary = TestSummary::default();
    for (name, outcome) in result_lines(stdout) {
        let (passed, reason) = match outcome {
            Outcome::Ok => (true, None),
            Outcome::Failed => {
                let body = sections.iter().find(|(n, _)| *n == name).map_or("", |(_, b)| b.as_str());
                (false, Some(first_reason(body)))
            }
            Outcome::Ignored => {
                summary.ignored += 1;
                continue;
            }
        };
        if passed {
            summary.passed += 1
        } else {
            summary.failed += 1
        }
        summary.tests.push(TestOutcome { name, passed, reason });
    }
    summary
}

fn is_todo(t: &TestOutcome) -> bool {
    t.reason.as_deref().is_some_and(|r| r.starts_with("todo!()"))
}

/// The panic's location and message, in one line: `todo!() at src/lib.rs:48:5` for a `todo!()`.
/// The last panic of the section is the one that ended the test: after a panic caught inside
/// the course's checks, their own (which names the call) follows the library's.
fn first_reason(body: &str) -> String {
    let all: Vec<String> = body.lines().map(strip_ansi).collect();
    let last = all.iter().rposition(|l| l.contains(" panicked at ")).unwrap_or(all.len());
    let mut lines = all.into_iter().skip(last);
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

/// The last `n` lines of what a process printed, escape sequences shown inert (it may be
/// learner code's output).
fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    term::inert(&lines[lines.len().saturating_sub(n)..].join("\n"))
}

/// `s` without terminal escape sequences and control characters (tabs and newlines kept):
/// CSI sequences (`ESC [ … final byte`, colours included), OSC strings (`ESC ] … BEL` or
/// `ESC \\`), other two-byte escapes, then every remaining control character, such as the
/// `SI` (`\x0f`) some terminals' colour resets (`ESC[m`) are followed by in libtest's output.
pub fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            if !c.is_control() || c == '\n' || c == '\t' {
                out.push(c);
            }
            continue;
        }
        match chars.next() {
            // CSI: parameter and intermediate bytes (0x20–0x3f), then one final byte (0x40–0x7e).
            Some('[') => {
                while chars.next_if(|c| ('\x20'..='\x3f').contains(c)).is_some() {}
                chars.next_if(|c| ('\x40'..='\x7e').contains(c));
            }
            // OSC: up to BEL or ST (`ESC \\`).
            Some(']') => {
                while let Some(c) = chars.next() {
                    if c == '\x07' || (c == '\x1b' && chars.next_if_eq(&'\\').is_some()) {
                        break;
                    }
                }
            }
            // A character set designation (`ESC ( B`) has one more byte.
            Some('(' | ')' | '*' | '+') => {
                chars.next();
            }
            _ => {}
        }
    }
    out
}

/// The one-line verdict: `correct ✔ · evolve 3.1× of target 10× ✘`.
pub fn verdict_line(r: &CheckReport) -> String {
    let mut parts = vec![match (r.status, &r.tests, r.problem) {
        (Status::Tampered, _, _) => format!("course files modified {}", term::mark(false)),
        (Status::NotCompiled, _, _) => format!("compiles {}", term::mark(false)),
        (Status::Wrong, _, Some(p)) if p != Problem::WrongResults => format!("{} {}", p.describe(), term::mark(false)),
        (Status::Wrong, Some(t), _) if t.failed > 0 => {
            format!("tests {}/{} {}", t.passed, t.passed + t.failed, term::mark(false))
        }
        (Status::Wrong, _, Some(p)) => format!("{} {}", p.describe(), term::mark(false)),
        (Status::Wrong, _, None) => format!("correct {}", term::mark(false)),
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
        // No test ran: nothing was shown to work, so no tick.
        let ok = t.failed == 0 && t.passed > 0;
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
    if let Some(note) = busy_core_note(r, ex) {
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
        out += "Restore them with `git checkout <trusted ref> -- <files>` (the course commit you started from, e.g. `upstream/main`) and check again.\n";
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
/// Said only when a multi-threaded stage missed: a busy core does not explain a serial miss.
fn busy_core_note(r: &CheckReport, ex: &Exercise) -> Option<String> {
    let scaling = r.machine.as_ref()?.two_thread_scaling?;
    let threaded = |name: &str| ex.stages.iter().any(|s| s.name == name && s.multi_threaded);
    let missed = r.stages.iter().any(|s| threaded(&s.name) && s.missed());
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
    fn strips_colours_and_control_characters() {
        // tmux: libtest ends a colour with `ESC[m` followed by SI.
        assert_eq!(strip_ansi("\x1b[32mok\x1b[m\x0f"), "ok");
        assert_eq!(strip_ansi("\x1b[1;31mFAILED\x1b[0m\r"), "FAILED");
        assert_eq!(strip_ansi("a\x1b]0;title\x07b\x1b]8;;x\x1b\\c\x1b(Bd\x07\x08e\tf"), "abcde\tf");
        assert_eq!(strip_ansi("\x1b[2J\x1b[Hx"), "x");
        let out = "running 2 tests\ntest a ... \x1b[32mok\x1b[m\x0f\ntest b ... \x1b[31mFAILED\x1b[m\x0f\n";
        assert_eq!(result_lines(out), vec![("a".to_string(), Outcome::Ok), ("b".to_string(), Outcome::Failed)]);
    }

    fn names_of(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn lists_the_tests_of_a_binary() {
        let out = "tasks::t01_zeros: test\ntasks::t02_range: test\nbenches::b: bench\n";
        assert_eq!(listed_tests(out), names_of(&["tasks::t01_zeros", "tasks::t02_range"]));
    }

    #[test]
    fn test_output_must_match_the_course_list_exactly() {
        let expected = names_of(&["a", "b", "c"]);
        let honest = "running 3 tests\ntest c ... ignored\ntest a ... ok\ntest b ... FAILED\n\nfailures:\n\n\
                      ---- b stdout ----\ntest a ... ok\ntest zz ... ok\n\nfailures:\n    b\n";
        assert_eq!(mismatches(&expected, &result_lines(honest)), Vec::<String>::new(), "captured output is no result");

        // `std::process::exit(0)` inside the first test: the others never report.
        let exited = "running 3 tests\n";
        assert_eq!(mismatches(&expected, &result_lines(exited)), vec!["`a`, `b`, `c` never reported"]);

        // Forged lines printed by a test: a second `a`, and a test the course does not have.
        let forged = "running 3 tests\ntest a ... ok\ntest a ... FAILED\ntest b ... ok\ntest c ... ok\ntest x ... ok\n";
        assert_eq!(
            mismatches(&expected, &result_lines(forged)),
            vec!["`a` (2 times) reported more than once", "`x` reported but not one of the course's tests"]
        );

        let many = names_of(&["a", "b", "c", "d", "e"]);
        assert_eq!(mismatches(&many, &[]), vec!["`a`, `b`, `c` and 2 more never reported"]);
    }

    #[test]
    fn learner_output_in_details_is_inert() {
        let out = "test x ... FAILED\n\nfailures:\n\n---- x stdout ----\n\x1b[2J\x1b]0;pwned\x07hello\n\
                   thread 'x' panicked at src/lib.rs:1:1:\n\x1b[31mboom\x1b[0m\n\nfailures:\n    x\n";
        let outcomes = count_tests(out).tests;
        assert_eq!(outcomes[0].reason.as_deref(), Some("boom"));
        let details = failure_details(out, Start::Slow, &outcomes).unwrap();
        assert!(!details.contains('\x1b') && !details.contains('\x07'), "{details:?}");
        assert!(details.contains("\\u{1b}[2J") && details.contains("hello"), "{details}");
        assert!(!tail("ok\n\x1b[31mred", 5).contains('\x1b'));
    }

    #[test]
    fn a_crash_while_timed_is_labelled_as_such() {
        let ex = crate::course::Course::load(Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()).unwrap();
        let ex = ex.find("profiling-heat").unwrap().clone();
        let mut report = CheckReport::new(&ex, Side::Exercise);
        report.status = Status::Wrong;
        report.tests = Some(TestSummary { passed: 3, ..TestSummary::default() });
        let failure =
            judge::Failure::Crashed { ending: Ending::Signalled(11), while_timing: true, output: String::new() };
        report.problem = Some(Problem::of(&failure));
        assert!(verdict_line(&report).starts_with("crashed while being timed"), "{}", verdict_line(&report));
        assert_eq!(report.state(), "crashed while being timed");
        let wrong = judge::Failure::Wrong { message: String::new(), while_timing: true };
        report.problem = Some(Problem::of(&wrong));
        assert!(verdict_line(&report).starts_with("results changed while being timed"));
        report.problem = None;
        assert!(verdict_line(&report).starts_with("correct"));
    }

    /// Not a test: the failing "course test" that the next test runs in a real libtest run of
    /// this binary.
    #[test]
    #[ignore = "run by test_results_read_the_same_under_tmux_terminal_settings"]
    fn a_course_test_that_fails() {
        assert_eq!(std::hint::black_box(1.0_f64 / 3.0), 0.3333, "after 5 steps, value (3, 41) differs");
    }

    #[test]
    fn test_results_read_the_same_under_tmux_terminal_settings() {
        let exe = std::env::current_exe().unwrap();
        let mut read = Vec::new();
        for term in ["tmux-256color", "screen", "xterm-256color", "dumb"] {
            let mut cmd = test_command(&exe);
            cmd.env("TERM", term).env("CLICOLOR_FORCE", "1").args(["--ignored", "--exact"]);
            cmd.arg("check::tests::a_course_test_that_fails");
            let finished = child::run(&mut cmd, Duration::from_secs(60), |_| false).unwrap();
            assert_eq!(finished.ending, Ending::Exited(101), "{term}: {}", finished.stderr);
            assert!(!finished.stdout.contains('\x1b') && !finished.stdout.contains('\x0f'), "{term}");
            let counts = count_tests(&finished.stdout);
            assert_eq!((counts.passed, counts.failed), (0, 1), "{term}: {}", finished.stdout);
            let details = failure_details(&finished.stdout, Start::Slow, &counts.tests).unwrap();
            assert!(details.contains("after 5 steps, value (3, 41) differs"), "{term}: {details}");
            // The same but for the thread's id.
            let details: String = details.chars().filter(|c| !c.is_ascii_digit()).collect();
            read.push((counts.tests[0].reason.clone(), details));
        }
        assert!(read.windows(2).all(|w| w[0] == w[1]), "{read:#?}");
    }

    #[test]
    fn no_tick_when_no_test_ran() {
        let course = crate::course::Course::load(Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()).unwrap();
        let ex = course.find("profiling-heat").unwrap();
        let mut report = CheckReport::new(ex, Side::Exercise);
        report.tests = Some(TestSummary::default());
        let text = strip_ansi(&render(&report, ex));
        assert!(text.contains("✘ tests: 0 passed, 0 failed"), "{text}");
        report.tests = Some(TestSummary { passed: 3, ..TestSummary::default() });
        let text = strip_ansi(&render(&report, ex));
        assert!(text.contains("✔ tests: 3 passed, 0 failed"), "{text}");
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
    fn the_reason_is_the_panic_that_ended_the_test() {
        let body = "\nthread 't' panicked at ndarray/src/linspace.rs:111:5:\nassertion failed: start <= axis_len\n\
                    thread 't' panicked at shared/src/arrays/checks.rs:40:13:\nlinspace(0.0, 1.0, 0) panicked: \
                    assertion failed: start <= axis_len\n";
        assert_eq!(first_reason(body), "linspace(0.0, 1.0, 0) panicked: assertion failed: start <= axis_len");
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
        let course = crate::course::Course::load(Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()).unwrap();
        let ex = course.find("mandelbrot").unwrap();
        let report = |stage: &str, speedup: f64, scaling: f64| {
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
                    name: stage.into(),
                    target: 1.3,
                    optional: true,
                    result: Some(result(speedup)),
                }],
                protocol: None,
                machine: Some(machine),
                tampered: Vec::new(),
                problem: None,
            }
        };
        assert!(busy_core_note(&report("parallel", 1.05, 1.2), ex).is_some_and(|n| n.contains("1.2× faster than one")));
        assert_eq!(busy_core_note(&report("parallel", 1.05, 1.95), ex), None, "an idle core: the code is slow");
        assert_eq!(busy_core_note(&report("parallel", 1.9, 1.2), ex), None, "nothing missed, nothing to explain");
        assert_eq!(busy_core_note(&report("static", 1.05, 1.2), ex), None, "a serial stage: a busy core is no excuse");
    }

    #[test]
    fn speedups_print_with_sensible_digits() {
        assert_eq!(two_digits(12.27), "12");
        assert_eq!(two_digits(1.034), "1.03");
        assert_eq!(two_digits(5.0), "5");
        assert_eq!(two_digits(2.5), "2.5");
    }
}
