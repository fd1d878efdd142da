//! The course's MPI support, shared by the MPI exercises, their solutions and their tests.
//!
//! - [`world`]: MPI started once per process (libtest runs many tests in one process, and MPI
//!   can be started only once), finalised at exit.
//! - A rank that panics ends the whole job: its message is printed with its rank number, then
//!   `MPI_Abort`. Without that, the other ranks would wait for it forever in their next
//!   collective call, and even its own exit would hang in `MPI_Finalize`.
//! - [`serve_candidate`]: the grader's worker protocol (`harness::worker`) under `mpirun`: rank
//!   0 answers the judge on named pipes (Open MPI closes every inherited descriptor but the
//!   standard three) and relays each request to the other ranks, which run the graded calls
//!   with it, and the learner functions a task's check calls on every rank at once
//!   (`harness::ranks`).

pub use harness;
pub use mpi;

pub mod basics;
pub mod heat;
pub mod heat_program;

use harness::worker::Request;
use mpi::topology::SimpleCommunicator;
use mpi::traits::{Communicator, Root};
use std::io::Write;
use std::process::ExitCode;
use std::sync::Once;

pub use harness::worker::CHANNEL_ENV;

static START: Once = Once::new();

/// The world communicator, MPI started on the first call (with threads allowed, as libtest
/// may run tests on threads of its own) and finalised when the process exits.
pub fn world() -> SimpleCommunicator {
    START.call_once(|| {
        let Some((universe, _)) = mpi::initialize_with_threading(mpi::Threading::Multiple) else {
            panic!("MPI was started before harness_mpi::world(): start it only through harness_mpi::world()");
        };
        // The universe lives until exit: dropping it would finalise MPI after the first test.
        std::mem::forget(universe);
        // SAFETY: registering a plain extern "C" function to run at exit.
        unsafe { libc::atexit(finalize) };
        let world = SimpleCommunicator::world();
        install_abort_on_panic(world.rank(), world.size());
    });
    SimpleCommunicator::world()
}

extern "C" fn finalize() {
    if mpi::environment::is_initialized() && !mpi::environment::is_finalized() {
        // SAFETY: MPI is initialised and not finalised (checked above); this runs once, at exit.
        unsafe { mpi::ffi::MPI_Finalize() };
    }
}

/// Replaces the panic hook: the message, with the rank that panicked, goes straight to
/// standard error (not to libtest's capture, which would never be printed), then the job ends.
fn install_abort_on_panic(rank: i32, size: i32) {
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(a panic without a message)".into());
        let place = info.location().and_then(|l| place_of(&format!("{}:{}:{}", l.file(), l.line(), l.column())));
        let place = place.map(|p| format!(" at {p}")).unwrap_or_default();
        let _ = writeln!(std::io::stderr().lock(), "rank {rank} of {size} panicked{place}:\n{message}");
        // SAFETY: MPI is initialised (the hook is installed after it); MPI_Abort does not return.
        unsafe { mpi::ffi::MPI_Abort(mpi::ffi::RSMPI_COMM_WORLD, 101) };
    }));
}

/// Where a panic is told to be: its own location, or, when that is inside a library (rsmpi's
/// `request was dropped without being completed` is raised in the registry's `request.rs`),
/// the first line of the learner's (or the course's) code on the way there, then the library's.
/// `None` for this crate's own panics: a check's verdict on a wrong result (`Ranks::fail`), whose
/// message says what was wrong, where a harness line would only mislead.
fn place_of(location: &str) -> Option<String> {
    if is_harness(location) {
        return None;
    }
    if !in_a_library(location) {
        return Some(location.to_string());
    }
    let trace = std::backtrace::Backtrace::force_capture().to_string();
    Some(match first_own_line(&trace) {
        Some(own) => format!("{own} (inside a library: {location})"),
        None => location.to_string(),
    })
}

/// Whether a source location is this crate's (the MPI harness's).
fn is_harness(location: &str) -> bool {
    location.contains("shared/mpi/src/")
}

/// Whether a source location is a library's: a crate from the registry or git, or the standard
/// library's.
fn in_a_library(location: &str) -> bool {
    ["/.cargo/registry/", "/registry/src/", "/.cargo/git/", "/rustc/", "/library/std/", "/library/core/"]
        .iter()
        .any(|part| location.contains(part))
}

/// The first `at FILE:LINE:COL` of a printed backtrace outside every library and outside this
/// crate (its panic hook is on every trace).
fn first_own_line(trace: &str) -> Option<String> {
    trace
        .lines()
        .filter_map(|line| line.trim().strip_prefix("at "))
        .find(|at| !in_a_library(at) && !is_harness(at))
        .map(|at| {
            // Relative to the course, as every other location the learner sees.
            let course = ["exercises/", "solutions/"].iter().find_map(|top| at.find(top));
            course.map_or(at, |k| &at[k..]).to_string()
        })
}

/// This process's rank in the world.
pub fn rank() -> i32 {
    world().rank()
}

/// Every rank's processor name (`MPI_Get_processor_name`: its node's host name under Open MPI),
/// in rank order, on rank 0 (`None` elsewhere): which ranks share a node. Collective: every rank
/// must call it.
pub fn processor_names(world: &SimpleCommunicator) -> Option<Vec<String>> {
    // One fixed-size slot a rank, so one gather: MPI_MAX_PROCESSOR_NAME is 256 in Open MPI and MPICH.
    const SLOT: usize = 256;
    let name = mpi::environment::processor_name().unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into());
    let mut mine = [0u8; SLOT];
    let len = name.len().min(SLOT);
    mine[..len].copy_from_slice(&name.as_bytes()[..len]);
    let root = world.process_at_rank(0);
    if world.rank() != 0 {
        root.gather_into(&mine[..]);
        return None;
    }
    let mut all = vec![0u8; SLOT * world.size() as usize];
    root.gather_into_root(&mine[..], &mut all[..]);
    let text = |slot: &[u8]| String::from_utf8_lossy(slot.split(|&b| b == 0).next().unwrap_or_default()).into_owned();
    Some(all.chunks(SLOT).map(text).collect())
}

/// A seed drawn by rank 0 (from the clock, or `COURSE_SEED` to replay a failure) and
/// broadcast, so that every rank builds the same random data: the tests' random inputs.
pub fn shared_seed(world: &SimpleCommunicator) -> u64 {
    let mut seed = if world.rank() == 0 {
        std::env::var("COURSE_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            now.as_nanos() as u64
        })
    } else {
        0
    };
    world.process_at_rank(0).broadcast_into(&mut seed);
    seed
}

/// Sends `line` from rank 0 to every rank; every rank returns it.
fn broadcast_line(world: &SimpleCommunicator, line: &str) -> String {
    let root = world.process_at_rank(0);
    let mut len = line.len() as u64;
    root.broadcast_into(&mut len);
    let mut bytes = if world.rank() == 0 { line.as_bytes().to_vec() } else { vec![0u8; len as usize] };
    root.broadcast_into(&mut bytes[..]);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Rank 0's ends of the judge's channel (its requests and answers), its process ID already
/// said on it: where the judge finds the inputs and outputs, in this process's memory. The job
/// ends here when it was not started by the judge.
fn open_channel(exercise: &str) -> (std::fs::File, std::fs::File) {
    let Some(dir) = std::env::var_os(CHANNEL_ENV) else {
        eprintln!(
            "This is the grader's worker, run by the course runner under mpirun.\nTo grade this exercise, run: cargo xtask check {exercise}"
        );
        // SAFETY: MPI is initialised; the job ends here, on every rank.
        unsafe { mpi::ffi::MPI_Abort(mpi::ffi::RSMPI_COMM_WORLD, 64) };
        unreachable!("MPI_Abort does not return");
    };
    let dir = std::path::PathBuf::from(dir);
    let opened = std::fs::File::open(dir.join("requests"))
        .and_then(|r| Ok((r, std::fs::OpenOptions::new().write(true).open(dir.join("answers"))?)));
    let (requests, mut answers) = match opened {
        Ok(pair) => pair,
        Err(e) => panic!("cannot open the grader's channel in {}: {e}", dir.display()),
    };
    if writeln!(answers, "pid {}", std::process::id()).is_err() {
        panic!("the grader's channel closed");
    }
    (requests, answers)
}

/// The candidate worker of an MPI exercise: `main` of its `tests/grade.rs`, run by the judge
/// under `mpirun`. Every rank builds the same stages; rank 0 is given the inputs (it reads
/// them from the course's file in the lessons' programs too) and returns the outputs; the
/// other ranks run each call with an empty input batch and their outputs are ignored.
///
/// `functions` are the learner's functions a task's check calls on every rank at once
/// (`harness::ranks`): for `call NAME HEX` every rank runs its own, and rank 0 answers `result
/// HEX` with every rank's outcome (its result's bytes, or its panic's message) in rank order.
/// A panic in such a call is answered, not the job's end, so that a `todo!()` reads as one: each
/// rank catches its own (its message goes to standard error too); in a timed call it still ends
/// the job, naming the rank. A rank that others wait for in a
/// collective call, having panicked, leaves them waiting: the judge's time limit ends the job.
pub fn serve_candidate(
    exercise: &str,
    stages: Vec<(&'static str, Box<dyn harness::worker::StageRunner + '_>)>,
    functions: Vec<harness::remote::Function<'_>>,
) -> ExitCode {
    let world = world();
    if world.rank() == 0 {
        let (requests, answers) = open_channel(exercise);
        let code = harness::worker::serve_candidate_on(
            exercise,
            stages,
            std::io::BufReader::new(requests),
            answers,
            |request| {
                broadcast_line(&world, &request.to_string());
            },
            |name, args| call_on_every_rank(&world, &functions, name, args),
        );
        broadcast_line(&world, &Request::Exit.to_string());
        code
    } else {
        let mut stages = stages;
        let empty = [0u64];
        let input = harness::worker::Batch::new(&empty, &[]).expect("an empty batch is valid");
        let mut output = harness::worker::BatchWriter::default();
        loop {
            let line = broadcast_line(&world, "");
            match line.parse::<Request>() {
                Ok(Request::Exit) => break,
                Ok(Request::Run { stage }) => {
                    if let Some((_, runner)) = stages.iter_mut().find(|(n, _)| *n == stage) {
                        output.clear();
                        runner.run(&input, &mut output);
                    }
                }
                Ok(Request::Call { name, args }) => {
                    call_on_every_rank(&world, &functions, &name, &args);
                }
                _ => {}
            }
        }
        ExitCode::SUCCESS
    }
}

/// The learner function `name` on this rank, on the arguments `args` (hex of the bytes of a
/// one-element tuple holding the call's bytes), then every rank's outcome gathered: the answer
/// rank 0 gives (`result HEX`).
fn call_on_every_rank(
    world: &SimpleCommunicator,
    functions: &[harness::remote::Function<'_>],
    name: &str,
    args: &str,
) -> String {
    use harness::remote::{decode, encode, hex, unhex};
    let outcome = match functions.iter().find(|(n, _)| *n == name) {
        None => Err(format!("no function '{name}'")),
        Some((_, f)) => match unhex(args).and_then(|bytes| decode::<(Vec<u8>,)>(&bytes)) {
            Err(e) => Err(e),
            Ok((args,)) => {
                // Only here is a panic caught, not the job's end; a timed call's still is.
                let (rank, size) = (world.rank(), world.size());
                let abort = std::panic::take_hook();
                std::panic::set_hook(Box::new(move |info| {
                    let message = harness::property::panic_text(info.payload());
                    let _ = writeln!(std::io::stderr().lock(), "rank {rank} of {size} panicked: {message}");
                }));
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&args)));
                std::panic::set_hook(abort);
                match outcome {
                    Ok(result) => result,
                    Err(payload) => Err(harness::property::panic_text(&*payload)),
                }
            }
        },
    };
    let all = basics::all_gather(world, &encode(&outcome));
    let outcomes: Vec<Result<Vec<u8>, String>> = all.iter().map(|b| decode(b).unwrap_or_else(Err)).collect();
    format!("result {}", hex(&encode(&outcomes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_inside_rsmpi_is_told_at_the_learners_line() {
        let trace = "   0: std::backtrace::Backtrace::force_capture
             at /rustc/abc/library/std/src/backtrace.rs:312:13
   1: harness_mpi::install_abort_on_panic::{{closure}}
             at ./shared/mpi/src/lib.rs:67:21
   2: <mpi::request::Request<D,S> as core::ops::drop::Drop>::drop
             at /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/mpi-0.8.2/src/request.rs:99:9
   3: mpi_basics::chain_immediate::{{closure}}
             at ./exercises/10-mpi-basics/src/lib.rs:131:9
   4: mpi::request::scope
             at /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/mpi-0.8.2/src/request.rs:560:5";
        assert_eq!(first_own_line(trace).as_deref(), Some("exercises/10-mpi-basics/src/lib.rs:131:9"));
        let absolute = trace.replace("./exercises", "/home/ann/course/exercises");
        assert_eq!(first_own_line(&absolute).as_deref(), Some("exercises/10-mpi-basics/src/lib.rs:131:9"));
        assert!(in_a_library(
            "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/mpi-0.8.2/src/request.rs:99:9"
        ));
        assert!(!in_a_library("exercises/10-mpi-basics/src/lib.rs:131:9"));
        assert_eq!(
            place_of("exercises/10-mpi-basics/src/lib.rs:12:5").as_deref(),
            Some("exercises/10-mpi-basics/src/lib.rs:12:5")
        );
        assert_eq!(place_of("shared/mpi/src/basics.rs:114:13"), None, "a check's verdict has no place");
    }
}
