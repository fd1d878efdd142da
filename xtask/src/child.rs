//! Runs learner code in a child process with a wall-clock limit and resource limits, so a
//! panic, an abort, a stack overflow, an endless loop or an attempt to take all memory is
//! reported instead of taking the runner (or the machine) down.

use anyhow::{Context, Result};
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The most of a child's standard output that is kept.
const MAX_CAPTURE: u64 = 4 << 20;

/// How a child ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Ending {
    Exited(i32),
    Signalled(i32),
    TimedOut(Duration),
}

impl Ending {
    pub fn success(&self) -> bool {
        *self == Ending::Exited(0)
    }

    /// A plain-words account for anything but a normal exit.
    pub fn describe(&self) -> String {
        match self {
            Ending::Exited(101) => "panicked".into(),
            Ending::Exited(code) => format!("exited with code {code}"),
            Ending::Signalled(6) => {
                "aborted (SIGABRT): a stack overflow, a failed allocation, or a panic while panicking".into()
            }
            Ending::Signalled(9) => "was killed (SIGKILL): out of memory?".into(),
            Ending::Signalled(11) => {
                "crashed with a segmentation fault (SIGSEGV): a stack overflow or unsafe code".into()
            }
            Ending::Signalled(24) => {
                "used more CPU time than allowed and was stopped (SIGXCPU): an endless loop?".into()
            }
            Ending::Signalled(s) => format!("was stopped by signal {s}"),
            Ending::TimedOut(limit) => {
                format!("did not finish within {} s and was stopped: an endless loop?", limit.as_secs())
            }
        }
    }
}

/// Resource limits set in the child with `setrlimit` before it starts (Linux, macOS).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    /// CPU seconds over all threads; past it the kernel stops the process with SIGXCPU.
    pub cpu_seconds: u64,
    /// Address space in bytes; past it allocations fail (Rust aborts with a message).
    pub address_space: u64,
}

impl Limits {
    /// For learner code given `wall` seconds: CPU time for two busy threads plus margin, and
    /// 8 GiB of address space, a third of the course machine's memory.
    pub fn for_learner_code(wall: Duration) -> Self {
        Limits { cpu_seconds: 2 * wall.as_secs() + 10, address_space: 8 << 30 }
    }

    /// Applies the limits to `cmd`'s child, and disables core dumps.
    pub fn apply(self, cmd: &mut Command) {
        use std::os::unix::process::CommandExt;
        let set = move || -> std::io::Result<()> {
            // (resource, soft, hard): the CPU hard limit sits above the soft one, so the child
            // gets SIGXCPU (reported as such) rather than an anonymous SIGKILL.
            for (resource, soft, hard) in [
                (libc::RLIMIT_CPU, self.cpu_seconds, self.cpu_seconds + 5),
                (libc::RLIMIT_AS, self.address_space, self.address_space),
                (libc::RLIMIT_CORE, 0, 0),
            ] {
                let limit = libc::rlimit { rlim_cur: soft as libc::rlim_t, rlim_max: hard as libc::rlim_t };
                // SAFETY: setrlimit is async-signal-safe and only reads `limit`.
                if unsafe { libc::setrlimit(resource, &limit) } != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        };
        // SAFETY: the closure only calls setrlimit, safe between fork and exec.
        unsafe {
            cmd.pre_exec(set);
        }
        // Its own process group, so that everything it starts can be stopped and ended with it.
        cmd.process_group(0);
    }
}

/// Where `program` is on PATH, if it is (a file there; running it is no test for tools that
/// exit non-zero even for `--version`).
pub fn on_path(program: &str) -> Option<std::path::PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).map(|dir| dir.join(program)).find(|p| p.is_file())
}

#[derive(Debug)]
pub struct Finished {
    pub ending: Ending,
    pub stdout: String,
    /// Every standard-error line that `on_line` did not consume.
    pub stderr: String,
}

/// Runs `cmd` for at most `limit`; each standard-error line is offered to `on_line` as it
/// arrives (return `true` to consume it, e.g. a progress line).
pub fn run(cmd: &mut Command, limit: Duration, mut on_line: impl FnMut(&str) -> bool) -> Result<Finished> {
    let program = format!("{:?}", cmd.get_program());
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {program}"))?;
    let mut stdout = child.stdout.take().expect("piped");
    let stderr = child.stderr.take().expect("piped");
    // Bounded: learner code could print without end; the head holds what matters (test lines).
    // Kept as it arrives, so what was printed is there even if a grandchild never closes the pipe.
    let captured = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let out_reader = {
        let captured = captured.clone();
        std::thread::spawn(move || {
            let mut chunk = [0u8; 8192];
            while let Ok(n) = stdout.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                let Ok(mut buf) = captured.lock() else { break };
                let room = (MAX_CAPTURE as usize).saturating_sub(buf.len());
                buf.extend_from_slice(&chunk[..n.min(room)]);
            }
        })
    };
    let (tx, rx) = mpsc::channel();
    let err_reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(|l| l.ok()) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });

    let started = Instant::now();
    let deadline = started + limit;
    let mut kept = String::new();
    let mut keep = |line: String, kept: &mut String| {
        if !on_line(&line) {
            kept.push_str(&line);
            kept.push('\n');
        }
    };
    let ending = loop {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(line) => keep(line, &mut kept),
            Err(mpsc::RecvTimeoutError::Timeout | mpsc::RecvTimeoutError::Disconnected) => {}
        }
        if let Some(status) = child.try_wait()? {
            break match (status.code(), status.signal()) {
                (Some(code), _) => Ending::Exited(code),
                (None, Some(sig)) => Ending::Signalled(sig),
                (None, None) => Ending::Exited(-1),
            };
        }
        if Instant::now() >= deadline {
            // First what left its group (found through it, while it still lives), then the child.
            kill_all(&escaped_from(child.id() as i32, &[]));
            let _ = child.kill();
            let _ = child.wait();
            break Ending::TimedOut(started.elapsed());
        }
    };
    // Whatever the child started in its process group ends with it; a grandchild that holds the
    // pipes open (or left the group) cannot make the runner wait past a short grace period.
    // SAFETY: killpg signals the group the child led (learner code, see `Limits::apply`); for
    // a child that led none (cargo) no such group exists and nothing happens.
    unsafe { libc::killpg(child.id() as i32, libc::SIGKILL) };
    let grace = Instant::now() + Duration::from_secs(2);
    while !err_reader.is_finished() && Instant::now() < grace {
        std::thread::sleep(Duration::from_millis(10));
    }
    for line in rx.try_iter() {
        keep(line, &mut kept);
    }
    while !out_reader.is_finished() && Instant::now() < grace {
        std::thread::sleep(Duration::from_millis(10));
    }
    let stdout = captured.lock().map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
    Ok(Finished { ending, stdout, stderr: kept })
}

/// Makes this process adopt the orphans of its children (`PR_SET_CHILD_SUBREAPER`), so that a
/// grandchild that outlives learner code can still be found and ended by [`reap_orphans`].
pub fn adopt_orphans() {
    // SAFETY: prctl with PR_SET_CHILD_SUBREAPER only changes this process's own attribute.
    unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) };
}

/// Every process as `(pid, parent pid, process group)`, from `/proc`.
pub fn processes() -> Vec<(i32, i32, i32)> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid = entry.file_name().to_string_lossy().parse::<i32>().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            // After the command name (in parentheses, may hold spaces): state, ppid, pgrp.
            let mut fields = stat.rsplit_once(')')?.1.split_whitespace().skip(1);
            let ppid = fields.next()?.parse().ok()?;
            let pgrp = fields.next()?.parse().ok()?;
            Some((pid, ppid, pgrp))
        })
        .collect()
}

/// Sends SIGKILL to each of `pids` (and SIGCONT, for a stopped one to die at once).
pub fn kill_all(pids: &[i32]) {
    for &pid in pids {
        // SAFETY: signalling processes that learner code started.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
            libc::kill(pid, libc::SIGCONT);
        }
    }
}

/// Descendants of `leader` that left its process group (`setsid`, `setpgid`), other than `known`.
pub fn escaped_from(leader: i32, known: &[i32]) -> Vec<i32> {
    let mut found = descendants_outside_group(&processes(), leader);
    found.retain(|p| !known.contains(p));
    found
}

fn descendants_outside_group(table: &[(i32, i32, i32)], leader: i32) -> Vec<i32> {
    let mut family = vec![leader];
    let mut found = Vec::new();
    // Descendants, breadth first (the table is small: one pass per generation).
    let mut k = 0;
    while k < family.len() {
        let parent = family[k];
        for &(pid, ppid, pgrp) in table {
            if ppid == parent && !family.contains(&pid) {
                family.push(pid);
                if pgrp != leader {
                    found.push(pid);
                }
            }
        }
        k += 1;
    }
    found
}

/// Processes that left `leader`'s process group (`setsid`, `setpgid`) but descend from it,
/// or were orphaned and adopted by this runner ([`adopt_orphans`]), other than `known`
/// children: what a group signal would miss.
pub fn escaped(leader: i32, known: &[i32]) -> Vec<i32> {
    let table = processes();
    let me = std::process::id() as i32;
    let mut found = descendants_outside_group(&table, leader);
    for &(pid, ppid, _) in &table {
        if ppid == me && !known.contains(&pid) && !found.contains(&pid) {
            found.push(pid);
        }
    }
    found
}

/// The PID the kernel gave last, to a process or a thread, anywhere (`/proc/loadavg`).
fn last_pid() -> Option<u64> {
    std::fs::read_to_string("/proc/loadavg").ok()?.split_whitespace().nth(4)?.parse().ok()
}

/// [`escaped`] for a worker stopped and resumed for every sample: walking every process in
/// `/proc` each time costs milliseconds, so the walk is done again only when a process or
/// thread was created anywhere since the last one (the kernel's last PID moved), else the
/// last walk's answer stands. Where that counter cannot be trusted (it did not move when this
/// watch started a thread), every call walks.
pub struct EscapeWatch {
    counter_works: bool,
    last: Option<(u64, Vec<i32>)>,
    /// The leader and known children the last answer was for.
    asked: (i32, Vec<i32>),
}

impl Default for EscapeWatch {
    fn default() -> Self {
        Self::new()
    }
}

impl EscapeWatch {
    pub fn new() -> Self {
        let before = last_pid();
        let _ = std::thread::spawn(|| ()).join();
        let counter_works = matches!((before, last_pid()), (Some(b), Some(a)) if a != b);
        EscapeWatch { counter_works, last: None, asked: (0, Vec::new()) }
    }

    /// What [`escaped`] would answer now.
    pub fn escaped(&mut self, leader: i32, known: &[i32]) -> Vec<i32> {
        let now = if self.counter_works { last_pid() } else { None };
        if let (Some(now), Some((seen, strays))) = (now, &self.last)
            && *seen == now
            && self.asked.0 == leader
            && self.asked.1 == known
        {
            return strays.clone();
        }
        let strays = escaped(leader, known);
        self.last = now.map(|now| (now, strays.clone()));
        self.asked = (leader, known.to_vec());
        strays
    }

    /// Whether nothing was created since the last answer (a process that escaped could have
    /// started another one while it was being stopped: then ask again).
    /// Without a counter to trust there is no telling: one walk per stop, as before the watch.
    pub fn settled(&self) -> bool {
        !self.counter_works || matches!((&self.last, last_pid()), (Some((seen, _)), Some(now)) if *seen == now)
    }
}

/// Kills and reaps every child process still alive (between gradings, none should be): the
/// processes learner code left behind, adopted by [`adopt_orphans`].
pub fn reap_orphans() {
    let me = std::process::id() as i32;
    for (pid, _, _) in processes().into_iter().filter(|&(_, ppid, _)| ppid == me) {
        // SAFETY: signalling and reaping a child of this process.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
            libc::waitpid(pid, std::ptr::null_mut(), 0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str, limit_ms: u64) -> Finished {
        let mut lines = Vec::new();
        let f = run(Command::new("sh").args(["-c", script]), Duration::from_millis(limit_ms), |l| {
            lines.push(l.to_string());
            l.starts_with("@progress")
        })
        .unwrap();
        assert!(lines.iter().all(|l| !l.is_empty()));
        f
    }

    #[test]
    fn captures_output_and_consumes_progress_lines() {
        let f = sh("echo out; echo '@progress 1' >&2; echo 'real error' >&2; exit 3", 5000);
        assert_eq!(f.ending, Ending::Exited(3));
        assert_eq!(f.stdout, "out\n");
        assert_eq!(f.stderr, "real error\n");
    }

    #[test]
    fn endless_loops_are_stopped_at_the_limit() {
        let started = Instant::now();
        let f = sh("while :; do :; done", 300);
        assert!(matches!(f.ending, Ending::TimedOut(_)));
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(f.ending.describe().contains("endless loop"));
    }

    #[test]
    fn the_cpu_limit_stops_a_spinning_child() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "while :; do :; done"]);
        Limits { cpu_seconds: 1, address_space: 1 << 30 }.apply(&mut cmd);
        // A generous wall limit: on a loaded machine one CPU second can take many wall seconds,
        // and it is the CPU limit (SIGXCPU, 24) that must end the child, not the wall clock.
        let f = run(&mut cmd, Duration::from_secs(300), |_| false).unwrap();
        assert_eq!(f.ending, Ending::Signalled(24));
        assert!(f.ending.describe().contains("CPU time"));
    }

    #[test]
    fn the_memory_limit_makes_a_huge_allocation_fail_instead_of_exhausting_the_machine() {
        let mut cmd = Command::new("python3");
        cmd.args(["-c", "b = bytearray(16 * 1024**3); b[-1] = 1"]);
        Limits::for_learner_code(Duration::from_secs(10)).apply(&mut cmd);
        let Ok(f) = run(&mut cmd, Duration::from_secs(30), |_| false) else { return }; // no python3
        assert_eq!(f.ending, Ending::Exited(1), "{}", f.stderr);
        assert!(f.stderr.contains("MemoryError"), "{}", f.stderr);
    }

    /// Not a test: the misbehaving "learner code" that the next test runs in a child, by
    /// starting this test binary again with `XTASK_MISBEHAVE` set.
    #[test]
    #[ignore = "run by rust_failures_in_a_child_are_reported_in_plain_words"]
    fn misbehave() {
        #[allow(unconditional_recursion)] // the point: a stack overflow
        fn recurse(depth: u64) -> u64 {
            let frame = std::hint::black_box([depth; 64]);
            frame[0] + recurse(std::hint::black_box(depth + 1))
        }
        match std::env::var("XTASK_MISBEHAVE").as_deref() {
            Ok("panic") => panic!("index out of bounds: the len is 3 but the index is 7"),
            Ok("abort") => std::process::abort(),
            Ok("stack-overflow") => {
                std::hint::black_box(recurse(0));
            }
            Ok("out-of-memory") => {
                let mut v: Vec<u8> = Vec::with_capacity(std::hint::black_box(16 << 30));
                v.push(1);
                std::hint::black_box(v);
            }
            _ => {}
        }
    }

    #[test]
    fn rust_failures_in_a_child_are_reported_in_plain_words() {
        let me = std::env::current_exe().unwrap();
        let run_as = |mode: &str| {
            let mut cmd = Command::new(&me);
            cmd.args(["child::tests::misbehave", "--exact", "--ignored", "--nocapture", "--test-threads=1"]);
            cmd.env("XTASK_MISBEHAVE", mode);
            Limits::for_learner_code(Duration::from_secs(10)).apply(&mut cmd);
            run(&mut cmd, Duration::from_secs(120), |_| false).unwrap()
        };
        let f = run_as("panic");
        assert_eq!(f.ending.describe(), "panicked");
        assert!(f.stdout.contains("index out of bounds") || f.stderr.contains("index out of bounds"), "{f:?}");
        assert_eq!(run_as("abort").ending, Ending::Signalled(6));
        let f = run_as("stack-overflow");
        assert!(f.ending.describe().contains("stack overflow"), "{f:?}");
        assert!(f.stderr.contains("overflowed its stack"), "{}", f.stderr);
        let f = run_as("out-of-memory");
        assert_eq!(f.ending, Ending::Signalled(6), "{}", f.stderr);
        assert!(f.stderr.contains("memory allocation of 17179869184 bytes failed"), "{}", f.stderr);
    }

    #[test]
    fn signals_are_reported_in_plain_words() {
        assert_eq!(sh("kill -SEGV $$", 5000).ending, Ending::Signalled(11));
        assert!(Ending::Signalled(6).describe().contains("stack overflow"));
        assert_eq!(Ending::Exited(101).describe(), "panicked");
    }

    #[test]
    fn a_process_that_left_the_group_is_still_found() {
        use std::os::unix::process::CommandExt;
        let mut leader =
            Command::new("sh").args(["-c", "setsid sleep 30 & sleep 30"]).process_group(0).spawn().expect("sh runs");
        let pid = leader.id() as i32;
        let deadline = Instant::now() + Duration::from_secs(5);
        // The shell's two children: `setsid sleep` (its own session) and `sleep` (the group).
        let (mut away, mut home) = (Vec::new(), Vec::new());
        while (away.is_empty() || home.is_empty()) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
            let children: Vec<_> = processes().into_iter().filter(|&(_, ppid, _)| ppid == pid).collect();
            away = children.iter().filter(|&&(_, _, g)| g != pid).map(|&(p, _, _)| p).collect();
            home = children.iter().filter(|&&(_, _, g)| g == pid).map(|&(p, _, _)| p).collect();
        }
        assert_eq!((away.len(), home.len()), (1, 1), "the shell started both sleeps");
        // Other tests' children run beside this one (also children of this process): only these two matter.
        let found = escaped(pid, &[pid]);
        assert!(found.contains(&away[0]), "the setsid child is found: {found:?}");
        assert!(!found.contains(&home[0]), "the child in the group is left to the group signal: {found:?}");
        // The watch answers the same, and sees a process that escapes after its first walk.
        let mut watch = EscapeWatch::new();
        assert!(watch.counter_works, "the kernel's PID counter moves when a thread starts");
        assert!(watch.escaped(pid, &[pid]).contains(&away[0]));
        let mut later = Command::new("setsid").args(["sleep", "30"]).spawn().expect("setsid runs");
        let later_pid = later.id() as i32;
        assert!(!watch.settled(), "a process was created since the walk");
        assert!(watch.escaped(pid, &[pid, later_pid]).contains(&away[0]));
        // A child of this runner outside any known worker counts as escaped (an adopted orphan).
        assert!(watch.escaped(pid, &[pid]).contains(&later_pid), "{:?}", watch.last);
        let _ = later.kill();
        let _ = later.wait();
        // SAFETY: ending the processes this test started.
        unsafe {
            libc::kill(away[0], libc::SIGKILL);
            libc::killpg(pid, libc::SIGKILL);
        }
        let _ = leader.wait();
    }
}
