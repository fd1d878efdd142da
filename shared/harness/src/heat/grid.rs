//! The heat field's exchange type and its text format.
//!
//! ```text
//! # 3 4          header: rows, columns
//! 15 15 15 15    then `rows` lines of `cols` numbers; blank lines and lines starting with
//! 15 85 85 15    '#' after the header are skipped, as numpy.loadtxt does
//! 15 15 15 15
//! ```

use std::fmt::Write as _;
use std::path::Path;

/// A row-major `rows × cols` field of f64: the type the grader, the reference and the
/// program's input/output speak. Exercises may store the field however they like inside.
#[derive(Clone, PartialEq)]
pub struct Grid {
    pub rows: usize,
    pub cols: usize,
    /// `rows * cols` values, row after row.
    pub data: Vec<f64>,
}

impl Grid {
    /// # Panics
    /// If `data.len() != rows * cols`: that is a bug in the caller, not bad input.
    pub fn new(rows: usize, cols: usize, data: Vec<f64>) -> Self {
        assert_eq!(data.len(), rows * cols, "a {rows}×{cols} grid needs {} values", rows * cols);
        Grid { rows, cols, data }
    }

    pub fn filled(rows: usize, cols: usize, value: f64) -> Self {
        Grid::new(rows, cols, vec![value; rows * cols])
    }

    pub fn at(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.cols + j]
    }

    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    pub fn shape(&self) -> [usize; 2] {
        [self.rows, self.cols]
    }

    /// The file format above; values written so that parsing them gives the same bits back.
    pub fn to_text(&self) -> String {
        let mut out = format!("# {} {}\n", self.rows, self.cols);
        for i in 0..self.rows {
            for (j, v) in self.row(i).iter().enumerate() {
                let sep = if j == 0 { "" } else { " " };
                let _ = write!(out, "{sep}{v:?}");
            }
            out.push('\n');
        }
        out
    }

    /// Smallest and largest finite value (for colour scales).
    pub fn range(&self) -> (f64, f64) {
        self.data
            .iter()
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)))
    }
}

/// One row per line, so a failing test's minimal input reads as a picture of the field.
impl std::fmt::Debug for Grid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "Grid {}×{} [", self.rows, self.cols)?;
        for i in 0..self.rows {
            writeln!(f, "    {:?},", self.row(i))?;
        }
        write!(f, "]")
    }
}

/// A malformed field file: the 1-based line and what was wrong there.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("line {line}: {kind}")]
pub struct ParseError {
    pub line: usize,
    pub kind: ParseErrorKind,
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ParseErrorKind {
    #[error("expected a header '# rows cols' with two whole numbers ≥ 1, found '{0}'")]
    BadHeader(String),
    #[error("expected {expected} numbers, found {found}")]
    WrongCount { expected: usize, found: usize },
    #[error("number {column}: cannot read '{token}' as a number")]
    BadNumber { column: usize, token: String },
    #[error("expected {expected} rows, found {found}")]
    RowCount { expected: usize, found: usize },
}

impl ParseError {
    pub fn new(line: usize, kind: ParseErrorKind) -> Self {
        ParseError { line, kind }
    }

    /// `file:line: message`, the form compilers use, so editors can jump to it.
    pub fn in_file(&self, path: &Path) -> String {
        format!("{}:{}: {}", path.display(), self.line, self.kind)
    }
}

/// Reads the header line `# rows cols`.
pub fn parse_header(line: &str) -> Result<(usize, usize), ParseError> {
    let bad = || ParseError::new(1, ParseErrorKind::BadHeader(line.trim().to_string()));
    let rest = line.trim().strip_prefix('#').ok_or_else(bad)?;
    let mut words = rest.split_whitespace();
    let mut dim = || words.next().and_then(|w| w.parse::<usize>().ok()).filter(|&n| n >= 1);
    let (rows, cols) = (dim().ok_or_else(bad)?, dim().ok_or_else(bad)?);
    match words.next() {
        None => Ok((rows, cols)),
        Some(_) => Err(bad()),
    }
}

/// The reference parser: one pass, no allocation per number.
pub fn parse_grid(text: &str) -> Result<Grid, ParseError> {
    let mut lines = text.lines().enumerate().map(|(k, l)| (k + 1, l));
    let (rows, cols) = parse_header(lines.next().map_or("", |(_, l)| l))?;
    let mut data = Vec::with_capacity(rows * cols);
    let mut found_rows = 0;
    let mut last_line = 1;
    for (line_no, line) in lines {
        last_line = line_no;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let start = data.len();
        for (column, token) in line.split_ascii_whitespace().enumerate() {
            let value = token.parse::<f64>().map_err(|_| {
                ParseError::new(line_no, ParseErrorKind::BadNumber { column: column + 1, token: token.to_string() })
            })?;
            data.push(value);
        }
        let found = data.len() - start;
        if found != cols {
            return Err(ParseError::new(line_no, ParseErrorKind::WrongCount { expected: cols, found }));
        }
        found_rows += 1;
        if found_rows > rows {
            return Err(ParseError::new(line_no, ParseErrorKind::RowCount { expected: rows, found: found_rows }));
        }
    }
    if found_rows != rows {
        let line = last_line + 1;
        return Err(ParseError::new(line, ParseErrorKind::RowCount { expected: rows, found: found_rows }));
    }
    Ok(Grid::new(rows, cols, data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_it_writes() {
        let g = Grid::new(2, 3, vec![1.0, -2.5, 3.25e-7, f64::MAX, 0.1, 1e300]);
        assert_eq!(parse_grid(&g.to_text()), Ok(g));
    }

    #[test]
    fn debug_prints_a_row_per_line() {
        assert_eq!(
            format!("{:?}", Grid::new(2, 2, vec![1.0, 2.0, 3.0, 4.5])),
            "Grid 2×2 [\n    [1.0, 2.0],\n    [3.0, 4.5],\n]"
        );
    }

    #[test]
    fn skips_blank_and_comment_lines() {
        let g = parse_grid("# 2 2\n\n1 2\n# a comment\n  3\t4  \n\n").unwrap();
        assert_eq!(g.data, vec![1.0, 2.0, 3.0, 4.0]);
    }

    fn error(text: &str) -> String {
        parse_grid(text).unwrap_err().in_file(Path::new("field.dat"))
    }

    #[test]
    fn malformed_files_name_the_line_and_the_problem() {
        assert_eq!(error("# 2 3\n1 2 3\n4 5\n"), "field.dat:3: expected 3 numbers, found 2");
        assert_eq!(error("# 2 3\n1 2 3\n4 5 6 7\n"), "field.dat:3: expected 3 numbers, found 4");
        assert_eq!(error("# 2 3\n1 2 3\n4 x 6\n"), "field.dat:3: number 2: cannot read 'x' as a number");
        assert_eq!(error("# 2 3\n1 2 3\n"), "field.dat:3: expected 2 rows, found 1");
        assert_eq!(error("# 1 2\n1 2\n3 4\n"), "field.dat:3: expected 1 rows, found 2");
        assert_eq!(
            error("1 2 3\n"),
            "field.dat:1: expected a header '# rows cols' with two whole numbers ≥ 1, found '1 2 3'"
        );
        assert!(error("").starts_with("field.dat:1: expected a header"));
        assert!(error("# 0 3\n").starts_with("field.dat:1: expected a header"));
        assert!(error("# 2 3 4\n").starts_with("field.dat:1: expected a header"));
    }
}
