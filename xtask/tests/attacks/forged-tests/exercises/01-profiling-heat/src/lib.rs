//! ATTACK forged test output (xtask/tests/attacks): `evolve` does nothing, which the correctness
//! tests would catch, so before `main` of the correctness test binary a function in
//! `.init_array` prints libtest's lines for every course test, "ok", and exits 0 before any test
//! runs. The runner used to trust a test binary that exits 0. The graded call is checked by the
//! judge against the reference whatever the tests said: "wrong".

use harness::heat::{Grid, HeatSolver, Params, ParseError, ParseErrorKind, parse_header};

pub type Field = Vec<Vec<f64>>;

pub struct Heat;

#[used]
#[unsafe(link_section = ".init_array")]
static BEFORE_MAIN: extern "C" fn() = before_main;

extern "C" fn before_main() {
    let exe = std::fs::read_link("/proc/self/exe").unwrap_or_default();
    let name = exe.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    if !name.starts_with("correctness") {
        return;
    }
    let tests = [
        "grid_conversion_round_trips",
        "malformed_files_are_reported_by_line",
        "parser_reads_written_fields",
        "random_fields_evolve_like_the_reference",
        "shipped_input_evolves_like_the_reference",
    ];
    if std::env::args().any(|a| a == "--list") {
        for test in tests {
            println!("{test}: test");
        }
        println!("\n{} tests, 0 benchmarks", tests.len());
    } else {
        println!("\nrunning {} tests", tests.len());
        for test in tests {
            println!("test {test} ... ok");
        }
        println!(
            "\ntest result: ok. {} passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s\n",
            tests.len()
        );
    }
    std::process::exit(0);
}

impl HeatSolver for Heat {
    type Field = Field;

    fn parse(text: &str) -> Result<Field, ParseError> {
        parse_field(text)
    }

    fn evolve(_field: &mut Field, _params: &Params, _steps: usize) {
        std::hint::black_box(&BEFORE_MAIN); // nothing else: "infinitely fast"
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
