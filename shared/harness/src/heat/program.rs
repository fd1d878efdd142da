//! The heat program every exercise-01 binary runs: read a field file, evolve it, write PNG
//! snapshots and the final field, and print where the time went (scope timers).
//!
//! ```text
//! usage: profiling-heat [INPUT] [--steps N] [--image-interval N] [--out DIR]
//! ```

use super::{HeatSolver, Params, SHIPPED_INPUT, image};
use crate::scope_timer::{ScopeTimer, print_summary_at_exit};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The program's settings. The Python course took 200 steps; Rust is about a hundred times
/// faster, so the default is 1000 to leave something worth measuring.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub input: PathBuf,
    pub steps: usize,
    /// A snapshot every this many steps (plus the first and the last).
    pub image_interval: usize,
    pub out_dir: PathBuf,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { input: SHIPPED_INPUT.into(), steps: 1000, image_interval: 500, out_dir: "heat-output".into() }
    }
}

const USAGE: &str = "usage: {name} [INPUT] [--steps N] [--image-interval N] [--out DIR]\n\
    \n  INPUT               field file ('# rows cols' header, then rows of numbers); default: the shipped bottle\
    \n  --steps N           time steps to take (default 1000)\
    \n  --image-interval N  write a PNG snapshot every N steps (default 500)\
    \n  --out DIR           where snapshots and final.dat go (default ./heat-output)";

impl Settings {
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Result<Settings, String> {
        let mut s = Settings::default();
        let mut input = None;
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let mut number = |flag: &str| -> Result<usize, String> {
                let v = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
                v.parse().map_err(|_| format!("{flag}: '{v}' is not a whole number"))
            };
            match arg.as_str() {
                "--steps" => s.steps = number("--steps")?,
                "--image-interval" => s.image_interval = number("--image-interval")?.max(1),
                "--out" => s.out_dir = args.next().ok_or("--out needs a directory")?.into(),
                "-h" | "--help" => return Err(String::new()),
                flag if flag.starts_with('-') => return Err(format!("unknown option '{flag}'")),
                path if input.is_none() => input = Some(PathBuf::from(path)),
                extra => return Err(format!("unexpected argument '{extra}'")),
            }
        }
        if let Some(path) = input {
            s.input = path;
        }
        Ok(s)
    }
}

/// `main` of an exercise's program: `fn main() -> ExitCode { program::main::<Heat>("name") }`.
pub fn main<H: HeatSolver>(name: &str) -> ExitCode {
    let settings = match Settings::from_args(std::env::args().skip(1)) {
        Ok(s) => s,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("error: {e}\n");
            }
            eprintln!("{}", USAGE.replace("{name}", name));
            return ExitCode::from(2);
        }
    };
    let _summary = print_summary_at_exit();
    match run::<H>(&settings) {
        Ok(written) => {
            println!("wrote {} files to {}", written.len(), settings.out_dir.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the simulation; returns the files written.
pub fn run<H: HeatSolver>(s: &Settings) -> Result<Vec<PathBuf>, String> {
    let text = {
        let _t = ScopeTimer::new("read file");
        std::fs::read_to_string(&s.input).map_err(|e| format!("{}: {e}", s.input.display()))?
    };
    let mut field = {
        let _t = ScopeTimer::new("parse");
        H::parse(&text).map_err(|e| e.in_file(&s.input))?
    };
    std::fs::create_dir_all(&s.out_dir).map_err(|e| format!("{}: {e}", s.out_dir.display()))?;
    let params = Params::course();
    let range = H::to_grid(&field).range();
    let mut written = vec![snapshot::<H>(&field, range, &s.out_dir, 0)?];
    let mut done = 0;
    while done < s.steps {
        let n = s.image_interval.min(s.steps - done);
        {
            let _t = ScopeTimer::new("evolve");
            H::evolve(&mut field, &params, n);
        }
        done += n;
        written.push(snapshot::<H>(&field, range, &s.out_dir, done)?);
    }
    let _t = ScopeTimer::new("write field");
    let path = s.out_dir.join("final.dat");
    std::fs::write(&path, H::to_grid(&field).to_text()).map_err(|e| format!("{}: {e}", path.display()))?;
    written.push(path);
    Ok(written)
}

fn snapshot<H: HeatSolver>(field: &H::Field, range: (f64, f64), dir: &Path, step: usize) -> Result<PathBuf, String> {
    let _t = ScopeTimer::new("write png");
    let path = dir.join(format!("heat_{step:04}.png"));
    image::write_png(&H::to_grid(field), range, &path)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::super::{Baseline, bottle, parse_grid};
    use super::*;

    fn settings(s: &str) -> Result<Settings, String> {
        Settings::from_args(s.split_whitespace().map(String::from))
    }

    #[test]
    fn arguments_override_the_course_defaults() {
        assert_eq!(settings("").unwrap(), Settings::default());
        let s = settings("in.dat --steps 10 --image-interval 5 --out o").unwrap();
        assert_eq!(
            (s.input.to_str(), s.steps, s.image_interval, s.out_dir.to_str()),
            (Some("in.dat"), 10, 5, Some("o"))
        );
    }

    #[test]
    fn bad_arguments_are_explained() {
        assert_eq!(settings("--steps many").unwrap_err(), "--steps: 'many' is not a whole number");
        assert_eq!(settings("--steps").unwrap_err(), "--steps needs a value");
        assert_eq!(settings("--fast").unwrap_err(), "unknown option '--fast'");
        assert_eq!(settings("a b").unwrap_err(), "unexpected argument 'b'");
    }

    #[test]
    fn runs_end_to_end_and_reports_bad_files_by_line() {
        let dir = std::env::temp_dir().join(format!("harness-heat-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let input = dir.join("in.dat");
        std::fs::write(&input, bottle(12, 10).to_text()).unwrap();
        let s = Settings { input: input.clone(), steps: 7, image_interval: 3, out_dir: dir.join("out") };
        let written = run::<Baseline>(&s).unwrap();
        let names: Vec<_> = written.iter().map(|p| p.file_name().unwrap().to_str().unwrap().to_string()).collect();
        assert_eq!(names, ["heat_0000.png", "heat_0003.png", "heat_0006.png", "heat_0007.png", "final.dat"]);
        let last = parse_grid(&std::fs::read_to_string(dir.join("out/final.dat")).unwrap()).unwrap();
        let mut expected = Baseline::from_grid(&bottle(12, 10));
        Baseline::evolve(&mut expected, &Params::course(), 7);
        assert_eq!(last, Baseline::to_grid(&expected));

        std::fs::write(&input, "# 2 2\n1 2\n3\n").unwrap();
        let err = run::<Baseline>(&s).unwrap_err();
        assert_eq!(err, format!("{}:3: expected 2 numbers, found 1", input.display()));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
