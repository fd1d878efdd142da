//! The learner's progress, kept in `.course/progress.json` (not committed): the last state and
//! best shares of the solution's gain of each exercise, and how many hints were shown.

use crate::check::{CheckReport, Status};
use anyhow::{Context, Result};
use grading::roofline::Roofline;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ExerciseProgress {
    pub status: Option<Status>,
    /// Best speedup ever measured, per stage (kept from progress files written before shares;
    /// no longer updated: a speedup from one machine does not compare with another's).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub best: BTreeMap<String, f64>,
    /// Best share of the course solution's gain ever measured, per stage, with the speedups of
    /// that run.
    #[serde(default)]
    pub best_share: BTreeMap<String, Best>,
    /// The roofline of the run that set each best share (`cargo xtask report` shows it).
    #[serde(default)]
    pub roofline: BTreeMap<String, Roofline>,
    /// How many hints were shown, as progress files before `hints` counted them (read, never
    /// written: the first that many count as seen).
    #[serde(default, skip_serializing)]
    pub hints_seen: usize,
    /// The hints shown so far, by index in `course.toml`.
    #[serde(default)]
    pub hints: BTreeSet<usize>,
    /// What went wrong at the last check (test and stage names, the first unfinished first): what
    /// `hint` gives hints about.
    #[serde(default)]
    pub failed: Vec<String>,
    /// Whether every failure of the last check was a task still `todo!()`: `list` says "to do".
    #[serde(default)]
    pub to_do: bool,
    /// Tests passed and run at the last check (tasks done, for `todo` exercises).
    #[serde(default)]
    pub tests: Option<[usize; 2]>,
}

impl ExerciseProgress {
    /// The hints shown so far, older progress files' count included.
    pub fn seen_hints(&self) -> BTreeSet<usize> {
        self.hints.iter().copied().chain(0..self.hints_seen).collect()
    }

    /// Marks hint `k` shown.
    pub fn saw_hint(&mut self, k: usize) {
        self.hints = self.seen_hints();
        self.hints_seen = 0;
        self.hints.insert(k);
    }
}

/// The run that set a stage's best share.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Best {
    pub share: f64,
    pub speedup: f64,
    pub solution_speedup: f64,
}

#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    #[serde(default)]
    pub exercises: BTreeMap<String, ExerciseProgress>,
    /// The exercise checked last: the one `hint` gives hints for when none is named.
    #[serde(default)]
    pub last: Option<String>,
}

pub fn path(root: &Path) -> PathBuf {
    root.join(".course").join("progress.json")
}

impl Progress {
    /// Loads the progress file; a missing one is a fresh start. A damaged one is kept aside
    /// (never silently overwritten) and a fresh start is made, with a warning.
    pub fn load(root: &Path) -> Progress {
        let file = path(root);
        let Ok(text) = std::fs::read_to_string(&file) else { return Progress::default() };
        match serde_json::from_str(&text) {
            Ok(p) => p,
            Err(e) => {
                let backup = file.with_extension("json.damaged");
                let _ = std::fs::rename(&file, &backup);
                anstream::eprintln!(
                    "warning: {} could not be read ({e}); it was moved to {} and progress starts afresh",
                    file.display(),
                    backup.display()
                );
                Progress::default()
            }
        }
    }

    /// Writes the progress file. Progress is a convenience, not part of a verdict: when it
    /// cannot be written (a read-only checkout, a full disk) that is a warning on standard
    /// error, and the command's result and exit code stay what the check found.
    pub fn save(&self, root: &Path) {
        if let Err(e) = self.try_save(root) {
            anstream::eprintln!("warning: your progress was not saved: {e:#}");
        }
    }

    fn try_save(&self, root: &Path) -> Result<()> {
        let file = path(root);
        let dir = file.parent().context("the progress file has no folder")?;
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let tmp = file.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_string_pretty(self)?)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &file).with_context(|| format!("cannot write {}", file.display()))
    }

    pub fn entry(&mut self, exercise: &str) -> &mut ExerciseProgress {
        self.exercises.entry(exercise.to_string()).or_default()
    }

    /// Records a check of the learner's crate (solution checks are not progress).
    pub fn record(&mut self, report: &CheckReport) {
        self.last = Some(report.exercise.clone());
        let entry = self.entry(&report.exercise);
        entry.status = Some(report.status);
        entry.failed = report.failed_names();
        entry.to_do = report.only_to_do();
        if let Some(t) = &report.tests {
            entry.tests = Some([t.passed, t.passed + t.failed]);
        }
        // A stage the machine could not grade says nothing of the code: it sets no best.
        let graded = report.stages.iter().filter(|s| !s.ungradable());
        for (stage, result) in graded.filter_map(|s| s.result.as_ref().map(|r| (s.name.as_str(), r))) {
            let run = Best { share: result.share, speedup: result.speedup, solution_speedup: result.solution_speedup };
            let best = entry.best_share.entry(stage.to_string()).or_insert(run);
            if run.share >= best.share {
                *best = run;
                let roofline = report.stages.iter().find(|s| s.name == stage).and_then(|s| s.roofline.clone());
                match roofline {
                    Some(r) => entry.roofline.insert(stage.to_string(), r),
                    None => entry.roofline.remove(stage),
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_file_is_kept_aside_not_lost() {
        let root = std::env::temp_dir().join(format!("xtask-progress-{}", std::process::id()));
        std::fs::create_dir_all(root.join(".course")).unwrap();
        std::fs::write(path(&root), "{ not json").unwrap();
        assert_eq!(Progress::load(&root), Progress::default());
        assert_eq!(std::fs::read_to_string(path(&root).with_extension("json.damaged")).unwrap(), "{ not json");

        let mut p = Progress::default();
        p.entry("heat").saw_hint(2);
        p.last = Some("heat".into());
        p.save(&root);
        assert_eq!(Progress::load(&root), p);
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn an_exercise_whose_failures_are_all_todo_is_to_do() {
        use crate::check::{Problem, TestOutcome, TestSummary};
        let course = crate::course::Course::load(&crate::root()).unwrap();
        let ex = course.find("threads").unwrap();
        let outcome = |name: &str, reason: Option<&str>| TestOutcome {
            name: name.into(),
            passed: reason.is_none(),
            reason: reason.map(str::to_string),
        };
        let mut report = CheckReport::new(ex, crate::course::Side::Exercise);
        report.status = Status::Wrong;
        let todo = Some("todo!() at exercises/09-threads/src/lib.rs:40:5");
        report.tests = Some(TestSummary {
            tests: vec![outcome("task_01_scoped_threads", todo), outcome("task_05_centre", None)],
            ..TestSummary::default()
        });
        let mut progress = Progress::default();
        progress.record(&report);
        assert!(progress.exercises["threads"].to_do, "only todo!() failures: to do");
        report.tests.as_mut().unwrap().tests.push(outcome("task_02_pool", Some("assertion failed")));
        progress.record(&report);
        assert!(!progress.exercises["threads"].to_do, "a real failure: wrong results");
        report.tests.as_mut().unwrap().tests.pop();
        report.problem = Some(Problem::TestsCrashed);
        progress.record(&report);
        assert!(!progress.exercises["threads"].to_do, "a crash is no to-do");
    }

    #[test]
    fn hints_counted_by_an_older_runner_stay_seen() {
        let old: Progress =
            serde_json::from_str(r#"{"exercises": {"heat": {"status": null, "hints_seen": 2}}}"#).unwrap();
        let mut entry = old.exercises["heat"].clone();
        assert_eq!(entry.seen_hints(), BTreeSet::from([0, 1]));
        entry.saw_hint(4);
        assert_eq!(entry.seen_hints(), BTreeSet::from([0, 1, 4]));
        assert!(!serde_json::to_string(&entry).unwrap().contains("hints_seen"), "written as the set only");
    }

    #[test]
    fn a_file_that_cannot_be_written_is_a_warning_not_an_error() {
        // `.course` is a file here, so the folder cannot be made (works as root too).
        let root = std::env::temp_dir().join(format!("xtask-progress-ro-{}", std::process::id()));
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(root.join(".course"), "not a folder").unwrap();
        let p = Progress::default();
        assert!(p.try_save(&root).unwrap_err().to_string().contains("cannot create"));
        p.save(&root); // returns (), warns
        std::fs::remove_dir_all(&root).unwrap();
    }
}
