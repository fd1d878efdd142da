//! The checks of exercise 07, shared by the exercise and the solution through
//! [`interop_tasks!`](crate::interop_tasks).

use super::{FfiError, HPC_ERR_NULL, HPC_ERR_SIZE, HPC_OK, reference_heat_step, reference_kernel};
use crate::heat::Params;
use proptest::prelude::*;
use std::ffi::c_int;
use std::path::{Path, PathBuf};
use std::process::Command;

type HeatWrapper = fn(&[f64], &mut [f64], usize, usize, &Params) -> Result<(), FfiError>;
type CountsWrapper = fn(&[f64], &[f64], (f64, f64), f64, u32) -> Result<Vec<u32>, FfiError>;
/// `unsafe`: it takes raw pointers C vouches for (a safe `extern "C" fn` coerces to it too).
type HeatExport = unsafe extern "C" fn(*const f64, *mut f64, usize, usize) -> c_int;
type KernelExport = extern "C" fn(f64, f64, f64, f64, f64, c_int) -> c_int;

fn field() -> impl Strategy<Value = (Vec<f64>, usize, usize)> {
    (1usize..12, 1usize..12)
        .prop_flat_map(|(r, c)| (proptest::collection::vec(-100.0..100.0f64, r * c), Just(r), Just(c)))
}

/// Task 1: the safe wrapper of the C heat step agrees with Rust and refuses bad buffers.
pub fn task_1_c_heat_step(c_heat_step: HeatWrapper) {
    let p = Params::course();
    crate::property::check(field(), |(u, rows, cols)| {
        let mut out = vec![f64::NAN; u.len()];
        c_heat_step(&u, &mut out, rows, cols, &p).map_err(|e| format!("c_heat_step on a {rows}×{cols} field: {e}"))?;
        let want = reference_heat_step(&u, rows, cols);
        // C multiplies by precomputed coefficients where the baseline divides: a few ulps apart.
        crate::diff::compare(&want, &out, &[rows, cols], &[rows, cols], crate::heat::TOLERANCE)
            .map_err(|m| format!("c_heat_step gave {out:?}, Rust gives {want:?}:\n{m}"))
    });
    let u = vec![1.0; 9];
    let mut short = vec![0.0; 8];
    assert_eq!(
        c_heat_step(&u, &mut short, 3, 3, &p),
        Err(FfiError::LengthMismatch { expected: 9, found: 8 }),
        "an output buffer one value short must be refused before calling C"
    );
    assert_eq!(
        c_heat_step(&u[..8], &mut [0.0; 9], 3, 3, &p),
        Err(FfiError::LengthMismatch { expected: 9, found: 8 }),
        "an input buffer one value short must be refused before calling C"
    );
    assert_eq!(c_heat_step(&[], &mut [], 0, 3, &p), Err(FfiError::BadSize), "a 0×3 field has no cells");
    assert_eq!(c_heat_step(&[], &mut [], usize::MAX, 3, &p), Err(FfiError::BadSize), "rows × cols overflows");
}

/// Task 2: the safe wrapper of the C escape-time kernel over arrays of starting points.
pub fn task_2_c_escape_counts(c_escape_counts: CountsWrapper) {
    let point = -2.0..2.0f64;
    let points = proptest::collection::vec((point.clone(), point), 0..64);
    crate::property::check((points, -1.0..1.0f64, -1.0..1.0f64, 1u32..300), |(pts, cr, ci, cutoff)| {
        let (zr, zi): (Vec<f64>, Vec<f64>) = pts.iter().copied().unzip();
        let got = c_escape_counts(&zr, &zi, (cr, ci), 2.0, cutoff).map_err(|e| e.to_string())?;
        let want: Vec<u32> = pts.iter().map(|&(r, i)| reference_kernel(r, i, cr, ci, 2.0, cutoff)).collect();
        if got == want { Ok(()) } else { Err(format!("c_escape_counts gave {got:?}, the kernel gives {want:?}")) }
    });
    assert_eq!(
        c_escape_counts(&[0.0, 1.0], &[0.0], (0.0, 0.0), 2.0, 10),
        Err(FfiError::LengthMismatch { expected: 2, found: 1 }),
        "zr and zi of different lengths must be refused"
    );
    assert_eq!(c_escape_counts(&[], &[], (0.0, 0.0), 2.0, 10), Ok(vec![]), "no points, no counts");
    assert_eq!(
        c_escape_counts(&[0.0], &[0.0], (0.0, 0.0), 2.0, u32::MAX),
        Err(FfiError::TooLarge(u32::MAX as u64)),
        "a cutoff beyond C's int must be refused, not wrapped around"
    );
}

/// Task 3: the functions exported to C behave, called through their C signatures.
pub fn task_3_exports(heat_step: HeatExport, kernel: KernelExport) {
    let u = [0.0, 0.0, 0.0, 0.0, 100.0, 0.0, 0.0, 0.0, 0.0];
    let mut out = [f64::NAN; 9];
    // SAFETY (every call below): each pointer is null or points to 9 doubles, as the header's
    // contract asks for a 3×3 field; the sizes that do not match are ones it must refuse.
    let step = |u: *const f64, out: *mut f64, rows, cols| {
        // SAFETY: as said above, for every call.
        unsafe { heat_step(u, out, rows, cols) }
    };
    assert_eq!(step(u.as_ptr(), out.as_mut_ptr(), 3, 3), HPC_OK, "hpc_rust_heat_step on a valid 3×3 field");
    assert_eq!(out.to_vec(), reference_heat_step(&u, 3, 3), "hpc_rust_heat_step's result");
    assert_eq!(step(std::ptr::null(), out.as_mut_ptr(), 3, 3), HPC_ERR_NULL, "a null input must give HPC_ERR_NULL");
    assert_eq!(step(u.as_ptr(), std::ptr::null_mut(), 3, 3), HPC_ERR_NULL, "a null output must give HPC_ERR_NULL");
    assert_eq!(step(u.as_ptr(), out.as_mut_ptr(), 0, 3), HPC_ERR_SIZE, "zero rows must give HPC_ERR_SIZE");
    assert_eq!(
        step(u.as_ptr(), out.as_mut_ptr(), usize::MAX, 2),
        HPC_ERR_SIZE,
        "an overflowing size must give HPC_ERR_SIZE"
    );
    for (zr, zi, cr, ci) in [(0.0, 0.0, 1.0, 1.0), (0.0, 0.0, 0.0, 0.0), (3.0, 0.0, 0.0, 0.0), (0.1, -0.2, -0.7, 0.3)] {
        let want = reference_kernel(zr, zi, cr, ci, 2.0, 255) as c_int;
        assert_eq!(kernel(zr, zi, cr, ci, 2.0, 255), want, "hpc_rust_kernel({zr}, {zi}, {cr}, {ci}, 2, 255)");
    }
    assert_eq!(kernel(0.0, 0.0, 0.0, 0.0, 2.0, -5), 0, "a negative cutoff means no iterations");
}

/// Finds the crate's `file` (its static or shared library) where cargo builds it: beside the
/// test binary in `target/<profile>/deps`, or in `target/<profile>` after a `cargo build`.
fn built_library(file: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary knows its path");
    let deps = exe.parent().expect("target/<profile>/deps/<test>");
    let candidates = [deps.join(file), deps.parent().unwrap_or(deps).join(file)];
    candidates.iter().find(|p| p.is_file()).unwrap_or(&candidates[0]).clone()
}

fn c_source(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../c").join(file)
}

fn tool_available(tool: &str) -> bool {
    Command::new(tool).arg("--version").output().is_ok_and(|o| o.status.success())
}

/// Task 4: a C program, linked with the crate's static library, calls the exports on the
/// check's requests (see [`super::driver`]); `run` runs it on them and returns what it printed.
pub fn task_4_c_calls_rust(run: &dyn Fn(&str) -> String) {
    super::driver::check("call_rust.c", run);
}

/// Task 5: Python loads the crate's shared library with ctypes and calls the exports on the
/// check's requests; `run` as for task 4.
pub fn task_5_python_calls_rust(run: &dyn Fn(&str) -> String) {
    super::driver::check("call_rust.py", run);
}

/// The requests' file, in the temporary folder (the only one a test may write).
fn requests_file(program: &str, requests: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("{program}-requests-{}", std::process::id()));
    std::fs::write(&path, requests).expect("the temporary folder is writable");
    path
}

/// Task 4 in a test binary: links `shared/c/call_rust.c` with the crate's static library (as
/// the lesson does by hand), runs it on the requests and, where valgrind is installed, again
/// under valgrind, which must find no invalid memory access.
pub fn local_c_program(lib_name: &str, requests: &str) -> String {
    let archive = built_library(&format!("lib{lib_name}.a"));
    assert!(archive.is_file(), "{} is missing: is `staticlib` in the crate's [lib] crate-type?", archive.display());
    // Linked in the temporary folder: the grader runs tests with only that one writable.
    let program = std::env::temp_dir().join(format!("call_rust_{lib_name}-{}", std::process::id()));
    let out = Command::new("gcc")
        .arg(c_source("call_rust.c"))
        .arg("-I")
        .arg(c_source(""))
        .arg(&archive)
        .args(["-lm", "-lpthread", "-ldl", "-o"])
        .arg(&program)
        .output()
        .expect("gcc runs");
    assert!(
        out.status.success(),
        "gcc could not link call_rust.c with {}:\n{}",
        archive.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let file = requests_file("call_rust", requests);
    let run = Command::new(&program).arg("--serve").arg(&file).output().expect("the C program runs");
    assert!(run.status.success(), "call_rust.c {}:\n{}", run.status, String::from_utf8_lossy(&run.stderr));
    if tool_available("valgrind") {
        let vg = Command::new("valgrind")
            .args(["--quiet", "--error-exitcode=99"])
            .arg(&program)
            .arg("--serve")
            .arg(&file)
            .output()
            .expect("valgrind runs");
        assert!(
            vg.status.success(),
            "valgrind found memory errors in call_rust.c + your library:\n{}",
            String::from_utf8_lossy(&vg.stderr)
        );
    } else {
        eprintln!("skipped the valgrind run: valgrind is not installed");
    }
    let _ = std::fs::remove_file(&program);
    let _ = std::fs::remove_file(&file);
    String::from_utf8_lossy(&run.stdout).into_owned()
}

/// Task 5 in a test binary: `python3 shared/python/call_rust.py LIBRARY --serve FILE`.
pub fn local_python(lib_name: &str, requests: &str) -> String {
    let library = built_library(&format!("lib{lib_name}.so"));
    assert!(library.is_file(), "{} is missing: is `cdylib` in the crate's [lib] crate-type?", library.display());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../python").join("call_rust.py");
    let file = requests_file("call_rust_py", requests);
    let out = Command::new("python3").arg(&script).arg(&library).arg("--serve").arg(&file).output();
    let _ = std::fs::remove_file(&file);
    let out = out.expect("python3 runs");
    assert!(
        out.status.success(),
        "python3 {} {} --serve … {}:\n{}",
        script.display(),
        library.display(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Whether python3 runs here (task 5's test is skipped, and says so, where it does not).
pub fn python_available() -> bool {
    tool_available("python3")
}

/// Expands to exercise 07's tests: `harness::interop_tasks!(c_interop, "c_interop");`
#[macro_export]
macro_rules! interop_tasks {
    ($k:ident, $lib:literal) => {
        use $crate::interop::checks as tasks;
        #[test]
        fn task_1_c_heat_step() {
            tasks::task_1_c_heat_step($k::c_heat_step);
        }
        #[test]
        fn task_2_c_escape_counts() {
            tasks::task_2_c_escape_counts($k::c_escape_counts);
        }
        #[test]
        fn task_3_exports() {
            tasks::task_3_exports($k::hpc_rust_heat_step, $k::hpc_rust_kernel);
        }
        #[test]
        fn task_4_c_calls_rust() {
            tasks::task_4_c_calls_rust(&|requests| tasks::local_c_program($lib, requests));
        }
        #[test]
        fn task_5_python_calls_rust() {
            if !tasks::python_available() {
                eprintln!("skipped: python3 is not installed");
                return;
            }
            tasks::task_5_python_calls_rust(&|requests| tasks::local_python($lib, requests));
        }
    };
}
