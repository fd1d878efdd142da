//! Integrity of the grader: SHA-256 of every file a verdict depends on (the harness with its
//! frozen baselines and references, the runner, the registry, each exercise's test files),
//! recorded by `cargo xtask seal` in `integrity.toml` and compared by `check`. A submission
//! that edits a baseline or a test to pass is reported as such, not graded as done.

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const FILE: &str = "integrity.toml";

/// Folders whose every file is protected, and single files.
const PROTECTED_DIRS: [&str; 2] = ["shared", "xtask"];
const PROTECTED_FILES: [&str; 2] = ["course.toml", ".github/workflows/grade.yml"];

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

/// The protected files of the course in `root`, relative, sorted.
pub fn protected(root: &Path, exercise_dirs: &[PathBuf]) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for dir in PROTECTED_DIRS {
        names.extend(files_under(root, Path::new(dir)).with_context(|| format!("cannot read {dir}/"))?);
    }
    for dir in exercise_dirs {
        names.extend(files_under(root, &dir.join("tests"))?);
    }
    names.extend(PROTECTED_FILES.iter().filter(|f| root.join(f).is_file()).map(|f| f.to_string()));
    names.sort();
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
    let mut names: Vec<String> = files
        .iter()
        .filter_map(|p| p.strip_prefix(root).ok())
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect();
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
        "# SHA-256 of every file a grading verdict depends on. Written by `cargo xtask seal`;\n\
         # `cargo xtask check` reports any difference. Do not edit by hand.\n\n{}",
        toml::to_string(&Sealed { files, starting })?
    );
    std::fs::write(root.join(FILE), text).with_context(|| format!("cannot write {FILE}"))?;
    Ok(count)
}

/// Protected files that differ from the seal: `path (modified)`, `path (missing)`, `path (added)`.
/// Only the course-wide files and those under `exercise_dirs` are compared (a learner's edits
/// to another exercise's tests do not concern this one). `Ok(None)` when there is no seal.
pub fn differences(root: &Path, exercise_dirs: &[PathBuf]) -> Result<Option<Vec<String>>> {
    let Ok(text) = std::fs::read_to_string(root.join(FILE)) else { return Ok(None) };
    let sealed: Sealed = toml::from_str(&text).with_context(|| format!("{FILE} is damaged: run `cargo xtask seal`"))?;
    let mut changes = Vec::new();
    let now = protected(root, exercise_dirs)?;
    let scopes: Vec<String> = exercise_dirs.iter().map(|d| d.to_string_lossy().replace('\\', "/") + "/").collect();
    let in_scope = |file: &str| {
        PROTECTED_DIRS.iter().any(|d| file.starts_with(&format!("{d}/")))
            || PROTECTED_FILES.contains(&file)
            || scopes.iter().any(|d| file.starts_with(d.as_str()))
    };
    for (file, want) in sealed.files.iter().filter(|(f, _)| in_scope(f)) {
        let path = root.join(file);
        if !path.is_file() {
            changes.push(format!("{file} (missing)"));
        } else if &hash(&path)? != want {
            changes.push(format!("{file} (modified)"));
        }
    }
    // A new file in a protected folder could shadow a sealed one (a new module, a new test).
    for file in now.iter().filter(|f| !sealed.files.contains_key(*f)) {
        changes.push(format!("{file} (added)"));
    }
    Ok(Some(changes))
}

/// The sealed starting code under `dir`: (path, SHA-256) pairs.
pub fn starting_files(root: &Path, dir: &Path) -> Result<Vec<(String, String)>> {
    let text = std::fs::read_to_string(root.join(FILE))
        .with_context(|| format!("{FILE} is missing: cannot tell the starting code"))?;
    let sealed: Sealed = toml::from_str(&text).with_context(|| format!("{FILE} is damaged"))?;
    let prefix = dir.to_string_lossy().replace('\\', "/") + "/";
    Ok(sealed.starting.into_iter().filter(|(f, _)| f.starts_with(&prefix)).collect())
}

/// The SHA-256 of `bytes`, as `integrity.toml` writes it.
pub fn digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Files under `dir` now.
pub fn current_files(root: &Path, dir: &Path) -> Result<Vec<String>> {
    files_under(root, dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_to_protected_files_are_found_and_others_are_not() {
        let root = std::env::temp_dir().join(format!("xtask-integrity-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for (file, text) in [
            ("shared/src/baseline.rs", "fn slow() {}"),
            ("xtask/src/main.rs", "fn main() {}"),
            ("course.toml", "[[exercise]]"),
            ("exercises/01-x/tests/grade.rs", "fn main() {}"),
            ("exercises/01-x/src/lib.rs", "// the learner's code"),
        ] {
            std::fs::create_dir_all(root.join(file).parent().unwrap()).unwrap();
            std::fs::write(root.join(file), text).unwrap();
        }
        let dirs = [PathBuf::from("exercises/01-x")];
        assert_eq!(seal(&root, &dirs, &[]).unwrap(), 4, "the learner's src/ is not sealed");
        assert_eq!(differences(&root, &dirs).unwrap(), Some(vec![]));
        assert_eq!(differences(&root, &[]).unwrap(), Some(vec![]), "another exercise's scope");

        std::fs::write(root.join("exercises/01-x/src/lib.rs"), "// changed, as it should be").unwrap();
        std::fs::write(root.join("shared/src/baseline.rs"), "fn slow() { /* made faster */ }").unwrap();
        std::fs::remove_file(root.join("exercises/01-x/tests/grade.rs")).unwrap();
        std::fs::write(root.join("exercises/01-x/tests/extra.rs"), "").unwrap();
        let found = differences(&root, &dirs).unwrap().unwrap();
        assert_eq!(
            found,
            vec![
                "exercises/01-x/tests/grade.rs (missing)",
                "shared/src/baseline.rs (modified)",
                "exercises/01-x/tests/extra.rs (added)"
            ]
        );
        let elsewhere = differences(&root, &[]).unwrap().unwrap();
        assert_eq!(elsewhere, vec!["shared/src/baseline.rs (modified)"], "course-wide files concern every exercise");
        std::fs::remove_dir_all(&root).unwrap();
    }
}
