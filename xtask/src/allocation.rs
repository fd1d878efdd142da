//! Grading inside a batch system's allocation (Slurm's `sbatch`, `srun`, `salloc`).
//!
//! The runner starts, stops and times its own ranks with its own `mpirun`, on this node, so a
//! job runs it once, without `srun`. Two things are worth saying before grading there: an
//! allocation of several nodes leaves all but this one idle, and one of fewer than two CPUs
//! on this node cannot time the two-rank and two-thread stages fairly. Slurm's variables
//! never reach the ranks ([`foreign`]): Open MPI would take them as its cue to launch through
//! Slurm's step daemon, out of the runner's reach.

use std::ffi::OsStr;

/// A variable of the batch system's: `mpirun` would read it as "launch inside this job".
pub fn foreign(name: &OsStr) -> bool {
    let name = name.to_string_lossy();
    ["SLURM_", "SLURMD_", "PMIX_", "PMI_", "SBATCH_", "SRUN_", "SALLOC_"].iter().any(|p| name.starts_with(p))
}

/// What to tell a learner grading inside an allocation, from its variables (`var` reads one),
/// or nothing outside one.
pub fn note(var: impl Fn(&str) -> Option<String>) -> Option<String> {
    let job = var("SLURM_JOB_ID")?;
    let node = var("SLURMD_NODENAME").unwrap_or_else(|| "this node".into());
    let nodes: u32 = var("SLURM_JOB_NUM_NODES").and_then(|n| n.parse().ok()).unwrap_or(1);
    let cpus: Option<u32> = var("SLURM_CPUS_ON_NODE").and_then(|n| n.parse().ok());
    let mut said = format!("inside Slurm job {job}: grading runs on {node} alone, its ranks started by the runner");
    if nodes > 1 {
        said.push_str(&format!(
            "; the other {} node(s) of this job stay idle: ask for one (`salloc -N1 --exclusive`)",
            nodes - 1
        ));
    }
    if let Some(cpus) = cpus.filter(|&c| c < 2) {
        said.push_str(&format!(
            "; the job has {cpus} CPU on {node}, and the two-rank and two-thread stages need two: \
             `--exclusive` or `--cpus-per-task=2`"
        ));
    }
    Some(said)
}

/// [`note`] for this process's environment.
pub fn note_here() -> Option<String> {
    note(|name| std::env::var(name).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn outside_a_job_nothing_is_said() {
        assert_eq!(note(vars(&[("HOME", "/root")])), None);
    }

    #[test]
    fn a_job_of_one_whole_node_is_only_named() {
        let said = note(vars(&[("SLURM_JOB_ID", "8"), ("SLURMD_NODENAME", "node1"), ("SLURM_CPUS_ON_NODE", "4")]));
        assert_eq!(
            said.as_deref(),
            Some("inside Slurm job 8: grading runs on node1 alone, its ranks started by the runner")
        );
    }

    #[test]
    fn idle_nodes_and_too_few_cpus_are_named_with_the_way_out() {
        let said = note(vars(&[("SLURM_JOB_ID", "9"), ("SLURM_JOB_NUM_NODES", "2"), ("SLURM_CPUS_ON_NODE", "1")]))
            .expect("a job");
        assert!(
            said.contains("the other 1 node(s) of this job stay idle: ask for one (`salloc -N1 --exclusive`)"),
            "{said}"
        );
        assert!(said.contains("the job has 1 CPU on this node"), "{said}");
    }

    #[test]
    fn the_batch_systems_variables_are_told_apart() {
        for name in ["SLURM_JOB_ID", "SLURMD_NODENAME", "PMIX_RANK", "PMI_FD", "SLURM_NODELIST"] {
            assert!(foreign(OsStr::new(name)), "{name}");
        }
        for name in ["PATH", "OMPI_ALLOW_RUN_AS_ROOT", "HOME", "XSLURM"] {
            assert!(!foreign(OsStr::new(name)), "{name}");
        }
    }
}
