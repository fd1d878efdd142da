//! What `check` found out: the report `--json` prints (`docs/report-schema.md`).

use crate::course::{Exercise, Side};
use crate::judge;
use grading::machine::Machine;
use grading::protocol::{Protocol, StageResult, Verdict};
use grading::roofline::{Limits, Roofline};
use serde::{Deserialize, Serialize};

/// Version of the JSON report's layout; bumped on incompatible changes (2: targets and tiers
/// are shares of the course solution's gain, measured in the same run).
pub const SCHEMA: u32 = 2;

/// How a test that hung is told (see [`TestOutcome::still_running`]).
pub const STILL_RUNNING: &str = "still running after";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Files the verdict depends on (baselines, tests, the grader) differ from the sealed ones.
    Tampered,
    NotCompiled,
    Wrong,
    /// Correct, but a required speed target is missed.
    Slow,
    /// Correct, no required target missed, but one could not be graded: the course's solution
    /// itself gained too little on this machine, now (a parallel stage with one free core).
    Ungradable,
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
            Status::Ungradable => "not gradable here",
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
    /// A stage's calls took less time than the least work they must do takes on this machine
    /// (its `floor`): the result was not computed while it was timed.
    Implausible,
    /// The grader's own reference worker failed (a candidate whose calls are so fast that a
    /// sample holds a huge number of them).
    Grader,
    /// The course's solution, timed beside the code to measure what the machine gives, failed:
    /// a fault of the course, not of the learner's code.
    Solution,
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
            Problem::Implausible => "faster than this machine can compute",
            Problem::Solution => "the course's solution failed",
        }
    }

    pub fn of(failure: &judge::Failure) -> Problem {
        use judge::Failure as F;
        match failure {
            F::Wrong { while_timing: false, .. } => Problem::WrongResults,
            F::Wrong { while_timing: true, .. } => Problem::WrongWhileTimed,
            F::Crashed { while_timing: false, .. } => Problem::Crashed,
            F::Crashed { while_timing: true, .. } => Problem::CrashedWhileTimed,
            F::TimedOut { .. } => Problem::TimedOut,
            F::Protocol { .. } => Problem::Protocol,
            F::Reference(_) => Problem::Grader,
            F::Solution(_) => Problem::Solution,
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

    /// Whether the test hung: still running when its binary was stopped.
    pub fn still_running(&self) -> bool {
        !self.passed && self.reason.as_deref().is_some_and(|r| r.starts_with(STILL_RUNNING))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageReport {
    pub name: String,
    /// The share of the course solution's gain to reach (0.5: half-way, on a log scale).
    pub target: f64,
    pub optional: bool,
    /// Absent when the stage was not measured (the code did not compile or was wrong).
    pub result: Option<StageResult>,
    /// The candidate's rate against this machine's matching limit (absent when not measured,
    /// when no hardware limit applies, or in reports written before it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roofline: Option<Roofline>,
    /// The shares that earn 1, 2, 3… points, lowest first (`course.toml`'s `tiers`, else the
    /// target alone); empty in reports written before tiers, which [`StageReport::ladder`] reads
    /// as the target alone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<f64>,
    /// Points earned, as [`points`] counts them (0 when not measured or missed).
    #[serde(default)]
    pub points: u32,
    /// The next tier's share: the target when missed, absent at the top.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_tier: Option<f64>,
    /// For a multi-threaded stage: the cores the candidate kept busy and whether a second core
    /// was free while it was timed (absent for other stages and in older reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cores: Option<judge::CoreUse>,
}

/// Points for a stage: none unless the grader's verdict on the target (the first tier) is
/// met, then one more for each higher tier the median share reaches. Reaching a tier exactly
/// counts. The grader stops timing once the target's verdict is sure, so the higher tiers are
/// read from the median, as a verdict at the time limit is.
pub fn points(tiers: &[f64], met: bool, share: f64) -> u32 {
    if !met {
        return 0;
    }
    1 + tiers.iter().skip(1).take_while(|&&t| share >= t).count() as u32
}

impl StageReport {
    /// Measured and missed its target.
    pub fn missed(&self) -> bool {
        self.result.as_ref().is_some_and(|r| r.verdict == Verdict::Missed)
    }

    /// Measured, but the course's solution gained too little here to grade it.
    pub fn ungradable(&self) -> bool {
        self.result.as_ref().is_some_and(|r| r.verdict == Verdict::Ungradable)
    }

    /// The tiers, lowest first; the target alone for a report written before tiers.
    pub fn ladder(&self) -> Vec<f64> {
        if self.tiers.is_empty() { vec![self.target] } else { self.tiers.clone() }
    }

    /// Points earned, computed from the measurement (not read from `points`).
    pub fn earned(&self) -> u32 {
        self.result.as_ref().map_or(0, |r| points(&self.ladder(), r.verdict == Verdict::Met, r.share))
    }

    /// The most points the stage can earn: one per tier.
    pub fn max_points(&self) -> u32 {
        self.ladder().len() as u32
    }

    /// The next tier's share to reach, if any is left.
    pub fn next(&self) -> Option<f64> {
        self.ladder().get(self.earned() as usize).copied()
    }

    /// Fills `points` and `next_tier` from the measurement, for the JSON report's readers.
    pub fn score(&mut self) {
        self.points = self.earned();
        self.next_tier = self.next();
    }

    /// "tier 2 of 3 (75%), next 90%" for a stage with tiers; `None` with one tier (met or
    /// missed says it all).
    pub fn tier_text(&self) -> Option<String> {
        let tiers = self.ladder();
        if tiers.len() < 2 {
            return None;
        }
        let percent = crate::text::percent;
        let earned = self.earned() as usize;
        let reached = match earned {
            0 => format!("tier 0 of {}", tiers.len()),
            k => format!("tier {k} of {} ({})", tiers.len(), percent(tiers[k - 1])),
        };
        Some(match self.next() {
            Some(next) => format!("{reached}, next {}", percent(next)),
            None => format!("{reached}, the top"),
        })
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
    /// What went wrong, in the grader's own words (may hold ANSI colours when printed to a
    /// terminal; never in `--json`).
    pub details: Option<String>,
    /// What learner code printed or the compiler said of it (diagnostics, a failed test's
    /// panic, a crash's last lines): a bounded [`excerpt`], escape sequences shown inert, for
    /// the learner's own terminal. `grade-submissions` leaves it out of a class's reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    pub tests: Option<TestSummary>,
    pub stages: Vec<StageReport>,
    pub protocol: Option<Protocol>,
    pub machine: Option<Machine>,
    /// This machine's limits the stages' rooflines compare with (`cargo xtask machine`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<Limits>,
    /// Protected files (frozen baselines, tests, the grader) that differ from `integrity.toml`;
    /// when any do, the status is `tampered` whatever the measurements say.
    #[serde(default)]
    pub tampered: Vec<String>,
    /// With status `wrong`: what exactly went wrong (absent from reports written before it).
    #[serde(default)]
    pub problem: Option<Problem>,
    /// The layers of the sandbox learner code ran in (absent when none of it ran, and from
    /// reports written before the sandbox).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox: Option<crate::sandbox::Layers>,
    /// For a GPU exercise: the Vulkan drivers its code could run on, as the runner found them
    /// (`lavapipe (Vulkan on the CPU)`), and whether every one is software on the CPU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpu: Option<GpuUsed>,
}

/// The GPU drivers a GPU exercise ran with (see `crate::gpu`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GpuUsed {
    pub drivers: String,
    pub cpu_only: bool,
    /// Stages not timed: the only drivers run on the CPU, whose timing is no GPU's.
    #[serde(default)]
    pub untimed: Vec<String>,
}

impl CheckReport {
    /// Whether the test binaries (or, once it has spoken, the judge) report `task` passed.
    pub fn task_passed(&self, task: &str) -> bool {
        self.tests.iter().flat_map(|t| &t.tests).any(|t| t.passed && t.short_name() == task)
    }

    /// What went wrong, by name: failed tests (a test that hung first, the one to fix now; then
    /// in name order, so the first unfinished task comes first), then stages that missed their
    /// target (required ones first).
    pub fn failed_names(&self) -> Vec<String> {
        let mut failed: Vec<&TestOutcome> = self.tests.iter().flat_map(|t| &t.tests).filter(|t| !t.passed).collect();
        failed.sort_by_key(|t| (!t.still_running(), t.short_name()));
        let mut tests: Vec<String> = failed.into_iter().map(|t| t.short_name().to_string()).collect();
        let (required, optional): (Vec<&StageReport>, Vec<_>) =
            self.stages.iter().filter(|s| s.missed()).partition(|s| !s.optional);
        tests.extend(required.into_iter().chain(optional).map(|s| s.name.clone()));
        tests
    }

    /// Whether the check found only tasks still to do: every failed test a `todo!()` and no
    /// other problem. (A stage timed meanwhile, as soon as its own task passed, may miss: the
    /// starting code is slow by design, so that is still "to do".)
    pub fn only_to_do(&self) -> bool {
        let Some(tests) = &self.tests else { return false };
        let failed: Vec<&TestOutcome> = tests.tests.iter().filter(|t| !t.passed).collect();
        self.status == Status::Wrong
            && self.problem.is_none()
            && !failed.is_empty()
            && failed.iter().all(|t| t.reason.as_deref().is_some_and(|r| r.starts_with("todo!()")))
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
            output: None,
            tests: None,
            stages: ex
                .stages
                .iter()
                .map(|s| StageReport {
                    name: s.name.clone(),
                    target: s.target,
                    optional: s.optional,
                    result: None,
                    roofline: None,
                    tiers: s.tiers(),
                    points: 0,
                    next_tier: Some(s.target),
                    cores: None,
                })
                .collect(),
            protocol: None,
            machine: None,
            limits: None,
            tampered: Vec::new(),
            problem: None,
            sandbox: None,
            gpu: None,
        }
    }

    /// Adds `text` (learner output) to [`Self::output`], bounded as an [`excerpt`].
    pub fn add_output(&mut self, text: &str) {
        let joined = match self.output.take() {
            Some(before) => format!("{before}\n{text}"),
            None => text.to_string(),
        };
        self.output = Some(excerpt(&joined));
    }

    /// The report as a class's records keep it: only what the grader produced. Learner output
    /// and the failure lines of its tests are left out (the test names are the course's,
    /// checked against its list).
    pub fn without_learner_output(mut self) -> Self {
        self.output = None;
        for test in self.tests.iter_mut().flat_map(|t| &mut t.tests) {
            test.reason = None;
        }
        self
    }

    /// The state in a few words: the problem when there is one, else the status.
    pub fn state(&self) -> &'static str {
        match (self.status, self.problem) {
            (Status::Wrong, Some(problem)) => problem.describe(),
            (status, _) => status.describe(),
        }
    }

    /// Whether its stages earn points: its results are right, every task passing, and its files
    /// are the course's (a stage timed while tasks are open shows progress, not points).
    pub fn earns(&self) -> bool {
        matches!(self.status, Status::Done | Status::Slow | Status::Ungradable)
    }

    /// The points `stage` (one of this report's) earns: its own if the report [earns](Self::earns).
    pub fn stage_points(&self, stage: &StageReport) -> u32 {
        if self.earns() { stage.earned() } else { 0 }
    }

    /// Points earned: each stage's, or for an exercise without timed stages 1 when done. A
    /// tampered report, or one with wrong results or open tasks, earns none.
    pub fn points(&self) -> u32 {
        match (self.earns(), self.stages.is_empty()) {
            (false, _) => 0,
            (true, true) => u32::from(self.status == Status::Done),
            (true, false) => self.stages.iter().map(|s| self.stage_points(s)).sum(),
        }
    }

    /// The most points the exercise can earn.
    pub fn max_points(&self) -> u32 {
        if self.stages.is_empty() { 1 } else { self.stages.iter().map(StageReport::max_points).sum() }
    }

    /// Measured speedup per stage.
    pub fn speedups(&self) -> impl Iterator<Item = (&str, f64)> {
        self.stages.iter().filter_map(|s| s.result.as_ref().map(|r| (s.name.as_str(), r.speedup)))
    }

    /// Measured share of the solution's gain per stage, with the solution's speedup.
    pub fn shares(&self) -> impl Iterator<Item = (&str, f64, f64)> {
        self.stages.iter().filter_map(|s| s.result.as_ref().map(|r| (s.name.as_str(), r.share, r.solution_speedup)))
    }
}

/// Lines and bytes of learner output a report keeps.
pub const OUTPUT_LINES: usize = 120;
pub const OUTPUT_BYTES: usize = 16 << 10;

/// `text` bounded to [`OUTPUT_LINES`] lines and about [`OUTPUT_BYTES`] bytes (its beginning and
/// its last lines, the gap said), every control character but newlines, tabs and colour
/// sequences shown as an escape: learner output can neither flood a report nor move the
/// cursor, retitle or rewrite the terminal of whoever reads it.
pub fn excerpt(text: &str) -> String {
    let lines: Vec<&str> = text.trim_end().lines().collect();
    let (head, tail) = (OUTPUT_LINES * 2 / 3, OUTPUT_LINES / 3);
    let mut kept: Vec<String> = if lines.len() > OUTPUT_LINES {
        let mut kept: Vec<String> = lines[..head].iter().map(|l| l.to_string()).collect();
        kept.push(format!("… {} lines left out …", lines.len() - head - tail));
        kept.extend(lines[lines.len() - tail..].iter().map(|l| l.to_string()));
        kept
    } else {
        lines.iter().map(|l| l.to_string()).collect()
    };
    let per_line = OUTPUT_BYTES / kept.len().max(1);
    for line in &mut kept {
        if line.len() > per_line {
            let cut = (0..=per_line).rev().find(|&i| line.is_char_boundary(i)).unwrap_or(0);
            line.truncate(cut);
            line.push_str(" …");
        }
    }
    colours_only(&kept.join("\n"))
}

/// `text` with SGR colour sequences (`ESC [ … m`) kept and every other control character shown
/// as an escape (`\u{1b}`), as [`crate::text::inert`] does.
fn colours_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\x1b' && chars.get(i + 1) == Some(&'[') {
            let params = chars[i + 2..].iter().take_while(|c| c.is_ascii_digit() || **c == ';').count();
            if chars.get(i + 2 + params) == Some(&'m') {
                out.extend(&chars[i..i + 3 + params]);
                i += 3 + params;
                continue;
            }
        }
        if c.is_control() && c != '\n' && c != '\t' {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_excerpt_is_bounded_and_inert_but_keeps_colours() {
        let long: String = (0..500).map(|k| format!("line {k}\n")).collect();
        let cut = excerpt(&long);
        assert_eq!(cut.lines().count(), OUTPUT_LINES + 1, "{cut}");
        assert!(cut.starts_with("line 0\n") && cut.ends_with("line 499"), "the beginning and the end kept");
        assert!(cut.contains(&format!("… {} lines left out …", 500 - OUTPUT_LINES)), "{cut}");
        let wide = "x".repeat(10 * OUTPUT_BYTES);
        assert!(excerpt(&wide).len() < OUTPUT_BYTES + 8, "a single huge line is cut too");
        // A title change, a clipboard write and a cursor move are shown, not done; colours stay.
        let hostile = "\x1b]0;pwned\x07\x1b]52;c;AAAA\x07\x1b[2J\x1b[1;31merror\x1b[0m\r!";
        assert_eq!(
            excerpt(hostile),
            "\\u{1b}]0;pwned\\u{7}\\u{1b}]52;c;AAAA\\u{7}\\u{1b}[2J\x1b[1;31merror\x1b[0m\\u{d}!"
        );
    }

    #[test]
    fn a_class_report_keeps_only_what_the_grader_produced() {
        let course = crate::course::Course::load(&crate::root()).unwrap();
        let mut report = CheckReport::new(&course.exercises[0], Side::Exercise);
        report.details = Some("wrong results".into());
        report.add_output("a secret the code printed");
        report.tests = Some(TestSummary {
            passed: 0,
            failed: 1,
            ignored: 0,
            tests: vec![TestOutcome { name: "task_01".into(), passed: false, reason: Some("printed secret".into()) }],
        });
        let class = report.without_learner_output();
        let json = serde_json::to_string(&class).unwrap();
        assert!(!json.contains("secret"), "{json}");
        assert!(json.contains("wrong results") && json.contains("task_01"), "{json}");
    }
}
