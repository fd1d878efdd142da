//! `watch`: re-check an exercise every time one of its files is saved.

use crate::check;
use crate::course::{Course, Exercise, Side};
use crate::learner::progress::Progress;
use crate::term;
use anyhow::{Context, Result};
use notify::{RecursiveMode, Watcher};
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

/// Editors save in bursts (write, rename, touch): wait this long after the last event.
const SETTLE: Duration = Duration::from_millis(300);

/// The named exercise, or the first one not done yet.
fn pick<'a>(root: &Path, course: &'a Course, name: Option<&str>) -> Result<&'a Exercise> {
    if let Some(name) = name {
        return course.find(name);
    }
    let progress = Progress::load(root);
    let done = |e: &&Exercise| progress.exercises.get(&e.name).and_then(|p| p.status) == Some(check::Status::Done);
    Ok(course.exercises.iter().find(|e| !done(e)).unwrap_or(&course.exercises[0]))
}

pub fn watch(root: &Path, course: &Course, name: Option<&str>) -> Result<ExitCode> {
    let ex = pick(root, course, name)?;
    let folder = root.join(ex.folder(Side::Exercise));
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event
            && (event.kind.is_modify() || event.kind.is_create() || event.kind.is_remove())
        {
            let _ = tx.send(());
        }
    })
    .context("cannot watch files on this system")?;
    watcher
        .watch(&folder.join("src"), RecursiveMode::Recursive)
        .with_context(|| format!("cannot watch {}", folder.display()))?;
    loop {
        if std::io::stdout().is_terminal() {
            print!("\x1b[2J\x1b[H"); // clear the screen, cursor home
        }
        let report = check::check(root, ex, Side::Exercise, term::color_enabled())?;
        anstream::print!("{}", check::render(&report, ex));
        let mut progress = Progress::load(root);
        progress.record(&report);
        progress.save(root);
        anstream::println!(
            "\n{}",
            term::paint(
                term::DIM,
                format!("watching {}/src: save a file to check again, Ctrl-C to stop", folder.display())
            )
        );
        rx.recv().context("the file watcher stopped")?;
        while rx.recv_timeout(SETTLE).is_ok() {} // let the burst of events settle
    }
}
