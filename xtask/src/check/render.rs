//! The report as the learner reads it: one line per step, the verdict line, the busy-machine note.

use super::model::{CheckReport, Problem, StageReport, Status, TestOutcome};
use crate::course::{Exercise, Start};
use crate::term;
use grading::protocol::{StageResult, Verdict};
use grading::roofline::Roof;
use grading::timeit::format_seconds;

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
        let tier = if s.max_points() > 1 { format!(" tier {}/{}", s.earned(), s.max_points()) } else { String::new() };
        parts.push(match &s.result {
            Some(res) => format!(
                "{} {}× of target {}×{optional} {}{tier}",
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
        let tier = s.tier_text().map(|t| format!(" · {t}")).unwrap_or_default();
        out += &format!(
            "  {} {}{optional}: {}× faster than the baseline, target {}×{tier}  {}\n",
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
        if let Some(line) = roofline_line(s, res) {
            out += &line;
        }
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

/// How close the stage came to this machine's limit, or why no limit applies.
fn roofline_line(s: &StageReport, res: &StageResult) -> Option<String> {
    if let Some(roof) = &s.roofline {
        let close = if roof.fraction >= 0.8 { " (at the limit: little is left to gain)" } else { "" };
        return Some(format!("      {} {}{close}\n", term::paint(term::DIM, "roofline:"), roof.describe()));
    }
    match res.work.as_ref()?.roof.as_ref()? {
        Roof::Unbounded { why } => Some(format!(
            "      {} {}\n",
            term::paint(term::DIM, "roofline:"),
            term::paint(term::DIM, format!("none applies: {why}"))
        )),
        _ => None,
    }
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

pub fn two_digits(x: f64) -> String {
    if x >= 10.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}").trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{SCHEMA, StageReport, TestSummary, strip_ansi};
    use crate::child::Ending;
    use crate::course::Side;
    use crate::judge;
    use grading::machine::Machine;
    use grading::protocol::StageResult;
    use std::path::Path;

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
                    roofline: None,
                    tiers: vec![1.3],
                    points: 0,
                    next_tier: None,
                }],
                protocol: None,
                machine: Some(machine),
                limits: None,
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
