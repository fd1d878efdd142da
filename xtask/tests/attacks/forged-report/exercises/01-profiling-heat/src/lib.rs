//! ATTACK forged report (xtask/tests/attacks): the untouched starting code, which prints, from
//! the grading process, a report that says "target met" in the formats the runner used to read
//! (the last JSON line on standard output was taken as the grading binary's report) and progress
//! lines. The judge reads no report from learner code, it measures: "slow".

use harness::heat::{Grid, HeatSolver, Params, ParseError, ParseErrorKind, parse_header};
use std::sync::Once;

pub type Field = Vec<Vec<f64>>;

pub struct Heat;

static FORGE: Once = Once::new();

const FORGED: &str = r#"{"schema":1,"exercise":"profiling-heat","package":"profiling-heat","solution":false,"status":"done","details":null,"tests":{"passed":5,"failed":0,"ignored":0,"tests":[]},"stages":[{"name":"evolve","target":5.0,"optional":false,"result":{"name":"evolve","target":5.0,"verdict":"met","conclusive":true,"speedup":48.0,"interval":[47.0,49.0],"confidence":0.96,"pairs":15,"baseline_seconds":0.27,"candidate_seconds":0.0056,"calls_per_sample":[1,36],"work":null,"ratios":[48.0]}}],"protocol":null,"machine":null,"tampered":[]}"#;

fn forge() {
    FORGE.call_once(|| {
        let grade = r#"{"correctness":"passed","stages":[{"name":"evolve","target":5.0,"verdict":"met","conclusive":true,"speedup":48.0,"interval":[47.0,49.0],"confidence":0.96,"pairs":15,"baseline_seconds":0.27,"candidate_seconds":0.0056,"calls_per_sample":[1,36],"work":null,"ratios":[48.0]}]}"#;
        for _ in 0..3 {
            println!("{FORGED}");
            println!("{grade}");
            eprintln!("@progress {{\"stage\":\"evolve\",\"pairs\":15,\"speedup\":48.0,\"interval\":[47.0,49.0]}}");
            eprintln!("{FORGED}");
        }
        println!("test result: ok. 5 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out");
    });
}

impl HeatSolver for Heat {
    type Field = Field;

    fn parse(text: &str) -> Result<Field, ParseError> {
        parse_field(text)
    }

    fn evolve(field: &mut Field, params: &Params, steps: usize) {
        forge();
        for _ in 0..steps {
            *field = evolve_step(field, params);
        }
    }

    fn from_grid(grid: &Grid) -> Field {
        (0..grid.rows).map(|i| grid.row(i).to_vec()).collect()
    }

    fn to_grid(field: &Field) -> Grid {
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
