//! The heat program on MPI ranks, shared by exercise 11's and its solution's `heat_mpi`
//! example: rank 0 reads the field, every rank evolves its block, rank 0 gathers the result,
//! writes a picture of it and prints the time and which node each rank ran on (on a cluster,
//! ranks on different nodes exchange their halos over the network).
//!
//! Options: `INPUT` (a field file, default the course's 200 × 200 bottle), `--size N` or
//! `--rows R --cols C` (a generated bottle instead of a file), `--steps N` (default 1000),
//! `--overlap` (task 5's version instead of task 4's), `--runs N` (time N runs, print the
//! fastest), `--serial` (also time the serial baseline on rank 0 alone, and print the
//! speedup), `--out DIR` (where `heat_mpi.png` goes, default `heat-output`), `--json LABEL`
//! (one line for `cargo xtask compare`, labelled LABEL, instead of the text and the picture),
//! `--check` (check the result against the serial reference with the tests' check, exit code 1
//! if it differs: a batch job's proof that the ranks computed the right field).

use crate::mpi::topology::SimpleCommunicator;
use crate::mpi::traits::{Communicator, CommunicatorCollectives};
use harness::heat::{Grid, Params, SHIPPED_INPUT, TOLERANCE, bottle, image, parse_grid};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// `evolve_halo` or `evolve_overlap`: the field on rank 0 in, the evolved field on rank 0 out.
pub type Evolve = fn(&SimpleCommunicator, Option<&Grid>, &Params, usize) -> Option<Grid>;

struct Settings {
    input: PathBuf,
    shape: Option<(usize, usize)>,
    steps: usize,
    overlap: bool,
    runs: usize,
    serial: bool,
    out: PathBuf,
    /// `--json LABEL`: one line for `cargo xtask compare` instead of the text and the picture.
    json: Option<String>,
    /// `--check`: the result against the serial reference, after the runs.
    check: bool,
}

fn settings() -> Result<Settings, String> {
    let mut s = Settings {
        input: SHIPPED_INPUT.into(),
        shape: None,
        steps: 1000,
        overlap: false,
        runs: 1,
        serial: false,
        out: "heat-output".into(),
        json: None,
        check: false,
    };
    let (mut rows, mut cols) = (None, None);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |flag: &str| -> Result<usize, String> {
            let v = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
            v.parse().map_err(|_| format!("{flag}: '{v}' is not a whole number"))
        };
        match arg.as_str() {
            "--size" => {
                let n = number("--size")?;
                (rows, cols) = (Some(n), Some(n));
            }
            "--rows" => rows = Some(number("--rows")?),
            "--cols" => cols = Some(number("--cols")?),
            "--steps" => s.steps = number("--steps")?,
            "--runs" => s.runs = number("--runs")?.max(1),
            "--overlap" => s.overlap = true,
            "--serial" => s.serial = true,
            "--check" => s.check = true,
            "--out" => s.out = args.next().ok_or("--out needs a directory")?.into(),
            "--json" => s.json = Some(args.next().ok_or("--json needs a label")?),
            flag if flag.starts_with('-') => return Err(format!("unknown option '{flag}'")),
            path => s.input = path.into(),
        }
    }
    s.shape = match (rows, cols) {
        (None, None) => None,
        (Some(r), Some(c)) => Some((r, c)),
        (Some(n), None) | (None, Some(n)) => Some((n, n)),
    };
    Ok(s)
}

/// The program, run with the crate's own `evolve_halo` and `evolve_overlap` (task 4 and 5).
pub fn main(evolve_halo: Evolve, evolve_overlap: Evolve) -> ExitCode {
    let world = crate::world();
    let (rank, size) = (world.rank(), world.size());
    // Every rank reads the same arguments, so every rank stops on the same error.
    let s = match settings() {
        Ok(s) => s,
        Err(e) => {
            if rank == 0 {
                let program = std::env::args().next().unwrap_or_default();
                let program = program.rsplit('/').next().unwrap_or("heat_mpi");
                eprintln!(
                    "error: {e}\nusage: mpirun -n RANKS {program} [INPUT] [--size N | --rows R --cols C] [--steps N] \
                     [--overlap] [--runs N] [--serial] [--out DIR] [--json LABEL] [--check]"
                );
            }
            return ExitCode::from(2);
        }
    };
    // Rank 0 alone reads the field: on a cluster, the other ranks may not even see the file.
    let field = (rank == 0).then(|| match s.shape {
        Some((rows, cols)) => bottle(rows, cols),
        None => {
            let text = std::fs::read_to_string(&s.input).unwrap_or_else(|e| panic!("{}: {e}", s.input.display()));
            parse_grid(&text).unwrap_or_else(|e| panic!("{}", e.in_file(&s.input)))
        }
    });
    let params = Params::course();
    let (evolve, version) = if s.overlap { (evolve_overlap, "overlap") } else { (evolve_halo, "halo") };

    // The serial baseline first, on rank 0 alone, while the other ranks sleep.
    let serial = s.serial.then(|| {
        let time = field.as_ref().map(|f| time_serial(f, &params, s.steps, s.runs));
        sleep_through_barrier(&world);
        time
    });

    let mut best = f64::INFINITY;
    let mut result = None;
    for _ in 0..s.runs {
        // Start together, so the time is the slowest rank's: scatter, steps, gather.
        world.barrier();
        let start = Instant::now();
        result = evolve(&world, field.as_ref(), &params, s.steps);
        best = best.min(start.elapsed().as_secs_f64());
    }
    // A collective call, so every rank makes it before all but rank 0 return.
    let names = if s.json.is_none() { crate::processor_names(&world) } else { None };
    let (Some(field), Some(result)) = (field, result) else { return ExitCode::SUCCESS };
    let checked = || if s.check { check(&field, s.steps, &result) } else { ExitCode::SUCCESS };

    let updates = (field.rows.saturating_sub(2) * field.cols.saturating_sub(2) * s.steps) as f64;
    let plural = if size == 1 { "" } else { "s" };
    if let Some(label) = &s.json {
        // `compare`'s row format (python/compare.py's); Debug quoting is JSON's for plain text.
        println!(
            "{{\"kernel\": \"heat, {size} MPI rank{plural}\", \"implementation\": {label:?}, \"unit\": \"cell update\", \
             \"seconds_per_unit\": {:e}}}",
            best / updates
        );
        return checked();
    }
    println!(
        "{size} rank{plural}, {}×{} field, {} steps ({version}): {best:.3} s, {:.2} ns per cell update",
        field.rows,
        field.cols,
        s.steps,
        best * 1e9 / updates
    );
    if let Some(names) = names {
        println!("ranks by node: {}", ranks_by_node(&names));
    }
    if let Some(Some(serial)) = serial {
        println!("serial baseline on rank 0 alone: {serial:.3} s; speedup {:.2}×", serial / best);
    }
    if let Err(e) = std::fs::create_dir_all(&s.out)
        .map_err(|e| format!("{}: {e}", s.out.display()))
        .and_then(|()| image::write_png(&result, field.range(), &s.out.join("heat_mpi.png")))
    {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    println!("wrote {}", s.out.join("heat_mpi.png").display());
    checked()
}

/// `--check`: `result` against the serial reference after `steps` steps, with the tests' check.
fn check(field: &Grid, steps: usize, result: &Grid) -> ExitCode {
    match harness::mpi_heat::check_output(field, steps, &result.data) {
        Ok(()) => {
            println!(
                "field equals the serial reference ({steps} steps, {}×{}): every value within {:e} of exercise \
                 01's C kernel's, relative to the field's largest value",
                field.rows, field.cols, TOLERANCE.relative
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// `node1: 0, 2; node2: 1, 3`: the ranks on each node, the nodes in order of their first rank.
fn ranks_by_node(names: &[String]) -> String {
    let mut nodes: Vec<(&str, Vec<String>)> = Vec::new();
    for (rank, name) in names.iter().enumerate() {
        match nodes.iter_mut().find(|(node, _)| node == name) {
            Some((_, ranks)) => ranks.push(rank.to_string()),
            None => nodes.push((name, vec![rank.to_string()])),
        }
    }
    nodes.iter().map(|(node, ranks)| format!("{node}: {}", ranks.join(", "))).collect::<Vec<_>>().join("; ")
}

/// The fastest of `runs` runs of the grader's serial baseline on `field` (the other ranks wait).
fn time_serial(field: &Grid, params: &Params, steps: usize, runs: usize) -> f64 {
    let mut scratch = Vec::new();
    (0..runs)
        .map(|_| {
            let mut u = field.data.clone();
            let start = Instant::now();
            harness::mpi_heat::evolve_serial(&mut u, &mut scratch, field.rows, field.cols, params, steps);
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

/// A barrier that does not keep a core busy: MPI's own waits poll without pause (the fastest
/// answer on a core of one's own), which would slow rank 0's serial run down when ranks share
/// cores. A non-blocking barrier, tested every millisecond, leaves the core to others.
fn sleep_through_barrier(world: &SimpleCommunicator) {
    let mut request = world.immediate_barrier();
    loop {
        match request.test() {
            Ok(_) => return,
            Err(pending) => request = pending,
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_are_listed_by_node_in_order_of_first_rank() {
        let names = ["node1", "node2", "node1", "node2"].map(String::from);
        assert_eq!(ranks_by_node(&names), "node1: 0, 2; node2: 1, 3");
        assert_eq!(ranks_by_node(&["solo".into()]), "solo: 0");
    }
}
