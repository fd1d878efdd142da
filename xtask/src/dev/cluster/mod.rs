//! `cargo xtask dev cluster …`: a two-node Slurm cluster on this machine, to run the MPI
//! chapters' job scripts as on a real one.
//!
//! `up` starts munge, `slurmctld` and two `slurmd`, each node in a network namespace of its own
//! (`course-node1`, `course-node2`) with its own host name and node-local folder, joined by a
//! veth pair:
//! ranks on different nodes talk through Open MPI's TCP transport over that link, as across a
//! cluster's network. Nothing outside the two namespaces and `target/cluster/` is touched: the
//! addresses exist only inside them, and munge runs with a key and socket of its own beside any
//! system munge. `down` ends every process in the namespaces and the daemons by the pid files
//! they wrote, then removes the namespaces. Needs root (namespaces, daemons); `ci` leaves the
//! cluster test out, saying why, where [`available`] says no.

mod conf;
pub mod jobs;

use anyhow::{Context, Result, bail};
pub use conf::{Layout, NODES, Node};
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

/// What to install, by platform.
pub const INSTALL: &str = "\
  Debian, Ubuntu:  sudo apt-get install -y slurmctld slurmd slurm-client munge libpmix-dev
  Fedora:          sudo dnf install -y slurm-slurmctld slurm-slurmd munge pmix-devel";

/// The programs the cluster needs, and the package that brings each (Debian's names).
const TOOLS: &[(&str, &str)] = &[
    ("munged", "munge"),
    ("slurmctld", "slurmctld"),
    ("slurmd", "slurmd"),
    ("sbatch", "slurm-client"),
    ("sinfo", "slurm-client"),
    ("ip", "iproute2"),
    ("nsenter", "util-linux"),
    ("unshare", "util-linux"),
];

/// How long the nodes get to register with the controller.
const START_LIMIT: Duration = Duration::from_secs(30);

/// Whether this machine can run the cluster: root, the programs, Slurm's PMIx plugin and
/// network namespaces. The error says what is missing and how to get it.
pub fn available() -> Result<(), String> {
    if !as_root() {
        return Err("the virtual cluster needs root (network namespaces, and Slurm's daemons run as root): \
                    build the runner, then `sudo target/debug/xtask dev cluster up`"
            .into());
    }
    let missing: Vec<String> = TOOLS
        .iter()
        .filter(|(tool, _)| crate::child::on_path(tool).is_none() && !Path::new("/usr/sbin").join(tool).is_file())
        .map(|(tool, package)| format!("`{tool}` ({package})"))
        .collect();
    if !missing.is_empty() {
        return Err(format!("this machine lacks {}. Install Slurm and munge:\n{INSTALL}", missing.join(", ")));
    }
    if !pmix_plugin_found() {
        return Err(format!(
            "Slurm's PMIx plugin (mpi_pmix.so, which `srun --mpi=pmix` starts MPI ranks with) is not installed:\n{INSTALL}"
        ));
    }
    let probe = Command::new("unshare").args(["--net", "--uts", "--mount", "true"]).stderr(Stdio::null()).status();
    if !probe.is_ok_and(|s| s.success()) {
        return Err("this machine does not allow network, host-name and mount namespaces (`unshare --net --uts \
                    --mount true` failed): in a container, give it CAP_SYS_ADMIN"
            .into());
    }
    Ok(())
}

/// Whether the runner runs as root, which namespaces and Slurm's daemons need.
fn as_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// The process ID `daemon` wrote to its pid file, if it did.
fn daemon_pid(layout: &Layout, daemon: &str) -> Option<i32> {
    std::fs::read_to_string(layout.pid_file(daemon)).ok().and_then(|t| t.trim().parse().ok())
}

fn pmix_plugin_found() -> bool {
    [
        "/usr/lib/x86_64-linux-gnu/slurm-wlm",
        "/usr/lib/aarch64-linux-gnu/slurm-wlm",
        "/usr/lib64/slurm",
        "/usr/lib/slurm",
    ]
    .iter()
    .any(|dir| Path::new(dir).join("mpi_pmix.so").exists())
}

/// `dev cluster up`.
pub fn up(root: &Path) -> Result<ExitCode> {
    let layout = Layout::new(root);
    start(&layout)?;
    print_state(&layout);
    println!(
        "\nSubmit from the first node (the controller's), e.g.:\n  cargo xtask dev cluster run -- sbatch \
         exercises/11-mpi-heat/jobs/heat-two-nodes.sbatch\n  cargo xtask dev cluster run -- squeue\nStop it with \
         `cargo xtask dev cluster down`."
    );
    Ok(ExitCode::SUCCESS)
}

/// `dev cluster down`.
pub fn down(root: &Path) -> Result<ExitCode> {
    let layout = Layout::new(root);
    let stopped = stop(&layout)?;
    if stopped.is_empty() {
        println!("the cluster was not running: nothing to stop");
    } else {
        println!("stopped {}; namespaces removed", stopped.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}

/// `dev cluster status`.
pub fn status(root: &Path) -> Result<ExitCode> {
    let layout = Layout::new(root);
    let running = print_state(&layout);
    Ok(if running { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// `dev cluster run -- CMD…`: `CMD` on the first node, with the cluster's `slurm.conf`.
pub fn run(root: &Path, command: &[String]) -> Result<ExitCode> {
    let layout = Layout::new(root);
    if !as_root() {
        bail!("entering the cluster's namespace needs root: `sudo target/debug/xtask dev cluster run -- …`");
    }
    let Some((program, args)) = command.split_first() else {
        bail!("which command? e.g. `cargo xtask dev cluster run -- sinfo`");
    };
    if !layout.conf().is_file() {
        bail!("the cluster is not up: `cargo xtask dev cluster up` first");
    }
    let status = on_node(&layout, &NODES[0], program).args(args).current_dir(root).status()?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(status.code().unwrap_or(1).clamp(1, 255) as u8)
    })
}

/// `program` run inside `node`'s network namespace (not its host name or `/tmp`: a client
/// command needs only to reach the controller), with the cluster's `slurm.conf`.
pub fn on_node(layout: &Layout, node: &Node, program: &str) -> Command {
    let mut cmd = Command::new("nsenter");
    cmd.arg(format!("--net={}", node.namespace_file().display())).arg("--").arg(program);
    cmd.env("SLURM_CONF", layout.conf());
    cmd
}

/// Starts the cluster (after ending what is left of an earlier one) and waits until both
/// nodes are idle; a cluster that fails to start is taken down again, leaving nothing behind.
pub fn start(layout: &Layout) -> Result<()> {
    let started = start_afresh(layout);
    if started.is_err() {
        let _ = stop(layout);
    }
    started
}

fn start_afresh(layout: &Layout) -> Result<()> {
    available().map_err(|why| anyhow::anyhow!("cannot start the cluster: {why}"))?;
    let left = stop(layout)?;
    if !left.is_empty() {
        eprintln!("ended what an earlier cluster left: {}", left.join(", "));
    }
    let _ = std::fs::remove_dir_all(&layout.dir);
    for dir in ["munge", "munge-key", "log", "run", "spool/ctld"] {
        std::fs::create_dir_all(layout.dir.join(dir))
            .with_context(|| format!("cannot create {dir} in {}", layout.dir.display()))?;
    }
    std::fs::create_dir_all(layout.node_local())?;
    for node in NODES {
        std::fs::create_dir_all(layout.spool().join(node.name))?;
        let tmp = layout.node_tmp(&node);
        std::fs::create_dir_all(&tmp)?;
        set_mode(&tmp, 0o1777)?;
    }
    // munged refuses a key others can read, and a socket folder others cannot enter.
    set_mode(&layout.dir.join("munge-key"), 0o700)?;
    set_mode(&layout.dir.join("munge"), 0o755)?;
    let mut key = vec![0u8; 1024];
    std::fs::File::open("/dev/urandom").and_then(|mut f| std::io::Read::read_exact(&mut f, &mut key))?;
    std::fs::write(layout.munge_key(), key)?;
    set_mode(&layout.munge_key(), 0o600)?;
    let user = std::env::var("USER").unwrap_or_else(|_| "root".into());
    std::fs::write(layout.conf(), conf::slurm_conf(layout, &user))?;
    std::fs::write(layout.dir.join("mpi.conf"), conf::mpi_conf(layout))?;

    let started = Instant::now();
    must(
        Command::new("munged")
            .arg("--force")
            .arg(format!("--socket={}", layout.munge_socket().display()))
            .arg(format!("--key-file={}", layout.munge_key().display()))
            .arg(format!("--log-file={}", layout.log("munged").display()))
            .arg(format!("--pid-file={}", layout.pid_file("munged").display()))
            .arg(format!("--seed-file={}", layout.dir.join("munge-key").join("seed").display())),
        "munged",
        layout,
    )?;
    connect_nodes()?;
    let conf = layout.conf().display().to_string();
    let [head, ..] = NODES;
    // `-c`: a fresh controller, no job of an earlier cluster brought back.
    must(&mut in_node(layout, &head, &["slurmctld", "-c", "-f", &conf]), "slurmctld", layout)?;
    for node in NODES {
        must(&mut in_node(layout, &node, &["slurmd", "-f", &conf, "-N", node.name]), "slurmd", layout)?;
    }
    wait_idle(layout, started)
}

/// `daemon` inside `node`: its network namespace, a host name and a node-local folder of its
/// own (new UTS and mount namespaces: `node_tmp` seen at `node_local`). The daemon detaches and keeps those. Paths go to the shell as
/// arguments, never pasted into its script, so a checkout's path may hold any character.
fn in_node(layout: &Layout, node: &Node, daemon: &[&str]) -> Command {
    let mut cmd = Command::new("nsenter");
    cmd.arg(format!("--net={}", node.namespace_file().display()))
        .args(["--", "unshare", "--uts", "--mount", "--propagation", "private", "sh", "-c"])
        .arg(r#"hostname "$1" && mount --bind "$2" "$3" && shift 3 && exec "$@""#)
        .arg("sh")
        .arg(node.name)
        .arg(layout.node_tmp(node))
        .arg(layout.node_local())
        .args(daemon);
    cmd.env("SLURM_CONF", layout.conf());
    cmd
}

/// Creates the two namespaces and the veth pair between them, with an address on each end.
fn connect_nodes() -> Result<()> {
    let [a, b] = NODES;
    for node in NODES {
        ip(&["netns", "add", &node.namespace()])?;
    }
    ip(&["link", "add", a.link, "type", "veth", "peer", "name", b.link])?;
    for node in NODES {
        let ns = node.namespace();
        ip(&["link", "set", node.link, "netns", &ns])?;
        ip(&["-n", &ns, "addr", "add", &format!("{}/{}", node.address, conf::PREFIX), "dev", node.link])?;
        ip(&["-n", &ns, "link", "set", "lo", "up"])?;
        ip(&["-n", &ns, "link", "set", node.link, "up"])?;
    }
    Ok(())
}

fn ip(args: &[&str]) -> Result<()> {
    let out = Command::new("ip").args(args).output().context("cannot run `ip`")?;
    if !out.status.success() {
        bail!("`ip {}` failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}

/// Runs a daemon's start command; on failure, the end of its log says why.
fn must(cmd: &mut Command, daemon: &str, layout: &Layout) -> Result<()> {
    let out = cmd.output().with_context(|| format!("cannot start {daemon}"))?;
    if !out.status.success() {
        let log = layout.log(daemon);
        let tail = std::fs::read_to_string(&log).unwrap_or_default();
        let tail: Vec<&str> = tail.lines().rev().take(8).collect::<Vec<_>>().into_iter().rev().collect();
        bail!(
            "{daemon} did not start: {}{}\n{}",
            String::from_utf8_lossy(&out.stderr).trim(),
            String::from_utf8_lossy(&out.stdout).trim(),
            tail.join("\n")
        );
    }
    Ok(())
}

/// Waits until `sinfo` shows every node idle.
fn wait_idle(layout: &Layout, started: Instant) -> Result<()> {
    loop {
        let out = on_node(layout, &NODES[0], "sinfo").args(["-h", "-N", "-o", "%N %t"]).output()?;
        let text = String::from_utf8_lossy(&out.stdout);
        let idle = text.lines().filter(|l| l.ends_with(" idle")).count();
        if out.status.success() && idle == NODES.len() {
            eprintln!("cluster up in {:.1} s: {} nodes idle", started.elapsed().as_secs_f64(), idle);
            return Ok(());
        }
        if started.elapsed() > START_LIMIT {
            let logs: Vec<String> =
                Layout::daemons().iter().map(|d| format!("{}: {}", d, last_line(&layout.log(d)))).collect();
            bail!(
                "the nodes did not come up within {} s (sinfo: {}):\n{}",
                START_LIMIT.as_secs(),
                text.trim(),
                logs.join("\n")
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn last_line(path: &Path) -> String {
    std::fs::read_to_string(path).ok().and_then(|t| t.lines().last().map(str::to_string)).unwrap_or_default()
}

fn set_mode(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("cannot set the mode of {}", path.display()))
}

/// Ends the cluster: every process in the nodes' namespaces (daemons, job steps, ranks), the
/// daemons by their pid files, then the namespaces. Returns what it stopped.
pub fn stop(layout: &Layout) -> Result<Vec<String>> {
    let mut stopped = Vec::new();
    let mut pids = Vec::new();
    for node in NODES {
        if !node.namespace_file().exists() {
            continue;
        }
        let out = Command::new("ip").args(["netns", "pids", &node.namespace()]).output()?;
        let inside: Vec<i32> =
            String::from_utf8_lossy(&out.stdout).split_whitespace().filter_map(|p| p.parse().ok()).collect();
        if !inside.is_empty() {
            stopped.push(format!("{} processes on {}", inside.len(), node.name));
        }
        pids.extend(inside);
    }
    for daemon in Layout::daemons() {
        let Some(pid) = daemon_pid(layout, &daemon) else { continue };
        let _ = std::fs::remove_file(layout.pid_file(&daemon));
        if alive(pid) {
            if !pids.contains(&pid) {
                pids.push(pid);
            }
            stopped.push(format!("{daemon} ({pid})"));
        }
    }
    terminate(&pids);
    for node in NODES {
        if node.namespace_file().exists() {
            ip(&["netns", "del", &node.namespace()])?;
            stopped.push(format!("namespace {}", node.namespace()));
        }
    }
    Ok(stopped)
}

/// SIGTERM, up to 10 s to go, then SIGKILL.
fn terminate(pids: &[i32]) {
    for &pid in pids {
        // SAFETY: kill only sends a signal; the pids are the cluster's own processes.
        unsafe { libc::kill(pid, libc::SIGTERM) };
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while pids.iter().any(|&p| alive(p)) && Instant::now() < deadline {
        crate::child::reap_orphans();
        std::thread::sleep(Duration::from_millis(50));
    }
    for &pid in pids.iter().filter(|&&p| alive(p)) {
        // SAFETY: as above.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
    crate::child::reap_orphans();
}

/// Whether `pid` is a live process (a zombie is not).
fn alive(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|s| s.rsplit_once(')').is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z')))
}

/// Prints each daemon's state and, when the controller answers, `sinfo` and `squeue`. Returns
/// whether every daemon runs.
fn print_state(layout: &Layout) -> bool {
    let mut all = true;
    for daemon in Layout::daemons() {
        match daemon_pid(layout, &daemon).filter(|&p| alive(p)) {
            Some(pid) => println!("{daemon:<14} running (pid {pid})"),
            None => {
                all = false;
                println!("{daemon:<14} not running");
            }
        }
    }
    for node in NODES {
        let there = node.namespace_file().exists();
        all &= there;
        println!(
            "{:<14} {} ({} on {})",
            node.namespace(),
            if there { "present" } else { "absent" },
            node.address,
            node.link
        );
    }
    if all {
        for program in ["sinfo", "squeue"] {
            if let Ok(out) = on_node(layout, &NODES[0], program).output() {
                println!("\n$ {program}\n{}", String::from_utf8_lossy(&out.stdout).trim_end());
            }
        }
    } else {
        println!("\nthe cluster is not (wholly) up: `cargo xtask dev cluster up` starts it afresh");
    }
    all
}
