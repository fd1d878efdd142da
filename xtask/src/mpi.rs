//! Exercises that run under MPI (`mpi = { ranks = [...] }` in course.toml): what they need
//! installed, said in plain words when it is missing, and how their programs are started.
//!
//! Tested with Open MPI 4.1 (Debian 12's `openmpi-bin`). The `mpi` crate's build needs the MPI
//! compiler wrapper (`mpicc`) and libclang (its bindings generator); running needs `mpirun`.

use anyhow::{Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// What to install, by platform, shown whenever something is missing.
pub const INSTALL: &str = "\
  Debian, Ubuntu:  sudo apt-get install -y openmpi-bin libopenmpi-dev libclang-dev
  Fedora:          sudo dnf install -y openmpi-devel clang-devel && module load mpi/openmpi-x86_64
  macOS:           brew install open-mpi llvm
  (an HPC centre:  module load openmpi, or your site's MPI module, and a clang module)";

/// An MPI installation the runner can use.
#[derive(Clone, Debug)]
pub struct Installation {
    pub mpirun: PathBuf,
    /// The first line of `mpirun --version`, e.g. `mpirun (Open MPI) 4.1.4`.
    pub version: String,
}

/// The MPI installation on this machine, or what is missing and how to install it.
pub fn detect() -> Result<Installation, String> {
    let mut missing = Vec::new();
    let mpirun = crate::child::on_path("mpirun");
    if mpirun.is_none() {
        missing.push("`mpirun` (to start the ranks)");
    }
    if crate::child::on_path("mpicc").is_none() {
        missing.push("`mpicc` (the MPI compiler wrapper the `mpi` crate builds with)");
    }
    if !libclang_found() {
        missing.push("libclang (the `mpi` crate's bindings generator)");
    }
    if let Some(mpirun) = mpirun.filter(|_| missing.is_empty()) {
        let version = Command::new(&mpirun)
            .arg("--version")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).lines().next().unwrap_or_default().trim().to_string())
            .unwrap_or_default();
        if !version.contains("Open MPI") {
            return Err(format!(
                "the runner starts MPI programs with Open MPI's options, and this machine's `mpirun` is not Open \
                 MPI's ({}: {version:?}). Install Open MPI, or put its `mpirun` first on PATH:\n{INSTALL}",
                mpirun.display()
            ));
        }
        return Ok(Installation { mpirun, version });
    }
    Err(format!("this machine lacks {}. Install MPI and libclang:\n{INSTALL}", missing.join(", ")))
}

/// Detects MPI for `exercise`, or an error that says what to install (and that the other
/// exercises do not need it).
pub fn require(exercise: &str) -> Result<Installation> {
    match detect() {
        Ok(found) => Ok(found),
        Err(why) => bail!(
            "`{exercise}` runs under MPI, but {why}\nThe other exercises do not need MPI: `cargo xtask list` shows them."
        ),
    }
}

/// Whether libclang is where clang-sys (the bindings generator's loader) looks for it.
fn libclang_found() -> bool {
    if std::env::var_os("LIBCLANG_PATH").is_some() || crate::child::on_path("llvm-config").is_some() {
        return true;
    }
    let dirs = ["/usr/lib", "/usr/lib64", "/usr/local/lib", "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu"];
    let llvm = std::fs::read_dir("/usr/lib")
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("llvm"))
        .map(|e| e.path().join("lib"));
    dirs.iter().map(PathBuf::from).chain(llvm).any(|dir| {
        std::fs::read_dir(dir).into_iter().flatten().flatten().any(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with("libclang") && (name.contains(".so") || name.ends_with(".dylib"))
        })
    })
}

/// `mpirun` starting `ranks` copies of `exe`. With `outputs`, each rank's standard output and
/// error go to files of their own there (see [`RankOutput`]) and nothing to `mpirun`'s; without,
/// `mpirun` forwards them to its own.
///
/// `--oversubscribe`: more ranks than cores is allowed (the tests use up to four on two cores);
/// `--bind-to none`: a rank may move to a free core when another program holds one.
pub fn launcher(mpi: &Installation, exe: &Path, ranks: u32, outputs: Option<&Path>) -> Command {
    let mut cmd = Command::new(&mpi.mpirun);
    cmd.args(["-n", &ranks.to_string(), "--oversubscribe", "--bind-to", "none"]);
    if let Some(dir) = outputs {
        cmd.arg("--output-filename").arg(format!("{}:nocopy", dir.display()));
    }
    cmd.arg(exe);
    // Inside a batch job, `mpirun` would hand the ranks to Slurm's step daemon; the runner's
    // ranks are its own (the sandbox clears these too; this holds without it).
    for (name, _) in std::env::vars_os().filter(|(name, _)| crate::allocation::foreign(name)) {
        cmd.env_remove(name);
    }
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        // Open MPI refuses to start as root (CI machines, containers) unless told twice.
        cmd.env("OMPI_ALLOW_RUN_AS_ROOT", "1").env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
    }
    cmd
}

/// What one rank printed, from `mpirun --output-filename DIR` (`DIR/<job>/rank.<N>/stdout`).
#[derive(Debug, Default)]
pub struct RankOutput {
    pub stdout: String,
    pub stderr: String,
}

/// The most of a rank's file that is read.
const MAX_READ: u64 = 4 << 20;

/// What each rank printed, by rank (ranks that printed nothing have empty entries).
pub fn rank_outputs(dir: &Path, ranks: u32) -> Vec<RankOutput> {
    let jobs: Vec<PathBuf> = std::fs::read_dir(dir).into_iter().flatten().flatten().map(|e| e.path()).collect();
    (0..ranks)
        .map(|rank| {
            let read = |stream: &str| {
                jobs.iter()
                    .map(|job| job.join(format!("rank.{rank}")).join(stream))
                    .find(|p| p.is_file())
                    .map(|p| {
                        use std::io::Read;
                        let mut text = Vec::new();
                        if let Ok(file) = std::fs::File::open(&p) {
                            let _ = file.take(MAX_READ).read_to_end(&mut text);
                        }
                        String::from_utf8_lossy(&text).into_owned()
                    })
                    .unwrap_or_default()
            };
            RankOutput { stdout: read("stdout"), stderr: read("stderr") }
        })
        .collect()
}

/// A rank's panic as the course's MPI harness prints it (`rank 1 of 4 panicked at
/// src/lib.rs:40:9:` then the message), in one line: `rank 1 of 4 panicked at src/lib.rs:40:9:
/// index out of bounds…`, or `todo!() at src/lib.rs:40:9` for a task not done yet.
pub fn panic_line(stderr: &str) -> Option<String> {
    let mut lines = stderr.lines();
    while let Some(line) = lines.next() {
        let Some(rest) = line.strip_prefix("rank ") else { continue };
        // harness_mpi's watchdog: a call that never returned (see `basics::CALL_LIMIT`).
        if let Some((who, test)) = rest.split_once(" stopped the job in ") {
            let message = lines.next().unwrap_or_default().trim();
            return Some(crate::text::inert(&format!(
                "rank {who} stopped the job in {}: {message}",
                test.trim_end_matches(':')
            )));
        }
        let Some((who, place)) = rest.split_once(" panicked") else { continue };
        let place = place.trim_end_matches(':').trim();
        let message = lines.next().unwrap_or_default().trim();
        if message == "not yet implemented" {
            return Some(format!("todo!() {place}").trim_end().to_string());
        }
        // No place: the harness's own panic, a check's verdict on a wrong result, which says it all.
        let text =
            if place.is_empty() { message.to_string() } else { format!("rank {who} panicked {place}: {message}") };
        return Some(crate::text::inert(&text));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ranks_panic_is_read_in_one_line() {
        let stderr = "noise\nrank 1 of 4 panicked at src/lib.rs:40:9:\nindex out of bounds: the len is 3\nmore";
        assert_eq!(
            panic_line(stderr).as_deref(),
            Some("rank 1 of 4 panicked at src/lib.rs:40:9: index out of bounds: the len is 3")
        );
        let todo = "rank 0 of 2 panicked at src/lib.rs:12:5:\nnot yet implemented\n";
        assert_eq!(panic_line(todo).as_deref(), Some("todo!() at src/lib.rs:12:5"));
        assert_eq!(panic_line("thread 'main' panicked at x"), None);
        let verdict = "rank 0 of 2 panicked:\nrank 1 of 2: scatter returned 0 values; expected chunk 1\n";
        assert_eq!(panic_line(verdict).as_deref(), Some("rank 1 of 2: scatter returned 0 values; expected chunk 1"));
        let stuck = "rank 1 of 2 stopped the job in task_03_exchange_halos:\n`exchange_halos` had not returned after 5 s: \
                     it waits\n";
        assert_eq!(
            panic_line(stuck).as_deref(),
            Some(
                "rank 1 of 2 stopped the job in task_03_exchange_halos: `exchange_halos` had not returned after 5 s: it waits"
            )
        );
    }

    #[test]
    fn the_launcher_oversubscribes_and_sends_each_rank_to_its_own_files() {
        let mpi = Installation { mpirun: "/usr/bin/mpirun".into(), version: "mpirun (Open MPI) 4.1.4".into() };
        let cmd = launcher(&mpi, Path::new("/x/tasks"), 3, Some(Path::new("/tmp/out")));
        let args: Vec<String> = cmd.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
        assert_eq!(
            args,
            ["-n", "3", "--oversubscribe", "--bind-to", "none", "--output-filename", "/tmp/out:nocopy", "/x/tasks"]
        );
    }
}
