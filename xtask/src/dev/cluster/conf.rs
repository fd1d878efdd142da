//! The virtual cluster's layout (where its files live, its nodes' names and addresses) and the
//! `slurm.conf` it runs with: one place, so `up`, `down`, `status` and the job tests agree.

use std::path::{Path, PathBuf};

/// One node: a network namespace with a host name of its own and one end of the veth pair.
#[derive(Clone, Copy, Debug)]
pub struct Node {
    /// Slurm's node name, the host name inside the node, and the last part of its namespace's.
    pub name: &'static str,
    /// Its address on the veth pair (a /24 that exists only inside the two namespaces).
    pub address: &'static str,
    /// Its end of the veth pair (at most 15 characters, the kernel's limit).
    pub link: &'static str,
}

/// The two nodes. The first also runs the controller: there is no separate head node.
pub const NODES: [Node; 2] = [
    Node { name: "node1", address: "10.250.0.1", link: "course-n1" },
    Node { name: "node2", address: "10.250.0.2", link: "course-n2" },
];

/// The prefix length of the nodes' network.
pub const PREFIX: u8 = 24;

/// The partition holding both nodes.
pub const PARTITION: &str = "course";

/// CPUs each node declares (`config_overrides`: more than the machine has). Both nodes share
/// the machine's cores anyway, so this is for placement, not hardware: four lets a two-rank
/// job and another share a node.
pub const CPUS_PER_NODE: u32 = 4;

impl Node {
    /// The network namespace's name (`ip netns`), chosen not to clash with anyone else's.
    pub fn namespace(&self) -> String {
        format!("course-{}", self.name)
    }

    /// The namespace's file, what `nsenter --net=` takes.
    pub fn namespace_file(&self) -> PathBuf {
        Path::new("/run/netns").join(self.namespace())
    }
}

/// Where a cluster's files live: `target/cluster/` of the checkout that started it.
#[derive(Clone, Debug)]
pub struct Layout {
    pub dir: PathBuf,
}

impl Layout {
    pub fn new(root: &Path) -> Self {
        Layout { dir: root.join("target").join("cluster") }
    }
    pub fn conf(&self) -> PathBuf {
        self.dir.join("slurm.conf")
    }
    /// The munge key (mode 0600) lives apart from the socket, whose folder everyone may enter.
    pub fn munge_key(&self) -> PathBuf {
        self.dir.join("munge-key").join("munge.key")
    }
    pub fn munge_socket(&self) -> PathBuf {
        self.dir.join("munge").join("munge.socket")
    }
    pub fn log(&self, daemon: &str) -> PathBuf {
        self.dir.join("log").join(format!("{daemon}.log"))
    }
    pub fn pid_file(&self, daemon: &str) -> PathBuf {
        self.dir.join("run").join(format!("{daemon}.pid"))
    }
    pub fn spool(&self) -> PathBuf {
        self.dir.join("spool")
    }
    /// A node's local folder as the machine sees it; inside the node it is at [`node_local`].
    ///
    /// [`node_local`]: Layout::node_local
    pub fn node_tmp(&self, node: &Node) -> PathBuf {
        self.dir.join("tmp").join(node.name)
    }
    /// Where each node sees its own local folder (a bind mount in its mount namespace): the
    /// nodes share the machine's files, `/tmp` included, but not this. Slurm's PMIx plugin makes
    /// a folder per job step here, named by job and step only, which two nodes would share
    /// otherwise; jobs get it as node-local scratch.
    pub fn node_local(&self) -> PathBuf {
        self.dir.join("node-local")
    }
    /// Every daemon the cluster runs, named as in its pid file and log.
    pub fn daemons() -> Vec<String> {
        let mut daemons = vec!["munged".to_string(), "slurmctld".to_string()];
        daemons.extend(NODES.iter().map(|n| format!("slurmd-{}", n.name)));
        daemons
    }
}

/// `slurm.conf` for the layout. What a container without systemd or cgroup freezer needs:
/// process tracking by `/proc` (`linuxproc`; the cgroup tracker kills `slurmd` there), no task
/// binding, no accounting; `pmix` as the default MPI plugin, as clusters set it.
pub fn slurm_conf(layout: &Layout, user: &str) -> String {
    let [head, ..] = NODES;
    let path = |p: PathBuf| p.display().to_string();
    let mut conf = format!(
        "# Written by `cargo xtask dev cluster up`; rewritten on every start.\n\
         ClusterName=course\n\
         SlurmctldHost={head_name}({head_address})\n\
         AuthType=auth/munge\n\
         CredType=cred/munge\n\
         AuthInfo=socket={socket}\n\
         SlurmUser={user}\n\
         SlurmdUser={user}\n\
         StateSaveLocation={spool}/ctld\n\
         SlurmdSpoolDir={spool}/%n\n\
         SlurmctldPidFile={ctld_pid}\n\
         SlurmdPidFile={run}/slurmd-%n.pid\n\
         SlurmctldLogFile={ctld_log}\n\
         SlurmdLogFile={logs}/slurmd-%n.log\n\
         ProctrackType=proctrack/linuxproc\n\
         TaskPlugin=task/none\n\
         JobAcctGatherType=jobacct_gather/none\n\
         SelectType=select/cons_tres\n\
         SelectTypeParameters=CR_Core\n\
         MpiDefault=pmix\n\
         SlurmdParameters=config_overrides\n\
         ReturnToService=2\n\
         SlurmctldTimeout=30\n\
         SlurmdTimeout=30\n\
         InactiveLimit=0\n\
         KillWait=5\n\
         MinJobAge=600\n\
         TmpFS={tmp}\n",
        tmp = path(layout.node_local()),
        head_name = head.name,
        head_address = head.address,
        socket = path(layout.munge_socket()),
        spool = path(layout.spool()),
        ctld_pid = path(layout.pid_file("slurmctld")),
        run = path(layout.dir.join("run")),
        ctld_log = path(layout.log("slurmctld")),
        logs = path(layout.dir.join("log")),
    );
    for node in NODES {
        conf.push_str(&format!(
            "NodeName={} NodeAddr={} CPUs={CPUS_PER_NODE} State=UNKNOWN\n",
            node.name, node.address
        ));
    }
    let names: Vec<&str> = NODES.iter().map(|n| n.name).collect();
    conf.push_str(&format!(
        "PartitionName={PARTITION} Nodes={} Default=YES MaxTime=UNLIMITED State=UP\n",
        names.join(",")
    ));
    conf
}

/// `mpi.conf` (beside `slurm.conf`): the PMIx plugin's folders go to each node's own folder.
pub fn mpi_conf(layout: &Layout) -> String {
    format!("PMIxCliTmpDirBase={}\n", layout.node_local().display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configuration_avoids_what_kills_slurmd_in_a_container() {
        let conf = slurm_conf(&Layout::new(Path::new("/c")), "root");
        for line in [
            "ProctrackType=proctrack/linuxproc",
            "TaskPlugin=task/none",
            "JobAcctGatherType=jobacct_gather/none",
            "SelectType=select/cons_tres",
            "SlurmctldHost=node1(10.250.0.1)",
            "AuthInfo=socket=/c/target/cluster/munge/munge.socket",
            "NodeName=node2 NodeAddr=10.250.0.2 CPUs=4 State=UNKNOWN",
            "PartitionName=course Nodes=node1,node2 Default=YES MaxTime=UNLIMITED State=UP",
        ] {
            assert!(conf.lines().any(|l| l == line), "missing {line:?} in\n{conf}");
        }
    }

    #[test]
    fn names_fit_the_kernels_limits() {
        for node in NODES {
            assert!(node.link.len() <= 15, "{} is too long for a network link's name", node.link);
            assert!(node.address.starts_with("10.250.0."), "the nodes share one /{PREFIX}");
        }
    }
}
