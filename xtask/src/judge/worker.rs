//! One worker process under the judge's control: started confined, asked over its channel with
//! a time limit, stopped and resumed with its whole process group (and what escaped it), its
//! memory read and written where inputs and outputs lie, its output's end kept.

use super::failure::Failure;
use crate::child::{Ending, Limits};
use crate::sandbox::Confinement;
use anyhow::{Context, Result, bail};
use std::cell::RefCell;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

/// The most a worker's standard output and error are kept of (the end is what matters).
const KEPT_OUTPUT: usize = 16 * 1024;

/// Largest file a worker may write (`RLIMIT_FSIZE`).
const MAX_FILE_BYTES: u64 = 256 << 20;

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
    pub(super) known: Vec<i32>,
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
        cmd.env(grading::worker::CHANNEL_ENV, &channel).stdin(Stdio::null());
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
    pub(super) fn started(
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

    pub(super) fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// CPU time the worker's program has used so far, all its threads together (those ended
    /// too); `None` for an MPI job (its ranks are processes of their own) or when unreadable.
    pub(super) fn cpu_seconds(&self) -> Option<f64> {
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
    pub(super) fn stop_between(&self) -> bool {
        self.role != Role::Reference
    }

    /// The end of what the worker printed, escape sequences shown inert.
    pub fn output(&self) -> String {
        let mut text = self.output.lock().map(|o| o.clone()).unwrap_or_default();
        if self.mpi.is_some() {
            // `mpirun` says so each time the judge resumes the job: noise for the learner.
            text = text.lines().filter(|l| !l.starts_with("mpirun: Forwarding signal")).collect::<Vec<_>>().join("\n");
        }
        crate::text::inert(text.trim_end())
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
    pub(super) fn wait_answer(&mut self, limit: Duration, while_timing: bool) -> Result<String, Failure> {
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
    pub(super) fn answer(&self, line: String) -> Result<String, Failure> {
        match line.strip_prefix("error ") {
            Some(json) => Err(Failure::Protocol {
                message: serde_json::from_str(json).unwrap_or_else(|_| json.to_string()),
                output: self.output(),
            }),
            None => Ok(line),
        }
    }

    /// Ends a worker that did not answer within `limit`, and says so.
    pub(super) fn timed_out(&mut self, limit: Duration) -> Failure {
        self.kill();
        let ranks = self.mpi.as_ref().map(|(r, _)| *r);
        self.own(Failure::TimedOut { after: limit, output: self.output(), ranks })
    }

    /// Sends one line without waiting for an answer.
    pub(super) fn send(&mut self, line: &str) -> Result<(), Failure> {
        match writeln!(self.requests, "{line}").and_then(|_| self.requests.flush()) {
            Ok(()) => Ok(()),
            Err(_) => Err(self.ended(false)),
        }
    }

    /// The next answer, waiting at most `wait` for it: `None` if none came.
    pub(super) fn poll(&mut self, wait: Duration) -> Result<Option<String>, Failure> {
        match self.answers.recv_timeout(wait) {
            Ok(line) => self.answer(line).map(Some),
            Err(mpsc::RecvTimeoutError::Timeout) if !matches!(self.child.try_wait(), Ok(Some(_))) => Ok(None),
            Err(_) => Err(self.ended(false)),
        }
    }

    /// The worker's ending, once its answer channel closed.
    pub(super) fn ended(&mut self, while_timing: bool) -> Failure {
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
    pub(super) fn own(&self, failure: Failure) -> Failure {
        match self.role {
            Role::Candidate => failure,
            Role::Reference => Failure::Reference(Box::new(failure)),
            Role::Solution => Failure::Solution(Box::new(failure)),
        }
    }

    /// Stops (`SIGSTOP`) or resumes (`SIGCONT`) the worker's whole process group.
    pub(super) fn signal_group(&self, signal: i32) {
        // SAFETY: killpg only sends a signal to the group this worker leads.
        unsafe { libc::killpg(self.pid(), signal) };
    }

    /// Stops the worker and waits until every thread of it is stopped. Processes it started
    /// that left its group are stopped too, and resumed with it.
    pub(super) fn pause(&self) {
        if self.stop_between() {
            self.stop();
        }
    }

    /// [`pause`](Self::pause), for any worker: the reference worker is stopped like this
    /// before its timed runs, so both sides are timed from the same stopped state (waking a
    /// stopped process costs a fraction of a millisecond here, which must not count for
    /// one side only).
    pub(super) fn stop(&self) {
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

    pub(super) fn resume(&self) {
        if self.stop_between() {
            self.cont();
        }
    }

    /// Resumes what [`stop`](Self::stop) stopped.
    pub(super) fn cont(&self) {
        for &pid in self.strays.borrow().iter() {
            // SAFETY: resuming a process stopped by `stop`.
            unsafe { libc::kill(pid, libc::SIGCONT) };
        }
        self.signal_group(libc::SIGCONT);
    }

    /// Asks while running: resumed for the request, stopped again after it.
    pub(super) fn ask_running(
        &mut self,
        request: &str,
        limit: Duration,
        while_timing: bool,
    ) -> Result<String, Failure> {
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

    pub(super) fn read(&self, address: usize, len: usize) -> Result<Vec<u8>, Failure> {
        let mut buf = vec![0u8; len];
        self.read_into(address, &mut buf)?;
        Ok(buf)
    }

    /// Fills `buf` from the worker's memory at `address`.
    pub(super) fn read_into(&self, address: usize, buf: &mut [u8]) -> Result<(), Failure> {
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

    pub(super) fn write(&self, address: usize, bytes: &[u8]) -> Result<(), Failure> {
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

    pub(super) fn memory_failure(&self, what: &str, address: usize, len: usize) -> Failure {
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
pub(super) struct Located {
    pub(super) count: usize,
    pub(super) offsets: usize,
    pub(super) data: usize,
    pub(super) bytes: usize,
}

/// The numbers of an answer `KEYWORD N1 N2 …`, exactly `N` of them.
pub(super) fn parse_answer<const N: usize>(
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

pub(super) fn parse_located(answer: &str, keyword: &str, output: impl Fn() -> String) -> Result<Located, Failure> {
    let [count, offsets, data, bytes] = parse_answer(answer, keyword, output)?;
    Ok(Located { count, offsets, data, bytes })
}

pub(super) fn parse_at(answer: &str, output: impl Fn() -> String) -> Result<(usize, usize), Failure> {
    let [offsets, data] = parse_answer(answer, "at", output)?;
    Ok((offsets, data))
}

pub(super) fn shorten(s: &str) -> String {
    let s = crate::text::inert(s);
    if s.chars().count() > 120 { format!("{}…", s.chars().take(120).collect::<String>()) } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_exactly_or_refused_naming_what_came() {
        let none = String::new;
        assert_eq!(parse_answer::<2>("done 3 4096", "done", none).unwrap(), [3, 4096]);
        let located = parse_located("input 2 100 200 300", "input", none).unwrap();
        assert_eq!((located.count, located.offsets, located.data, located.bytes), (2, 100, 200, 300));
        assert_eq!(parse_at("at 7 8", none).unwrap(), (7, 8));
        for wrong in ["done 3", "done 3 4 5", "done x 4", "finished 3 4", "done3 4"] {
            match parse_answer::<2>(wrong, "done", || "its output".into()) {
                Err(Failure::Protocol { message, output }) => {
                    assert!(message.contains(&format!("got '{wrong}'")), "{message}");
                    assert_eq!(output, "its output");
                }
                other => panic!("{wrong}: {other:?}"),
            }
        }
        let long = "x".repeat(500);
        assert_eq!(shorten(&long).chars().count(), 121, "120 characters and an ellipsis");
    }

    #[test]
    fn only_the_end_of_a_long_output_is_kept() {
        let output = Mutex::new(String::new());
        let text = format!("{}{}", "a".repeat(3 * KEPT_OUTPUT), "the end");
        keep_tail(Box::new(std::io::Cursor::new(text.into_bytes())), &output);
        let kept = output.into_inner().unwrap();
        assert!(kept.starts_with('…') && kept.ends_with("the end"), "{}", &kept[..20]);
        assert!(kept.len() <= 2 * KEPT_OUTPUT + 8, "{}", kept.len());
    }

    #[test]
    fn a_stopped_process_is_seen_stopped_and_a_running_one_is_not() {
        let mut child = Command::new("sleep").arg("5").spawn().expect("sleep runs");
        let pid = child.id() as i32;
        assert!(!all_threads_stopped(pid));
        // SAFETY: signals to the child this test started.
        unsafe { libc::kill(pid, libc::SIGSTOP) };
        let deadline = Instant::now() + Duration::from_secs(2);
        while !all_threads_stopped(pid) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(all_threads_stopped(pid));
        let _ = child.kill();
        let _ = child.wait();
        assert!(all_threads_stopped(pid), "a process that is gone cannot run");
    }
}
