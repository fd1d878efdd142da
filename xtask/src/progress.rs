//! The learner's progress, kept in `.course/progress.json` (not committed): the last state and
//! best speedups of each exercise, and how many hints were shown.

use crate::check::{CheckReport, Status};
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub status: Option<Status>,
    /// Best speedup ever measured, per stage.
    #[serde(default)]
    pub best: BTreeMap<String, f64>,
    #[serde(default)]
    pub hints_seen: usize,
    /// Tests passed and run at the last check (tasks done, for `todo` exercises).
    #[serde(default)]
    pub tests: Option<[usize; 2]>,
}

#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    #[serde(default)]
    pub exercises: BTreeMap<String, Entry>,
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

    pub fn save(&self, root: &Path) -> Result<()> {
        let file = path(root);
        std::fs::create_dir_all(file.parent().expect("has a parent"))?;
        let tmp = file.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_string_pretty(self)?)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &file).with_context(|| format!("cannot write {}", file.display()))
    }

    pub fn entry(&mut self, exercise: &str) -> &mut Entry {
        self.exercises.entry(exercise.to_string()).or_default()
    }

    /// Records a check of the learner's crate (solution checks are not progress).
    pub fn record(&mut self, report: &CheckReport) {
        let entry = self.entry(&report.exercise);
        entry.status = Some(report.status);
        if let Some(t) = &report.tests {
            entry.tests = Some([t.passed, t.passed + t.failed]);
        }
        for (stage, speedup) in report.speedups() {
            let best = entry.best.entry(stage.to_string()).or_insert(speedup);
            *best = best.max(speedup);
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
        p.entry("heat").hints_seen = 2;
        p.save(&root).unwrap();
        assert_eq!(Progress::load(&root), p);
        std::fs::remove_dir_all(&root).unwrap();
    }
}
