//! Machine-readable reports of `check --all`, for grading a class in CI: the JSON document
//! (schema in `docs/report-schema.md`), JUnit XML for CI test views, and a Markdown summary.

use crate::check::{CheckReport, StageReport, Status, strip_ansi};
use crate::text::escape;
use crate::text::percent;
use grading::protocol::Verdict;
use serde::{Deserialize, Serialize};

/// What `check --all --json` prints.
#[derive(Debug, Serialize, Deserialize)]
pub struct AllReport {
    pub schema: u32,
    /// Every exercise in course order, as `check <name> --json` reports it.
    pub reports: Vec<CheckReport>,
}

/// A stage's points for a person: `points 2 of 3 (tier 2: 75%); next tier 90%`, or why none
/// count yet.
pub fn points_text(r: &CheckReport, s: &StageReport) -> String {
    let (earned, tiers) = (r.stage_points(s), s.ladder());
    let reached = match earned {
        0 => String::new(),
        k => format!(" (tier {k}: {})", percent(tiers[k as usize - 1])),
    };
    let next = match tiers.get(earned as usize) {
        _ if !r.earns() && s.earned() > 0 => "; none count until every task passes".to_string(),
        Some(t) => format!("; next tier {}", percent(*t)),
        None => String::new(),
    };
    format!("points {earned} of {}{reached}{next}", tiers.len())
}

/// JUnit XML: a test suite per exercise; a test case per correctness test and per speed stage
/// (its points and next tier as the case's output).
/// A tampered exercise (or modified submission) has a failed `integrity` case naming the files,
/// one that does not compile a failed `build` case: neither can look green, whatever else passed.
pub fn junit(reports: &[CheckReport]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"course\">\n");
    for r in reports {
        let mut cases = Vec::new();
        if r.status == Status::Tampered || !r.tampered.is_empty() {
            let files = if r.tampered.is_empty() { "files not listed".to_string() } else { r.tampered.join(", ") };
            let message = format!("{}, so this verdict does not count: {files}", Status::Tampered.describe());
            cases.push(("integrity".to_string(), Some(message), None));
        }
        match &r.tests {
            Some(t) => {
                for test in &t.tests {
                    let failure = (!test.passed).then(|| test.reason.clone().unwrap_or_else(|| "failed".into()));
                    cases.push((format!("tests::{}", test.name), failure, None));
                }
            }
            // Not graded for its files: the `integrity` case says so.
            None if r.status == Status::Tampered => {}
            None => cases.push((
                "build".into(),
                Some(match r.output.as_ref().or(r.details.as_ref()) {
                    Some(d) if r.status == Status::NotCompiled => format!("does not compile\n{d}"),
                    Some(d) => d.clone(),
                    None => "does not compile".into(),
                }),
                None,
            )),
        }
        if r.status == Status::Wrong && r.tests.as_ref().is_some_and(|t| t.failed == 0) {
            cases.push((
                "grading".into(),
                Some(
                    [Some(r.state().to_string()), r.details.clone(), r.output.clone()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join("\n"),
                ),
                None,
            ));
        }
        for s in &r.stages {
            let failure = match &s.result {
                Some(res) if res.verdict == Verdict::Met => None,
                Some(res) if res.verdict == Verdict::Ungradable => Some(format!(
                    "not gradable here: the course's solution ran only {:.2}× faster than the starting code",
                    res.solution_speedup
                )),
                Some(res) => Some(format!(
                    "{} of the course solution's gain (95% interval {}–{}; speedup {:.2}×, the solution's {:.2}×) \
                     below target {}",
                    percent(res.share),
                    percent(res.share_interval[0]),
                    percent(res.share_interval[1]),
                    res.speedup,
                    res.solution_speedup,
                    percent(s.target)
                )),
                None => Some("not measured".into()),
            };
            let failure = if s.optional { None } else { failure };
            cases.push((format!("speed::{}", s.name), failure, Some(points_text(r, s))));
        }
        let failures = cases.iter().filter(|(_, f, _)| f.is_some()).count();
        out += &format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\">\n",
            escape(&r.exercise),
            cases.len()
        );
        for (name, failure, output) in cases {
            let open = format!("    <testcase classname=\"{}\" name=\"{}\"", escape(&r.exercise), escape(&name));
            let mut body = String::new();
            if let Some(message) = failure {
                let message = strip_ansi(&message);
                let first = message.lines().next().unwrap_or_default();
                body += &format!("      <failure message=\"{}\">{}</failure>\n", escape(first), escape(&message));
            }
            if let Some(text) = output {
                body += &format!("      <system-out>{}</system-out>\n", escape(&text));
            }
            out += &if body.is_empty() { format!("{open}/>\n") } else { format!("{open}>\n{body}    </testcase>\n") };
        }
        out += "  </testsuite>\n";
    }
    out + "</testsuites>\n"
}

/// A Markdown table for a CI job summary.
pub fn summary(reports: &[CheckReport]) -> String {
    let mut out = String::from(
        "| exercise | state | tests | speed (share of the solution's gain (speedup) / target) | points |\n| --- | --- | --- | --- | --- |\n",
    );
    for r in reports {
        let mark = if r.status == Status::Done { "✅" } else { "❌" };
        let tests = r.tests.as_ref().map_or("–".into(), |t| format!("{}/{}", t.passed, t.passed + t.failed));
        let speed: Vec<String> = r
            .stages
            .iter()
            .map(|s| {
                let optional = if s.optional { " (optional)" } else { "" };
                let tier = s.tier_text().map(|t| format!(", {t}")).unwrap_or_default();
                match &s.result {
                    Some(res) if res.verdict == Verdict::Ungradable => {
                        format!("{} not gradable here ({:.2}×) / {}{optional}", s.name, res.speedup, percent(s.target))
                    }
                    Some(res) => format!(
                        "{} {} ({:.2}×) / {}{optional}{tier}",
                        s.name,
                        percent(res.share),
                        res.speedup,
                        percent(s.target)
                    ),
                    None => format!("{} – / {}{optional}", s.name, percent(s.target)),
                }
            })
            .collect();
        out += &format!(
            "| {} | {mark} {} | {tests} | {} | {}/{} |\n",
            r.exercise,
            r.state(),
            speed.join("; "),
            r.points(),
            r.max_points()
        );
    }
    let done = reports.iter().filter(|r| r.status == Status::Done).count();
    let (points, max) = reports.iter().fold((0, 0), |(p, m), r| (p + r.points(), m + r.max_points()));
    out + &format!("\n{done} of {} exercises done; {points} of {max} points.\n", reports.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{StageReport, TestOutcome, TestSummary};

    fn report(status: Status) -> CheckReport {
        CheckReport {
            schema: crate::check::SCHEMA,
            exercise: "heat".into(),
            package: "heat".into(),
            solution: false,
            status,
            details: Some("at [1, 1]: expected 1 <got> 2 & more".into()),
            output: None,
            tests: Some(TestSummary {
                passed: 1,
                failed: 1,
                ignored: 0,
                tests: vec![
                    TestOutcome { name: "a".into(), passed: true, reason: None },
                    TestOutcome { name: "b".into(), passed: false, reason: Some("x < y".into()) },
                ],
            }),
            stages: vec![StageReport {
                name: "evolve".into(),
                target: 0.5,
                optional: false,
                result: None,
                roofline: None,
                tiers: vec![0.5],
                points: 0,
                next_tier: Some(0.5),
                cores: None,
            }],
            protocol: None,
            machine: None,
            limits: None,
            tampered: vec![],
            problem: None,
            sandbox: None,
            gpu: None,
        }
    }

    #[test]
    fn junit_lists_tests_and_stages_and_escapes_text() {
        let xml = junit(&[report(Status::Wrong)]);
        assert!(xml.contains("<testsuite name=\"heat\" tests=\"3\" failures=\"2\">"), "{xml}");
        assert!(xml.contains("<testcase classname=\"heat\" name=\"tests::a\"/>"), "{xml}");
        assert!(xml.contains("<failure message=\"x &lt; y\">"), "{xml}");
        assert!(xml.contains("name=\"speed::evolve\">\n      <failure message=\"not measured\">"), "{xml}");
    }

    #[test]
    fn junit_fails_tampered_and_uncompiled_exercises_and_names_the_files() {
        let mut tampered = report(Status::Tampered);
        tampered.tests.as_mut().unwrap().tests.retain(|t| t.passed);
        tampered.tests.as_mut().unwrap().failed = 0;
        tampered.tampered = vec!["exercises/01-heat/tests/correctness.rs (modified)".into()];
        let xml = junit(&[tampered]);
        assert!(
            xml.contains("name=\"integrity\">\n      <failure message=\"course files modified, so this verdict does not count: exercises/01-heat/tests/correctness.rs (modified)\">"),
            "{xml}"
        );
        assert!(xml.contains("failures=\"2\""), "integrity and the unmeasured stage: {xml}");

        // A submission's exercise not graded for its files: one failure that says why, no `build`.
        let mut not_graded = report(Status::Tampered);
        not_graded.tests = None;
        not_graded.tampered = vec!["exercises/01-heat/Cargo.toml (modified)".into()];
        let xml = junit(&[not_graded]);
        assert!(xml.contains("name=\"integrity\">") && !xml.contains("name=\"build\""), "{xml}");

        let mut broken = report(Status::NotCompiled);
        broken.tests = None;
        broken.output = Some("\x1b[1m\x1b[31merror[E0308]\x1b[0m: mismatched types".into());
        let xml = junit(&[broken]);
        assert!(xml.contains("name=\"build\">\n      <failure message=\"does not compile\">"), "{xml}");
        assert!(xml.contains("error[E0308]: mismatched types") && !xml.contains("[31m"), "{xml}");
    }

    #[test]
    fn summary_has_a_row_per_exercise() {
        let md = summary(&[report(Status::Wrong)]);
        assert!(md.contains("| heat | ❌ wrong results | 1/2 | evolve – / 50% | 0/1 |"), "{md}");
        assert!(md.ends_with("0 of 1 exercises done; 0 of 1 points.\n"), "{md}");
    }
}
