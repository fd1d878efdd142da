//! The course's programs in other languages that call a learner's library (exercise 07's C
//! program and Python script), run by the judge for a task's check.
//!
//! A check running in the reference worker asks for one by name (`call program:NAME HEX`, see
//! `harness::remote::program`), with the requests it drew as the program's input. The judge
//! links or loads the learner's library here, runs the program confined like every process
//! that runs learner code, and answers with what it printed, which the check then judges; or
//! with why there is nothing to judge (a library that does not link, a crash, memory errors
//! valgrind found), which fails the task in those words.

use crate::child::{self, Limits};
use crate::sandbox::Confinement;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// How long linking or one run of a program may take.
const LIMIT: Duration = Duration::from_secs(60);

/// The most lines of a program's or a tool's error output told in a message.
const MOST_LINES: usize = 30;

/// Where the programs find what they run on, and where they may write.
pub struct Drivers<'a> {
    /// The course (sources of the programs).
    pub course: &'a Path,
    /// The folder holding the learner's built libraries (`lib{crate}.a`, `lib{crate}.so`).
    pub libraries: PathBuf,
    /// The library crate's name (`c_interop`).
    pub crate_name: String,
    /// A folder of the programs' own, for the requests, the linked program and `TMPDIR`.
    pub scratch: PathBuf,
}

impl Drivers<'_> {
    /// Runs program `name` on `input`: what it printed, or why there is nothing to judge.
    pub fn run(&self, name: &str, input: &[u8]) -> Result<Vec<u8>, String> {
        let requests = self.scratch.join("requests.txt");
        std::fs::write(&requests, input).map_err(|e| format!("cannot write {}: {e}", requests.display()))?;
        match name {
            "c-calls-rust" => self.c_program(&requests),
            "python-calls-rust" => self.python(&requests),
            other => Err(format!("the course has no program '{other}'")),
        }
    }

    fn library(&self, extension: &str) -> Result<PathBuf, String> {
        let path = self.libraries.join(format!("lib{}.{extension}", self.crate_name));
        let kind = if extension == "a" { "staticlib" } else { "cdylib" };
        match path.is_file() {
            true => Ok(path),
            false => Err(format!("{} is missing: is `{kind}` in the crate's [lib] crate-type?", path.display())),
        }
    }

    /// Task 4: `shared/c/call_rust.c` linked with the static library, run on the requests,
    /// then again under valgrind where it is installed (no invalid memory access allowed).
    fn c_program(&self, requests: &Path) -> Result<Vec<u8>, String> {
        let archive = self.library("a")?;
        let sources = self.course.join("shared").join("c");
        let program = self.scratch.join("call_rust");
        let mut gcc = Command::new("gcc");
        gcc.arg(sources.join("call_rust.c")).arg("-I").arg(&sources).arg(&archive);
        gcc.args(["-lm", "-lpthread", "-ldl", "-o"]).arg(&program);
        self.succeeded(gcc, &archive, |f| {
            format!("gcc could not link call_rust.c with your library:\n{}", excerpt(&f.stderr))
        })?;
        let mut run = Command::new(&program);
        run.arg("--serve").arg(requests);
        let ran = self.succeeded(run, &program, |f| {
            format!("call_rust.c, linked with your library, {}:\n{}", f.ending.describe(), excerpt(&f.stderr))
        })?;
        if child::on_path("valgrind").is_some() {
            let mut valgrind = Command::new("valgrind");
            valgrind.args(["--quiet", "--error-exitcode=99"]).arg(&program).arg("--serve").arg(requests);
            self.succeeded(valgrind, &program, |f| {
                format!(
                    "valgrind found memory errors in call_rust.c + your library ({}):\n{}",
                    f.ending.describe(),
                    excerpt(&f.stderr)
                )
            })?;
        }
        Ok(ran.stdout.into_bytes())
    }

    /// Task 5: `shared/python/call_rust.py` loading the shared library with ctypes.
    fn python(&self, requests: &Path) -> Result<Vec<u8>, String> {
        let library = self.library("so")?;
        if child::on_path("python3").is_none() {
            return Err("python3 is not installed on this machine, so task 5 cannot be checked here".into());
        }
        let mut python = Command::new("python3");
        python.arg(self.course.join("shared").join("python").join("call_rust.py"));
        python.arg(&library).arg("--serve").arg(requests);
        let ran = self.succeeded(python, &library, |f| {
            format!("call_rust.py, loading your library, {}:\n{}", f.ending.describe(), excerpt(&f.stderr))
        })?;
        Ok(ran.stdout.into_bytes())
    }

    /// Runs `cmd` confined (see [`confined`](Self::confined)); `failed` says why when it does
    /// not end with success.
    fn succeeded(
        &self,
        cmd: Command,
        reads: &Path,
        failed: impl FnOnce(&child::Finished) -> String,
    ) -> Result<child::Finished, String> {
        let finished = self.confined(cmd, reads)?;
        if finished.ending.success() { Ok(finished) } else { Err(failed(&finished)) }
    }

    /// Runs `cmd` confined to the scratch folder, reading the course and `reads`'s folder.
    fn confined(&self, mut cmd: Command, reads: &Path) -> Result<child::Finished, String> {
        Limits::for_learner_code(LIMIT).apply(&mut cmd);
        crate::sandbox::confine(&mut cmd, &Confinement::program(&self.scratch, self.course, reads))
            .map_err(|e| format!("cannot confine {:?}: {e:#}", cmd.get_program()))?;
        child::run(&mut cmd, LIMIT, |_| false).map_err(|e| format!("{e:#}"))
    }
}

/// The first lines of `text`, escape sequences shown inert.
fn excerpt(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = lines.iter().take(MOST_LINES).copied().collect::<Vec<_>>().join("\n");
    if lines.len() > MOST_LINES {
        out += &format!("\n… ({} more lines)", lines.len() - MOST_LINES);
    }
    crate::text::inert(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in for a learner's library: `lib{name}.a` in `dir`, built from C; its heat step
    /// copies the field (and first reads one value past it, if `overread`), its kernel says 7.
    fn library(dir: &Path, name: &str, overread: bool) {
        let source = dir.join(format!("{name}.c"));
        let read = if overread { "volatile double past = u[rows * cols]; (void)past;" } else { "" };
        let code = format!(
            "#include <stddef.h>\n\
             int hpc_rust_heat_step(const double *u, double *out, size_t rows, size_t cols) {{\n\
                 if (!u || !out) return -1;\n\
                 if (rows * cols == 0) return -2;\n\
                 {read}\n\
                 for (size_t k = 0; k < rows * cols; k++) out[k] = u[k];\n\
                 return 0;\n\
             }}\n\
             int hpc_rust_kernel(double zr, double zi, double cr, double ci, double lim, int cutoff) {{ return 7; }}\n"
        );
        std::fs::write(&source, code).unwrap();
        let object = dir.join(format!("{name}.o"));
        assert!(Command::new("gcc").arg("-c").arg(&source).arg("-o").arg(&object).status().unwrap().success());
        let archive = dir.join(format!("lib{name}.a"));
        assert!(Command::new("ar").arg("rcs").arg(&archive).arg(&object).status().unwrap().success());
    }

    fn drivers<'a>(course: &'a Path, dir: &Path, name: &str) -> Drivers<'a> {
        let scratch = dir.join(format!("scratch-{name}"));
        std::fs::create_dir_all(&scratch).unwrap();
        Drivers { course, libraries: dir.to_path_buf(), crate_name: name.into(), scratch }
    }

    /// The course's root (the sources of its programs).
    fn course() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
    }

    const REQUESTS: &str = "heat 1 2 1 1 3ff0000000000000 4000000000000000\nkernel 0 0 0 0 4000000000000000 9\n";

    #[test]
    fn the_c_program_prints_what_the_library_answers() {
        let dir = crate::sandbox::Scratch::new(&course().join("target"), "drivers-test").unwrap();
        library(&dir.0, "honest", false);
        let course = course();
        let printed = drivers(&course, &dir.0, "honest").run("c-calls-rust", REQUESTS.as_bytes()).unwrap();
        assert_eq!(String::from_utf8(printed).unwrap(), "0 3ff0000000000000 4000000000000000\n7\n");
    }

    #[test]
    fn valgrind_tells_a_read_past_the_field() {
        if child::on_path("valgrind").is_none() {
            eprintln!("skipped: valgrind is not installed");
            return;
        }
        let dir = crate::sandbox::Scratch::new(&course().join("target"), "drivers-test").unwrap();
        library(&dir.0, "overreads", true);
        let course = course();
        let why = drivers(&course, &dir.0, "overreads").run("c-calls-rust", REQUESTS.as_bytes()).unwrap_err();
        assert!(why.starts_with("valgrind found memory errors in call_rust.c + your library"), "{why}");
        assert!(why.contains("Invalid read"), "{why}");
    }

    #[test]
    fn a_library_that_was_not_built_is_named_with_its_crate_type() {
        let dir = crate::sandbox::Scratch::new(&course().join("target"), "drivers-test").unwrap();
        let course = course();
        let drivers = drivers(&course, &dir.0, "absent");
        let why = drivers.run("c-calls-rust", b"").unwrap_err();
        assert!(why.contains("libabsent.a is missing: is `staticlib` in the crate's [lib] crate-type?"), "{why}");
        let why = drivers.run("python-calls-rust", b"").unwrap_err();
        assert!(why.contains("libabsent.so is missing: is `cdylib`"), "{why}");
        assert_eq!(drivers.run("fortran", b"").unwrap_err(), "the course has no program 'fortran'");
    }
}
