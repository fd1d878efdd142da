//! Integrity of the grader: SHA-256 of every file a verdict depends on or that changes how the
//! learner's crate and the harness are built (the harness with its frozen baselines and
//! references, the runner, the registry, the workspace's `Cargo.toml`, `Cargo.lock` and
//! `.cargo/`, every file of an exercise folder outside `src/` except Markdown notes and `jobs/`
//! (batch scripts the learner adapts to their cluster), and every
//! file of a solution folder but Markdown: the solution is timed beside the learner's code and
//! sets the scale of the verdict),
//! recorded by `cargo xtask seal` in `integrity.toml` and compared by `check`. A submission
//! that edits a baseline or a test to pass, or adds a `build.rs`, is reported as such, not
//! graded as done.
//!
//! # Which seal is trusted
//!
//! A learner can edit a course file and run `cargo xtask seal`, so the `integrity.toml` in the
//! working tree proves nothing by itself. The files are compared with the seal **recorded in
//! git** instead, `git show <ref>:integrity.toml`, where `<ref>` is, in order:
//!
//! 1. `COURSE_TRUSTED_SEAL=<ref>` when set (any git revision; the value `working` trusts the
//!    working file, for course developers between `seal` and the commit that records it);
//! 2. the merge-base of `HEAD` with `upstream/main`, or else with `origin/main`, when such a
//!    remote branch exists (the course commit the learner started from);
//! 3. `HEAD`.
//!
//! Any difference between the working `integrity.toml` and the trusted one is reported as
//! `integrity.toml (re-sealed)`, and the files are compared with the trusted seal. Without git
//! (no repository at the course's root, or no seal in that commit) the working file is used and
//! the report says so; that is not a failure.
//!
//! This only makes re-sealing visible: a learner who also commits the new seal, or pushes it to
//! their fork's `main`, moves the trusted point. The verdict a class can trust comes from
//! `cargo xtask grade-submissions`, which takes only `exercises/*/src/` from a submission and
//! everything else from the course (see `submission.rs`).

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

pub const FILE: &str = "integrity.toml";

/// The entry that reports a working `integrity.toml` different from the trusted one.
pub const RESEALED: &str = "integrity.toml (re-sealed)";

/// The environment variable that names the trusted revision (or `working`).
pub const TRUSTED_ENV: &str = "COURSE_TRUSTED_SEAL";

/// Folders whose every file is protected, and single files (optional ones such as a toolchain
/// file are sealed when present; one added later is reported as added).
const PROTECTED_DIRS: [&str; 3] = ["shared", "xtask", ".cargo"];
const PROTECTED_FILES: [&str; 6] =
    ["course.toml", ".github/workflows/grade.yml", "Cargo.toml", "Cargo.lock", "rust-toolchain", "rust-toolchain.toml"];

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Sealed {
    files: BTreeMap<String, String>,
    /// The exercises' starting code (`exercises/*/src`), not protected (learners change it)
    /// but recorded so `reset` can find the pristine version in git history.
    #[serde(default)]
    starting: BTreeMap<String, String>,
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name == "target" || name.starts_with('.') || name == "__pycache__" {
            continue;
        }
        if path.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Is `file`, relative to the exercise or solution folder `folder`, protected? In an exercise,
/// everything but the code under `src/` (the learner's), Markdown (the lesson, the learner's
/// notes) and batch job scripts under `jobs/` (which a learner adapts to their cluster's
/// partition and account; no verdict reads them); in a solution, everything but Markdown: its code is timed beside the learner's, and
/// a slower solution would make any code look closer to it.
fn protected_in_exercise(folder: &str, file: &str) -> bool {
    let solution = folder.starts_with("solutions/");
    let learners = file.starts_with("src/") || file.starts_with("jobs/");
    !((learners && !solution) || file.ends_with(".md"))
}

/// Is `file` (relative to the course root, `/`-separated) one the seal protects, given the
/// exercise and solution folders? `integrity.toml` itself counts: it is the seal.
pub fn is_protected(file: &str, exercise_dirs: &[PathBuf]) -> bool {
    file == FILE
        || PROTECTED_FILES.contains(&file)
        || PROTECTED_DIRS.iter().any(|d| file.starts_with(&format!("{d}/")))
        || exercise_dirs.iter().any(|d| {
            let prefix = slash(d) + "/";
            file.strip_prefix(&prefix).is_some_and(|f| protected_in_exercise(&prefix, f))
        })
}

fn slash(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// The protected files of the course in `root`, relative, sorted.
pub fn protected(root: &Path, exercise_dirs: &[PathBuf]) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for dir in PROTECTED_DIRS {
        names.extend(files_under(root, Path::new(dir)).with_context(|| format!("cannot read {dir}/"))?);
    }
    for dir in exercise_dirs {
        let prefix = slash(dir) + "/";
        let files = files_under(root, dir).with_context(|| format!("cannot read {}", dir.display()))?;
        names.extend(
            files
                .into_iter()
                .filter(|f| f.strip_prefix(&prefix).is_some_and(|rest| protected_in_exercise(&prefix, rest))),
        );
    }
    names.extend(PROTECTED_FILES.iter().filter(|f| root.join(f).is_file()).map(|f| f.to_string()));
    names.sort();
    names.dedup();
    Ok(names)
}

fn hash(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(digest(&bytes))
}

/// Files under `dir`, relative to `root`, sorted.
fn files_under(root: &Path, dir: &Path) -> Result<Vec<String>> {
    let mut files = Vec::new();
    if root.join(dir).is_dir() {
        walk(&root.join(dir), &mut files)?;
    }
    let mut names: Vec<String> = files.iter().filter_map(|p| p.strip_prefix(root).ok()).map(slash).collect();
    names.sort();
    Ok(names)
}

/// Writes `integrity.toml` for the files as they are now; `starting_dirs` are the exercises'
/// `src` folders, recorded for `reset`.
pub fn seal(root: &Path, exercise_dirs: &[PathBuf], starting_dirs: &[PathBuf]) -> Result<usize> {
    let mut files = BTreeMap::new();
    for file in protected(root, exercise_dirs)? {
        let digest = hash(&root.join(&file))?;
        files.insert(file, digest);
    }
    let mut starting = BTreeMap::new();
    for dir in starting_dirs {
        for file in files_under(root, dir)? {
            let digest = hash(&root.join(&file))?;
            starting.insert(file, digest);
        }
    }
    let count = files.len();
    let text = format!(
        "# SHA-256 of every file a grading verdict depends on. Written by `cargo xtask seal`\n\
         # (course developers only) and committed; `cargo xtask check` compares the files with\n\
         # the committed version. Do not edit by hand.\n\n{}",
        toml::to_string(&Sealed { files, starting })?
    );
    std::fs::write(root.join(FILE), text).with_context(|| format!("cannot write {FILE}"))?;
    Ok(count)
}

/// A seal to compare the files with, and where it came from.
#[derive(Debug)]
struct TrustedSeal {
    /// The trusted `integrity.toml`, or `None` to trust the working file.
    text: Option<String>,
    /// Why the working file is trusted, when that is a fallback the report should mention.
    note: Option<String>,
}

/// A seal fixed for one course folder in this process (`grade-submissions`: the committed seal
/// of the trusted course, for its scratch copy).
static PINNED: OnceLock<(PathBuf, String)> = OnceLock::new();

/// Trusts `text` as the seal of the course in `root` for the rest of this process, whatever
/// its working tree or git say (the scratch copy of the course has no git history of its own).
pub fn pin_trusted_seal(root: &Path, text: String) {
    let _ = PINNED.set((canonical(root), text));
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// Runs git in `root`; its trimmed stdout when it succeeds.
fn git(root: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git").arg("-C").arg(root).args(args).stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim_end().to_string())
}

/// Is `root` the top of a git work tree (not a folder inside another repository)?
fn is_git_root(root: &Path) -> bool {
    let Some(top) = git(root, &["rev-parse", "--show-toplevel"]) else { return false };
    canonical(Path::new(&top)) == canonical(root)
}

/// The revision whose `integrity.toml` is trusted (see the module's documentation), or `None`
/// to trust the working file.
/// `setting` is the value of `COURSE_TRUSTED_SEAL`, if any.
pub fn trusted_ref(root: &Path, setting: Option<&str>) -> Option<String> {
    if let Some(value) = setting.map(str::trim).filter(|v| !v.is_empty()) {
        return (value != "working").then(|| value.to_string());
    }
    for remote in ["upstream/main", "origin/main"] {
        if git(root, &["rev-parse", "--verify", "--quiet", &format!("refs/remotes/{remote}")]).is_some()
            && let Some(base) = git(root, &["merge-base", "HEAD", remote])
        {
            return Some(base);
        }
    }
    Some("HEAD".into())
}

fn trusted_seal(root: &Path, setting: Option<&str>) -> TrustedSeal {
    if let Some((_, text)) = PINNED.get().filter(|(pinned, _)| *pinned == canonical(root)) {
        return TrustedSeal { text: Some(text.clone()), note: None };
    }
    if setting.is_some_and(|v| v.trim() == "working") {
        return TrustedSeal { text: None, note: None };
    }
    if !is_git_root(root) {
        return TrustedSeal {
            text: None,
            note: Some(format!(
                "note: no git history here, so {FILE} was taken as found: a re-sealed course would not be noticed."
            )),
        };
    }
    let Some(reference) = trusted_ref(root, setting) else { return TrustedSeal { text: None, note: None } };
    match git(root, &["show", &format!("{reference}:{FILE}")]) {
        Some(text) => TrustedSeal { text: Some(text), note: None },
        None => TrustedSeal {
            text: None,
            note: Some(format!(
                "note: git records no {FILE} at {reference}, so it was taken as found: a re-sealed course would not be noticed."
            )),
        },
    }
}

/// What comparing the files with the trusted seal found.
#[derive(Debug, Default, PartialEq)]
pub struct SealCheck {
    /// `path (modified)`, `path (missing)`, `path (added)`, and `integrity.toml (re-sealed)`;
    /// `None` when there is no seal at all.
    pub changes: Option<Vec<String>>,
    /// A plain-words note for the report when the seal could not be checked against git.
    pub note: Option<String>,
}

/// Protected files that differ from the trusted seal: `path (modified)`, `path (missing)`,
/// `path (added)`, and `integrity.toml (re-sealed)` when the working seal differs from the
/// trusted one. Only the course-wide files and those under `exercise_dirs` are compared (a
/// learner's edits to another exercise's tests do not concern this one). `Ok(None)` when there
/// is no seal.
pub fn differences(root: &Path, exercise_dirs: &[PathBuf]) -> Result<Option<Vec<String>>> {
    Ok(check_seal(root, exercise_dirs)?.changes)
}

/// [`differences`], with the note to show when the seal could not be checked against git.
pub fn check_seal(root: &Path, exercise_dirs: &[PathBuf]) -> Result<SealCheck> {
    let setting = std::env::var(TRUSTED_ENV).ok();
    compare(root, exercise_dirs, trusted_seal(root, setting.as_deref()))
}

fn compare(root: &Path, exercise_dirs: &[PathBuf], trusted: TrustedSeal) -> Result<SealCheck> {
    let working = std::fs::read_to_string(root.join(FILE)).ok();
    let mut changes = Vec::new();
    let text = match (&trusted.text, &working) {
        (Some(trusted_text), Some(working_text)) => {
            if trusted_text.trim_end() != working_text.trim_end() {
                changes.push(RESEALED.to_string());
            }
            trusted_text
        }
        (Some(trusted_text), None) => {
            changes.push(format!("{FILE} (missing)"));
            trusted_text
        }
        (None, Some(working_text)) => working_text,
        (None, None) => return Ok(SealCheck { changes: None, note: trusted.note }),
    };
    let sealed: Sealed = toml::from_str(text)
        .with_context(|| format!("{FILE} is damaged: restore it with `git checkout <trusted ref> -- {FILE}`"))?;
    let now = protected(root, exercise_dirs)?;
    let scopes: Vec<String> = exercise_dirs.iter().map(|d| slash(d) + "/").collect();
    let in_scope = |file: &str| {
        PROTECTED_DIRS.iter().any(|d| file.starts_with(&format!("{d}/")))
            || PROTECTED_FILES.contains(&file)
            || scopes.iter().any(|d| file.starts_with(d.as_str()))
    };
    let mut found = Vec::new();
    for (file, want) in sealed.files.iter().filter(|(f, _)| in_scope(f)) {
        let path = root.join(file);
        if !path.is_file() {
            found.push(format!("{file} (missing)"));
        } else if &hash(&path)? != want {
            found.push(format!("{file} (modified)"));
        }
    }
    // A new file in a protected folder could shadow a sealed one (a new module, a new test, a
    // `build.rs`).
    for file in now.iter().filter(|f| !sealed.files.contains_key(*f)) {
        found.push(format!("{file} (added)"));
    }
    // The re-seal first: it explains why the files listed after it were not caught before.
    changes.extend(found);
    Ok(SealCheck { changes: Some(changes), note: trusted.note })
}

/// The sealed starting code under `dir`: (path, SHA-256) pairs.
pub fn starting_files(root: &Path, dir: &Path) -> Result<Vec<(String, String)>> {
    let text = std::fs::read_to_string(root.join(FILE))
        .with_context(|| format!("{FILE} is missing: cannot tell the starting code"))?;
    let sealed: Sealed = toml::from_str(&text).with_context(|| format!("{FILE} is damaged"))?;
    let prefix = slash(dir) + "/";
    Ok(sealed.starting.into_iter().filter(|(f, _)| f.starts_with(&prefix)).collect())
}

/// A course executable (the reference worker, the solution's grading worker) as it was when
/// built, before any learner code ran: its digest is compared again before each use and after
/// grading, so a binary changed in between (learner code cannot write `target/` in the sandbox;
/// this is the check that it did not) never decides a verdict.
#[derive(Clone, Debug)]
pub struct Pinned {
    pub path: PathBuf,
    what: &'static str,
    digest: String,
}

impl Pinned {
    pub fn new(path: &Path, what: &'static str) -> Result<Pinned> {
        Ok(Pinned { path: path.to_path_buf(), what, digest: hash(path)? })
    }

    /// `Err` when the file is no longer what was built.
    pub fn verify(&self) -> Result<()> {
        let now = hash(&self.path).unwrap_or_default();
        if now != self.digest {
            bail!(
                "{} ({}) changed after the course built it: no verdict rests on a changed course binary",
                self.what,
                self.path.display()
            );
        }
        Ok(())
    }
}

/// The SHA-256 of `bytes`, as `integrity.toml` writes it.
pub fn digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Files under `dir` now.
pub fn current_files(root: &Path, dir: &Path) -> Result<Vec<String>> {
    files_under(root, dir)
}

/// The content of `file` with SHA-256 `want`, from the newest commit that has it.
pub fn from_history(root: &Path, file: &str, want: &str) -> Result<Vec<u8>> {
    let log = Command::new("git").current_dir(root).args(["log", "--format=%H", "--", file]).output();
    let log = log.context("reset needs git to find the starting code")?;
    for commit in String::from_utf8_lossy(&log.stdout).lines() {
        let show = Command::new("git").current_dir(root).arg("show").arg(format!("{commit}:{file}")).output()?;
        if show.status.success() && digest(&show.stdout) == want {
            return Ok(show.stdout);
        }
    }
    bail!("the starting version of {file} is not in this repository's git history")
}

/// A copy of the course at `HEAD` in `root/folder` (see [`prepare_scratch`]) whose checks trust
/// the seal committed at `HEAD`, as the copy has no git history of its own.
pub fn sealed_scratch(root: &Path, folder: &Path) -> Result<PathBuf> {
    let scratch = prepare_scratch(root, folder)?;
    let sealed = git_show_head(root, FILE).with_context(|| format!("the course at HEAD has no committed {FILE}"))?;
    pin_trusted_seal(&scratch, sealed);
    Ok(scratch)
}

/// A copy of the course at `HEAD` (`git archive`) in `root/folder`, keeping its `target/`.
fn prepare_scratch(root: &Path, folder: &Path) -> Result<PathBuf> {
    let scratch = root.join(folder);
    std::fs::create_dir_all(&scratch).with_context(|| format!("cannot create {}", scratch.display()))?;
    for entry in std::fs::read_dir(&scratch).with_context(|| format!("cannot read {}", scratch.display()))? {
        let path = entry?.path();
        if path.file_name().is_some_and(|n| n == "target") {
            continue;
        }
        let removed = if path.is_dir() && !path.is_symlink() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        removed.with_context(|| format!("cannot remove {}", path.display()))?;
    }
    let mut archive = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["archive", "--format=tar", "HEAD"])
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot run git archive")?;
    let stdout = archive.stdout.take().context("git archive gave no output")?;
    let untar = Command::new("tar")
        .arg("-x")
        .arg("-C")
        .arg(&scratch)
        .stdin(stdout)
        .status()
        .context("cannot run tar to unpack the course")?;
    let archived = archive.wait()?;
    if !archived.success() || !untar.success() {
        bail!("could not copy the course at HEAD into {}", scratch.display());
    }
    scratch.canonicalize().with_context(|| format!("cannot find {}", scratch.display()))
}

/// Runs git in `root`; its stdout, or an error with git's own words.
pub fn git_text(root: &Path, args: &[&str]) -> Result<String> {
    let out =
        Command::new("git").arg("-C").arg(root).args(args).output().context("cannot run git (is it installed?)")?;
    if !out.status.success() {
        bail!("git {} failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `git show HEAD:<file>` in `root`, as text.
pub fn git_show_head(root: &Path, file: &str) -> Result<String> {
    git_text(root, &["show", &format!("HEAD:{file}")])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, file: &str, text: &str) {
        std::fs::create_dir_all(root.join(file).parent().unwrap()).unwrap();
        std::fs::write(root.join(file), text).unwrap();
    }

    /// A fresh folder of this test's own: numbered too, since tests run at once and two may
    /// pick the same name (a shared one was once removed under another test's feet).
    fn scratch(name: &str) -> PathBuf {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let k = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let root = std::env::temp_dir().join(format!("xtask-integrity-{name}-{}-{k}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        root
    }

    /// A tiny course: the course-wide files, one exercise with its tests, a bench, a lesson and code.
    fn tiny_course(root: &Path) {
        for (file, text) in [
            ("shared/harness/src/baseline.rs", "fn slow() {}"),
            ("xtask/src/main.rs", "fn main() {}"),
            ("course.toml", "[[exercise]]"),
            ("Cargo.toml", "[workspace]"),
            ("Cargo.lock", "version = 4"),
            (".cargo/config.toml", "[alias]"),
            ("exercises/01-x/Cargo.toml", "[package]"),
            ("exercises/01-x/tests/grade.rs", "fn main() {}"),
            ("exercises/01-x/benches/b.rs", "fn main() {}"),
            ("exercises/01-x/README.md", "# The lesson"),
            ("exercises/01-x/src/lib.rs", "// the learner's code"),
        ] {
            write(root, file, text);
        }
    }

    /// Compares as `check` does outside git (the working seal is trusted), whatever this
    /// process's environment says.
    fn found(root: &Path, dirs: &[PathBuf]) -> Vec<String> {
        compare(root, dirs, trusted_seal(root, None)).unwrap().changes.unwrap()
    }

    #[test]
    fn a_pinned_binary_changed_after_its_build_is_refused() {
        let root = scratch("pinned");
        write(&root, "course-reference", "the built worker");
        let pin = Pinned::new(&root.join("course-reference"), "the course's reference worker").unwrap();
        assert!(pin.verify().is_ok());
        write(&root, "course-reference", "a worker put in its place");
        let err = pin.verify().unwrap_err().to_string();
        assert!(
            err.starts_with("the course's reference worker (") && err.contains("changed after the course built it"),
            "{err}"
        );
        std::fs::remove_file(root.join("course-reference")).unwrap();
        assert!(pin.verify().is_err(), "a binary gone is no longer the one built");
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn edits_to_protected_files_are_found_and_others_are_not() {
        let root = scratch("edits");
        tiny_course(&root);
        let dirs = [PathBuf::from("exercises/01-x")];
        assert_eq!(seal(&root, &dirs, &[]).unwrap(), 9, "the learner's src/ and the lesson are not sealed");
        assert_eq!(found(&root, &dirs), Vec::<String>::new());
        assert_eq!(found(&root, &[]), Vec::<String>::new(), "another exercise's scope");
        let outside_git = compare(&root, &dirs, trusted_seal(&root, None)).unwrap();
        assert!(outside_git.note.as_deref().is_some_and(|n| n.contains("no git history")), "{outside_git:?}");

        write(&root, "exercises/01-x/src/lib.rs", "// changed, as it should be");
        write(&root, "exercises/01-x/src/extra.rs", "// a new module of the learner's");
        write(&root, "exercises/01-x/README.md", "# The lesson, with the learner's notes");
        write(&root, "exercises/01-x/notes.md", "notes");
        write(&root, "exercises/01-x/jobs/run.sbatch", "#SBATCH --account=my-project");
        write(&root, "shared/harness/src/baseline.rs", "fn slow() { /* made faster */ }");
        std::fs::remove_file(root.join("exercises/01-x/tests/grade.rs")).unwrap();
        write(&root, "exercises/01-x/tests/extra.rs", "");
        write(&root, "exercises/01-x/build.rs", "fn main() { /* edits course files */ }");
        write(&root, ".cargo/config.toml", "[build]\nrustflags = [\"-Copt-level=0\"]");
        write(&root, "rust-toolchain.toml", "[toolchain]");
        assert_eq!(
            found(&root, &dirs),
            vec![
                ".cargo/config.toml (modified)",
                "exercises/01-x/tests/grade.rs (missing)",
                "shared/harness/src/baseline.rs (modified)",
                "exercises/01-x/build.rs (added)",
                "exercises/01-x/tests/extra.rs (added)",
                "rust-toolchain.toml (added)",
            ]
        );
        assert_eq!(
            found(&root, &[]),
            vec![
                ".cargo/config.toml (modified)",
                "shared/harness/src/baseline.rs (modified)",
                "rust-toolchain.toml (added)"
            ],
            "course-wide files concern every exercise"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn the_protected_set_is_one_rule() {
        let dirs = [PathBuf::from("exercises/01-x"), PathBuf::from("solutions/01-x")];
        for file in [
            "Cargo.toml",
            "Cargo.lock",
            ".cargo/config.toml",
            "integrity.toml",
            "course.toml",
            "rust-toolchain",
            "shared/harness/src/lib.rs",
            "xtask/src/main.rs",
            "exercises/01-x/Cargo.toml",
            "exercises/01-x/build.rs",
            "exercises/01-x/tests/grade.rs",
            "exercises/01-x/benches/b.rs",
            "solutions/01-x/Cargo.toml",
            // The solution is timed beside the learner's code: its code is the course's.
            "solutions/01-x/src/lib.rs",
            "solutions/01-x/ladder/1-rung.rs",
        ] {
            assert!(is_protected(file, &dirs), "{file} should be protected");
        }
        for file in [
            "exercises/01-x/src/lib.rs",
            "exercises/01-x/src/deep/mod.rs",
            "exercises/01-x/README.md",
            "exercises/01-x/notes.md",
            "solutions/01-x/NOTES.md",
            "README.md",
            "docs/report-schema.md",
            "exercises/02-y/Cargo.toml",
        ] {
            assert!(!is_protected(file, &dirs), "{file} should not be protected");
        }
    }

    fn git_in(root: &Path, args: &[&str]) {
        let status = Command::new("git")
            .arg("-C")
            .arg(root)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"])
            .args(args)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    }

    #[test]
    fn a_re_sealed_course_is_found_from_git_history() {
        if Command::new("git").arg("--version").output().is_err() {
            eprintln!("git is not installed: skipped");
            return;
        }
        let root = scratch("reseal");
        tiny_course(&root);
        let dirs = [PathBuf::from("exercises/01-x")];
        seal(&root, &dirs, &[]).unwrap();
        git_in(&root, &["init", "--quiet"]);
        git_in(&root, &["add", "."]);
        git_in(&root, &["commit", "--quiet", "-m", "the course"]);
        let seal_check = |setting: Option<&str>| compare(&root, &dirs, trusted_seal(&root, setting)).unwrap();
        assert_eq!(seal_check(None), SealCheck { changes: Some(vec![]), note: None });

        // The learner makes the baseline faster and re-seals.
        write(&root, "shared/harness/src/baseline.rs", "fn slow() { /* made faster */ }");
        seal(&root, &dirs, &[]).unwrap();
        assert_eq!(seal_check(None).changes.unwrap(), vec![RESEALED, "shared/harness/src/baseline.rs (modified)"]);
        assert_eq!(
            seal_check(Some("HEAD")).changes.unwrap(),
            vec![RESEALED, "shared/harness/src/baseline.rs (modified)"]
        );
        // A course developer between `seal` and the commit that records it.
        assert_eq!(seal_check(Some("working")).changes.unwrap(), Vec::<String>::new());

        // Committing the new seal moves HEAD; a remote `upstream/main` keeps the trusted point.
        git_in(&root, &["update-ref", "refs/remotes/upstream/main", "HEAD"]);
        git_in(&root, &["commit", "--quiet", "-am", "faster"]);
        assert_eq!(seal_check(None).changes.unwrap(), vec![RESEALED, "shared/harness/src/baseline.rs (modified)"]);
        assert_eq!(seal_check(Some("HEAD")).changes.unwrap(), Vec::<String>::new());

        // A seal removed from the working tree is reported, not mistaken for "no seal".
        std::fs::remove_file(root.join(FILE)).unwrap();
        assert_eq!(
            seal_check(None).changes.unwrap(),
            vec!["integrity.toml (missing)", "shared/harness/src/baseline.rs (modified)"]
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_pinned_seal_applies_only_to_its_folder() {
        let root = scratch("pinned-seal");
        tiny_course(&root);
        let dirs = [PathBuf::from("exercises/01-x")];
        seal(&root, &dirs, &[]).unwrap();
        let elsewhere = scratch("pinned-elsewhere");
        pin_trusted_seal(&elsewhere, "files = {}\n".into());
        assert_eq!(found(&root, &dirs), Vec::<String>::new());
        std::fs::remove_dir_all(&root).unwrap();
        std::fs::remove_dir_all(&elsewhere).unwrap();
    }
}
