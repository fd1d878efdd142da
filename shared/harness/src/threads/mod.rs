//! Exercise 09, threads: the Python course's multiprocessing lesson the Rust way. Tasks 1–4
//! are the patterns (one thread per work item, a pool, a queue, shared state three ways), each
//! checked in [`checks`] and reaching an exercise crate through
//! [`threads_tests!`](crate::threads_tests); task 5 is the timed stage: the centre of the
//! coordinates of the atoms of a PDB file, parsing included.
//!
//! The graded input is a PDB-style text that [`pdb_text`] writes from a seed: `ATOM` and
//! `HETATM` records with x, y, z in columns 31–38, 39–46 and 47–54 (`%8.3f`), between
//! `HEADER`, `REMARK`, `ANISOU` (numbers in those columns too), `TER` and `END` records that
//! must be skipped. The reference ([`reference_centre`]) reads every coordinate as a whole
//! number of thousandths and sums them exactly, so it owes nothing to any order of addition.

pub mod checks;

use crate::protocol::Work;
use crate::remote;
use crate::roofline::{Floor, Roof};
use crate::worker::{self, Batch, BatchWriter, ExerciseSpec, StageRunner, StageSpec};
#[cfg(feature = "bench")]
use std::hint::black_box;
use std::process::ExitCode;

/// The name of the exercise in `course.toml`.
pub const EXERCISE: &str = "threads";

/// Atoms (`ATOM` and `HETATM` records) in the graded file: about 54 MB of text, which the
/// starting code parses in about 100 ms on the course machine.
pub const GRADE_ATOMS: usize = 600_000;
/// Bytes of the graded text per atom (54 MB / 600 000), for the stage's memory roof; a test
/// holds it to the generated text.
pub const GRADE_BYTES_PER_ATOM: f64 = 90.0;

/// How close a centre must be to the exact one, relative to the size of the coordinates
/// (their mean absolute value on that axis): a sum taken in another order (chunk by chunk, on
/// several threads) rounds differently, by far less than this.
pub const RELATIVE_TOLERANCE: f64 = 1e-9;

/// The frozen baseline of task 5: the starting code's serial parser, as shipped. Keep it
/// identical to `exercises/09-threads/src/lib.rs`.
pub fn baseline_centre(pdb: &str) -> [f64; 3] {
    let mut sum = [0.0; 3];
    let mut atoms = 0usize;
    for line in pdb.lines() {
        if line.starts_with("ATOM") || line.starts_with("HETATM") {
            for (axis, total) in sum.iter_mut().enumerate() {
                let field = &line[30 + 8 * axis..38 + 8 * axis];
                *total += field.trim().parse::<f64>().expect("a coordinate in columns 31-54");
            }
            atoms += 1;
        }
    }
    sum.map(|total| total / atoms as f64)
}

/// What the reference knows of a file: the exact centre, the mean absolute coordinate on each
/// axis (the scale the tolerance is relative to) and the number of atoms.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Centre {
    pub centre: [f64; 3],
    pub scale: [f64; 3],
    pub atoms: usize,
}

/// The reference: every coordinate as a whole number of thousandths, summed exactly in
/// integers, divided once at the end. A file without atoms has no centre: NaN on every axis,
/// as NumPy's mean of an empty array.
pub fn reference_centre(pdb: &str) -> Centre {
    let (mut sum, mut abs, mut atoms) = ([0i128; 3], [0i128; 3], 0usize);
    for line in pdb.lines() {
        let bytes = line.as_bytes();
        if !(bytes.starts_with(b"ATOM") || bytes.starts_with(b"HETATM")) {
            continue;
        }
        for axis in 0..3 {
            let field = &line[30 + 8 * axis..38 + 8 * axis];
            let value = thousandths(field.as_bytes()).unwrap_or_else(|| {
                // Not `%8.3f`: read as a number and rounded (a hand-written test file).
                let v: f64 = field.trim().parse().unwrap_or(f64::NAN);
                (v * 1000.0).round() as i64
            });
            sum[axis] += i128::from(value);
            abs[axis] += i128::from(value.abs());
        }
        atoms += 1;
    }
    let per_atom = 1000.0 * atoms as f64;
    Centre { centre: sum.map(|s| s as f64 / per_atom), scale: abs.map(|s| s as f64 / per_atom), atoms }
}

/// A `%8.3f` field (spaces, an optional minus, digits, a point, three digits) as a whole number
/// of thousandths; `None` for anything else.
fn thousandths(field: &[u8]) -> Option<i64> {
    let text = field.trim_ascii_start();
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let point = digits.iter().position(|&b| b == b'.')?;
    let (whole, fraction) = (&digits[..point], &digits[point + 1..]);
    let all_digits = |d: &[u8]| d.iter().all(u8::is_ascii_digit);
    if whole.is_empty() || fraction.len() != 3 || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    let value = whole.iter().chain(fraction).fold(0i64, |v, &d| v * 10 + i64::from(d - b'0'));
    Some(if negative { -value } else { value })
}

/// Checks `got` against the exact centre of `pdb`; `Err` says on which axis, got against
/// expected, and by how much.
pub fn check_centre(pdb: &str, got: [f64; 3]) -> Result<(), String> {
    check_against(&reference_centre(pdb), got)
}

fn check_against(want: &Centre, got: [f64; 3]) -> Result<(), String> {
    let mut wrong = Vec::new();
    for (axis, name) in ["x", "y", "z"].into_iter().enumerate() {
        let (w, g) = (want.centre[axis], got[axis]);
        let allowed = RELATIVE_TOLERANCE * w.abs().max(want.scale[axis]);
        // NaN against NaN (no atoms) is right; NaN against a number, or a number against NaN, is not.
        let close = (w.is_nan() && g.is_nan()) || (g - w).abs() <= allowed;
        if !close {
            wrong.push(format!(
                "  {name}: expected {w:?}, got {g:?} (off by {:.3e}, allowed {allowed:.3e})",
                (g - w).abs()
            ));
        }
    }
    if wrong.is_empty() {
        return Ok(());
    }
    let atoms = match want.atoms {
        0 => "a file without atoms (its centre is NaN on every axis, as NumPy's mean of nothing)".to_string(),
        n => format!("{n} atoms"),
    };
    Err(format!(
        "the centre of {atoms} differs from the exact one (allowed: {RELATIVE_TOLERANCE:e} relative to the \
         coordinates' mean size on that axis):\n{}",
        wrong.join("\n")
    ))
}

// ---- The input: a PDB-style file ------------------------------------------------------------

/// One 80-column record and its newline.
const LINE: usize = 81;

/// Residues of the synthetic chains, and the atoms each contributes (name, element).
const RESIDUES: [&[u8; 3]; 8] = [b"ALA", b"GLY", b"SER", b"LEU", b"LYS", b"GLU", b"VAL", b"ASP"];
const BACKBONE: [(&[u8; 4], u8); 5] =
    [(b" N  ", b'N'), (b" CA ", b'C'), (b" C  ", b'C'), (b" O  ", b'O'), (b" CB ", b'C')];

/// A PDB-style text with exactly `atoms` atoms, drawn from `seed`: a `HEADER` and a few
/// `REMARK`s, protein chains of `ATOM` records each closed by `TER` (one atom in eight followed
/// by its `ANISOU` record, whose integers fill the same columns as coordinates), waters as
/// `HETATM`, and `END`. The atoms lie in a box around a seeded centre, so every file has
/// another answer. Written byte by byte, not with `format!`: the grader needs a fresh file of
/// 54 MB for every timed call, baseline's and candidate's alike.
pub fn pdb_text(seed: u64, atoms: usize) -> String {
    let mut next = worker::uniform(seed);
    let mut text = Vec::with_capacity((atoms + atoms / 8 + atoms / 1000 + 16) * LINE);
    let record = |text: &mut Vec<u8>, content: &[u8]| {
        let mut line = [b' '; LINE];
        line[..content.len().min(80)].copy_from_slice(&content[..content.len().min(80)]);
        line[80] = b'\n';
        text.extend_from_slice(&line);
    };
    record(&mut text, b"HEADER    SYNTHETIC PROTEIN FOR THE THREADS EXERCISE     01-JAN-26   9THR");
    record(&mut text, b"REMARK   2 RESOLUTION.    1.80 ANGSTROMS.");
    record(&mut text, format!("REMARK   3 GENERATED FROM SEED {seed:>20}").as_bytes());
    record(&mut text, b"REMARK 350 APPLY THE FOLLOWING TO CHAINS: A, B, C");
    record(&mut text, b"REMARK 350   BIOMT1   1  1.000000  0.000000  0.000000        0.00000");

    // The box: a centre anywhere within ±60 Å, half-widths of 10 to 40 Å.
    let centre: [f64; 3] = std::array::from_fn(|_| 120.0 * next() - 60.0);
    let half: [f64; 3] = std::array::from_fn(|_| 10.0 + 30.0 * next());
    let waters = atoms / 10;
    let protein = atoms - waters;
    let (mut serial, mut residue, mut chain, mut in_chain) = (1usize, 1usize, 0usize, 0usize);
    let mut chain_length = 1000 + (4000.0 * next()) as usize;
    let mut line = [b' '; LINE];
    line[80] = b'\n';
    for k in 0..atoms {
        let water = k >= protein;
        let (name, element) = if water { (b" O  ", b'O') } else { BACKBONE[k % BACKBONE.len()] };
        if !water && k % BACKBONE.len() == 0 && k > 0 {
            residue += 1;
        }
        line[..80].fill(b' ');
        line[..6].copy_from_slice(if water { b"HETATM" } else { b"ATOM  " });
        write_int(&mut line[6..11], serial % 100_000);
        line[12..16].copy_from_slice(name);
        line[17..20].copy_from_slice(if water { b"HOH" } else { RESIDUES[(residue - 1) % RESIDUES.len()] });
        line[21] = if water { b'W' } else { b'A' + (chain % 26) as u8 };
        write_int(&mut line[22..26], if water { k - protein + 1 } else { residue } % 10_000);
        for axis in 0..3 {
            let value = centre[axis] + half[axis] * (2.0 * next() - 1.0);
            write_decimal(&mut line[30 + 8 * axis..38 + 8 * axis], (value * 1000.0).round() as i64, 3);
        }
        line[54..60].copy_from_slice(b"  1.00"); // occupancy
        write_decimal(&mut line[60..66], 500 + (4_500.0 * next()) as i64, 2); // B-factor, %6.2f
        line[77] = element;
        text.extend_from_slice(&line);
        if !water && next() < 0.125 {
            // ANISOU: the same identification, then six integers of 7 columns from column 29.
            line[..6].copy_from_slice(b"ANISOU");
            line[27..70].fill(b' ');
            for u in 0..6 {
                write_int(&mut line[28 + 7 * u..35 + 7 * u], (9000.0 * next()) as usize);
            }
            text.extend_from_slice(&line);
        }
        serial += 1;
        in_chain += 1;
        if !water && (in_chain == chain_length || k + 1 == protein) {
            let mut ter = *b"TER                                                                             ";
            write_int(&mut ter[6..11], serial % 100_000);
            record(&mut text, &ter);
            (serial, chain, in_chain) = (serial + 1, chain + 1, 0);
            chain_length = 1000 + (4000.0 * next()) as usize;
        }
    }
    record(&mut text, b"END");
    String::from_utf8(text).expect("the generator writes ASCII")
}

/// `n` right-aligned in `field` (which must be wide enough).
fn write_int(field: &mut [u8], mut n: usize) {
    for slot in field.iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
}

/// `value / 10^decimals` as `%W.Df` would print it (W the field's width), right-aligned in
/// `field`, which must be wide enough.
fn write_decimal(field: &mut [u8], value: i64, decimals: usize) {
    let mut n = value.unsigned_abs();
    let mut k = field.len();
    for position in 0.. {
        k -= 1;
        if position == decimals {
            field[k] = b'.';
            continue;
        }
        field[k] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 && position > decimals {
            break;
        }
    }
    if value < 0 {
        field[k - 1] = b'-';
    }
}

// ---- Grading ----------------------------------------------------------------------------------

/// The exercise's functions, one per task (see [`threads_api!`](crate::threads_api)).
#[derive(Clone, Copy)]
pub struct Api {
    pub chunks_on_threads: checks::ChunksOnThreads,
    pub pool_map: checks::PoolMap,
    pub queue_map: checks::QueueMap,
    pub count_mutex: checks::Count,
    pub count_atomic: checks::Count,
    pub count_messages: checks::Count,
    pub centre: fn(&str) -> [f64; 3],
}

/// The [`Api`] of the crate `$k`.
#[macro_export]
macro_rules! threads_api {
    ($k:ident) => {
        $crate::threads::Api {
            chunks_on_threads: $k::chunks_on_threads,
            pool_map: $k::pool_map,
            queue_map: $k::queue_map,
            count_mutex: $k::count_mutex,
            count_atomic: $k::count_atomic,
            count_messages: $k::count_messages,
            centre: $k::centre,
        }
    };
}

/// `main` of the exercise's `tests/grade.rs`: serves `centre` to the judge as the timed stage,
/// and every function to the task checks the judge runs in the reference worker
/// (`harness::remote`). A work function arrives named ([`checks::Known`]), run here, or not,
/// and then every call of it is made in the reference worker ([`remote::back`]).
pub fn grade_main(api: Api) -> ExitCode {
    use checks::Known;
    use remote::{back, function};
    let count = |name, count: checks::Count| {
        function(name, move |(items, threads, known): (Vec<u64>, usize, Option<Known>)| match known {
            Some(test) => count(&items, threads, &|n| test.test(n)),
            None => count(&items, threads, &|n| back::<_, bool>(&n)),
        })
    };
    let functions = vec![
        function("chunks_on_threads", move |(values, parts, known): (Vec<f64>, usize, Option<Known>)| match known {
            Some(work) => (api.chunks_on_threads)(&values, parts, &|c| work.chunk(c)),
            None => (api.chunks_on_threads)(&values, parts, &|c| back::<_, f64>(&c)),
        }),
        function("pool_map", move |(items, known): (Vec<u64>, Option<Known>)| match known {
            Some(work) => (api.pool_map)(&items, &|n| work.item(n)),
            None => (api.pool_map)(&items, &|n| back::<_, u64>(&n)),
        }),
        function("queue_map", move |(items, workers, known): (Vec<u64>, usize, Option<Known>)| match known {
            Some(work) => (api.queue_map)(&items, workers, &|n| work.item(n)),
            None => (api.queue_map)(&items, workers, &|n| back::<_, u64>(&n)),
        }),
        count("count_mutex", api.count_mutex),
        count("count_atomic", api.count_atomic),
        count("count_messages", api.count_messages),
        function("centre", move |(text,): (String,)| (api.centre)(&text)),
    ];
    worker::serve_candidate_with(EXERCISE, vec![("centre", Box::new(runner(api.centre)))], functions)
}

/// The proxies the reference worker hands the task checks in place of the learner's functions:
/// each call goes to the candidate worker, and the work function comes back here for every
/// call the check did not name ([`remote::call_with`]).
mod proxy {
    use super::checks::known;
    use crate::remote::call_with;

    pub fn chunks_on_threads(values: &[f64], parts: usize, work: &(dyn Fn(&[f64]) -> f64 + Sync)) -> Vec<f64> {
        call_with("chunks_on_threads", &(values, parts, known()), &|chunk: Vec<f64>| work(&chunk))
    }

    pub fn pool_map(items: &[u64], work: &(dyn Fn(u64) -> u64 + Sync)) -> Vec<u64> {
        call_with("pool_map", &(items, known()), work)
    }

    pub fn queue_map(items: &[u64], workers: usize, work: &(dyn Fn(u64) -> u64 + Sync)) -> Vec<u64> {
        call_with("queue_map", &(items, workers, known()), work)
    }

    pub fn count_mutex(items: &[u64], threads: usize, test: &(dyn Fn(u64) -> bool + Sync)) -> usize {
        call_with("count_mutex", &(items, threads, known()), test)
    }

    pub fn count_atomic(items: &[u64], threads: usize, test: &(dyn Fn(u64) -> bool + Sync)) -> usize {
        call_with("count_atomic", &(items, threads, known()), test)
    }

    pub fn count_messages(items: &[u64], threads: usize, test: &(dyn Fn(u64) -> bool + Sync)) -> usize {
        call_with("count_messages", &(items, threads, known()), test)
    }
}

/// One file per item; one centre (three f64) per call.
fn runner(centre: fn(&str) -> [f64; 3]) -> impl StageRunner {
    move |input: &Batch<'_>, out: &mut BatchWriter| {
        for item in input.items() {
            debug_assert!(item.is_ascii(), "the judge sends the reference worker's text");
            // SAFETY: a worker's inputs are written by the judge (the runner), and this stage's
            // are files the reference worker generated with `pdb_text`, ASCII by construction.
            // `std::str::from_utf8` would read all 54 MB again inside every timed call: some 7 ms
            // added to both sides, a tenth of the parallel solution's time, watering its speedup
            // down for nothing.
            let text = unsafe { std::str::from_utf8_unchecked(item) };
            out.push_f64s(&centre(text));
        }
    }
}

/// The trusted side of grading: a fresh file of [`GRADE_ATOMS`] atoms for every call, the
/// starting code's serial parser as baseline, the exact sum as reference.
pub fn spec() -> ExerciseSpec {
    ExerciseSpec {
        exercise: EXERCISE,
        // Every task's check, run on proxies of the learner's functions.
        tasks: vec![
            worker::TaskSpec {
                name: "task_01_scoped_threads",
                check: || checks::task_01_scoped_threads(proxy::chunks_on_threads),
            },
            worker::TaskSpec { name: "task_02_pool", check: || checks::task_02_pool(proxy::pool_map) },
            worker::TaskSpec { name: "task_03_queue", check: || checks::task_03_queue(proxy::queue_map) },
            worker::TaskSpec {
                name: "task_04_shared_state",
                check: || checks::task_04_shared_state(proxy::count_mutex, proxy::count_atomic, proxy::count_messages),
            },
            worker::TaskSpec {
                name: "task_05_centre",
                check: || checks::task_05_centre(|text| remote::call("centre", &(text,))),
            },
        ],
        stages: vec![StageSpec {
            name: "centre",
            work: Work {
                unit: "atom".into(),
                per_call: GRADE_ATOMS as f64,
                // Reading the ~90 B of text per atom takes a few percent of the copy bandwidth:
                // what bounds parsing is its work per byte, which no measured peak describes.
                roof: Some(Roof::Unbounded {
                    why: format!(
                        "parsing text is bound by its work per character (finding fields, reading digits), \
                         not by moving the {GRADE_BYTES_PER_ATOM:.0} B per atom it reads, and no hardware peak \
                         measures that work"
                    ),
                }),
                // Three coordinates added per atom, whatever parses them.
                floor: Some(Floor::Ops {
                    ops: 3.0 * GRADE_ATOMS as f64,
                    what: format!("the {GRADE_ATOMS} atoms' coordinate sums (3 additions each)"),
                }),
            },
            input: |seed| pdb_text(seed, GRADE_ATOMS).into_bytes(),
            check: |input, got| {
                let text = std::str::from_utf8(input).map_err(|_| "the input is not text".to_string())?;
                let got = worker::values::<f64>(got);
                let got: [f64; 3] = got[..]
                    .try_into()
                    .map_err(|_| format!("{} values returned for one centre, expected 3", got.len()))?;
                check_centre(text, got)
            },
            baseline: || Box::new(runner(baseline_centre)),
        }],
    }
}

/// Criterion: the starting code's serial parser against `centre` on a graded-size file
/// (`cargo bench -p threads`).
#[cfg(feature = "bench")]
pub fn bench(c: &mut criterion::Criterion, name: &str, centre: fn(&str) -> [f64; 3]) {
    let text = pdb_text(1, GRADE_ATOMS);
    let mut group = c.benchmark_group("threads-centre");
    group.throughput(criterion::Throughput::Elements(GRADE_ATOMS as u64));
    group.sample_size(10);
    group.bench_function("serial (baseline)", |b| b.iter(|| baseline_centre(black_box(&text))));
    group.bench_function(name, |b| b.iter(|| centre(black_box(&text))));
    group.finish();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_roof_counts_the_bytes_the_graded_text_has() {
        let per_atom = pdb_text(7, 20_000).len() as f64 / 20_000.0;
        assert!((per_atom / GRADE_BYTES_PER_ATOM - 1.0).abs() < 0.05, "{per_atom} B per atom");
    }

    #[test]
    fn fields_are_written_and_read_as_percent_8_3f() {
        for (value, text) in [(12_345, "  12.345"), (-7, "  -0.007"), (0, "   0.000"), (-999_999, "-999.999")] {
            let mut field = [b' '; 8];
            write_decimal(&mut field, value, 3);
            assert_eq!(std::str::from_utf8(&field).unwrap(), text);
            assert_eq!(thousandths(&field), Some(value), "{text}");
            assert_eq!(format!("{:8.3}", value as f64 / 1000.0), text, "Rust's {{:8.3}} agrees");
        }
        assert_eq!(thousandths(b"   1.5  "), None);
        assert_eq!(thousandths(b"  12 345"), None);
    }

    #[test]
    fn a_generated_file_has_its_atoms_in_pdb_columns() {
        let text = pdb_text(7, 2000);
        assert!(text.lines().all(|l| l.len() == 80), "every record is 80 columns");
        let atoms: Vec<&str> = text.lines().filter(|l| l.starts_with("ATOM") || l.starts_with("HETATM")).collect();
        assert_eq!(atoms.len(), 2000);
        assert_eq!(&atoms[0][..30], "ATOM      1  N   ALA A   1    ");
        assert!(text.lines().any(|l| l.starts_with("ANISOU")) && text.lines().any(|l| l.starts_with("TER")));
        assert!(text.lines().any(|l| l.starts_with("HETATM") && &l[17..20] == "HOH"));
        assert_eq!(text.lines().last(), Some(&*format!("{:<80}", "END")));
        for line in &atoms {
            assert!(thousandths(&line.as_bytes()[30..54]).is_none(), "three fields, not one");
            for axis in 0..3 {
                assert!(thousandths(&line.as_bytes()[30 + 8 * axis..38 + 8 * axis]).is_some(), "{line}");
            }
            assert_eq!(&line[54..60], "  1.00", "the occupancy");
            assert!(line[60..66].trim().parse::<f64>().is_ok_and(|b| (5.0..=50.0).contains(&b)), "{line}");
        }
        assert_ne!(pdb_text(8, 10), pdb_text(7, 10), "the seed changes the file");
        assert_eq!(pdb_text(7, 10), pdb_text(7, 10), "and only the seed");
    }

    #[test]
    fn the_baseline_is_within_the_tolerance_of_the_exact_centre() {
        let text = pdb_text(3, 50_000);
        let want = reference_centre(&text);
        assert_eq!(want.atoms, 50_000);
        assert_eq!(check_against(&want, baseline_centre(&text)), Ok(()));
        let hand = "REMARK 1\nATOM      1  N   ALA A   1       1.000  -2.000   3.500\n\
                    HETATM    2  O   HOH W   1       2.000   4.000  -0.500\nEND\n";
        assert_eq!(reference_centre(hand).centre, [1.5, 1.0, 1.5]);
        assert_eq!(baseline_centre(hand), [1.5, 1.0, 1.5]);
        assert!(reference_centre("END\n").centre.iter().all(|c| c.is_nan()));
        assert_eq!(check_centre("END\n", baseline_centre("END\n")), Ok(()), "NaN for no atoms, on both sides");
    }

    #[test]
    fn a_wrong_centre_names_the_axis() {
        let text = pdb_text(5, 1000);
        let mut got = reference_centre(&text).centre;
        got[1] *= 1.0 + 1e-6;
        let err = check_centre(&text, got).unwrap_err();
        assert!(err.contains("1000 atoms") && err.contains("  y: expected") && !err.contains("  x:"), "{err}");
        let err = check_centre("END\n", [0.0; 3]).unwrap_err();
        assert!(err.contains("without atoms") && err.contains("x: expected NaN, got 0.0"), "{err}");
    }
}
