//! `reset` and `solution`: back to the starting code without losing anything, and a look at
//! how the solution differs from your version.

use crate::course::{Exercise, Side};
use crate::integrity;
use crate::term;
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// Copies `src` (a folder) to `dst`, creating folders.
fn copy_tree(src: &Path, dst: &Path) -> Result<()> {
    std::fs::create_dir_all(dst)?;
    for entry in std::fs::read_dir(src)? {
        let path = entry?.path();
        let target = dst.join(path.file_name().expect("entries have names"));
        if path.is_dir() {
            copy_tree(&path, &target)?;
        } else {
            std::fs::copy(&path, &target).with_context(|| format!("cannot copy {}", path.display()))?;
        }
    }
    Ok(())
}

/// Saves the learner's `src` to `.course/backups/<name>/<time>/`, then restores the sealed
/// starting code; files the learner added are removed (they are in the backup).
pub fn reset(root: &Path, ex: &Exercise) -> Result<ExitCode> {
    let src = ex.folder(Side::Exercise).join("src");
    let starting = integrity::starting_files(root, &src)?;
    if starting.is_empty() {
        bail!(
            "{} records no starting code for {}: run `cargo xtask seal` in the course repository",
            integrity::FILE,
            ex.name
        );
    }
    // Everything is fetched before anything is touched: a failure leaves the learner's code as it was.
    let restored: Vec<(String, Vec<u8>)> = starting
        .iter()
        .map(|(file, want)| Ok((file.clone(), integrity::from_history(root, file, want)?)))
        .collect::<Result<_>>()?;
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let backup: PathBuf = root.join(".course/backups").join(&ex.name).join(stamp.to_string());
    copy_tree(&root.join(&src), &backup.join("src"))?;
    for file in integrity::current_files(root, &src)? {
        if !starting.iter().any(|(f, _)| *f == file) {
            std::fs::remove_file(root.join(&file))?;
        }
    }
    for (file, bytes) in restored {
        std::fs::write(root.join(&file), bytes).with_context(|| format!("cannot write {file}"))?;
    }
    let rel = backup.strip_prefix(root).unwrap_or(&backup).display().to_string();
    anstream::println!(
        "{} {} is back to its starting code.\nYour version is saved in {rel}/src; to get it back:\n  cp -r {rel}/src {}",
        term::paint(term::GOOD, "reset:"),
        ex.name,
        ex.folder(Side::Exercise).display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Shows how the solution's `src` differs from the learner's (git's diff, coloured on a terminal).
pub fn solution(root: &Path, ex: &Exercise) -> Result<ExitCode> {
    let mine = ex.folder(Side::Exercise).join("src");
    let theirs = ex.folder(Side::Solution).join("src");
    let color = if term::color_enabled() { "--color=always" } else { "--color=never" };
    let out = Command::new("git")
        .current_dir(root)
        .args(["diff", "--no-index", "--stat", "-p", color, "--"])
        .arg(&mine)
        .arg(&theirs)
        .output()
        .context("showing the diff needs git")?;
    if out.stdout.is_empty() {
        anstream::println!("Your {} is the same as {}.", mine.display(), theirs.display());
    } else {
        anstream::println!("How {} (the solution) differs from {} (yours):\n", theirs.display(), mine.display());
        anstream::print!("{}", String::from_utf8_lossy(&out.stdout));
        anstream::println!(
            "\nThe solution's lesson notes are in its doc comments; the lesson is {}.",
            ex.lesson_path().display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
