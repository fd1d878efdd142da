//! The one document of a class: what `class grade` writes per submission (`<name>.json`) and
//! `class table` reads back, one type for both ends.

use crate::check::CheckReport;
use serde::{Deserialize, Serialize};

/// One submission's grading: the `check --all --json` document (`schema`, `reports`) with the
/// submission's name, the course it was graded against and when. `R` is [`CheckReport`] when
/// written; `class table` reads the reports as JSON values first, since another schema's may
/// not parse. Every field but `schema` and `reports` may be missing from a report written by
/// hand or by an older runner, and is then named as missing.
#[derive(Debug, Serialize, Deserialize)]
pub struct Submission<R = CheckReport> {
    /// The submission folder's name: the learner.
    #[serde(default)]
    pub submission: Option<String>,
    /// A learner's name given by hand, which wins over `submission`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub learner: Option<String>,
    /// The submission folder graded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default)]
    pub course_commit: Option<String>,
    /// SHA-256 of the course's committed `integrity.toml`. The seal covers every file a verdict
    /// depends on (runner, harness, tests, `course.toml`), so reports graded at two commits
    /// with the same seal are comparable; `class table` counts only those matching its own
    /// course. Absent from reports written before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub course_seal: Option<String>,
    /// When the runner started grading this submission, by its own clock (UTC, RFC 3339,
    /// `2026-03-15T14:03:09Z`): what `class table` compares with deadlines. Never a date from
    /// the submission (a commit's date is the learner's to write). Absent from older reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graded_at: Option<String>,
    pub schema: u32,
    /// Every exercise graded, in course order, as `check <name> --json` reports it.
    pub reports: Vec<R>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_grade_writes_table_reads_and_an_older_report_still_parses() {
        let written = Submission::<CheckReport> {
            submission: Some("ann".into()),
            learner: None,
            path: Some("submissions/ann".into()),
            course_commit: Some("abc".into()),
            course_seal: Some("f00".into()),
            graded_at: Some("2026-03-15T14:03:09Z".into()),
            schema: crate::check::SCHEMA,
            reports: Vec::new(),
        };
        let text = serde_json::to_string(&written).unwrap();
        assert!(!text.contains("learner"), "an absent name is not written: {text}");
        let read: Submission<serde_json::Value> = serde_json::from_str(&text).unwrap();
        assert_eq!((read.submission.as_deref(), read.course_seal.as_deref()), (Some("ann"), Some("f00")));
        assert_eq!((read.graded_at.as_deref(), read.schema), (Some("2026-03-15T14:03:09Z"), crate::check::SCHEMA));
        let older: Submission<serde_json::Value> =
            serde_json::from_str(r#"{"schema": 1, "reports": [], "learner": "bo"}"#).unwrap();
        assert_eq!((older.learner.as_deref(), older.course_commit), (Some("bo"), None));
    }
}
