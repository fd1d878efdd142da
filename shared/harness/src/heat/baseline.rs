//! The frozen baseline: exercise 01's starting code exactly as shipped. Speedups are measured
//! against this copy, which learners do not edit, and it is also the reference for correctness
//! (it is slow, but plainly right: the Python course's `evolve`, transcribed).
//!
//! Keep it identical to `exercises/01-profiling-heat/src/lib.rs`.

use super::{HeatSolver, Params, ParseError, ParseErrorKind, parse_header};

pub type Field = Vec<Vec<f64>>;

pub struct Baseline;

impl HeatSolver for Baseline {
    type Field = Field;

    fn parse(text: &str) -> Result<Field, ParseError> {
        parse_field(text)
    }

    fn evolve(field: &mut Field, params: &Params, steps: usize) {
        for _ in 0..steps {
            *field = evolve_step(field, params);
        }
    }

    fn from_grid(grid: &super::Grid) -> Field {
        (0..grid.rows).map(|i| grid.row(i).to_vec()).collect()
    }

    fn to_grid(field: &Field) -> super::Grid {
        let cols = field.first().map_or(0, |r| r.len());
        super::Grid::new(field.len(), cols, field.concat())
    }
}

/// Reads a field file into one `Vec` per row.
pub fn parse_field(text: &str) -> Result<Field, ParseError> {
    let lines: Vec<String> = text.lines().map(|l| l.to_string()).collect();
    let header = lines.first().cloned().unwrap_or_default();
    let (rows, cols) = parse_header(&header)?;
    let mut field: Field = Vec::new();
    #[allow(clippy::needless_range_loop)] // the starting code, written as first drafts are
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
