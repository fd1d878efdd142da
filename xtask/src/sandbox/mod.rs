//! The box learner code runs in. Every process that runs learner code (test binaries, grading
//! workers, MPI jobs) is started:
//!
//! - in user, network and IPC namespaces of its own: no capability over the machine (even when
//!   the runner is root, as in CI), no network but its own loopback, no shared IPC objects;
//! - in a PID namespace of its own: the program is its second process, under a first that
//!   only waits, so when the program ends, everything it started ends with it, wherever it went
//!   (an MPI job's ranks too);
//! - in a mount namespace of its own, with a `/proc` of its PID namespace (no other process of
//!   the machine is seen, not even by number) and an empty `/dev/shm` of its own (an MPI job's
//!   shared memory is not another job's);
//! - under a Landlock domain: the system and the course readable, only its scratch folder
//!   writable (so never the course's sources, `target/`, the folders above the course or
//!   `~/.cargo`), every other folder (a home folder) unreadable, and signals and abstract
//!   sockets scoped to its own processes (so the reference worker and the runner cannot be
//!   stopped, and `/proc/<pid>/mem` of a process outside is out of reach);
//! - under a seccomp filter denying the calls that reach into other processes or the kernel
//!   (`ptrace`, `process_vm_*`, `mount`, `setns`, `unshare`, `bpf`, `perf_event_open`, module
//!   loading) and the process-group changes that would hide a process from the runner;
//! - with a scrubbed environment: no `$HOME`, none of the runner's variables but the few that
//!   programs need to start (`PATH`, the locale), `TMPDIR` its scratch folder.
//!
//! Each layer is probed once per runner ([`layers`]); where the kernel lacks one, the others
//! still hold, `check` names what is missing, the report records the layers in force and
//! `grade-submissions` refuses to grade without all of them unless told otherwise.
//!
//! The namespaces, Landlock and seccomp are entered between `fork` and `exec` (`pre_exec`):
//! everything that allocates (the ruleset, the filter, the ID maps) is prepared beforehand, so
//! the child makes only system calls.

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// What a confined process may do besides reading the system.
#[derive(Clone, Debug)]
pub struct Confinement {
    /// A folder of its own it may write: its working folder (but for a build) and `TMPDIR`.
    pub scratch: PathBuf,
    /// More folders or files it may write (a build's target folder).
    pub writable: Vec<PathBuf>,
    /// Folders (or files) it may read and run besides the system's: the course, the folder of
    /// the executables it runs.
    pub readable: Vec<PathBuf>,
    pub launcher: Launcher,
    /// Whether `perf` may sample it (`profile` only: `perf_event_open` is denied otherwise).
    pub profiled: bool,
    /// Whether it runs kernels on a GPU (a `gpu = true` exercise): the GPU's device nodes are
    /// writable, and the variables that choose a Vulkan driver or a wgpu adapter are kept.
    pub gpu: bool,
}

/// What the confined program is, for what it must be allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Launcher {
    /// A program and the processes it starts, all in its process group.
    Program,
    /// `mpirun` and its ranks: the ranks lead process groups of their own, share memory through
    /// `process_vm_readv` (each other's only: they are in one Landlock domain) and talk over
    /// loopback TCP.
    Mpi,
    /// `cargo` building learner code: it keeps its working folder (cargo reads its
    /// configuration from there) and the variables cargo and rustup read, but no secret.
    Cargo,
}

impl Confinement {
    /// A program run with `scratch` as its folder, reading `course` and its executable's folder.
    pub fn program(scratch: &Path, course: &Path, exe: &Path) -> Confinement {
        Confinement::new(scratch, course, exe, Launcher::Program)
    }

    /// An `mpirun` job of `exe`'s ranks.
    pub fn mpi(scratch: &Path, course: &Path, exe: &Path) -> Confinement {
        Confinement::new(scratch, course, exe, Launcher::Mpi)
    }

    fn new(scratch: &Path, course: &Path, exe: &Path, launcher: Launcher) -> Confinement {
        let mut readable = vec![course.to_path_buf()];
        readable.extend(exe.parent().map(Path::to_path_buf));
        Confinement {
            scratch: scratch.to_path_buf(),
            writable: Vec::new(),
            readable,
            launcher,
            profiled: false,
            gpu: false,
        }
    }

    /// The same, for a program of a GPU exercise when `gpu` is true (see [`Confinement::gpu`]).
    pub fn with_gpu(self, gpu: bool) -> Confinement {
        Confinement { gpu, ..self }
    }

    /// The same, with `perf` allowed to sample it.
    pub fn profiled(self) -> Confinement {
        Confinement { profiled: true, ..self }
    }

    /// `cargo` building the crates of `course` into `target` (`scratch` inside it), run from
    /// `pinned`'s folder with its cargo home (see `cargo::course_cargo`): the toolchain and the
    /// downloaded crates readable, nothing of the home folder beyond them (no
    /// `credentials.toml`, no `~/.ssh`), and no network (the crates are fetched first, by the
    /// runner itself).
    pub fn cargo(scratch: &Path, course: &Path, target: &Path, pinned: &PinnedCargo) -> Confinement {
        let rustup_home = tool_home("RUSTUP_HOME", ".rustup");
        let mut readable = vec![course.to_path_buf(), rustup_home, pinned.cwd.clone(), pinned.home.clone()];
        readable.extend(["registry", "git", "bin"].map(|p| pinned.real_home.join(p)));
        // Cargo reads the configuration of every folder above its own, and stops at one it
        // cannot read: those files (and nothing else there) are readable. The pinned folder
        // has none, and the folders above it are the machine's, not the course's.
        for folder in pinned.cwd.ancestors().skip(1) {
            readable.extend(["config", "config.toml"].map(|name| folder.join(".cargo").join(name)));
        }
        // The cache's lock and last-use files, which cargo writes on every build.
        let mut writable = vec![target.to_path_buf()];
        writable.extend([".package-cache", ".package-cache-mutate", ".global-cache"].map(|p| pinned.home.join(p)));
        Confinement {
            scratch: scratch.to_path_buf(),
            writable,
            readable,
            launcher: Launcher::Cargo,
            profiled: false,
            gpu: false,
        }
    }
}

/// Where the builds grading rests on run cargo from (see `cargo::course_cargo`): an empty working
/// folder outside the course, and a cargo home without configuration: the user's, or, when
/// that holds a `config.toml`, one of the runner's own that links to its downloaded crates
/// (not always: cargo rebuilds every dependency when the cargo home's path changes).
pub struct PinnedCargo {
    pub cwd: PathBuf,
    pub home: PathBuf,
    /// The user's cargo home, whose `registry` and `git` the pinned one links to.
    pub real_home: PathBuf,
}

/// Where cargo or rustup keep their files: `variable` if set, else `~/<folder>` (as they decide).
pub fn tool_home(variable: &str, folder: &str) -> PathBuf {
    let home = || std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default().join(folder);
    std::env::var_os(variable).map_or_else(home, PathBuf::from)
}

/// A scratch folder of its own for confined processes, removed with everything in it when
/// dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// `parent/<tag>-<pid>-<nanos>`, created.
    pub fn new(parent: &Path, tag: &str) -> Result<Scratch> {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let dir = parent.join(format!("{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(Scratch(dir))
    }

    /// `<scratch>/<name>`, created: a worker's own folder inside it.
    pub fn folder(&self, name: &str) -> Result<PathBuf> {
        let dir = self.0.join(name);
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The layers of the sandbox this machine provides, as the JSON report records them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layers {
    /// User, network and IPC namespaces.
    pub namespaces: bool,
    /// A PID namespace per program: what it starts ends with it.
    #[serde(default)]
    pub pid_namespace: bool,
    /// A mount namespace per program: its own `/proc` and `/dev/shm`.
    #[serde(default)]
    pub mount_namespace: bool,
    /// The kernel's Landlock ABI version (0: none).
    pub landlock_abi: i32,
    /// Landlock on the filesystem: read-only but for the scratch folder, home unreadable.
    pub filesystem: bool,
    /// Landlock's scoped signals and abstract sockets (ABI 6).
    pub scoped_signals: bool,
    /// The seccomp filter.
    pub seccomp: bool,
}

impl Layers {
    /// The protections missing, in plain words (empty: the whole sandbox holds).
    pub fn missing(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if !self.namespaces {
            missing.push("namespaces (learner code keeps the network and the runner's user)");
        }
        if !self.pid_namespace {
            missing.push("a PID namespace (a process learner code starts may outlive it)");
        }
        if !self.mount_namespace {
            missing.push("a mount namespace (learner code sees every process and shares `/dev/shm` with others)");
        }
        if !self.filesystem {
            missing.push("Landlock (learner code could write the course, `target/` and your home folder)");
        }
        if !self.scoped_signals {
            missing.push("scoped signals (learner code could stop the reference worker: Linux 6.12 or newer)");
        }
        if !self.seccomp {
            missing.push("seccomp (learner code could trace other processes)");
        }
        missing
    }
}

/// The layers this machine provides, probed once: each alone, in a child that runs `true`.
pub fn layers() -> &'static Layers {
    static LAYERS: OnceLock<Layers> = OnceLock::new();
    LAYERS.get_or_init(probe)
}

/// Before a class is graded: every layer must hold (one submission's code could otherwise
/// change another's verdict), unless the instructor `allow`s a weaker sandbox.
pub fn require_for_class(allow: bool) -> Result<()> {
    let missing = layers().missing();
    if missing.is_empty() || allow {
        if !missing.is_empty() {
            eprintln!("warning: grading with a weaker sandbox; missing: {}", missing.join("; "));
        }
        return Ok(());
    }
    anyhow::bail!(
        "this machine cannot run learner code in the whole sandbox; missing: {}.\nGrade on a machine that has it \
         (Linux 6.12 or newer, user namespaces allowed), or pass --allow-weaker-sandbox to grade anyway.",
        missing.join("; ")
    )
}

/// Confines the process `cmd` will start (see the module doc), with every layer this machine
/// provides. Sets `TMPDIR`, and the working folder but for a build, to the scratch folder.
pub fn confine(cmd: &mut Command, confinement: &Confinement) -> Result<()> {
    confine_with(cmd, confinement, layers())
}

/// The runner's variables a confined program keeps: what a program needs to start and to
/// print as the learner's terminal expects. Nothing else (tokens, `HOME`, cargo's settings).
const KEPT_VARIABLES: &[&str] = &["PATH", "LANG", "LC_ALL", "LC_CTYPE", "LANGUAGE", "TZ"];

/// What a build keeps besides: the variables cargo, rustup and the C compiler read (the
/// course's builds honour `RUSTFLAGS`, `CARGO_TARGET_DIR`, …), by prefix.
const BUILD_PREFIXES: &[&str] = &["CARGO", "RUSTUP", "RUST", "CC", "CFLAGS", "CXX", "AR"];

/// What a GPU exercise's program keeps besides: the Vulkan loader's choice of driver
/// (`VK_ICD_FILENAMES`, `VK_DRIVER_FILES`) and wgpu's of adapter and backend (`WGPU_ADAPTER_NAME`, …).
const GPU_PREFIXES: &[&str] = &["VK_", "WGPU_", "MESA_", "LP_NUM_THREADS"];

/// Never kept, whatever the prefix: a registry token is a secret.
fn secret(name: &str) -> bool {
    let name = name.to_ascii_uppercase();
    ["TOKEN", "SECRET", "PASSWORD", "CREDENTIAL", "KEY"].iter().any(|word| name.contains(word))
}

/// Clears `cmd`'s environment but for [`KEPT_VARIABLES`] (and, for a build, what cargo reads:
/// [`BUILD_PREFIXES`], with `CARGO_HOME` and `RUSTUP_HOME` made explicit since `HOME` goes) and
/// what was set on `cmd` itself.
fn scrub_environment(cmd: &mut Command, confinement: &Confinement) {
    let set: Vec<(OsString, Option<OsString>)> =
        cmd.get_envs().map(|(k, v)| (k.to_os_string(), v.map(|v| v.to_os_string()))).collect();
    cmd.env_clear();
    for key in KEPT_VARIABLES {
        if let Some(value) = std::env::var_os(key) {
            cmd.env(key, value);
        }
    }
    if confinement.launcher == Launcher::Cargo {
        for (key, value) in std::env::vars_os() {
            let name = key.to_string_lossy();
            if BUILD_PREFIXES.iter().any(|p| name.starts_with(p)) && !secret(&name) {
                cmd.env(&key, value);
            }
        }
        cmd.env("CARGO_HOME", tool_home("CARGO_HOME", ".cargo"));
        cmd.env("RUSTUP_HOME", tool_home("RUSTUP_HOME", ".rustup"));
    }
    cmd.env("TMPDIR", &confinement.scratch);
    if confinement.gpu {
        for (key, value) in std::env::vars_os() {
            if GPU_PREFIXES.iter().any(|p| key.to_string_lossy().starts_with(p)) {
                cmd.env(&key, value);
            }
        }
        // Mesa's drivers complain on every start without it; the scratch folder is the
        // program's own, as a runtime folder should be.
        cmd.env("XDG_RUNTIME_DIR", &confinement.scratch);
    }
    for (key, value) in set {
        if let Some(value) = value {
            cmd.env(key, value);
        }
    }
}

/// Whether a confined process runs in a PID namespace of its own.
fn in_pid_namespace(layers: &Layers) -> bool {
    layers.namespaces && layers.pid_namespace
}

/// The process running the program of a confined command, given the process the runner
/// started (`child.id()`): the same, or, in a PID namespace, that one's grandchild (see the
/// module doc). Its memory holds what the program computed; its threads are the program's.
pub fn program_process(child: i32, confinement: &Confinement) -> i32 {
    #[cfg(target_os = "linux")]
    if in_pid_namespace(layers()) {
        return linux::grandchild(child);
    }
    let _ = confinement;
    child
}

/// The child of `parent` that calls itself `inner` (its process ID as seen inside its PID
/// namespace, as a confined program reports its own): that process as the runner sees it.
pub fn child_called(parent: i32, inner: i32) -> Option<i32> {
    let table = crate::child::processes();
    table
        .iter()
        .filter(|&&(_, ppid, _)| ppid == parent)
        .map(|&(pid, _, _)| pid)
        .find(|&pid| innermost_pid(pid) == Some(inner))
}

/// `pid`'s process ID in its own PID namespace (the last of `NSpid` in its status; the same
/// number outside any).
fn innermost_pid(pid: i32) -> Option<i32> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix("NSpid:"))?;
    line.split_whitespace().last()?.parse().ok()
}

fn confine_with(cmd: &mut Command, confinement: &Confinement, layers: &Layers) -> Result<()> {
    scrub_environment(cmd, confinement);
    if confinement.launcher != Launcher::Cargo {
        cmd.current_dir(&confinement.scratch);
    }
    #[cfg(target_os = "linux")]
    linux::confine(cmd, confinement, layers)?;
    #[cfg(not(target_os = "linux"))]
    let _ = layers;
    Ok(())
}

fn probe() -> Layers {
    #[cfg(target_os = "linux")]
    {
        linux::probe()
    }
    #[cfg(not(target_os = "linux"))]
    Layers::default()
}

#[cfg(target_os = "linux")]
mod linux {
    use super::{Confinement, Launcher, Layers};
    use anyhow::{Context, Result};
    use landlock::{
        ABI, Access, AccessFs, AccessNet, Ruleset, RulesetAttr, RulesetCreatedAttr, Scope, path_beneath_rules,
    };
    use seccompiler::{BpfProgram, SeccompAction, SeccompFilter, sock_filter};
    use std::os::fd::{AsRawFd, OwnedFd};
    use std::os::unix::process::CommandExt;
    use std::path::{Path, PathBuf};
    use std::process::{Command, Stdio};

    /// The newest Landlock ABI this runner knows; an older kernel enforces what it has.
    const NEWEST: ABI = ABI::V7;

    /// What the system gives every program to read and run: its libraries, tools and
    /// configuration (only the files programs read: `/etc` holds secrets too), and the kernel's
    /// views (`/proc` and `/sys`; another process's `/proc` files that matter are guarded by
    /// Landlock's ptrace rule).
    const SYSTEM: &[&str] = &[
        "/usr",
        "/bin",
        "/sbin",
        "/lib",
        "/lib32",
        "/lib64",
        "/libx32",
        "/opt",
        "/proc",
        "/sys",
        "/dev",
        "/etc/ld.so.cache",
        "/etc/ld.so.conf",
        "/etc/ld.so.conf.d",
        "/etc/localtime",
        "/etc/passwd",
        "/etc/group",
        "/etc/nsswitch.conf",
        "/etc/hosts",
        "/etc/host.conf",
        "/etc/alternatives",
        "/etc/openmpi",
        "/etc/hwloc",
    ];

    /// Where MPI's ranks on one machine put the memory they share.
    const SHARED_MEMORY: &str = "/dev/shm";

    /// Devices a program may write.
    const DEVICES: &[&str] = &["/dev/null", "/dev/zero", "/dev/full"];

    /// A GPU's device nodes, which a GPU exercise's program opens to drive it: DRM's render
    /// nodes (AMD, Intel, Nouveau: `/dev/dri`) and NVIDIA's (`/dev/nvidia0`, `/dev/nvidiactl`,
    /// `/dev/nvidia-uvm`, …). Lavapipe needs none.
    pub(super) fn gpu_devices() -> Vec<PathBuf> {
        let nvidia = std::fs::read_dir("/dev")
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("nvidia"))
            .map(|e| e.path());
        std::iter::once(PathBuf::from("/dev/dri")).chain(nvidia).collect()
    }

    /// The calls no confined process makes: reaching into another process, changing the
    /// kernel or the mounts, or leaving the namespaces.
    const DENIED: &[libc::c_long] = &[
        libc::SYS_ptrace,
        libc::SYS_mount,
        libc::SYS_umount2,
        libc::SYS_pivot_root,
        libc::SYS_setns,
        libc::SYS_unshare,
        libc::SYS_bpf,
        libc::SYS_kexec_load,
        libc::SYS_init_module,
        libc::SYS_finit_module,
        libc::SYS_delete_module,
        libc::SYS_keyctl,
        libc::SYS_add_key,
        libc::SYS_request_key,
        libc::SYS_userfaultfd,
        libc::SYS_open_by_handle_at,
    ];

    /// Denied to a program but not to `mpirun`, whose ranks lead their own groups and read each
    /// other's memory: another process's memory, and leaving the process group (a process
    /// that leaves it is out of reach of the runner's group signals).
    const DENIED_TO_PROGRAMS: &[libc::c_long] =
        &[libc::SYS_process_vm_readv, libc::SYS_process_vm_writev, libc::SYS_setsid, libc::SYS_setpgid];

    /// Profiling the machine, denied but to what `profile` runs under `perf`.
    const PROFILING: libc::c_long = libc::SYS_perf_event_open;

    /// The identity maps a new user namespace gets: the runner's own user and group.
    struct IdMaps {
        uid: Vec<u8>,
        gid: Vec<u8>,
    }

    impl IdMaps {
        fn current() -> IdMaps {
            // SAFETY: geteuid and getegid have no preconditions.
            let (uid, gid) = unsafe { (libc::geteuid(), libc::getegid()) };
            IdMaps { uid: format!("{uid} {uid} 1\n").into_bytes(), gid: format!("{gid} {gid} 1\n").into_bytes() }
        }
    }

    /// What the child does between `fork` and `exec`, prepared.
    struct Entry {
        maps: Option<IdMaps>,
        /// Whether the program becomes the second process of a PID namespace of its own.
        pid_namespace: bool,
        /// Whether it gets a mount namespace of its own, with its own `/proc` and `/dev/shm`.
        mount_namespace: bool,
        ruleset: Option<OwnedFd>,
        /// Rules for the file systems mounted in the child (Landlock's rules name files, and
        /// a file system mounted on a folder hides the folder's rule): what may be done
        /// beneath `/proc` and `/dev/shm`.
        mounted_rules: [(&'static std::ffi::CStr, u64); 2],
        filter: Option<BpfProgram>,
    }

    pub(super) fn confine(cmd: &mut Command, c: &Confinement, layers: &Layers) -> Result<()> {
        let entry = Entry {
            maps: layers.namespaces.then(IdMaps::current),
            pid_namespace: super::in_pid_namespace(layers),
            mount_namespace: layers.namespaces && layers.mount_namespace,
            ruleset: if layers.filesystem { Some(ruleset(c, layers.scoped_signals)?) } else { None },
            mounted_rules: mounted_rules(c, layers),
            filter: if layers.seccomp { Some(filter(c)?) } else { None },
        };
        // SAFETY: `enter` makes only system calls (async-signal-safe), on data prepared here.
        unsafe {
            cmd.pre_exec(move || enter(&entry));
        }
        Ok(())
    }

    fn check(result: libc::c_long) -> std::io::Result<()> {
        if result < 0 { Err(std::io::Error::last_os_error()) } else { Ok(()) }
    }

    /// Writes `bytes` to the file at `path` (a NUL-terminated path), with system calls only.
    fn write_file(path: &std::ffi::CStr, bytes: &[u8]) -> std::io::Result<()> {
        // SAFETY: open, write and close on a NUL-terminated path and a valid buffer.
        unsafe {
            let fd = libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
            check(fd as _)?;
            let written = libc::write(fd, bytes.as_ptr().cast(), bytes.len());
            libc::close(fd);
            check(written as _)
        }
    }

    /// In the child: the namespaces and the mounts of its own, then the two processes that put
    /// the program in its PID namespace (and its `/proc`, which only a process inside can
    /// mount), then in the program's process Landlock (which forbids mounting), then seccomp
    /// (which denies `unshare`). The two processes above the program run only the waiting
    /// code below, never learner code.
    fn enter(entry: &Entry) -> std::io::Result<()> {
        if let Some(maps) = &entry.maps {
            // SAFETY: plain system calls.
            check(unsafe { libc::unshare(libc::CLONE_NEWUSER) } as _)?;
            // Older kernels have no `setgroups` file; the maps are what matter.
            let _ = write_file(c"/proc/self/setgroups", b"deny");
            write_file(c"/proc/self/uid_map", &maps.uid)?;
            write_file(c"/proc/self/gid_map", &maps.gid)?;
            let pid = if entry.pid_namespace { libc::CLONE_NEWPID } else { 0 };
            let mount = if entry.mount_namespace { libc::CLONE_NEWNS } else { 0 };
            // SAFETY: plain system call; the user namespace gives the capability it needs.
            check(unsafe { libc::unshare(libc::CLONE_NEWNET | libc::CLONE_NEWIPC | pid | mount) } as _)?;
            loopback_up();
            if entry.mount_namespace {
                own_shared_memory()?;
            }
        }
        if entry.pid_namespace {
            enter_pid_namespace()?;
            if entry.mount_namespace {
                own_proc()?;
            }
        }
        if let Some(ruleset) = &entry.ruleset {
            if entry.mount_namespace {
                for (path, access) in entry.mounted_rules {
                    allow_beneath(ruleset.as_raw_fd(), path, access)?;
                }
            }
            // SAFETY: prctl and the Landlock call take plain integers.
            unsafe {
                check(libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) as _)?;
                check(libc::syscall(libc::SYS_landlock_restrict_self, ruleset.as_raw_fd(), 0))?;
            }
        }
        if let Some(filter) = &entry.filter {
            // Its errors are not kept (they would allocate): the call fails, and says so.
            seccompiler::apply_filter(filter).map_err(|_| std::io::Error::from_raw_os_error(libc::EPERM))?;
        }
        Ok(())
    }

    /// In a new mount namespace: nothing mounted here reaches the machine's (private), and an
    /// empty `/dev/shm`, so files an MPI job shares its memory through are its own.
    fn own_shared_memory() -> std::io::Result<()> {
        // SAFETY: mount with NUL-terminated strings (or null where the call takes none).
        unsafe {
            let none = std::ptr::null::<libc::c_char>();
            check(libc::mount(none, c"/".as_ptr(), none, libc::MS_REC | libc::MS_PRIVATE, std::ptr::null()) as _)?;
            let flags = libc::MS_NOSUID | libc::MS_NODEV;
            let options = c"mode=1777,size=25%";
            check(libc::mount(
                c"tmpfs".as_ptr(),
                c"/dev/shm".as_ptr(),
                c"tmpfs".as_ptr(),
                flags,
                options.as_ptr().cast(),
            ) as _)
        }
    }

    /// What a confined process may do beneath the file systems its mount namespace mounts
    /// (`/dev/shm`: what it may do in the machine's, see [`ruleset`]), as Landlock's bits for
    /// this kernel.
    fn mounted_rules(c: &Confinement, layers: &Layers) -> [(&'static std::ffi::CStr, u64); 2] {
        let kernel = ABI::from(layers.landlock_abi);
        let (read, all) = (AccessFs::from_read(kernel).bits(), AccessFs::from_all(kernel).bits());
        [(c"/proc", read), (c"/dev/shm", if c.launcher == Launcher::Mpi { all } else { read })]
    }

    /// Adds to `ruleset` a rule allowing `access` beneath `path`, with system calls only.
    fn allow_beneath(ruleset: libc::c_int, path: &std::ffi::CStr, access: u64) -> std::io::Result<()> {
        /// `struct landlock_path_beneath_attr`.
        #[repr(C, packed)]
        struct PathBeneath {
            allowed_access: u64,
            parent_fd: i32,
        }
        const RULE_PATH_BENEATH: libc::c_int = 1;
        // SAFETY: open on a NUL-terminated path; the rule is read by the kernel; close on the
        // descriptor just opened.
        unsafe {
            let fd = libc::open(path.as_ptr(), libc::O_PATH | libc::O_CLOEXEC);
            check(fd as _)?;
            let rule = PathBeneath { allowed_access: access, parent_fd: fd };
            let added = libc::syscall(libc::SYS_landlock_add_rule, ruleset, RULE_PATH_BENEATH, &raw const rule, 0);
            libc::close(fd);
            check(added)
        }
    }

    /// In the program's process, inside its PID namespace: a `/proc` of that namespace.
    fn own_proc() -> std::io::Result<()> {
        let flags = libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC;
        // SAFETY: mount with NUL-terminated strings.
        check(
            unsafe { libc::mount(c"proc".as_ptr(), c"/proc".as_ptr(), c"proc".as_ptr(), flags, std::ptr::null()) } as _
        )
    }

    /// After `unshare(CLONE_NEWPID)`: forks the namespace's first process, which forks the
    /// program's; only the program's returns (to `exec`). The first process only reaps and
    /// passes the program's wait status on; when it ends, the kernel ends everything else in the
    /// namespace. It is not the program itself because a namespace's first process ignores
    /// signals it sends itself (an `abort()` would not end it). The process the runner started
    /// waits for the first one and ends the way the program did, so the runner sees the
    /// program's exit code or signal. Each dies with its parent (`PR_SET_PDEATHSIG`), so killing
    /// the runner's child ends the whole namespace. System calls only.
    fn enter_pid_namespace() -> std::io::Result<()> {
        let mut relay = [0; 2];
        // SAFETY: pipe2 writes two descriptors into the array.
        check(unsafe { libc::pipe2(relay.as_mut_ptr(), libc::O_CLOEXEC) } as _)?;
        // SAFETY: the child makes system calls only.
        let first = unsafe { libc::fork() };
        check(first as _)?;
        if first > 0 {
            // SAFETY: closing the end this process does not use.
            unsafe { libc::close(relay[1]) };
            end_as_program(first, relay[0]);
        }
        // The namespace's first process.
        // SAFETY: plain system calls.
        unsafe {
            libc::close(relay[0]);
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
        }
        // SAFETY: as above.
        let program = unsafe { libc::fork() };
        check(program as _)?;
        if program > 0 {
            reap_until(program, relay[1]);
        }
        // SAFETY: plain system calls.
        unsafe {
            libc::close(relay[1]);
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
            // The first process ended before the line above: end too.
            if libc::getppid() != 1 {
                libc::_exit(127);
            }
        }
        Ok(())
    }

    /// Closes every descriptor but `keep` (the standard ones, the pipe `spawn` waits on).
    fn close_all_but(keep: libc::c_int) {
        // SAFETY: close_range takes plain integers.
        unsafe {
            if keep > 0 {
                libc::syscall(libc::SYS_close_range, 0, keep - 1, 0);
            }
            libc::syscall(libc::SYS_close_range, keep + 1, libc::c_uint::MAX, 0);
        }
    }

    /// The namespace's first process: reaps every process whose parent ended until `program`
    /// ends, then writes its wait status to `relay` and exits.
    fn reap_until(program: libc::pid_t, relay: libc::c_int) -> ! {
        close_all_but(relay);
        loop {
            let mut status = 0;
            // SAFETY: plain system calls.
            unsafe {
                let pid = libc::waitpid(-1, &mut status, 0);
                if pid == program {
                    libc::write(relay, (&raw const status).cast(), size_of::<libc::c_int>());
                    libc::_exit(0);
                }
                if pid < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::ECHILD) {
                    libc::_exit(0);
                }
            }
        }
    }

    /// The process the runner started: waits for the namespace's first process, then ends with
    /// the program's exit code, or by its signal (no core dump of this copy of the runner).
    fn end_as_program(first: libc::pid_t, relay: libc::c_int) -> ! {
        close_all_but(relay);
        // SAFETY: plain system calls on integers and local buffers.
        unsafe {
            let mut status = 0;
            while libc::waitpid(first, &mut status, 0) < 0 {
                if std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
                    libc::_exit(127);
                }
            }
            let mut program = 0;
            let size = size_of::<libc::c_int>();
            if libc::read(relay, (&raw mut program).cast(), size) == size as isize {
                status = program;
            }
            if libc::WIFSIGNALED(status) {
                let signal = libc::WTERMSIG(status);
                let no_core = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
                libc::setrlimit(libc::RLIMIT_CORE, &no_core);
                let mut default: libc::sigaction = std::mem::zeroed();
                default.sa_sigaction = libc::SIG_DFL;
                libc::sigaction(signal, &default, std::ptr::null_mut());
                let mut set: libc::sigset_t = std::mem::zeroed();
                libc::sigemptyset(&mut set);
                libc::sigaddset(&mut set, signal);
                libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
                libc::kill(libc::getpid(), signal);
                libc::_exit(128 + signal);
            }
            libc::_exit(if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { 127 })
        }
    }

    /// The runner's child's grandchild, or the child itself when it has none.
    pub(super) fn grandchild(child: i32) -> i32 {
        let table = crate::child::processes();
        let child_of = |parent: i32| table.iter().find(|&&(_, ppid, _)| ppid == parent).map(|&(pid, _, _)| pid);
        child_of(child).and_then(child_of).unwrap_or(child)
    }

    /// Brings the new network namespace's loopback up: it reaches nothing outside, and MPI's
    /// launcher needs an interface to talk to its own ranks.
    fn loopback_up() {
        // SAFETY: socket, ioctl and close are plain system calls; the ifreq is zeroed, then
        // given a NUL-terminated name and flags.
        unsafe {
            let socket = libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0);
            if socket < 0 {
                return;
            }
            let mut request: libc::ifreq = std::mem::zeroed();
            for (k, &b) in b"lo\0".iter().enumerate() {
                request.ifr_name[k] = b as libc::c_char;
            }
            request.ifr_ifru.ifru_flags = (libc::IFF_UP | libc::IFF_LOOPBACK | libc::IFF_RUNNING) as libc::c_short;
            libc::ioctl(socket, libc::SIOCSIFFLAGS as _, &request);
            libc::close(socket);
        }
    }

    /// The Landlock ruleset of `c`, created (not enforced): its descriptor closes on `exec`.
    pub(super) fn ruleset(c: &Confinement, scoped: bool) -> Result<OwnedFd> {
        let existing = |paths: Vec<PathBuf>| -> Vec<PathBuf> { paths.into_iter().filter(|p| p.exists()).collect() };
        let mut readable: Vec<PathBuf> = SYSTEM.iter().map(PathBuf::from).collect();
        readable.extend(c.readable.iter().cloned());
        let mut writable: Vec<PathBuf> = std::iter::once(c.scratch.clone())
            .chain(c.writable.iter().cloned())
            .chain(DEVICES.iter().map(PathBuf::from))
            .collect();
        if c.launcher == Launcher::Mpi {
            // Open MPI's ranks share memory through files there (its `vader` transport).
            writable.push(PathBuf::from(SHARED_MEMORY));
        }
        if c.gpu {
            writable.extend(gpu_devices());
        }
        let mut ruleset = Ruleset::default().handle_access(AccessFs::from_all(NEWEST))?;
        if c.launcher != Launcher::Mpi {
            // No TCP at all (the network namespace already leaves only loopback).
            ruleset = ruleset.handle_access(AccessNet::from_all(NEWEST))?;
        }
        if scoped {
            ruleset = ruleset.scope(Scope::from_all(NEWEST))?;
        }
        let created = ruleset
            .create()?
            .add_rules(path_beneath_rules(existing(readable), AccessFs::from_read(NEWEST)))?
            .add_rules(path_beneath_rules(existing(writable), AccessFs::from_all(NEWEST)))?;
        let fd: Option<OwnedFd> = created.into();
        let fd = fd.context("this kernel has no Landlock, yet it was probed as having it")?;
        above_reserved(fd)
    }

    /// The lowest descriptor number the child's prepared descriptors may have: the child's
    /// standard ones and the judge's answer channel (`grading::worker::ANSWER_FD`, 3) are put
    /// in place by `dup2` before the sandbox is entered, over whatever had their numbers.
    const FIRST_FREE_FD: libc::c_int = 10;

    /// `fd` moved to a number of at least [`FIRST_FREE_FD`], close-on-exec: a number another
    /// thread had just freed (3, say) would be overwritten in the child before it is used.
    fn above_reserved(fd: OwnedFd) -> Result<OwnedFd> {
        if fd.as_raw_fd() >= FIRST_FREE_FD {
            return Ok(fd);
        }
        // SAFETY: F_DUPFD_CLOEXEC duplicates a descriptor this function owns.
        let moved = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, FIRST_FREE_FD) };
        if moved < 0 {
            return Err(std::io::Error::last_os_error()).context("cannot move the Landlock ruleset's descriptor");
        }
        // SAFETY: `moved` was just created and is owned here only.
        Ok(unsafe { <OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(moved) })
    }

    fn filter(c: &Confinement) -> Result<BpfProgram> {
        let mut denied = DENIED.to_vec();
        if c.launcher != Launcher::Mpi {
            denied.extend_from_slice(DENIED_TO_PROGRAMS);
        }
        if !c.profiled {
            denied.push(PROFILING);
        }
        // `c_long` is `i64` here, `i32` on 32-bit targets.
        #[allow(clippy::unnecessary_cast)]
        let rules = denied.into_iter().map(|call| (call as i64, Vec::new())).collect();
        let arch = std::env::consts::ARCH.try_into().context("seccomp filters for this processor")?;
        let filter = SeccompFilter::new(rules, SeccompAction::Allow, SeccompAction::Errno(libc::EPERM as u32), arch)?;
        let program: Vec<sock_filter> = filter.try_into()?;
        Ok(program)
    }

    /// The kernel's Landlock ABI version, 0 without Landlock.
    fn landlock_abi() -> i32 {
        const VERSION: libc::c_uint = 1; // LANDLOCK_CREATE_RULESET_VERSION
        // SAFETY: with a null attribute and size 0, the call only reports the version.
        let abi = unsafe { libc::syscall(libc::SYS_landlock_create_ruleset, std::ptr::null::<u8>(), 0usize, VERSION) };
        abi.max(0) as i32
    }

    /// Whether `true` starts and ends well with `layers` in force.
    fn holds(layers: &Layers, scratch: &Path) -> bool {
        let Some(program) = crate::child::on_path("true") else { return false };
        let confinement = Confinement::program(scratch, scratch, &program);
        let mut cmd = Command::new(&program);
        cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        super::confine_with(&mut cmd, &confinement, layers).is_ok() && cmd.status().is_ok_and(|s| s.success())
    }

    pub(super) fn probe() -> Layers {
        let scratch = std::env::temp_dir().join(format!("xtask-sandbox-probe-{}", std::process::id()));
        if std::fs::create_dir_all(&scratch).is_err() {
            return Layers::default();
        }
        let none = Layers::default();
        let abi = landlock_abi();
        let namespaces = holds(&Layers { namespaces: true, ..none.clone() }, &scratch);
        let pid_namespace =
            namespaces && holds(&Layers { namespaces: true, pid_namespace: true, ..none.clone() }, &scratch);
        let with_mounts = Layers { namespaces: true, pid_namespace, mount_namespace: true, ..none.clone() };
        let layers = Layers {
            namespaces,
            pid_namespace,
            mount_namespace: namespaces && holds(&with_mounts, &scratch),
            landlock_abi: abi,
            filesystem: abi >= 1 && holds(&Layers { filesystem: true, ..none.clone() }, &scratch),
            scoped_signals: abi >= 6
                && holds(&Layers { filesystem: true, scoped_signals: true, ..none.clone() }, &scratch),
            seccomp: holds(&Layers { seccomp: true, ..none.clone() }, &scratch),
        };
        let _ = std::fs::remove_dir_all(&scratch);
        layers
    }
}

#[cfg(test)]
mod tests;
