//! Each layer shown to hold by a confined child that tries what it forbids, and fails: this test
//! binary runs itself confined (the ignored test [`attempts`]), and prints what it could do.
//! As root, [`every_layer_holds_for_an_unprivileged_user_too`] runs them all again as `nobody`.
//!
//! | layer | what the child tries, and fails |
//! |---|---|
//! | user namespace | `set-hostname` (no capability over the machine, even as root) |
//! | network namespace | `own-network`, `tcp-connect` (to the runner's loopback) |
//! | IPC namespace | `others-sysv-ipc` (a System V segment the runner made) |
//! | PID namespace | `pid-namespace`; [`what_a_program_starts_ends_with_it`] (a program's and an MPI job's background processes end with it) |
//! | mount namespace | `runner-visible` (no `/proc/<runner>`), `others-shared-memory`; [`an_mpi_job_has_shared_memory_of_its_own`] |
//! | Landlock, files | `course-write`, `outside-write`, `home-read`, `parent-environ`, `cgroup-mkdir` |
//! | Landlock, scoped signals | `signal-parent`; [`scoped_signals_alone_keep_the_runner_out_of_reach`] |
//! | seccomp | `ptrace-parent`, `read-parent-memory`, `setsid`, `setpgid`, `unshare`, `perf-event-open` ([`only_a_profiled_program_may_use_perf`]) |
//! | environment | `home-variable`, `secret-variable`; [`only_a_gpu_program_gets_the_gpus_variables_and_devices`] |

use super::*;
use std::collections::BTreeMap;
use std::time::Duration;

/// Set in the confined child: run the attempts.
const ATTEMPTS: &str = "XTASK_SANDBOX_ATTEMPTS";

/// Not a test: what the confined child tries, one line each, `name: allowed` or `name: denied`.
#[test]
#[ignore = "run confined by every_layer_holds_in_a_child_that_tries"]
fn attempts() {
    let Ok(places) = std::env::var(ATTEMPTS) else { return };
    let mut places = places.split('\n');
    let mut next = || places.next().unwrap().to_string();
    let (course_file, outside, home, others_memory, parent_net, port, runner) =
        (next(), next(), next(), next(), next(), next(), next());
    // libtest prints `test … ... ` before the test's own output: begin on a line of our own.
    println!();
    let say = |name: &str, allowed: bool| println!("{name}: {}", if allowed { "allowed" } else { "denied" });
    // The runner's process ID as the runner sees it (in a PID namespace, no number here
    // names it, which is part of the point).
    let parent: libc::pid_t = runner.parse().unwrap();
    let scratch = std::env::var_os("TMPDIR").map(PathBuf::from).unwrap();
    say("scratch-write", std::fs::write(scratch.join("mine"), b"x").is_ok());
    say("course-read", std::fs::read(&course_file).is_ok());
    say("course-write", std::fs::OpenOptions::new().append(true).open(&course_file).is_ok());
    say("outside-write", std::fs::write(&outside, b"x").is_ok());
    say("home-read", std::fs::read_dir(&home).is_ok());
    say("home-variable", std::env::var_os("HOME").is_some());
    say("secret-variable", std::env::var_os("XTASK_SANDBOX_SECRET").is_some());
    say("parent-environ", std::fs::read(format!("/proc/{parent}/environ")).is_ok());
    say("cgroup-mkdir", {
        let dir = Path::new("/sys/fs/cgroup").join(format!("xtask-sandbox-{}", std::process::id()));
        let made = std::fs::create_dir(&dir).is_ok();
        let _ = std::fs::remove_dir(&dir);
        made
    });
    // SAFETY: signal 0 only asks whether the parent could be signalled.
    say("signal-parent", unsafe { libc::kill(parent, 0) } == 0);
    // Seized (the parent is not stopped) by a forked child, whose exit ends the tracing.
    // SAFETY: PTRACE_SEIZE takes plain integers.
    say("pid-namespace", std::process::id() == 2);
    say("own-proc", std::fs::read_to_string("/proc/self/maps").is_ok_and(|maps| !maps.is_empty()));
    say("runner-visible", Path::new(&format!("/proc/{parent}")).exists());
    say("others-shared-memory", Path::new(&others_memory).exists());
    say("perf-event-open", perf_event_open_on_itself());
    // SAFETY: unshare changes only the forked child.
    say("unshare", in_fork(|| unsafe { libc::unshare(libc::CLONE_NEWUSER) } == 0));
    say("set-hostname", {
        // The machine's own name set again: harmless if it were allowed.
        let mut name = [0u8; 256];
        // SAFETY: gethostname writes at most 256 bytes into `name`; sethostname reads `len`.
        unsafe {
            libc::gethostname(name.as_mut_ptr().cast(), name.len()) == 0 && {
                let len = name.iter().position(|&b| b == 0).unwrap_or(name.len());
                libc::sethostname(name.as_ptr().cast(), len) == 0
            }
        }
    });
    // SAFETY: shmget with a key and no flags only looks the segment up.
    say("others-sysv-ipc", unsafe { libc::shmget(sysv_key(parent), 0, 0) } >= 0);
    say(
        "ptrace-parent",
        in_fork(move || {
            // SAFETY: an attempt to attach to the runner, which the sandbox refuses.
            unsafe { libc::ptrace(libc::PTRACE_SEIZE, parent, 0, 0) == 0 }
        }),
    );
    say("read-parent-memory", {
        let mut byte = 0u8;
        let local = libc::iovec { iov_base: (&raw mut byte).cast(), iov_len: 1 };
        // Any address: the call is refused before it is looked at, or fails on it (EFAULT).
        let remote = libc::iovec { iov_base: 0x10000 as *mut libc::c_void, iov_len: 1 };
        // SAFETY: one byte into `byte`.
        let n = unsafe { libc::process_vm_readv(parent, &local, 1, &remote, 1, 0) };
        n >= 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::EPERM)
    });
    // Each in a child of its own: one success would make the other fail for another reason.
    say(
        "setsid",
        in_fork(|| {
            // SAFETY: setsid changes only the forked child.
            unsafe { libc::setsid() >= 0 }
        }),
    );
    say(
        "setpgid",
        in_fork(|| {
            // SAFETY: setpgid changes only the forked child.
            unsafe { libc::setpgid(0, 0) == 0 }
        }),
    );
    say("own-network", std::fs::read_link("/proc/self/ns/net").is_ok_and(|n| n.to_string_lossy() != parent_net));
    let runner = std::net::SocketAddr::from(([127, 0, 0, 1], port.parse().unwrap()));
    say("tcp-connect", std::net::TcpStream::connect_timeout(&runner, Duration::from_secs(2)).is_ok());
}

/// The key of a System V shared memory segment the runner `runner` made, as another
/// program's.
fn sysv_key(runner: libc::pid_t) -> libc::key_t {
    0x5854_0000 | (runner & 0xffff)
}

/// Whether this process may count its own CPU time with `perf_event_open`, as `perf` does.
fn perf_event_open_on_itself() -> bool {
    // `struct perf_event_attr`, its first version (64 bytes): a software CPU clock, user time
    // only (what an unprivileged user may count), created disabled.
    let mut attr = [0u8; 64];
    attr[4..8].copy_from_slice(&64u32.to_ne_bytes()); // size
    attr[0..4].copy_from_slice(&1u32.to_ne_bytes()); // PERF_TYPE_SOFTWARE; config 0: CPU clock
    let flags: u64 = 1 | 1 << 5 | 1 << 6; // disabled, exclude_kernel, exclude_hv
    attr[40..48].copy_from_slice(&flags.to_ne_bytes());
    // SAFETY: the attribute is 64 readable bytes; pid 0 and cpu -1: this process, any CPU.
    let fd = unsafe { libc::syscall(libc::SYS_perf_event_open, attr.as_ptr(), 0, -1, -1, 0) };
    if fd >= 0 {
        // SAFETY: closing the descriptor just opened.
        unsafe { libc::close(fd as i32) };
    }
    fd >= 0
}

/// Whether `attempt` succeeds in a forked child (which makes system calls only, then exits).
fn in_fork(attempt: impl FnOnce() -> bool) -> bool {
    // SAFETY: the child makes system calls only, and leaves with _exit.
    unsafe {
        let pid = libc::fork();
        if pid == 0 {
            libc::_exit(if attempt() { 0 } else { 1 });
        }
        let mut status = 0;
        libc::waitpid(pid, &mut status, 0);
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0
    }
}

/// What a confined run of [`attempts`] reports, by attempt.
fn attempted(confinement: &Confinement, places: &[&Path], parent_net: &str, port: u16) -> BTreeMap<String, String> {
    let exe = std::env::current_exe().unwrap();
    let mut cmd = Command::new(&exe);
    cmd.args(["sandbox::tests::attempts", "--exact", "--ignored", "--nocapture", "--test-threads=1"]);
    let mut lines: Vec<String> = places.iter().map(|p| p.display().to_string()).collect();
    lines.push(parent_net.to_string());
    lines.push(port.to_string());
    lines.push(std::process::id().to_string());
    cmd.env(ATTEMPTS, lines.join("\n"));
    confine(&mut cmd, confinement).unwrap();
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    stdout
        .lines()
        .filter_map(|l| l.split_once(": "))
        .filter(|(_, v)| *v == "allowed" || *v == "denied")
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn every_layer_holds_in_a_child_that_tries() {
    let layers = layers();
    let (course, scratch, outside, home) = (
        Scratch::new(&std::env::temp_dir(), "xtask-sandbox-course").unwrap(),
        Scratch::new(&std::env::temp_dir(), "xtask-sandbox-scratch").unwrap(),
        Scratch::new(&std::env::temp_dir(), "xtask-sandbox-outside").unwrap(),
        Scratch::new(&std::env::temp_dir(), "xtask-sandbox-home").unwrap(),
    );
    let course_file = course.0.join("lib.rs");
    std::fs::write(&course_file, "sealed").unwrap();
    std::fs::write(home.0.join("token"), "secret").unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut confinement = Confinement::program(&scratch.0, &course.0, &exe);
    confinement.readable.push(course_file.clone());
    // SAFETY: setting a variable before any thread of this test reads the environment.
    unsafe { std::env::set_var("XTASK_SANDBOX_SECRET", "hunter2") };
    let net = std::fs::read_link("/proc/self/ns/net").unwrap().to_string_lossy().into_owned();
    // The runner listens on its loopback: a confined child must not reach it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // A file of the machine's shared memory, as another MPI job's.
    let others_memory = Path::new("/dev/shm").join(format!("xtask-sandbox-{}", std::process::id()));
    std::fs::write(&others_memory, b"another job's").unwrap();
    let places = [course_file.as_path(), &outside.0.join("written"), &home.0, &others_memory];
    // SAFETY: a segment of one page, removed below.
    let segment = unsafe { libc::shmget(sysv_key(std::process::id() as i32), 4096, libc::IPC_CREAT | 0o600) };
    assert!(segment >= 0, "{}", std::io::Error::last_os_error());
    let outcome = attempted(&confinement, &places, &net, port);
    let _ = std::fs::remove_file(&others_memory);
    // SAFETY: removing the segment made above.
    unsafe { libc::shmctl(segment, libc::IPC_RMID, std::ptr::null_mut()) };
    let expect = |name: &str, want: &str| {
        assert_eq!(outcome.get(name).map(String::as_str), Some(want), "{name}, with {layers:?}: {outcome:#?}");
    };
    // Always: the scratch folder and the course are there; the environment is scrubbed.
    expect("scratch-write", "allowed");
    expect("course-read", "allowed");
    expect("own-proc", "allowed");
    expect("home-variable", "denied");
    expect("secret-variable", "denied");
    // Each layer that holds here denies what it is for (a missing one is named by `check`).
    let denied_by = |layer: bool, names: &[&str]| {
        for name in names.iter().filter(|_| layer) {
            expect(name, "denied");
        }
    };
    denied_by(layers.filesystem, &["course-write", "outside-write", "home-read", "parent-environ", "cgroup-mkdir"]);
    denied_by(layers.filesystem || layers.seccomp, &["ptrace-parent", "read-parent-memory"]);
    denied_by(layers.scoped_signals, &["signal-parent"]);
    denied_by(layers.seccomp, &["setsid", "setpgid", "perf-event-open", "unshare"]);
    denied_by(layers.namespaces, &["set-hostname", "others-sysv-ipc"]);
    denied_by(layers.mount_namespace, &["runner-visible", "others-shared-memory"]);
    denied_by(layers.namespaces || layers.filesystem, &["tcp-connect"]);
    if layers.namespaces {
        expect("own-network", "allowed");
    }
    if layers.pid_namespace {
        expect("pid-namespace", "allowed");
    }
    assert_eq!(outcome.len(), 24, "every attempt reported: {outcome:#?}");
    assert_eq!(std::fs::read_to_string(&course_file).unwrap(), "sealed");
    assert!(!outside.0.join("written").exists());
}

#[test]
fn the_probe_finds_every_layer_the_kernel_offers() {
    let layers = layers();
    // The course machine and CI: Linux 6.12 or newer, user namespaces allowed.
    if layers.landlock_abi >= 6 && Path::new("/proc/self/ns/user").exists() {
        assert!(layers.filesystem && layers.scoped_signals && layers.seccomp, "{layers:?}");
    }
    let none = Layers::default().missing();
    assert_eq!(none.len(), 6, "every layer named when none holds: {none:?}");
    if Path::new("/proc/self/ns/pid").exists() && layers.namespaces {
        assert!(layers.pid_namespace && layers.mount_namespace, "{layers:?}");
    }
}

#[test]
fn the_runner_still_stops_resumes_and_reads_a_confined_child() {
    let scratch = Scratch::new(&std::env::temp_dir(), "xtask-sandbox-judge").unwrap();
    let sleep = crate::child::on_path("sleep").expect("sleep on PATH");
    let mut cmd = Command::new(&sleep);
    cmd.arg("30");
    let confinement = Confinement::program(&scratch.0, &scratch.0, &sleep);
    confine(&mut cmd, &confinement).unwrap();
    let mut child = cmd.spawn().unwrap();
    let pid = program_process(child.id() as i32, &confinement);
    let state = || {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
        stat.rsplit_once(')').unwrap().1.split_whitespace().next().unwrap().to_string()
    };
    // Wait for the exec (the maps name the program once it has happened).
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let maps = loop {
        let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap_or_default();
        if maps.contains("sleep") || std::time::Instant::now() > deadline {
            break maps;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    // SAFETY: signalling the child this test started.
    unsafe { libc::kill(pid, libc::SIGSTOP) };
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(state(), "T", "stopped");
    // SAFETY: as above.
    unsafe { libc::kill(pid, libc::SIGCONT) };
    std::thread::sleep(Duration::from_millis(100));
    assert_ne!(state(), "T", "resumed");
    // Its program's first bytes, read as the judge reads outputs.
    let start = maps.lines().find(|l| l.contains("sleep")).and_then(|l| l.split('-').next()).unwrap();
    let address = usize::from_str_radix(start, 16).unwrap();
    let mut head = [0u8; 4];
    let local = libc::iovec { iov_base: head.as_mut_ptr().cast(), iov_len: 4 };
    let remote = libc::iovec { iov_base: address as *mut libc::c_void, iov_len: 4 };
    // SAFETY: four bytes into `head`.
    let n = unsafe { libc::process_vm_readv(pid, &local, 1, &remote, 1, 0) };
    assert_eq!(n, 4, "{}", std::io::Error::last_os_error());
    assert_eq!(&head, b"\x7fELF");
    let _ = child.kill();
    let _ = child.wait();
}

/// `sh -c script`, confined with `layers` as `launcher` is, in a scratch folder of its own
/// (returned, so it lives as long as the command).
fn confined_shell(tag: &str, script: &str, launcher: Launcher, layers: &Layers) -> (Scratch, Command) {
    let scratch = Scratch::new(&std::env::temp_dir(), tag).unwrap();
    let sh = crate::child::on_path("sh").expect("sh on PATH");
    let mut cmd = Command::new(&sh);
    cmd.args(["-c", script]);
    confine_with(&mut cmd, &Confinement::new(&scratch.0, &scratch.0, &sh, launcher), layers).unwrap();
    (scratch, cmd)
}

#[test]
fn what_a_program_starts_ends_with_it() {
    let layers = layers();
    if !layers.pid_namespace {
        eprintln!("no PID namespace here: {:?}", layers.missing());
        return;
    }
    // An MPI job's ranks leave its process group: they end with it all the same.
    for (launcher, script) in [(Launcher::Program, "sleep 60 &"), (Launcher::Mpi, "setsid sleep 60 &")] {
        // The background `sleep` keeps the output pipe open: `output()` returns once it ends.
        let script = format!("{script} echo started; exit 3");
        let (_scratch, mut cmd) = confined_shell("xtask-sandbox-pid", &script, launcher, layers);
        let start = std::time::Instant::now();
        let out = cmd.output().unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "started", "{launcher:?}");
        assert!(start.elapsed() < Duration::from_secs(20), "{launcher:?}: the background sleep outlived its program");
        assert_eq!(out.status.code(), Some(3), "{launcher:?}: the program's exit code, passed on");
    }
}

/// A rank tells the judge its process ID as its PID namespace numbers it; the runner finds
/// that process among the job's.
#[test]
fn a_process_id_told_from_inside_names_the_process_outside() {
    // The program starts a child that says its process ID, then becomes `sleep`.
    let script = "sh -c 'echo $$; exec sleep 30' & wait";
    let (_scratch, mut cmd) = confined_shell("xtask-sandbox-pid-told", script, Launcher::Mpi, layers());
    let mut child = cmd.stdout(std::process::Stdio::piped()).spawn().unwrap();
    let mut told = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.as_mut().unwrap()), &mut told).unwrap();
    let told: i32 = told.trim().parse().unwrap();
    let program = program_process(child.id() as i32, &Confinement::mpi(Path::new("/"), Path::new("/"), Path::new("/")));
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let found = loop {
        let found = child_called(program, told);
        let cmdline = found.and_then(|pid| std::fs::read(format!("/proc/{pid}/cmdline")).ok()).unwrap_or_default();
        if cmdline.starts_with(b"sleep") || std::time::Instant::now() > deadline {
            break found.map(|pid| (pid, cmdline));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let _ = child.kill();
    let _ = child.wait();
    let (pid, cmdline) = found.expect("the process told is found");
    assert!(cmdline.starts_with(b"sleep"), "{pid}: {}", String::from_utf8_lossy(&cmdline));
    if layers().pid_namespace {
        assert_ne!(pid, told, "numbered apart inside its namespace");
    }
    assert_eq!(child_called(program, 999_999), None);
}

/// `profile` runs learner code under `perf`, which needs `perf_event_open`: allowed there only.
#[test]
fn only_a_profiled_program_may_use_perf() {
    let layers = layers();
    let scratch = Scratch::new(&std::env::temp_dir(), "xtask-sandbox-perf").unwrap();
    let exe = std::env::current_exe().unwrap();
    let net = std::fs::read_link("/proc/self/ns/net").unwrap().to_string_lossy().into_owned();
    let nowhere = Path::new("/nonexistent");
    let perf = |confinement: &Confinement| {
        let outcome = attempted(confinement, &[nowhere, nowhere, nowhere, nowhere], &net, 1);
        outcome.get("perf-event-open").cloned().unwrap_or_default()
    };
    let program = Confinement::program(&scratch.0, &scratch.0, &exe);
    if layers.seccomp {
        assert_eq!(perf(&program), "denied");
    }
    // An unprivileged user may count its own user time unless the kernel says otherwise.
    let paranoid = std::fs::read_to_string("/proc/sys/kernel/perf_event_paranoid").unwrap_or_default();
    if paranoid.trim().parse::<i32>().is_ok_and(|level| level <= 2) {
        assert_eq!(perf(&program.profiled()), "allowed");
    }
}

#[test]
fn a_confined_program_s_signal_reaches_the_runner() {
    // A shell that aborts itself, as a Rust program's `abort()` does.
    let (_scratch, mut cmd) = confined_shell("xtask-sandbox-signal", "kill -ABRT $$", Launcher::Program, layers());
    let status = cmd.status().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(libc::SIGABRT), "{status:?}");
}

/// Landlock's scope on its own: a child confined by it alone cannot signal the runner, and the
/// same child without it can (the PID namespace, which hides the runner too, is left out).
#[test]
fn scoped_signals_alone_keep_the_runner_out_of_reach() {
    let layers = layers();
    if !layers.scoped_signals {
        eprintln!("no scoped signals here: {:?}", layers.missing());
        return;
    }
    let script = format!("kill -0 {} 2>/dev/null && echo reached || echo denied", std::process::id());
    let signal_runner = |scoped: bool| {
        let only =
            Layers { landlock_abi: layers.landlock_abi, filesystem: true, scoped_signals: scoped, ..Layers::default() };
        let (_scratch, mut cmd) = confined_shell("xtask-sandbox-scope", &script, Launcher::Program, &only);
        String::from_utf8_lossy(&cmd.output().unwrap().stdout).trim().to_string()
    };
    assert_eq!(signal_runner(true), "denied");
    assert_eq!(signal_runner(false), "reached", "the scope, not something else, is what denies");
}

/// An MPI job's ranks share memory through files in `/dev/shm`: the job may write there, and
/// sees only its own files.
#[test]
fn an_mpi_job_has_shared_memory_of_its_own() {
    let layers = layers();
    let others = Path::new("/dev/shm").join(format!("xtask-sandbox-shm-{}", std::process::id()));
    std::fs::write(&others, b"another job's").unwrap();
    let script = "echo mine > /dev/shm/segment && ls /dev/shm";
    let (_scratch, mut cmd) = confined_shell("xtask-sandbox-shm", script, Launcher::Mpi, layers);
    let out = cmd.output().unwrap();
    let _ = std::fs::remove_file(&others);
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{layers:?}: {}", String::from_utf8_lossy(&out.stderr));
    if layers.mount_namespace {
        assert_eq!(listed.trim(), "segment");
    }
    assert!(!Path::new("/dev/shm/segment").exists() || !layers.mount_namespace, "the job's file stayed in its own");
}

#[test]
fn mpi_jobs_keep_their_process_groups() {
    let layers = layers();
    // `setsid` (the program) calls setsid(), as Open MPI's launcher does for its ranks.
    let (_scratch, mut cmd) = confined_shell("xtask-sandbox-mpi", "setsid true && echo ok", Launcher::Mpi, layers);
    let out = cmd.output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "ok",
        "{layers:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// As root (CI), the same tests again as an unprivileged user: the sandbox must hold for a
/// learner on a laptop too, where no layer may rely on privilege.
#[test]
fn every_layer_holds_for_an_unprivileged_user_too() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return; // this run is the unprivileged one
    }
    let Some(setpriv) = crate::child::on_path("setpriv") else {
        eprintln!("no setpriv on this machine: the unprivileged run is skipped");
        return;
    };
    let exe = std::env::current_exe().unwrap();
    for test in [
        "sandbox::tests::every_layer_holds_in_a_child_that_tries",
        "sandbox::tests::the_probe_finds_every_layer_the_kernel_offers",
        "sandbox::tests::what_a_program_starts_ends_with_it",
        "sandbox::tests::a_process_id_told_from_inside_names_the_process_outside",
        "sandbox::tests::only_a_profiled_program_may_use_perf",
        "sandbox::tests::an_mpi_job_has_shared_memory_of_its_own",
        "sandbox::tests::mpi_jobs_keep_their_process_groups",
        "sandbox::tests::a_confined_program_s_signal_reaches_the_runner",
        "sandbox::tests::scoped_signals_alone_keep_the_runner_out_of_reach",
    ] {
        let out = Command::new(&setpriv)
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&exe)
            .args([test, "--exact", "--test-threads=1"])
            .env("TMPDIR", "/tmp")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("1 passed"),
            "{test} as nobody:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// A child's prepared descriptors must survive the `dup2`s made before the sandbox is entered
/// (the judge's answer channel onto 3): the ruleset's is moved above them. Twice it had number
/// 3, was overwritten, and the child failed to start ("File descriptor in bad state").
#[test]
fn the_rulesets_descriptor_is_above_those_the_child_overwrites() {
    let layers = layers();
    if !layers.filesystem {
        eprintln!("no Landlock here: {:?}", layers.missing());
        return;
    }
    let scratch = Scratch::new(&std::env::temp_dir(), "xtask-sandbox-fd").unwrap();
    let exe = std::env::current_exe().unwrap();
    for _ in 0..20 {
        let fd = linux::ruleset(&Confinement::program(&scratch.0, &scratch.0, &exe), layers.scoped_signals).unwrap();
        assert!(std::os::fd::AsRawFd::as_raw_fd(&fd) >= 10, "{fd:?}");
    }
}

/// A GPU exercise's program gets a runtime folder of its own (Mesa's drivers want one) and the
/// variables that choose a driver; any other program gets neither, and no program gets a GPU's
/// device nodes but a GPU exercise's.
#[test]
fn only_a_gpu_program_gets_the_gpus_variables_and_devices() {
    let scratch = Scratch::new(&std::env::temp_dir(), "xtask-sandbox-gpu").unwrap();
    let sh = crate::child::on_path("sh").expect("sh on PATH");
    let run = |gpu: bool| {
        let mut cmd = Command::new(&sh);
        cmd.args(["-c", "echo \"runtime=$XDG_RUNTIME_DIR\""]);
        let confinement = Confinement::program(&scratch.0, &scratch.0, &sh).with_gpu(gpu);
        confine_with(&mut cmd, &confinement, layers()).unwrap();
        String::from_utf8_lossy(&cmd.output().unwrap().stdout).trim().to_string()
    };
    assert_eq!(run(true), format!("runtime={}", scratch.0.display()));
    assert_eq!(run(false), "runtime=");
    assert!(
        ["VK_ICD_FILENAMES", "VK_DRIVER_FILES", "WGPU_ADAPTER_NAME", "MESA_LOADER_DRIVER_OVERRIDE"]
            .iter()
            .all(|v| GPU_PREFIXES.iter().any(|p| v.starts_with(p)))
    );
    assert!(
        !["HOME", "CARGO_REGISTRY_TOKEN", "XDG_CONFIG_HOME"]
            .iter()
            .any(|v| GPU_PREFIXES.iter().any(|p| v.starts_with(p)))
    );
    // What the ruleset makes writable for a GPU program (where it exists): DRM's folder among them.
    let devices = linux::gpu_devices();
    assert!(devices.iter().any(|d| d.ends_with("dri")), "{devices:?}");
}
