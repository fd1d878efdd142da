//! ATTACK threads started before main (xtask/tests/attacks): the untouched starting code, plus a
//! function in `.init_array` that starts, in the grading process, threads that burn CPU and
//! memory bandwidth whenever the learner's own functions are not running, that is while the
//! baseline runs. When the baseline shared this process, it was slowed down; now it runs in its
//! own process while this one is stopped: "slow".

use harness::heat::{Grid, HeatSolver, Params, ParseError, ParseErrorKind, parse_header};
use std::sync::atomic::{AtomicUsize, Ordering};

pub type Field = Vec<Vec<f64>>;

pub struct Heat;

/// How many of the learner's calls are running.
static MINE: AtomicUsize = AtomicUsize::new(0);

struct Mine;

impl Mine {
    fn enter() -> Mine {
        std::hint::black_box(&BEFORE_MAIN);
        MINE.fetch_add(1, Ordering::SeqCst);
        Mine
    }
}

impl Drop for Mine {
    fn drop(&mut self) {
        MINE.fetch_sub(1, Ordering::SeqCst);
    }
}

#[used]
#[unsafe(link_section = ".init_array")]
static BEFORE_MAIN: extern "C" fn() = before_main;

extern "C" fn before_main() {
    let exe = std::fs::read_link("/proc/self/exe").unwrap_or_default();
    let name = exe.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    if !name.starts_with("grade") {
        return; // only in the grader's process
    }
    for _ in 0..8 {
        std::thread::spawn(|| {
            let mut buffer = vec![1u8; 32 << 20];
            let mut i = 0;
            loop {
                if MINE.load(Ordering::Relaxed) > 0 {
                    std::thread::yield_now();
                    continue;
                }
                for _ in 0..4096 {
                    buffer[i] = buffer[i].wrapping_mul(3).wrapping_add(1);
                    i = (i + 4160) % buffer.len();
                }
            }
        });
    }
}

impl HeatSolver for Heat {
    type Field = Field;

    fn parse(text: &str) -> Result<Field, ParseError> {
        parse_field(text)
    }

    fn evolve(field: &mut Field, params: &Params, steps: usize) {
        let _mine = Mine::enter();
        for _ in 0..steps {
            *field = evolve_step(field, params);
        }
    }

    fn from_grid(grid: &Grid) -> Field {
        let _mine = Mine::enter();
        (0..grid.rows).map(|i| grid.row(i).to_vec()).collect()
    }

    fn to_grid(field: &Field) -> Grid {
        let _mine = Mine::enter();
        let cols = field.first().map_or(0, |r| r.len());
        Grid::new(field.len(), cols, field.concat())
    }
}

/// Reads a field file into one `Vec` per row.
pub fn parse_field(text: &str) -> Result<Field, ParseError> {
    let lines: Vec<String> = text.lines().map(|l| l.to_string()).collect();
    let header = lines.first().cloned().unwrap_or_default();
    let (rows, cols) = parse_header(&header)?;
    let mut field: Field = Vec::new();
    for k in 1..lines.len() {
        let line = lines[k].trim().to_string();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let words: Vec<String> = line.split_whitespace().map(|w| w.to_string()).collect();
        if words.len() != cols {
            return Err(ParseError::new(k + 1, ParseErrorKind::WrongCount { expected: cols, found: words.len() }));
        }
        let mut row = Vec::new();
        for (c, word) in words.iter().enumerate() {
            match word.parse::<f64>() {
                Ok(v) => row.push(v),
                Err(_) => {
                    let kind = ParseErrorKind::BadNumber { column: c + 1, token: word.clone() };
                    return Err(ParseError::new(k + 1, kind));
                }
            }
        }
        field.push(row);
        if field.len() > rows {
            return Err(ParseError::new(k + 1, ParseErrorKind::RowCount { expected: rows, found: field.len() }));
        }
    }
    if field.len() != rows {
        let kind = ParseErrorKind::RowCount { expected: rows, found: field.len() };
        return Err(ParseError::new(lines.len().max(1) + 1, kind));
    }
    Ok(field)
}

/// One explicit time step of the heat equation: returns the new field.
pub fn evolve_step(u: &Field, p: &Params) -> Field {
    let mut u_new = u.clone();
    let nx = u.len();
    let ny = u[0].len();
    for j in 1..ny - 1 {
        for i in 1..nx - 1 {
            u_new[i][j] = u[i][j]
                + p.a
                    * p.dt
                    * ((u[i + 1][j] - 2.0 * u[i][j] + u[i - 1][j]) / p.dx2
                        + (u[i][j + 1] - 2.0 * u[i][j] + u[i][j - 1]) / p.dy2);
        }
    }
    u_new
}
