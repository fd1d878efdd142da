//! `grade-submissions`: grading a class from trusted files.
//!
//! A submission is a folder holding a learner's checkout of their fork. Nothing in it is
//! trusted but the code under `exercises/*/src/`:
//!
//! 1. The runner doing the grading is this one, built from this checkout of the course, which
//!    must be clean: no change to a file the seal protects (`git status`), or it refuses.
//! 2. A scratch copy of the course at `HEAD` (`git archive`) is made once, in
//!    `target/submissions/course/`; its seal is pinned to the committed `integrity.toml`.
//! 3. For each submission, every file that differs from the course outside `exercises/*/src/`
//!    (added, modified or missing; `target/`, `.git/`, `.course/` and Markdown under
//!    `exercises/` aside) is listed. A file under `exercises/<dir>/` or `solutions/<dir>/`
//!    concerns that exercise, any other file every exercise; an exercise concerned by one is
//!    reported `tampered` with the files listed, and not graded.
//! 4. The submission's `exercises/*/src/` replace the scratch copy's (regular files only: a
//!    symbolic link is listed as a change, not followed), and every other exercise is graded
//!    there by `check`, built with `--locked`. The scratch copy keeps its `target/` folder,
//!    so across submissions (and runs) only the exercise crates are rebuilt.
//!
//! So a submission's manifests, `build.rs`, `Cargo.lock`, `.cargo/`, `integrity.toml`,
//! harness, runner or tests are never built or run: they are only compared.

use super::report::Submission;
use crate::check::export;
use crate::check::{self, CheckReport, Status};
use crate::cli::GradeArgs;
use crate::clock;
use crate::course::{Course, Exercise, Side};
use crate::integrity;
use anyhow::{Context, Result, bail};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Where the scratch course lives by default, under the runner's checkout (`--work-dir`
/// elsewhere: on a cluster, a node-local folder).
const WORK_DIR: &str = "target/submissions";

/// Holds `work/lock` exclusively (waiting, and saying so, while another grading holds it) until
/// the returned file is dropped.
fn lock(work: &Path) -> Result<std::fs::File> {
    use std::os::fd::AsRawFd;
    std::fs::create_dir_all(work).with_context(|| format!("cannot create {}", work.display()))?;
    let path = work.join("lock");
    let file = std::fs::File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
    // SAFETY: flock on a descriptor this function owns; the lock ends when the file is closed.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        eprintln!("another grading is using {}: waiting for it to finish", work.display());
        // SAFETY: as above, now waiting.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
            bail!("cannot lock {}: {}", path.display(), std::io::Error::last_os_error());
        }
    }
    Ok(file)
}

/// SHA-256 of `integrity.toml` as committed at `HEAD` in `root`: what a report's `course_seal`
/// is compared with.
pub(crate) fn committed_seal(root: &Path) -> Result<String> {
    let sealed = integrity::git_show_head(root, integrity::FILE)
        .with_context(|| format!("the course at HEAD has no committed {}", integrity::FILE))?;
    Ok(integrity::digest(sealed.as_bytes()))
}

/// Grades every submission folder against the course in `root` (see the module's
/// documentation). With `out`, writes `<name>.json` (the `check --all --json` document with the
/// course's commit and seal and the grading time, see [`Submission`]),
/// `<name>.junit.xml` and `<name>.md` per submission there and prints the Markdown summaries;
/// without it, prints a JSON array of [`Submission`]. `summary` gets every Markdown summary
/// appended. `only` names the exercises to grade (default: all). Exits 0 only when every
/// exercise graded of every submission is done.
pub fn grade_submissions(root: &Path, course: &Course, args: &GradeArgs) -> Result<ExitCode> {
    let GradeArgs { submissions, only, .. } = args;
    let (out, summary) = (args.out.as_deref(), args.summary.as_deref());
    let named = name_submissions(submissions)?;
    // `--only`: this week's exercises (the reports hold those alone; `class` shows the others as
    // not submitted), resolved before anything is copied so a typo costs nothing.
    let chosen: Vec<&Exercise> = if only.is_empty() {
        course.exercises.iter().collect()
    } else {
        only.iter().map(|n| course.find(n)).collect::<Result<_>>()?
    };
    let commit = ensure_clean(root, course)?;
    let short = &commit[..commit.len().min(12)];
    let started = Instant::now();
    // `--work-dir` as the shell meant it (from the current folder); the default in the checkout.
    let work = match args.work_dir.as_deref() {
        Some(dir) => std::env::current_dir()?.join(dir),
        None => root.join(WORK_DIR),
    };
    // Two gradings in one work folder would swap each other's sources in mid-build.
    let _lock = lock(&work)?;
    let scratch = integrity::sealed_scratch(root, &work.join("course"))?;
    let stale = integrity::differences(&scratch, &course.all_folders())?.unwrap_or_default();
    if !stale.is_empty() {
        bail!(
            "the course at {short} does not match its own committed seal ({}): course developers run `cargo xtask seal` and commit {}",
            stale.join(", "),
            integrity::FILE
        );
    }
    let trusted = course_files(&scratch)?;
    let seal = committed_seal(root)?;
    eprintln!("course {short} copied to {} in {:.1} s", scratch.display(), started.elapsed().as_secs_f64());

    if let Some(dir) = out {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut all_done = true;
    let mut graded = Vec::new();
    for (name, dir) in &named {
        let started = Instant::now();
        let graded_at = clock::timestamp(clock::now());
        let changes = differences(&trusted, &course_files(dir)?);
        let mut tampered = concerns(course, &changes);
        for (ex, links) in replace_sources(&scratch, dir, course)? {
            tampered.entry(ex).or_default().extend(links);
        }
        let mut reports = Vec::new();
        for &ex in &chosen {
            let report = match tampered.get(&ex.name).filter(|files| !files.is_empty()) {
                Some(files) => not_graded(ex, files, short),
                // A class's records hold what the grader produced, never learner output.
                None => check::check(&scratch, ex, Side::Exercise, false)
                    .with_context(|| format!("grading {} of submission {name}", ex.name))?
                    .without_learner_output(),
            };
            eprintln!("  {name}: {} {}", ex.name, report.status.describe());
            reports.push(report);
        }
        all_done &= reports.iter().all(|r| r.status == Status::Done);
        let document = export::AllReport { schema: check::SCHEMA, reports };
        let table = format!(
            "### Submission `{name}` (course {short})\n\n{}{}",
            export::summary(&document.reports),
            not_graded_list(&document.reports)
        );
        let graded_one = Submission {
            submission: Some(name.clone()),
            learner: None,
            path: Some(dir.display().to_string()),
            course_commit: Some(commit.clone()),
            course_seal: Some(seal.clone()),
            graded_at: Some(graded_at),
            schema: document.schema,
            reports: document.reports,
        };
        if let Some(dir) = out {
            let write = |file: String, text: &str| {
                let path = dir.join(file);
                std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))
            };
            write(format!("{name}.json"), &serde_json::to_string_pretty(&graded_one)?)?;
            write(format!("{name}.junit.xml"), &export::junit(&graded_one.reports))?;
            write(format!("{name}.md"), &table)?;
            println!("{table}");
        }
        if let Some(path) = summary {
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            file.write_all(format!("{table}\n").as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        eprintln!("submission {name} graded in {:.0} s", started.elapsed().as_secs_f64());
        graded.push(graded_one);
    }
    if out.is_none() {
        println!("{}", serde_json::to_string_pretty(&graded)?);
    }
    Ok(if all_done { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Each submission folder, checked to exist, with a file-name-safe name (its folder's name,
/// numbered when two are alike).
fn name_submissions(submissions: &[PathBuf]) -> Result<Vec<(String, PathBuf)>> {
    let mut named: Vec<(String, PathBuf)> = Vec::new();
    for given in submissions {
        let dir = given.canonicalize().with_context(|| format!("submission folder {} not found", given.display()))?;
        if !dir.is_dir() {
            bail!("submission {} is not a folder", given.display());
        }
        let base: String = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "submission".into())
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' })
            .collect();
        let base = if base.trim_matches('.').is_empty() { "submission".to_string() } else { base };
        let mut name = base.clone();
        let mut k = 1;
        while named.iter().any(|(n, _)| *n == name) {
            k += 1;
            name = format!("{base}-{k}");
        }
        named.push((name, dir));
    }
    Ok(named)
}

/// Refuses a course checkout with changes to protected files (the runner and the course must
/// be what `HEAD` records); returns `HEAD`'s commit.
fn ensure_clean(root: &Path, course: &Course) -> Result<String> {
    let top = integrity::git_text(root, &["rev-parse", "--show-toplevel"])
        .with_context(|| format!("{} is not a git checkout of the course", root.display()))?;
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    if canonical(Path::new(top.trim())) != canonical(root) {
        bail!("{} is not the top of a git checkout of the course", root.display());
    }
    let status = integrity::git_text(root, &["status", "--porcelain", "-z", "--untracked-files=all"])?;
    let changed = dirty_protected(&status, &course.all_folders());
    if !changed.is_empty() {
        bail!(
            "this checkout of the course has uncommitted changes to files the grader trusts ({}): commit or restore them, \
             so that submissions are graded by the course as committed",
            changed.join(", ")
        );
    }
    Ok(integrity::git_text(root, &["rev-parse", "HEAD"])?.trim().to_string())
}

/// The protected paths in `git status --porcelain -z` output.
fn dirty_protected(status: &str, exercise_dirs: &[PathBuf]) -> Vec<String> {
    let mut changed = Vec::new();
    let mut entries = status.split('\0').filter(|e| !e.is_empty());
    while let Some(entry) = entries.next() {
        let (code, path) = entry.split_at(entry.len().min(3));
        let mut paths = vec![path.to_string()];
        if code.starts_with(['R', 'C']) {
            // A rename or copy: the original path follows.
            paths.extend(entries.next().map(str::to_string));
        }
        changed.extend(paths.into_iter().filter(|p| integrity::is_protected(p, exercise_dirs)));
    }
    changed
}

/// Is `file` (relative, `/`-separated) the learner's, so not compared: code under an
/// exercise's `src/`, a batch script under its `jobs/`, or Markdown under `exercises/`?
fn learners(file: &str) -> bool {
    let parts: Vec<&str> = file.split('/').collect();
    parts.first() == Some(&"exercises")
        && ((parts.len() > 3 && (parts[2] == "src" || parts[2] == "jobs")) || file.ends_with(".md"))
}

/// What a file is, for comparing: the SHA-256 of a regular file's bytes, or the target of a
/// symbolic link (never followed).
fn fingerprint(path: &Path) -> Result<String> {
    let meta = std::fs::symlink_metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(path).with_context(|| format!("cannot read {}", path.display()))?;
        return Ok(format!("symlink to {}", target.display()));
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(integrity::digest(&bytes))
}

/// Every compared file under `dir` (see [`learners`]; `target/`, `.git/` and `.course/`
/// aside), with its fingerprint.
fn course_files(dir: &Path) -> Result<BTreeMap<String, String>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) -> Result<()> {
        let entries = std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
            let path = entry.path();
            let name = entry.file_name();
            let relative = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            let kind = entry.file_type().with_context(|| format!("cannot read {}", path.display()))?;
            if kind.is_dir() {
                if name == "target" || name == ".git" || (dir == root && name == ".course") {
                    continue;
                }
                walk(root, &path, out)?;
            } else if !learners(&relative) {
                out.insert(relative, fingerprint(&path)?);
            }
        }
        Ok(())
    }
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files)?;
    Ok(files)
}

/// `path (modified)`, `path (missing)`, `path (added)`: the submission against the course.
fn differences(course: &BTreeMap<String, String>, submission: &BTreeMap<String, String>) -> Vec<String> {
    let mut changes = Vec::new();
    for (file, want) in course {
        match submission.get(file) {
            None => changes.push(format!("{file} (missing)")),
            Some(got) if got != want => changes.push(format!("{file} (modified)")),
            Some(_) => {}
        }
    }
    changes.extend(submission.keys().filter(|f| !course.contains_key(*f)).map(|f| format!("{f} (added)")));
    changes
}

/// The changes that concern each exercise, by name: those under its exercise or solution
/// folder, and every change outside any exercise's folders.
fn concerns(course: &Course, changes: &[String]) -> BTreeMap<String, Vec<String>> {
    let folders: Vec<(String, [String; 2])> = course
        .exercises
        .iter()
        .map(|e| {
            let folder = |side| e.folder(side).to_string_lossy().replace('\\', "/") + "/";
            (e.name.clone(), [folder(Side::Exercise), folder(Side::Solution)])
        })
        .collect();
    let mut by_exercise: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for change in changes {
        let owner = folders.iter().find(|(_, dirs)| dirs.iter().any(|d| change.starts_with(d.as_str())));
        match owner {
            Some((name, _)) => by_exercise.entry(name.clone()).or_default().push(change.clone()),
            None => {
                for (name, _) in &folders {
                    by_exercise.entry(name.clone()).or_default().push(change.clone());
                }
            }
        }
    }
    by_exercise
}

/// Replaces every exercise's `src/` in the scratch course with the submission's; returns, by
/// exercise, the symbolic links found there (not copied).
fn replace_sources(scratch: &Path, submission: &Path, course: &Course) -> Result<BTreeMap<String, Vec<String>>> {
    let mut links: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for ex in &course.exercises {
        let relative = ex.folder(Side::Exercise).join("src");
        let target = scratch.join(&relative);
        if target.exists() {
            std::fs::remove_dir_all(&target).with_context(|| format!("cannot clear {}", target.display()))?;
        }
        let source = submission.join(&relative);
        let is_dir = std::fs::symlink_metadata(&source).map(|m| m.is_dir()).unwrap_or(false);
        if source.is_symlink() {
            links.entry(ex.name.clone()).or_default().push(format!("{} (symlink)", slash(&relative)));
        } else if is_dir {
            copy_tree(&source, &target, &relative, links.entry(ex.name.clone()).or_default())?;
        }
        // No `src/` at all: the exercise does not compile, and the report says so.
    }
    Ok(links)
}

fn slash(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// Copies the regular files and folders of `from` to `to` (new files, so cargo sees them as
/// changed); symbolic links are listed in `links` as `path (symlink)`, not copied.
fn copy_tree(from: &Path, to: &Path, relative: &Path, links: &mut Vec<String>) -> Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    for entry in std::fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))? {
        let entry = entry.with_context(|| format!("cannot read {}", from.display()))?;
        let kind = entry.file_type().with_context(|| format!("cannot read {}", entry.path().display()))?;
        let name = entry.file_name();
        if kind.is_symlink() {
            links.push(format!("{} (symlink)", slash(&relative.join(&name))));
        } else if kind.is_dir() {
            copy_tree(&entry.path(), &to.join(&name), &relative.join(&name), links)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), to.join(&name))
                .with_context(|| format!("cannot copy {}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// The report of an exercise whose files outside `src/` differ from the course.
fn not_graded(ex: &Exercise, files: &[String], commit: &str) -> CheckReport {
    let mut report = CheckReport::new(ex, Side::Exercise);
    report.status = Status::Tampered;
    report.tampered = files.to_vec();
    report.details = Some(format!(
        "modified, not graded: files outside exercises/*/src/ differ from the course at {commit}; only the code under src/ \
         is yours to change. Restore them with `git checkout <course ref> -- <files>`."
    ));
    report
}

/// Below a summary table: the files that kept each exercise from being graded.
fn not_graded_list(reports: &[CheckReport]) -> String {
    let mut out = String::new();
    for r in reports.iter().filter(|r| r.status == Status::Tampered) {
        let files: BTreeSet<&str> = r.tampered.iter().map(String::as_str).collect();
        let shown: Vec<String> = files.iter().take(10).map(|f| format!("`{f}`")).collect();
        let more = files.len() - shown.len();
        out += &format!(
            "- {}: modified, not graded: {}{}\n",
            r.exercise,
            shown.join(", "),
            if more > 0 { format!(" and {more} more") } else { String::new() }
        );
    }
    if out.is_empty() { out } else { format!("\n{out}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, file: &str, text: &str) {
        std::fs::create_dir_all(root.join(file).parent().unwrap()).unwrap();
        std::fs::write(root.join(file), text).unwrap();
    }

    /// A new empty folder, never shared: tests run in parallel in one process, and two of them
    /// building the same registry in one folder once removed it under the other's feet.
    fn temp(name: &str) -> PathBuf {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let k = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("xtask-submission-{name}-{}-{k}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn tiny_course(root: &Path) {
        for (file, text) in [
            ("Cargo.toml", "[workspace]"),
            ("integrity.toml", "[files]"),
            ("shared/harness/src/lib.rs", "pub fn baseline() {}"),
            ("exercises/01-a/Cargo.toml", "[package]"),
            ("exercises/01-a/README.md", "# lesson"),
            ("exercises/01-a/src/lib.rs", "// start"),
            ("exercises/01-a/tests/grade.rs", "fn main() {}"),
            ("exercises/02-b/Cargo.toml", "[package]"),
            ("exercises/02-b/src/lib.rs", "// start"),
            ("solutions/02-b/src/lib.rs", "// fast"),
        ] {
            write(root, file, text);
        }
    }

    fn course() -> Course {
        let text = "[[exercise]]\nname = \"a\"\ndir = \"01-a\"\ntitle = \"A\"\nstart = \"slow\"\n\n\
                    [[exercise]]\nname = \"b\"\ndir = \"02-b\"\ntitle = \"B\"\nstart = \"slow\"\n";
        let root = temp("registry");
        for dir in ["exercises/01-a", "solutions/01-a", "exercises/02-b", "solutions/02-b"] {
            write(&root, &format!("{dir}/Cargo.toml"), "[package]");
        }
        let course = Course::parse(text, &root).unwrap();
        std::fs::remove_dir_all(&root).unwrap();
        course
    }

    #[test]
    fn only_files_outside_src_count_and_each_concerns_its_exercise() {
        let (trusted, submission) = (temp("course"), temp("fork"));
        tiny_course(&trusted);
        tiny_course(&submission);
        let course = course();
        let unchanged = differences(&course_files(&trusted).unwrap(), &course_files(&submission).unwrap());
        assert_eq!(unchanged, Vec::<String>::new());

        // The learner's own work and notes, and a build's leftovers: not differences.
        write(&submission, "exercises/01-a/src/lib.rs", "// solved");
        write(&submission, "exercises/01-a/src/extra/mod.rs", "// a new module");
        write(&submission, "exercises/01-a/README.md", "# lesson, with notes");
        write(&submission, "exercises/02-b/NOTES.md", "notes");
        write(&submission, "exercises/02-b/jobs/run.sbatch", "#SBATCH --account=my-project");
        write(&submission, "target/release/x", "binary");
        write(&submission, ".git/HEAD", "ref: refs/heads/main");
        write(&submission, ".course/progress.json", "{}");
        let learner_only = differences(&course_files(&trusted).unwrap(), &course_files(&submission).unwrap());
        assert_eq!(learner_only, Vec::<String>::new());

        write(&submission, "exercises/01-a/build.rs", "fn main() {}");
        std::fs::remove_file(submission.join("exercises/01-a/tests/grade.rs")).unwrap();
        write(&submission, "solutions/02-b/src/lib.rs", "// changed");
        write(&submission, "solutions/02-b/jobs/run.sbatch", "# a solution's files are the course's");
        let changes = differences(&course_files(&trusted).unwrap(), &course_files(&submission).unwrap());
        assert_eq!(
            changes,
            vec![
                "exercises/01-a/tests/grade.rs (missing)",
                "solutions/02-b/src/lib.rs (modified)",
                "exercises/01-a/build.rs (added)",
                "solutions/02-b/jobs/run.sbatch (added)"
            ]
        );
        let by_exercise = concerns(&course, &changes);
        assert_eq!(
            by_exercise["a"],
            vec!["exercises/01-a/tests/grade.rs (missing)", "exercises/01-a/build.rs (added)"]
        );
        assert_eq!(
            by_exercise["b"],
            vec!["solutions/02-b/src/lib.rs (modified)", "solutions/02-b/jobs/run.sbatch (added)"]
        );

        // A course-wide file concerns every exercise.
        write(&submission, "integrity.toml", "[files] # re-sealed");
        let changes = differences(&course_files(&trusted).unwrap(), &course_files(&submission).unwrap());
        let by_exercise = concerns(&course, &changes);
        assert!(by_exercise["a"].contains(&"integrity.toml (modified)".to_string()));
        assert!(by_exercise["b"].contains(&"integrity.toml (modified)".to_string()));
        std::fs::remove_dir_all(&trusted).unwrap();
        std::fs::remove_dir_all(&submission).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn sources_are_replaced_and_symbolic_links_are_not_followed() {
        let (scratch, submission) = (temp("scratch"), temp("linked"));
        tiny_course(&scratch);
        tiny_course(&submission);
        let course = course();
        write(&scratch, "exercises/01-a/src/stale.rs", "// from the previous submission");
        write(&submission, "exercises/01-a/src/lib.rs", "// solved");
        write(&submission, "exercises/01-a/src/deep/mod.rs", "// a module");
        std::os::unix::fs::symlink("/etc/hostname", submission.join("exercises/01-a/src/secret.rs")).unwrap();
        std::fs::remove_dir_all(submission.join("exercises/02-b/src")).unwrap();

        let links = replace_sources(&scratch, &submission, &course).unwrap();
        assert_eq!(links["a"], vec!["exercises/01-a/src/secret.rs (symlink)"]);
        let read = |file: &str| std::fs::read_to_string(scratch.join(file)).ok();
        assert_eq!(read("exercises/01-a/src/lib.rs").as_deref(), Some("// solved"));
        assert_eq!(read("exercises/01-a/src/deep/mod.rs").as_deref(), Some("// a module"));
        assert_eq!(read("exercises/01-a/src/stale.rs"), None, "the previous submission's files are gone");
        assert!(!scratch.join("exercises/01-a/src/secret.rs").exists());
        assert!(!scratch.join("exercises/02-b/src").exists(), "a missing src/ stays missing");
        assert_eq!(read("exercises/01-a/tests/grade.rs").as_deref(), Some("fn main() {}"), "course files untouched");
        std::fs::remove_dir_all(&scratch).unwrap();
        std::fs::remove_dir_all(&submission).unwrap();
    }

    #[test]
    fn a_dirty_checkout_is_refused_only_for_protected_files() {
        let dirs = [PathBuf::from("exercises/01-a")];
        let status = " M README.md\0?? exercises/01-a/src/new.rs\0 M exercises/01-a/README.md\0";
        assert_eq!(dirty_protected(status, &dirs), Vec::<String>::new());
        let status =
            " M shared/harness/src/lib.rs\0?? exercises/01-a/build.rs\0R  xtask/src/new.rs\0xtask/src/old.rs\0";
        assert_eq!(
            dirty_protected(status, &dirs),
            vec!["shared/harness/src/lib.rs", "exercises/01-a/build.rs", "xtask/src/new.rs", "xtask/src/old.rs"]
        );
    }

    #[test]
    fn submissions_get_distinct_safe_names() {
        let base = temp("names");
        for dir in ["a/sub 1", "b/sub 1"] {
            std::fs::create_dir_all(base.join(dir)).unwrap();
        }
        let named = name_submissions(&[base.join("a/sub 1"), base.join("b/sub 1")]).unwrap();
        let names: Vec<&str> = named.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, vec!["sub_1", "sub_1-2"]);
        let err = name_submissions(&[base.join("missing")]).unwrap_err();
        assert!(format!("{err:#}").contains("not found"), "{err:#}");
        std::fs::remove_dir_all(&base).unwrap();
    }
}
