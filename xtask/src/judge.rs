//! The judge: times and checks learner code without believing anything it says.
//!
//! Three workers (see `harness::worker` for the wire protocol): the reference worker, built
//! from the sealed harness only; the candidate worker, the exercise's `tests/grade.rs` with the
//! learner's crate linked in; and the solution worker, the same file in the course's sealed
//! solution crate, timed beside the others to measure what this machine gives (the verdict is
//! the share of the solution's gain, see `grading::protocol`). For every sample the judge draws
//! a seed, has the reference worker make a fresh input batch of the graded size, copies it into
//! the stopped candidate's memory, times the candidate's calls with its own clock, copies the
//! outputs out of the stopped candidate and has the reference worker check every one of them;
//! the solution gets the same batch in the same round. A worker runs only while it is being
//! asked something; the candidate is stopped (`SIGSTOP`, its whole process group) whenever
//! another is timed, so nothing it starts can slow the others down.

use crate::child::{Ending, Limits};
use crate::course::Exercise;
use crate::sandbox::Confinement;
use anyhow::{Context, Result, anyhow, bail};
use grading::protocol::{self, Contender, Contenders, PairProgress, Protocol, StageResult};
use grading::worker::{SpecAnswer, hex, unhex};
use std::cell::RefCell;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::rc::Rc;
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

/// The most a worker's standard output and error are kept of (the end is what matters).
const KEPT_OUTPUT: usize = 16 * 1024;
/// Outputs checked per sample at most: every call's up to this many, else this many calls drawn
/// at random after the sample. A wrong answer in a fraction `p` of calls escapes one sample with
/// probability `(1 - p)^64` (under 2% for `p` = 6%), and a verdict takes dozens of samples.
const CHECKED_PER_SAMPLE: usize = 64;

/// Names the folder of an MPI job's two named pipes (`harness_mpi::CHANNEL_ENV`).
const CHANNEL_ENV: &str = "COURSE_WORKER_FIFOS";

/// Largest file a worker may write (`RLIMIT_FSIZE`).
const MAX_FILE_BYTES: u64 = 256 << 20;

/// Why grading stopped before a verdict, in terms a learner can act on.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The output of a checked call differs from the reference.
    Wrong { message: String, while_timing: bool },
    /// The worker ended (panic, abort, signal) while it was asked something.
    Crashed { ending: Ending, while_timing: bool, output: String },
    /// A request got no answer in time; `ranks` for an MPI job (whose ranks may be waiting for
    /// each other).
    TimedOut { after: Duration, output: String, ranks: Option<u32> },
    /// The worker answered something that is not the protocol.
    Protocol { message: String, output: String },
    /// The reference worker (sealed course code, which prepares and checks every sample) crashed
    /// or timed out: never "your code". A candidate so fast that a sample holds a huge number
    /// of calls, each prepared and checked there, is what makes this happen.
    Reference(Box<Failure>),
    /// The course's solution, timed beside the candidate, failed: a fault of the course (or of
    /// the machine), never of the learner's code.
    Solution(Box<Failure>),
}

impl Failure {
    /// The grader's words, then what the worker printed last (see [`Self::summary`] and
    /// [`Self::output`]).
    pub fn describe(&self) -> String {
        match self.output() {
            "" => self.summary(),
            output => format!("{}\n{output}", self.summary()),
        }
    }

    /// What happened, in the grader's own words only (a `Wrong` message is the reference
    /// worker's, course code): nothing learner code printed.
    pub fn summary(&self) -> String {
        match self {
            Failure::Wrong { message, while_timing: false } => message.clone(),
            Failure::Wrong { message, while_timing: true } => {
                format!("Your results changed while being timed (every timed call's output is checked):\n{message}")
            }
            Failure::Crashed { ending, while_timing, .. } => format!(
                "Your code crashed {}: it {}.",
                if *while_timing { "while being timed" } else { "on the graded input" },
                ending.describe()
            ),
            Failure::TimedOut { after, ranks: None, .. } => format!(
                "Your code did not answer within {:.0} s on the graded input and was stopped: an endless loop?",
                after.as_secs_f64()
            ),
            Failure::TimedOut { after, ranks: Some(ranks), .. } => format!(
                "Your code did not answer within {:.0} s on the graded input and its {ranks} ranks were stopped: they \
                 were still waiting. A deadlock (a blocking send that no rank receives, a receive nobody sends to, a \
                 collective call not every rank makes), or an endless loop?",
                after.as_secs_f64()
            ),
            Failure::Protocol { message, .. } => format!(
                "The grading worker stopped following the grader's protocol ({message}). Output printed to the \
                 grader's channel, or a changed `tests/grade.rs`, can cause this."
            ),
            Failure::Solution(inner) => format!(
                "The course's own solution, timed beside your code to measure what this machine gives, failed: \
                 this is not your code's fault (please report it to the course's maintainers).\n{}",
                inner.summary().replace("Your code", "It").replace("Your results", "Its results")
            ),
            Failure::Reference(inner) => {
                let what = match &**inner {
                    Failure::TimedOut { after, .. } => format!("did not finish within {:.0} s", after.as_secs_f64()),
                    Failure::Crashed { ending: Ending::Signalled(24), .. } => {
                        "used up the CPU time it is allowed".to_string()
                    }
                    Failure::Crashed { ending, .. } => ending.describe(),
                    other => return other.summary(),
                };
                format!(
                    "The grader's reference worker (the course's own code, which prepares and checks every timed \
                     call) {what} and was stopped. This is not an endless loop or a crash in your code: it happens \
                     when each of your calls is so fast that a timed sample holds a huge number of calls, every \
                     one of which the grader must prepare and check. Does your code keep results from one call \
                     to the next?"
                )
            }
        }
    }

    /// The end of what the failing worker printed (escape sequences shown inert, bounded by
    /// the worker's kept tail): empty when there is none.
    pub fn output(&self) -> &str {
        match self {
            Failure::Wrong { .. } => "",
            Failure::Crashed { output, .. } | Failure::TimedOut { output, .. } | Failure::Protocol { output, .. } => {
                output
            }
            Failure::Reference(inner) | Failure::Solution(inner) => inner.output(),
        }
    }
}

/// What a worker is to the judge: whose code it runs decides whose fault a failure is, and
/// whether it is stopped between requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The course's reference worker: prepares inputs, runs the baseline, checks outputs.
    Reference,
    /// The learner's code.
    Candidate,
    /// The course's solution, timed to know what this machine gives.
    Solution,
}

/// One worker process and its channels.
pub struct Worker {
    child: Child,
    requests: Box<dyn Write + Send>,
    /// The process whose memory holds the inputs and outputs: the worker's program (the child
    /// itself, or its grandchild in a PID namespace: `sandbox::program_process`), or rank 0 of
    /// an MPI job (the worker is then `mpirun`).
    memory_pid: i32,
    /// For an MPI job: its rank count and the named pipe rank 0 answers on.
    mpi: Option<(u32, PathBuf)>,
    answers: mpsc::Receiver<String>,
    output: Arc<Mutex<String>>,
    role: Role,
    /// The runner's other children (the other workers), which `pause` leaves alone.
    known: Vec<i32>,
    /// Processes that left the worker's group, stopped by the last `pause`.
    strays: RefCell<Vec<i32>>,
    escapes: RefCell<crate::child::EscapeWatch>,
}

/// Starts a worker's command: confined to its private folder (see `sandbox`), piped output,
/// resource limits (which give it its own process group), and a largest file size.
fn start(cmd: &mut Command, confinement: &Confinement, limits: Limits) -> Result<Child> {
    cmd.env("RUST_BACKTRACE", "0").stdout(Stdio::piped()).stderr(Stdio::piped());
    limits.apply(cmd);
    // SAFETY: setrlimit is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            let fsize = libc::rlimit { rlim_cur: MAX_FILE_BYTES as _, rlim_max: MAX_FILE_BYTES as _ };
            libc::setrlimit(libc::RLIMIT_FSIZE, &fsize);
            Ok(())
        });
    }
    crate::sandbox::confine(cmd, confinement)?;
    cmd.spawn().with_context(|| format!("cannot start {:?}", cmd.get_program()))
}

impl Worker {
    /// Starts `exe` with its answers on fd 3, its own process group, resource limits, confined
    /// to a private working folder.
    pub fn spawn(exe: &Path, args: &[&str], confinement: &Confinement, limits: Limits, role: Role) -> Result<Worker> {
        let mut fds = [0; 2];
        // SAFETY: pipe2 writes two descriptors into the array on success.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            bail!("cannot create a pipe: {}", std::io::Error::last_os_error());
        }
        // SAFETY: both descriptors were just created and are owned here only.
        let (answer_read, answer_write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        let mut cmd = Command::new(exe);
        cmd.args(args).stdin(Stdio::piped()).process_group(0);
        let write_fd = answer_write.as_raw_fd();
        // SAFETY: dup2 is async-signal-safe; it clears close-on-exec on fd 3.
        unsafe {
            cmd.pre_exec(move || {
                if libc::dup2(write_fd, grading::worker::ANSWER_FD) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut child = start(&mut cmd, confinement, limits)?;
        drop(answer_write);
        let requests = Box::new(child.stdin.take().expect("piped"));
        let program = crate::sandbox::program_process(child.id() as i32, confinement);
        let mut worker = Worker::started(child, requests, move || Some(std::fs::File::from(answer_read)), None, role);
        worker.memory_pid = program;
        Ok(worker)
    }

    /// Starts `exe` as an MPI job of `ranks` ranks (`mpirun`, its own process group; the ranks
    /// lead groups of their own, so they are stopped and ended as the processes that left it).
    /// Open MPI closes every descriptor but the standard three in the ranks, so the requests
    /// and answers go through two named pipes in its scratch folder, which rank 0 opens (see
    /// `harness_mpi::serve_candidate`); its first answer is its process ID (in the job's PID
    /// namespace), the memory the judge reads and writes, accepted only if it is a process of
    /// this job.
    pub fn spawn_mpi(
        mpi: &crate::mpi::Installation,
        exe: &Path,
        ranks: u32,
        confinement: &Confinement,
        limits: Limits,
        role: Role,
    ) -> Result<Worker> {
        let channel = confinement.scratch.join("channel");
        std::fs::create_dir_all(&channel).with_context(|| format!("cannot create {}", channel.display()))?;
        let (requests_path, answers_path) = (channel.join("requests"), channel.join("answers"));
        for path in [&requests_path, &answers_path] {
            let c_path = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).context("a path with a NUL")?;
            // SAFETY: mkfifo reads a NUL-terminated path.
            if unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) } != 0 {
                bail!("cannot create the pipe {}: {}", path.display(), std::io::Error::last_os_error());
            }
        }
        let mut cmd = crate::mpi::launcher(mpi, exe, ranks, None);
        cmd.env(CHANNEL_ENV, &channel).stdin(Stdio::null());
        let child = start(&mut cmd, confinement, limits)?;
        // Read and write: opening never waits for rank 0, and the pipe stays open if it goes.
        let requests = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&requests_path)
            .with_context(|| format!("cannot open {}", requests_path.display()))?;
        let reader_path = answers_path.clone();
        // Waits until rank 0 opens its end; the end of file comes when rank 0 is gone.
        let open_answers = move || std::fs::File::open(&reader_path).ok();
        let mut worker = Worker::started(child, Box::new(requests), open_answers, Some((ranks, answers_path)), role);
        let started = worker.wait_answer(Duration::from_secs(120), false);
        let rank0 = match started.as_deref().map(|a| a.strip_prefix("pid ").and_then(|p| p.parse::<i32>().ok())) {
            Ok(Some(pid)) => pid,
            Ok(None) => bail!("rank 0 of the MPI job did not say where it is: {:?}", started),
            Err(failure) => bail!("the MPI job did not start: {}", failure.describe()),
        };
        // Rank 0 says its process ID as seen in the job's PID namespace; it is a child of `mpirun`.
        let mpirun = crate::sandbox::program_process(worker.pid(), confinement);
        let Some(process) = crate::sandbox::child_called(mpirun, rank0) else {
            bail!("the MPI job's rank 0 answered with the process ID {rank0}, which is not one of its ranks");
        };
        worker.memory_pid = process;
        Ok(worker)
    }

    /// A worker for a child just started: its output's tail kept, and the answer channel
    /// (opened by `open_answers`, in the reader thread: it may wait for the other end) read
    /// line by line.
    fn started(
        mut child: Child,
        requests: Box<dyn Write + Send>,
        open_answers: impl FnOnce() -> Option<std::fs::File> + Send + 'static,
        mpi: Option<(u32, PathBuf)>,
        role: Role,
    ) -> Worker {
        let output = Arc::new(Mutex::new(String::new()));
        for stream in [
            child.stdout.take().map(|s| Box::new(s) as Box<dyn Read + Send>),
            child.stderr.take().map(|s| Box::new(s) as _),
        ]
        .into_iter()
        .flatten()
        {
            let output = output.clone();
            // Never joined: a grandchild may keep the pipe open after the worker is gone.
            std::thread::spawn(move || keep_tail(stream, &output));
        }
        let (tx, answers) = mpsc::channel();
        std::thread::spawn(move || {
            let Some(file) = open_answers() else { return };
            for line in BufReader::new(file).lines().map_while(|l| l.ok()) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let memory_pid = child.id() as i32;
        Worker {
            child,
            requests,
            memory_pid,
            mpi,
            answers,
            output,
            role,
            known: Vec::new(),
            strays: RefCell::default(),
            escapes: RefCell::new(crate::child::EscapeWatch::new()),
        }
    }

    fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// CPU time the worker's program has used so far, all its threads together (those ended
    /// too); `None` for an MPI job (its ranks are processes of their own) or when unreadable.
    fn cpu_seconds(&self) -> Option<f64> {
        if self.mpi.is_some() {
            return None;
        }
        let mut clock: libc::clockid_t = 0;
        let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: both calls only write the locals they are given.
        let read = unsafe {
            libc::clock_getcpuclockid(self.memory_pid, &mut clock) == 0 && libc::clock_gettime(clock, &mut now) == 0
        };
        read.then_some(now.tv_sec as f64 + now.tv_nsec as f64 * 1e-9)
    }

    /// Stopped with SIGSTOP between requests: every worker but the reference (sealed code that
    /// starts nothing, and which prepares and checks while the others wait).
    fn stop_between(&self) -> bool {
        self.role != Role::Reference
    }

    /// The end of what the worker printed, escape sequences shown inert.
    pub fn output(&self) -> String {
        let mut text = self.output.lock().map(|o| o.clone()).unwrap_or_default();
        if self.mpi.is_some() {
            // `mpirun` says so each time the judge resumes the job: noise for the learner.
            text = text.lines().filter(|l| !l.starts_with("mpirun: Forwarding signal")).collect::<Vec<_>>().join("\n");
        }
        crate::term::inert(text.trim_end())
    }

    /// Sends one request and waits at most `limit` for its answer.
    pub fn ask(&mut self, request: &str, limit: Duration, while_timing: bool) -> Result<String, Failure> {
        if writeln!(self.requests, "{request}").and_then(|_| self.requests.flush()).is_err() {
            return Err(self.ended(while_timing));
        }
        self.wait_answer(limit, while_timing)
    }

    /// Waits at most `limit` for the next answer; a worker that ended is seen at once, even if
    /// its answer channel stays open (an MPI job's rank 0 may never have opened it).
    fn wait_answer(&mut self, limit: Duration, while_timing: bool) -> Result<String, Failure> {
        let deadline = Instant::now() + limit;
        let received = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.answers.recv_timeout(left.min(Duration::from_millis(200))) {
                Err(mpsc::RecvTimeoutError::Timeout) if !left.is_zero() => {
                    if matches!(self.child.try_wait(), Ok(Some(_))) {
                        break Err(mpsc::RecvTimeoutError::Disconnected);
                    }
                }
                other => break other,
            }
        };
        match received {
            Ok(line) => self.answer(line),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(self.ended(while_timing)),
            Err(mpsc::RecvTimeoutError::Timeout) => Err(self.timed_out(limit)),
        }
    }

    /// An answer line: `error {json}` is the worker's account of a request it could not serve.
    fn answer(&self, line: String) -> Result<String, Failure> {
        match line.strip_prefix("error ") {
            Some(json) => Err(Failure::Protocol {
                message: serde_json::from_str(json).unwrap_or_else(|_| json.to_string()),
                output: self.output(),
            }),
            None => Ok(line),
        }
    }

    /// Ends a worker that did not answer within `limit`, and says so.
    fn timed_out(&mut self, limit: Duration) -> Failure {
        self.kill();
        let ranks = self.mpi.as_ref().map(|(r, _)| *r);
        self.own(Failure::TimedOut { after: limit, output: self.output(), ranks })
    }

    /// Sends one line without waiting for an answer.
    fn send(&mut self, line: &str) -> Result<(), Failure> {
        match writeln!(self.requests, "{line}").and_then(|_| self.requests.flush()) {
            Ok(()) => Ok(()),
            Err(_) => Err(self.ended(false)),
        }
    }

    /// The next answer, waiting at most `wait` for it: `None` if none came.
    fn poll(&mut self, wait: Duration) -> Result<Option<String>, Failure> {
        match self.answers.recv_timeout(wait) {
            Ok(line) => self.answer(line).map(Some),
            Err(mpsc::RecvTimeoutError::Timeout) if !matches!(self.child.try_wait(), Ok(Some(_))) => Ok(None),
            Err(_) => Err(self.ended(false)),
        }
    }

    /// The worker's ending, once its answer channel closed.
    fn ended(&mut self, while_timing: bool) -> Failure {
        let deadline = Instant::now() + Duration::from_secs(5);
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
                _ => break None,
            }
        };
        self.kill();
        // Give the output threads a moment to collect the last lines (a panic message).
        std::thread::sleep(Duration::from_millis(50));
        let ending = match status.map(|s| (s.code(), s.signal())) {
            Some((Some(code), _)) => Ending::Exited(code),
            Some((None, Some(signal))) => Ending::Signalled(signal),
            _ => {
                return Failure::Protocol { message: "it closed the answer channel".into(), output: self.output() };
            }
        };
        self.own(Failure::Crashed { ending, while_timing, output: self.output() })
    }

    /// `failure` as this worker's: the reference worker's and the solution's are the course's
    /// own, so they are never told as "your code".
    fn own(&self, failure: Failure) -> Failure {
        match self.role {
            Role::Candidate => failure,
            Role::Reference => Failure::Reference(Box::new(failure)),
            Role::Solution => Failure::Solution(Box::new(failure)),
        }
    }

    /// Stops (`SIGSTOP`) or resumes (`SIGCONT`) the worker's whole process group.
    fn signal_group(&self, signal: i32) {
        // SAFETY: killpg only sends a signal to the group this worker leads.
        unsafe { libc::killpg(self.pid(), signal) };
    }

    /// Stops the worker and waits until every thread of it is stopped. Processes it started
    /// that left its group are stopped too, and resumed with it.
    fn pause(&self) {
        if self.stop_between() {
            self.stop();
        }
    }

    /// [`pause`](Self::pause), for any worker: the reference worker is stopped like this
    /// before its timed runs, so both sides are timed from the same stopped state (waking a
    /// stopped process costs a fraction of a millisecond here, which must not count for
    /// one side only).
    fn stop(&self) {
        self.signal_group(libc::SIGSTOP);
        // Found now, while everything is stopping, so `resume` (inside the clock) is two signals.
        // The reference worker (sealed code) starts no processes: only its group is stopped.
        let mut strays: Vec<i32> = Vec::new();
        if self.stop_between() {
            let mut escapes = self.escapes.borrow_mut();
            // Again while something was created meanwhile (a stray starting another), a few times.
            for _ in 0..5 {
                for pid in escapes.escaped(self.pid(), &self.known) {
                    // SAFETY: stopping a process the worker started (or an orphan this runner adopted).
                    unsafe { libc::kill(pid, libc::SIGSTOP) };
                    if !strays.contains(&pid) {
                        strays.push(pid);
                    }
                }
                if escapes.settled() {
                    break;
                }
            }
        }
        let deadline = Instant::now() + Duration::from_secs(1);
        while !(all_threads_stopped(self.pid())
            && all_threads_stopped(self.memory_pid)
            && strays.iter().all(|&p| all_threads_stopped(p)))
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_micros(50));
        }
        *self.strays.borrow_mut() = strays;
    }

    fn resume(&self) {
        if self.stop_between() {
            self.cont();
        }
    }

    /// Resumes what [`stop`](Self::stop) stopped.
    fn cont(&self) {
        for &pid in self.strays.borrow().iter() {
            // SAFETY: resuming a process stopped by `stop`.
            unsafe { libc::kill(pid, libc::SIGCONT) };
        }
        self.signal_group(libc::SIGCONT);
    }

    /// Asks while running: resumed for the request, stopped again after it.
    fn ask_running(&mut self, request: &str, limit: Duration, while_timing: bool) -> Result<String, Failure> {
        self.resume();
        let answer = self.ask(request, limit, while_timing);
        self.pause();
        answer
    }

    /// Ends the worker, everything in its process group and what left it (an MPI job's ranks).
    pub fn kill(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            crate::child::kill_all(&crate::child::escaped_from(self.pid(), &[]));
        }
        self.signal_group(libc::SIGKILL);
        self.signal_group(libc::SIGCONT);
        let _ = self.child.kill();
        let _ = self.child.wait();
        // A reader still waiting for rank 0 to open the answer pipe gets its end of file.
        if let Some((_, answers)) = &self.mpi {
            let _ = std::fs::OpenOptions::new().write(true).custom_flags(libc::O_NONBLOCK).open(answers);
        }
    }

    fn read(&self, address: usize, len: usize) -> Result<Vec<u8>, Failure> {
        let mut buf = vec![0u8; len];
        self.read_into(address, &mut buf)?;
        Ok(buf)
    }

    /// Fills `buf` from the worker's memory at `address`.
    fn read_into(&self, address: usize, buf: &mut [u8]) -> Result<(), Failure> {
        let len = buf.len();
        let mut done = 0;
        while done < len {
            let local = libc::iovec { iov_base: buf[done..].as_mut_ptr().cast(), iov_len: len - done };
            let remote = libc::iovec { iov_base: (address + done) as *mut libc::c_void, iov_len: len - done };
            // SAFETY: `local` points into `buf`, which holds `len - done` more bytes.
            let n = unsafe { libc::process_vm_readv(self.memory_pid, &local, 1, &remote, 1, 0) };
            if n <= 0 {
                return Err(self.memory_failure("read", address, len));
            }
            done += n as usize;
        }
        Ok(())
    }

    fn write(&self, address: usize, bytes: &[u8]) -> Result<(), Failure> {
        let mut done = 0;
        while done < bytes.len() {
            let local =
                libc::iovec { iov_base: bytes[done..].as_ptr() as *mut libc::c_void, iov_len: bytes.len() - done };
            let remote = libc::iovec { iov_base: (address + done) as *mut libc::c_void, iov_len: bytes.len() - done };
            // SAFETY: `local` points into `bytes`; the kernel only reads it.
            let n = unsafe { libc::process_vm_writev(self.memory_pid, &local, 1, &remote, 1, 0) };
            if n <= 0 {
                return Err(self.memory_failure("write", address, bytes.len()));
            }
            done += n as usize;
        }
        Ok(())
    }

    fn memory_failure(&self, what: &str, address: usize, len: usize) -> Failure {
        Failure::Protocol {
            message: format!(
                "cannot {what} {len} bytes at {address:#x} of the worker: {}",
                std::io::Error::last_os_error()
            ),
            output: self.output(),
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.kill();
    }
}

fn keep_tail(mut stream: Box<dyn Read + Send>, output: &Mutex<String>) {
    let mut buf = [0u8; 8192];
    while let Ok(n) = stream.read(&mut buf) {
        if n == 0 {
            break;
        }
        let Ok(mut o) = output.lock() else { break };
        o.push_str(&String::from_utf8_lossy(&buf[..n]));
        if o.len() > 2 * KEPT_OUTPUT {
            let cut = o.len() - KEPT_OUTPUT;
            let cut = (cut..o.len()).find(|&i| o.is_char_boundary(i)).unwrap_or(o.len());
            o.replace_range(..cut, "…");
        }
    }
}

/// Whether every thread of `pid` is stopped (`T` in `/proc/PID/task/*/stat`).
fn all_threads_stopped(pid: i32) -> bool {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else { return true };
    tasks.flatten().all(|task| {
        let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
        // The state follows the command name, which is in parentheses and may hold spaces.
        let state = stat.rsplit_once(')').and_then(|(_, rest)| rest.trim_start().chars().next());
        matches!(state, None | Some('T' | 't' | 'Z' | 'X'))
    })
}

/// A batch location as a worker reports it: `COUNT OFFSETS DATA BYTES`.
struct Located {
    count: usize,
    offsets: usize,
    data: usize,
    bytes: usize,
}

/// The numbers of an answer `KEYWORD N1 N2 …`, exactly `N` of them.
fn parse_answer<const N: usize>(
    answer: &str,
    keyword: &str,
    output: impl Fn() -> String,
) -> Result<[usize; N], Failure> {
    let bad = || Failure::Protocol {
        message: format!("expected '{keyword} …', got '{}'", shorten(answer)),
        output: output(),
    };
    let rest = answer.strip_prefix(keyword).and_then(|r| r.strip_prefix(' ')).ok_or_else(bad)?;
    let numbers: Vec<usize> =
        rest.split_whitespace().map(|w| w.parse()).collect::<Result<_, _>>().map_err(|_| bad())?;
    numbers.try_into().map_err(|_| bad())
}

fn parse_located(answer: &str, keyword: &str, output: impl Fn() -> String) -> Result<Located, Failure> {
    let [count, offsets, data, bytes] = parse_answer(answer, keyword, output)?;
    Ok(Located { count, offsets, data, bytes })
}

fn parse_at(answer: &str, output: impl Fn() -> String) -> Result<(usize, usize), Failure> {
    let [offsets, data] = parse_answer(answer, "at", output)?;
    Ok((offsets, data))
}

fn shorten(s: &str) -> String {
    let s = crate::term::inert(s);
    if s.chars().count() > 120 { format!("{}…", s.chars().take(120).collect::<String>()) } else { s }
}

/// A batch copied out of a worker: offsets and data.
struct Copied {
    offsets: Vec<u8>,
    data: Vec<u8>,
}

/// Starts a worker afresh for the candidate or the solution (`fresh_process_per_call`).
type Respawn<'a> = Box<dyn FnMut(Role) -> Result<Worker> + 'a>;

/// The three workers of one grading and what the judge knows of the run so far.
struct Session<'a> {
    reference: Worker,
    candidate: Worker,
    solution: Worker,
    stage: String,
    seeds: std::collections::hash_map::RandomState,
    samples: u64,
    /// Limit for one timed request.
    call_limit: Duration,
    failure: Option<Failure>,
    /// Whether the untimed correctness calls are done: failures after it happened while timing.
    checked_first: bool,
    /// The last input batch copied for the candidate or the solution (its buffers are reused).
    input: Copied,
    /// Who drew `input` and for how many calls, while the reference worker still holds it (no
    /// batch generated since): the other of the two then runs on the same inputs.
    shared: Option<(Role, u64)>,
    /// Calls the candidate and the solution asked for last, so the batch the first of a round
    /// draws holds enough for both.
    last_calls: [u64; 2],
    /// Whether the stage's rounds have begun: during warm-up and calibration each contender
    /// samples alone, many times, and a batch sized for the other would be wasted.
    in_rounds: bool,
    /// The buffer of the last outputs read, reused.
    outputs: Vec<u8>,
    /// For an exercise graded one call per process: starts the candidate or the solution
    /// again, with a new scratch folder, before each of its samples.
    respawn: Option<Respawn<'a>>,
    /// For such an exercise: what an empty request (no call) to a just-started solution took,
    /// every time; their median is taken off each timed call (see [`Session::fresh_sample`]).
    empty_requests: Vec<f64>,
    /// The candidate's CPU and wall seconds in this stage's timed runs (CPU `None` once unreadable).
    candidate_cpu: Option<f64>,
    candidate_wall: f64,
}

impl Session<'_> {
    fn seed(&mut self) -> u64 {
        use std::hash::BuildHasher;
        self.samples += 1;
        self.seeds.hash_one(self.samples)
    }

    fn worker(&mut self, who: Role) -> &mut Worker {
        match who {
            Role::Reference => &mut self.reference,
            Role::Candidate => &mut self.candidate,
            Role::Solution => &mut self.solution,
        }
    }

    /// The reference worker makes a fresh batch, also loaded for its own run; returns where it is.
    fn generate(&mut self, calls: u64) -> Result<Located, Failure> {
        let seed = self.seed();
        let stage = self.stage.clone();
        self.shared = None;
        let answer =
            self.reference.ask(&format!("generate {stage} {seed} {calls}"), Duration::from_secs(120), false)?;
        parse_located(&answer, "at", || self.reference.output())
    }

    /// A fresh batch copied out of the reference worker into `self.input`.
    /// The buffers are the last batch's, reused: a fresh one of 128 MiB a sample costs the
    /// judge tens of milliseconds of page faults.
    fn generate_copy(&mut self, calls: u64) -> Result<(), Failure> {
        let at = self.generate(calls)?;
        let input = &mut self.input;
        input.offsets.resize((at.count + 1) * 8, 0);
        input.data.resize(at.bytes, 0);
        self.reference.read_into(at.offsets, &mut input.offsets)?;
        self.reference.read_into(at.data, &mut input.data)?;
        Ok(())
    }

    /// Inputs for `calls` calls of `who` (the candidate or the solution) in `self.input`: the
    /// batch the other one drew this round when it holds enough, else a fresh one, sized for
    /// both. Returns the bytes of the first `calls` items' offsets and data.
    fn input_for(&mut self, who: Role, calls: u64) -> Result<(usize, usize), Failure> {
        let (mine, other) = if who == Role::Candidate { (0, 1) } else { (1, 0) };
        self.last_calls[mine] = calls;
        let reuse = matches!(self.shared, Some((drawer, held)) if drawer != who && held >= calls);
        if reuse {
            self.shared = None;
        } else {
            let batch = if self.in_rounds { calls.max(self.last_calls[other]) } else { calls };
            self.generate_copy(batch)?;
            self.shared = Some((who, batch));
        }
        let offsets = (calls as usize + 1) * 8;
        let end = u64::from_ne_bytes(self.input.offsets[offsets - 8..offsets].try_into().expect("8 bytes"));
        Ok((offsets, end as usize))
    }

    /// Times one run on `who` (already loaded) with the judge's clock; returns seconds and how
    /// many outputs there are and where their list is.
    fn timed_run(&mut self, who: Role, while_timing: bool) -> Result<(f64, [usize; 2]), Failure> {
        let limit = self.call_limit;
        let request = format!("run {}", self.stage);
        let worker = self.worker(who);
        // Every worker is timed from stopped to answered (the candidate is stopped already).
        worker.stop();
        let cpu_before = worker.cpu_seconds();
        let start = Instant::now();
        worker.cont();
        let answer = worker.ask(&request, limit, while_timing);
        let seconds = start.elapsed().as_secs_f64();
        worker.pause();
        if who == Role::Candidate {
            let used = cpu_before.zip(self.candidate.cpu_seconds()).map(|(a, b)| b - a);
            self.candidate_cpu = self.candidate_cpu.zip(used).map(|(sum, x)| sum + x);
            self.candidate_wall += seconds;
        }
        let worker = self.worker(who);
        let done = parse_answer(&answer?, "done", || worker.output())?;
        Ok((seconds, done))
    }

    fn baseline_sample(&mut self, calls: u64) -> Result<f64, Failure> {
        self.generate(calls)?;
        let (seconds, [count, _]) = self.timed_run(Role::Reference, true)?;
        if count as u64 != calls {
            return Err(Failure::Protocol {
                message: "the baseline skipped calls".into(),
                output: self.reference.output(),
            });
        }
        Ok(seconds)
    }

    /// The calls whose outputs are checked after a sample of `count` calls: all of them up to
    /// [`CHECKED_PER_SAMPLE`], else that many drawn at random now that the sample is over (the
    /// candidate cannot know which), in increasing order.
    fn picks(&self, count: usize) -> Vec<usize> {
        use std::hash::BuildHasher;
        if count <= CHECKED_PER_SAMPLE {
            return (0..count).collect();
        }
        let mut picks = std::collections::BTreeSet::new();
        let mut draw = 0u64;
        while picks.len() < CHECKED_PER_SAMPLE {
            draw += 1;
            picks.insert((self.seeds.hash_one((self.samples, u64::MAX, draw)) % count as u64) as usize);
        }
        picks.into_iter().collect()
    }

    /// The outputs of calls `picks` of `who`, read where they lie (the worker's list at `list`
    /// holds a pair of address and length per call), as one batch for the reference worker.
    fn read_outputs(&mut self, who: Role, picks: &[usize], list: usize) -> Result<Copied, Failure> {
        const MAX_ITEM: u64 = 1 << 32;
        let mut data = std::mem::take(&mut self.outputs);
        let worker = self.worker(who);
        // Where each item lies and where it goes, then one zeroed buffer for them all.
        let (mut items, mut offsets, mut end) = (Vec::new(), vec![0u64], 0usize);
        for &k in picks {
            let pair = worker.read(list + 16 * k, 16)?;
            let [address, len] = [0, 8].map(|at| u64::from_ne_bytes(pair[at..at + 8].try_into().expect("8 bytes")));
            if len > MAX_ITEM {
                return Err(Failure::Protocol {
                    message: format!("an output of {len} bytes"),
                    output: worker.output(),
                });
            }
            let start = end.next_multiple_of(8);
            end = start + len as usize;
            items.push((address as usize, start));
            offsets.push(end as u64);
        }
        data.clear();
        data.resize(end, 0);
        for (&(address, start), &end) in items.iter().zip(&offsets[1..]) {
            worker.read_into(address, &mut data[start..end as usize])?;
        }
        Ok(Copied { offsets: offsets.iter().flat_map(|o| o.to_ne_bytes()).collect(), data })
    }

    /// Replaces `who` (the candidate or the solution) by a worker just started, when the
    /// exercise is graded one call per process; the others are told its new process ID.
    fn refresh(&mut self, who: Role) -> Result<(), Failure> {
        let Some(respawn) = self.respawn.as_mut() else { return Ok(()) };
        let old = match who {
            Role::Candidate => &mut self.candidate,
            Role::Solution => &mut self.solution,
            Role::Reference => return Ok(()),
        };
        old.kill();
        let fresh = respawn(who).map_err(|e| Failure::Protocol {
            message: format!("the judge could not start a worker: {e:#}"),
            output: String::new(),
        })?;
        *old = fresh;
        let known = vec![self.reference.pid(), self.candidate.pid(), self.solution.pid()];
        self.candidate.known = known.clone();
        self.solution.known = known;
        Ok(())
    }

    /// Times a request to run no call on `who`: what a sample costs besides its calls.
    fn empty_request(&mut self, who: Role) -> Result<f64, Failure> {
        let request = format!("load {} 0 0", self.stage);
        let worker = self.worker(who);
        let load = worker.ask_running(&request, Duration::from_secs(60), false)?;
        let (at_offsets, _) = parse_at(&load, || worker.output())?;
        worker.write(at_offsets, &0u64.to_ne_bytes())?;
        let (seconds, [count, _]) = self.timed_run(who, false)?;
        if count != 0 {
            let worker = self.worker(who);
            return Err(worker
                .own(Failure::Protocol { message: format!("{count} outputs for no call"), output: worker.output() }));
        }
        Ok(seconds)
    }

    /// One call of `who` in a worker just started for it (`fresh_process_per_call`).
    ///
    /// A request to a new process costs far more than to a warm one (its first replies run
    /// code never run before), often more than the call: 0.07 to 0.5 ms here, against about
    /// 0.15 ms for series' solution. Two empty requests come first, the same for every worker, and
    /// the call's time is its request's less the median of what the solution's second empty
    /// request took, a trusted figure (the candidate's own could be made slow on purpose).
    /// What is left is the call, so an answer looked up still meets the stage's floor.
    fn fresh_sample(&mut self, who: Role) -> Result<f64, Failure> {
        self.refresh(who)?;
        self.empty_request(who)?;
        let empty = self.empty_request(who)?;
        if who == Role::Solution {
            self.empty_requests.push(empty);
        }
        let seconds = self.loaded_sample(who, 1)?;
        let overhead = match self.empty_requests.is_empty() {
            true => 0.0,
            false => grading::timeit::median(&self.empty_requests),
        };
        Ok((seconds - overhead).max(1e-9))
    }

    /// One sample of the candidate (every sample's outputs checked) or of the solution (trusted
    /// course code: checked on its first, untimed call only).
    fn sample(&mut self, who: Role, calls: u64) -> Result<f64, Failure> {
        if self.respawn.is_some() && who != Role::Reference {
            return self.fresh_sample(who);
        }
        self.loaded_sample(who, calls)
    }

    /// [`sample`](Self::sample) in the worker as it is.
    fn loaded_sample(&mut self, who: Role, calls: u64) -> Result<f64, Failure> {
        let first = !self.checked_first;
        let (offsets, bytes) = self.input_for(who, calls)?;
        let request = format!("load {} {calls} {bytes}", self.stage);
        let load = self.worker(who).ask_running(&request, Duration::from_secs(60), !first)?;
        let worker = self.worker(who);
        let (at_offsets, at_data) = parse_at(&load, || worker.output())?;
        let input = std::mem::replace(&mut self.input, Copied { offsets: Vec::new(), data: Vec::new() });
        let worker = self.worker(who);
        let written = worker
            .write(at_offsets, &input.offsets[..offsets])
            .and_then(|()| worker.write(at_data, &input.data[..bytes]));
        self.input = input;
        written?;
        let (seconds, [count, list]) = self.timed_run(who, !first)?;
        if count as u64 != calls {
            let worker = self.worker(who);
            return Err(worker.own(Failure::Protocol {
                message: format!("{count} outputs for {calls} calls"),
                output: worker.output(),
            }));
        }
        if who == Role::Candidate || first {
            self.check(who, count, list, first)?;
        }
        Ok(seconds)
    }

    /// Has the reference worker check the outputs of `who`'s last sample (some or all of its
    /// `count` calls) against the batch it still holds.
    fn check(&mut self, who: Role, count: usize, list: usize, first: bool) -> Result<(), Failure> {
        let picks = self.picks(count);
        let got = self.read_outputs(who, &picks, list)?;
        let at =
            self.reference.ask(&format!("got {} {}", picks.len(), got.data.len()), Duration::from_secs(60), false)?;
        let (offsets, data) = parse_at(&at, || self.reference.output())?;
        self.reference.write(offsets, &got.offsets)?;
        self.reference.write(data, &got.data)?;
        self.outputs = got.data;
        let picks: Vec<String> = picks.iter().map(|k| k.to_string()).collect();
        let request = format!("check {} {}", self.stage, picks.join(","));
        let verdict = self.reference.ask(&request, Duration::from_secs(600), false)?;
        match verdict.strip_prefix("wrong ") {
            None if verdict == "ok" => Ok(()),
            None => {
                Err(Failure::Protocol { message: format!("the reference answered '{verdict}'"), output: String::new() })
            }
            Some(json) => {
                let message: String = serde_json::from_str(json).unwrap_or_else(|_| json.to_string());
                let message = if first { message } else { format!("sample {}: {message}", self.samples) };
                Err(self.worker(who).own(Failure::Wrong { message, while_timing: !first }))
            }
        }
    }
}

/// One contender, for the protocol.
struct Side<'a> {
    session: Rc<RefCell<Session<'a>>>,
    who: Role,
}

impl Contender for Side<'_> {
    fn rounds_begin(&mut self) {
        self.session.borrow_mut().in_rounds = true;
    }

    fn sample(&mut self, calls: u64) -> Result<f64, String> {
        let mut session = self.session.borrow_mut();
        let result = match self.who {
            Role::Reference => session.baseline_sample(calls),
            who => session.sample(who, calls),
        };
        result.map_err(|failure| {
            let text = failure.describe();
            session.failure = Some(failure);
            text
        })
    }
}

/// What grading found: the stages measured (with how their cores were used), or why it stopped.
pub struct Judged {
    pub stages: Vec<(StageResult, Option<CoreUse>)>,
    pub failure: Option<Failure>,
}

/// The two executables of one grading: the learner's and the course solution's grading workers
/// (`tests/grade.rs` of the exercise and of the solution crate), with the reference worker.
pub struct Executables<'a> {
    pub candidate: &'a Path,
    pub solution: &'a Path,
    pub reference: &'a Path,
}

/// The stages to grade: (name, target), some or all of `exercise`'s; `mpi` for an exercise that
/// runs under MPI (the candidate and the solution are then `mpirun` jobs of `timed_ranks` ranks).
/// The workers read `course` (the checkout graded) and write only folders of their own in its
/// `target/`.
pub fn grade(
    exes: Executables<'_>,
    exercise: &Exercise,
    mpi: Option<&crate::mpi::Installation>,
    stages: &[(String, f64)],
    protocol: &Protocol,
    course: &Path,
    progress: &mut dyn FnMut(&PairProgress),
) -> Result<Judged> {
    // Removed (with the workers' folders) when grading ends.
    let scratch = crate::sandbox::Scratch::new(&course.join("target"), "judge")?;
    // Each worker gets a folder of its own (an MPI job's named pipes live there).
    let folder = |name: &str| scratch.folder(name);
    // Three contenders now share the sampling budget of each stage.
    let limit = Duration::from_secs_f64((1.5 * protocol.max_seconds + 10.0) * stages.len() as f64 + 60.0);
    let limits = Limits::for_learner_code(limit);
    let confined = Confinement::program(&folder("reference")?, course, exes.reference);
    let reference = Worker::spawn(exes.reference, &[exercise.name.as_str()], &confined, limits, Role::Reference)?;
    let spawn = |exe: &Path, role: Role, dir: &Path| match (mpi, &exercise.mpi) {
        (Some(mpi), Some(job)) => {
            Worker::spawn_mpi(mpi, exe, job.timed_ranks, &Confinement::mpi(dir, course, exe), limits, role)
        }
        _ => Worker::spawn(exe, &[], &Confinement::program(dir, course, exe), limits, role),
    };
    let mut candidate = spawn(exes.candidate, Role::Candidate, &folder("candidate")?)?;
    let mut solution = spawn(exes.solution, Role::Solution, &folder("solution")?)?;
    // One call per process: each new worker gets an empty folder, and its predecessor's
    // (killed by then) goes, so not even a file outlives a call.
    let respawn: Option<Respawn<'_>> = exercise.fresh_process_per_call.then(|| {
        let mut started = 0u64;
        let mut folders: [Option<PathBuf>; 2] = [None, None];
        Box::new(move |role: Role| {
            let (exe, slot, name) = match role {
                Role::Solution => (exes.solution, 1, "solution"),
                _ => (exes.candidate, 0, "candidate"),
            };
            if let Some(old) = folders[slot].take() {
                let _ = std::fs::remove_dir_all(old);
            }
            started += 1;
            let dir = folder(&format!("{name}-{started}"))?;
            folders[slot] = Some(dir.clone());
            spawn(exe, role, &dir)
        }) as Respawn<'_>
    });
    let known = vec![reference.pid(), candidate.pid(), solution.pid()];
    candidate.known = known.clone();
    solution.known = known;
    let session = Rc::new(RefCell::new(Session {
        reference,
        candidate,
        solution,
        stage: String::new(),
        seeds: Default::default(),
        samples: 0,
        call_limit: Duration::from_secs(60),
        failure: None,
        checked_first: false,
        input: Copied { offsets: Vec::new(), data: Vec::new() },
        shared: None,
        last_calls: [0, 0],
        in_rounds: false,
        outputs: Vec::new(),
        respawn,
        empty_requests: Vec::new(),
        candidate_cpu: None,
        candidate_wall: 0.0,
    }));
    let result = judge(&session, exercise, stages, protocol, progress);
    {
        let mut s = session.borrow_mut();
        s.candidate.kill();
        s.solution.kill();
        s.reference.kill();
    }
    crate::child::reap_orphans();
    result
}

fn judge(
    session: &Rc<RefCell<Session<'_>>>,
    exercise: &Exercise,
    stages: &[(String, f64)],
    protocol: &Protocol,
    progress: &mut dyn FnMut(&PairProgress),
) -> Result<Judged> {
    let spec = {
        let mut s = session.borrow_mut();
        let spec = ask_spec(&mut s.reference);
        s.candidate.pause();
        s.solution.pause();
        spec?
    };
    // The grader's stages are course.toml's, all of them, before anything runs (not only the
    // ones graded now): a stage one side lacks would otherwise be skipped without a word.
    let course_stages: Vec<&str> = exercise.stages.iter().map(|s| s.name.as_str()).collect();
    let grader_stages: Vec<&str> = spec.stages.iter().map(|(n, _)| n.as_str()).collect();
    match_stages(&exercise.name, &course_stages, &spec.exercise, &grader_stages)?;
    // Correctness first: one checked call of every stage on a fresh graded input, untimed; the
    // solution's too, on the same input (a solution that fails is the course's fault, said so).
    for (name, _) in stages {
        if !spec.stages.iter().any(|(n, _)| n == name) {
            bail!("asked to grade a stage '{name}' that '{}' does not have", exercise.name);
        }
        let mut s = session.borrow_mut();
        s.stage = name.clone();
        if let Err(failure) = s.sample(Role::Candidate, 1).and_then(|_| s.sample(Role::Solution, 1)) {
            return Ok(Judged { stages: Vec::new(), failure: Some(failure) });
        }
    }
    session.borrow_mut().checked_first = true;
    let mut results = Vec::new();
    for (name, target) in stages {
        let Some((_, work)) = spec.stages.iter().find(|(n, _)| n == name) else { unreachable!("checked above") };
        {
            let mut s = session.borrow_mut();
            s.stage = name.clone();
            s.shared = None;
            s.last_calls = [0, 0];
            s.in_rounds = false;
            s.candidate_cpu = Some(0.0);
            s.candidate_wall = 0.0;
        }
        // A multi-threaded stage: is a second core free? Probed with every worker stopped (the
        // reference worker waits on its channel), just before and just after the timing.
        let threaded = exercise.stages.iter().any(|s| &s.name == name && s.multi_threaded);
        let probe = || (threaded && num_cores() >= 2).then(grading::machine::two_thread_scaling);
        let before = probe();
        // A stage may ask more (or less) of the solution's gain before it is graded.
        let mut protocol = exercise.protocol(protocol);
        if let Some(stage) = exercise.stages.iter().find(|s| &s.name == name) {
            protocol.min_solution_speedup = stage.least_solution_speedup(&protocol);
            protocol.unsure_meets = stage.narrow_margin.is_none();
        }
        let side = |who| Side { session: session.clone(), who };
        let (mut baseline, mut candidate, mut solution) =
            (side(Role::Reference), side(Role::Candidate), side(Role::Solution));
        let contenders = Contenders { baseline: &mut baseline, candidate: &mut candidate, solution: &mut solution };
        match protocol::measure(name, *target, Some(work.clone()), contenders, &protocol, progress) {
            Ok(result) => {
                let s = session.borrow();
                let cores = threaded.then(|| CoreUse {
                    candidate: s.candidate_cpu.filter(|_| s.candidate_wall > 0.0).map(|cpu| cpu / s.candidate_wall),
                    // The higher of the two: a core counts as taken only if both found it so.
                    two_thread_scaling: before.zip(probe()).map(|(a, b)| a.max(b)),
                });
                results.push((result, cores));
            }
            Err(text) => {
                let failure = session.borrow_mut().failure.take();
                let failure = failure.unwrap_or(Failure::Protocol { message: text, output: String::new() });
                return Ok(Judged { stages: results, failure: Some(failure) });
            }
        }
    }
    Ok(Judged { stages: results, failure: None })
}

/// How a multi-threaded stage's cores were used while it was timed.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CoreUse {
    /// The candidate's CPU time over its wall time in its timed runs: the cores its code kept
    /// busy on average (about 1 for code on one thread). `None` for an MPI job, whose ranks
    /// are processes of their own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidate: Option<f64>,
    /// Two threads' speedup over one ([`grading::machine::two_thread_scaling`]), measured with
    /// every worker stopped just before and just after the stage's timing, the higher of the
    /// two: below about 1.6, another program held a core throughout. `None` on one core.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub two_thread_scaling: Option<f64>,
}

fn num_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The reference worker's stages and tasks (`spec`).
fn ask_spec(reference: &mut Worker) -> Result<SpecAnswer> {
    let answer = match reference.ask("spec", Duration::from_secs(60), false) {
        Ok(answer) => answer,
        Err(failure) => bail!("the course's reference worker failed: {}", failure.describe()),
    };
    let json = answer.strip_prefix("spec ").context("the reference worker did not answer 'spec'")?;
    serde_json::from_str(json).context("the reference worker's spec")
}

/// The judge's verdict on one `todo!()` task.
#[derive(Clone, Debug, PartialEq)]
pub enum TaskVerdict {
    Passed,
    /// A learner function it calls is still a `todo!()`: the check's message.
    Todo(String),
    /// The check failed: its message (a wrong result, a panic, or a call that got no answer).
    Failed(String),
    /// Not checked: the test binaries did not report it passed, and a failure learner code
    /// reports can only cost that learner (checking it again would wait out a hang twice).
    Unchecked,
}

/// What the judge found of an exercise's tasks: each task's verdict, in the reference
/// worker's order, and the end of what the candidate printed when a call of it crashed or hung.
pub struct JudgedTasks {
    pub tasks: Vec<(String, TaskVerdict)>,
    pub output: String,
}

/// A call of a learner function may take this long (a check's calls are small).
const TASK_CALL_LIMIT: Duration = Duration::from_secs(30);

/// How a call relayed to the learner's grading worker ended.
enum Relayed {
    /// Its answer: `result HEX` or `panic HEX`.
    Answer(String),
    /// A line that is no answer: the worker is in an unknown state, started afresh.
    Wrong(String),
    /// The worker crashed or hung: started afresh.
    Broke(Failure),
    /// The reference worker went on without the answer (its proxy gave up on the calls back):
    /// its next line. The worker may still be in the call: started afresh.
    MovedOn(String),
}

/// Relays the reference worker's `call` to the learner's worker and, until its answer, the
/// learner's calls back (`back …`) to the reference worker and their answers (`answer …`)
/// back, both ways at once (see `harness::remote::call_with`).
fn relay_call(learner: &mut Worker, reference: &mut Worker, call: &str) -> Result<Relayed> {
    let deadline = Instant::now() + TASK_CALL_LIMIT;
    if let Err(failure) = learner.send(call) {
        return Ok(Relayed::Broke(failure));
    }
    let reference_failed = |failure: Failure| anyhow!("the course's reference worker failed: {}", failure.describe());
    loop {
        // Waiting on the learner's side: its answer ends the call; an answer to a call back
        // from the reference worker is at most this late.
        match learner.poll(Duration::from_micros(100)) {
            Ok(Some(line)) if line.starts_with("back ") => reference.send(&line).map_err(reference_failed)?,
            Ok(Some(line)) if line.starts_with("result ") || line.starts_with("panic ") => {
                return Ok(Relayed::Answer(line));
            }
            Ok(Some(line)) => return Ok(Relayed::Wrong(line)),
            Ok(None) => {}
            Err(failure) => return Ok(Relayed::Broke(failure)),
        }
        while let Some(line) = reference.poll(Duration::ZERO).map_err(reference_failed)? {
            if !line.starts_with("answer ") {
                return Ok(Relayed::MovedOn(line));
            }
            if let Err(failure) = learner.send(&line) {
                return Ok(Relayed::Broke(failure));
            }
        }
        if Instant::now() > deadline {
            return Ok(Relayed::Broke(learner.timed_out(TASK_CALL_LIMIT)));
        }
    }
}

/// The executables the judge checks an exercise's tasks with.
pub struct TaskWorkers<'a> {
    /// The learner's grading worker (its library built beside it, for the course's programs
    /// in other languages).
    pub candidate: &'a Path,
    pub reference: &'a Path,
    /// The learner's package (its library crate's name, `-` as `_`).
    pub package: &'a str,
    /// For an MPI exercise: the installation its grading worker runs under, once for each of
    /// the exercise's rank counts.
    pub mpi: Option<&'a crate::mpi::Installation>,
}

/// Checks `exercise`'s `todo!()` tasks the course's reference worker checks itself: each
/// check runs there, on proxies whose calls the judge relays to the learner's grading worker
/// (`workers.candidate`), so what a test binary prints decides nothing (see
/// `harness::remote`). An MPI exercise's tasks are checked with a job of each of its rank
/// counts; a task's verdict is its first failure. Only the tasks `reported_passed` says the
/// test binaries passed are checked; the others are [`TaskVerdict::Unchecked`]. `None` when the
/// reference worker checks no task of this exercise.
pub fn check_tasks(
    workers: &TaskWorkers<'_>,
    exercise: &Exercise,
    course: &Path,
    reported_passed: &dyn Fn(&str) -> bool,
) -> Result<Option<JudgedTasks>> {
    let scratch = crate::sandbox::Scratch::new(&course.join("target"), "tasks")?;
    let folder = |name: &str| scratch.folder(name);
    let limits = Limits::for_learner_code(Duration::from_secs(600));
    let (candidate, reference) = (workers.candidate, workers.reference);
    let confined = Confinement::program(&folder("reference")?, course, reference);
    let mut judge = Worker::spawn(reference, &[exercise.name.as_str()], &confined, limits, Role::Reference)?;
    let spec = ask_spec(&mut judge)?;
    if spec.tasks.is_empty() {
        judge.kill();
        return Ok(None);
    }
    // The course's programs in other languages, run on the library built beside the worker.
    let drivers = crate::drivers::Drivers {
        course,
        libraries: candidate.parent().map(Path::to_path_buf).unwrap_or_default(),
        crate_name: workers.package.replace('-', "_"),
        scratch: folder("programs")?,
    };
    let sizes: Vec<Option<u32>> = match (workers.mpi, &exercise.mpi) {
        (Some(_), Some(job)) => job.ranks.iter().map(|&r| Some(r)).collect(),
        _ => vec![None],
    };
    // Every worker in an empty folder of its own (an MPI job's channel is made there).
    let spawned = std::cell::Cell::new(0);
    let spawn = |size: Option<u32>| -> Result<Worker> {
        spawned.set(spawned.get() + 1);
        let dir = folder(&format!("candidate-{}", spawned.get()))?;
        match (size, workers.mpi) {
            (Some(ranks), Some(mpi)) => {
                let confined = Confinement::mpi(&dir, course, candidate);
                Worker::spawn_mpi(mpi, candidate, ranks, &confined, limits, Role::Candidate)
            }
            _ => Worker::spawn(candidate, &[], &Confinement::program(&dir, course, candidate), limits, Role::Candidate),
        }
    };
    let mut judged = JudgedTasks {
        tasks: spec
            .tasks
            .iter()
            .map(|t| (t.clone(), if reported_passed(t) { TaskVerdict::Passed } else { TaskVerdict::Unchecked }))
            .collect(),
        output: String::new(),
    };
    for size in sizes {
        let mut learner = spawn(size)?;
        for (task, verdict) in judged.tasks.iter_mut().filter(|(_, v)| *v == TaskVerdict::Passed) {
            let request = match size {
                Some(ranks) => format!("task {task} {ranks}"),
                None => format!("task {task}"),
            };
            let mut session =
                TaskSession { learner: &mut learner, respawn: &|| spawn(size), judge: &mut judge, drivers: &drivers };
            *verdict = session.check(task, &request, &mut judged.output)?;
        }
        learner.kill();
    }
    judge.kill();
    crate::child::reap_orphans();
    Ok(Some(judged))
}

/// The workers one task's check runs with.
struct TaskSession<'s, 'a> {
    learner: &'s mut Worker,
    respawn: &'s dyn Fn() -> Result<Worker>,
    judge: &'s mut Worker,
    drivers: &'s crate::drivers::Drivers<'a>,
}

impl TaskSession<'_, '_> {
    /// Runs the check of `task` (asked for with `request`), relaying its calls; a call that
    /// crashed or hung the learner's worker leaves its output in `output`.
    fn check(&mut self, task: &str, request: &str, output: &mut String) -> Result<TaskVerdict> {
        let limit = Duration::from_secs(300);
        let reference_failed =
            |failure: Failure| anyhow!("the course's reference worker failed on {task}: {}", failure.describe());
        let mut answer = self.judge.ask(request, limit, false).map_err(reference_failed)?;
        loop {
            let (word, rest) = answer.split_once(' ').unwrap_or((answer.as_str(), ""));
            let message = || serde_json::from_str::<String>(rest).unwrap_or_else(|_| rest.to_string());
            match word {
                "passed" => return Ok(TaskVerdict::Passed),
                "todo" => return Ok(TaskVerdict::Todo(crate::term::inert(&message()))),
                "failed" => return Ok(TaskVerdict::Failed(crate::term::inert(&message()))),
                "call" => {}
                // An answer to a call back of a call that is over: nobody waits for it.
                "answer" => {
                    answer = self.judge.wait_answer(limit, false).map_err(reference_failed)?;
                    continue;
                }
                _ => bail!("the course's reference worker answered '{}' on {task}", shorten(&answer)),
            }
            // A course program run on the learner's library: run here, not by the worker.
            if let Some(call) = answer.strip_prefix("call program:") {
                let (name, input) = call.split_once(' ').unwrap_or((call, ""));
                let reply = match unhex(input).and_then(|input| self.drivers.run(name, &input)) {
                    Ok(printed) => format!("result {}", hex(&printed)),
                    Err(why) => format!("panic {}", hex(why.as_bytes())),
                };
                answer = self.judge.ask(&reply, limit, false).map_err(reference_failed)?;
                continue;
            }
            // A call that gets no answer ends the candidate, started afresh for what follows,
            // and is told to the check as a failure of its own.
            let reply = match relay_call(self.learner, self.judge, &answer)? {
                Relayed::Answer(reply) => reply,
                Relayed::Wrong(reply) => {
                    self.restart()?;
                    format!("failed your grading worker answered '{}'", shorten(&reply))
                }
                Relayed::Broke(failure) => {
                    *output = failure.output().to_string();
                    self.restart()?;
                    format!("failed {}", failure.summary().replace('\n', " "))
                }
                Relayed::MovedOn(line) => {
                    self.restart()?;
                    answer = line;
                    continue;
                }
            };
            answer = self.judge.ask(&reply, limit, false).map_err(reference_failed)?;
        }
    }

    /// Ends the learner's worker and starts another.
    fn restart(&mut self) -> Result<()> {
        self.learner.kill();
        *self.learner = (self.respawn)()?;
        Ok(())
    }
}

/// Refuses a reference worker whose spec (`answered_for`, `grader`) is not course.toml's for
/// `exercise` (`course`): another exercise's, or other stage names, either way round (the order
/// aside). A stage only course.toml names could not be timed, and one only the grader has would
/// never be graded: left alone, either would go unnoticed. Both are faults of the course, never
/// of the learner's code, so this is an error of the runner (like a reference worker that does
/// not start), raised before anything is timed, naming the stages and both lists.
pub fn match_stages(exercise: &str, course: &[&str], answered_for: &str, grader: &[&str]) -> Result<()> {
    let mut faults = Vec::new();
    if answered_for != exercise {
        faults.push(format!("the grader answered with the spec of '{answered_for}'"));
    }
    for name in course.iter().filter(|n| !grader.contains(n)) {
        faults.push(format!("stage '{name}' is in course.toml but not in the grader, so it cannot be timed"));
    }
    for name in grader.iter().filter(|n| !course.contains(n)) {
        faults.push(format!("stage '{name}' is in the grader but not in course.toml, so it would never be graded"));
    }
    let mut repeated: Vec<&str> = Vec::new();
    for (k, name) in grader.iter().enumerate() {
        if grader[..k].contains(name) && !repeated.contains(name) {
            repeated.push(name);
            faults.push(format!("the grader names stage '{name}' more than once"));
        }
    }
    if faults.is_empty() {
        return Ok(());
    }
    bail!(
        "the course's grader does not match course.toml for '{exercise}' (a fault of the course, not of your \
         code: please report it to the course's maintainers):\n{}\n  course.toml's stages: [{}]\n  the grader's \
         stages (its reference worker's spec): [{}]",
        faults.iter().map(|f| format!("  - {f}")).collect::<Vec<_>>().join("\n"),
        course.join(", "),
        grader.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_labelled_by_what_happened_and_to_whom() {
        let crashed = |while_timing| Failure::Crashed { ending: Ending::Exited(101), while_timing, output: "x".into() };
        assert!(crashed(true).describe().starts_with("Your code crashed while being timed: it panicked."));
        assert!(crashed(false).describe().starts_with("Your code crashed on the graded input: it panicked."));
        let wrong = Failure::Wrong { message: "sample 7: at 3".into(), while_timing: true };
        assert!(wrong.describe().contains("results changed while being timed"), "{}", wrong.describe());
        assert!(!wrong.describe().contains("crashed"));

        // The reference worker's failures are the grader's, never an endless loop of the learner's.
        for inner in [
            Failure::TimedOut { after: Duration::from_secs(600), output: String::new(), ranks: None },
            Failure::Crashed { ending: Ending::Signalled(24), while_timing: true, output: String::new() },
        ] {
            let text = Failure::Reference(Box::new(inner)).describe();
            assert!(text.starts_with("The grader's reference worker"), "{text}");
            assert!(!text.contains("endless loop?") && !text.contains("Your code"), "{text}");
            assert!(text.contains("so fast"), "{text}");
        }
    }

    #[test]
    fn a_grader_whose_stages_are_not_course_tomls_is_refused_naming_both_lists() {
        // The same names in another order: fine.
        assert!(match_stages("heat-fast", &["serial", "parallel"], "heat-fast", &["parallel", "serial"]).is_ok());
        let refused = |course: &[&str], answered_for: &str, grader: &[&str]| {
            let text = match match_stages("heat-fast", course, answered_for, grader) {
                Ok(()) => panic!("accepted: course.toml {course:?}, the grader {grader:?} for {answered_for}"),
                Err(e) => format!("{e:#}"),
            };
            assert!(text.contains("for 'heat-fast'") && text.contains("not of your code"), "{text}");
            assert!(!text.contains("Your code"), "never the learner's fault: {text}");
            text
        };
        // A stage of course.toml's that the grader lacks: it could not be timed.
        let text = refused(&["serial", "parallel"], "heat-fast", &["serial"]);
        assert!(text.contains("stage 'parallel' is in course.toml but not in the grader"), "{text}");
        assert!(text.contains("course.toml's stages: [serial, parallel]"), "{text}");
        assert!(text.contains("stages (its reference worker's spec): [serial]"), "{text}");
        // A stage only the grader has: it would never be graded (this used to pass unnoticed).
        let text = refused(&["serial"], "heat-fast", &["serial", "parallel"]);
        assert!(text.contains("stage 'parallel' is in the grader but not in course.toml"), "{text}");
        assert!(!text.contains("cannot be timed"), "{text}");
        // Both at once, a repeated stage, another exercise's spec.
        let text = refused(&["serial", "parallel"], "heat-fast", &["serial", "simd", "serial"]);
        assert!(text.contains("'parallel' is in course.toml") && text.contains("'simd' is in the grader"), "{text}");
        assert!(text.contains("names stage 'serial' more than once"), "{text}");
        let text = refused(&["serial"], "mandelbrot", &["serial"]);
        assert!(text.contains("answered with the spec of 'mandelbrot'"), "{text}");
    }
}
