//! ATTACK global allocator (xtask/tests/attacks): the untouched starting code, plus a
//! `#[global_allocator]` that makes every large allocation slow, except while the learner's own
//! functions run. The baseline allocates a row per row per step: when it shared this process it
//! became many times slower than the identical code here. It runs in its own process now: "slow".

use harness::heat::{Grid, HeatSolver, Params, ParseError, ParseErrorKind, parse_header};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub type Field = Vec<Vec<f64>>;

pub struct Heat;

/// How many of the learner's calls are running.
static MINE: AtomicUsize = AtomicUsize::new(0);

struct Mine;

impl Mine {
    fn enter() -> Mine {
        MINE.fetch_add(1, Ordering::SeqCst);
        Mine
    }
}

impl Drop for Mine {
    fn drop(&mut self) {
        MINE.fetch_sub(1, Ordering::SeqCst);
    }
}

struct Sluggish;

unsafe impl GlobalAlloc for Sluggish {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.size() >= 4096 && MINE.load(Ordering::Relaxed) == 0 {
            let start = Instant::now();
            while start.elapsed() < Duration::from_micros(300) {
                std::hint::spin_loop();
            }
        }
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static SLUGGISH: Sluggish = Sluggish;

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
