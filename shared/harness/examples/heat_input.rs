//! Writes a bottle-shaped heat field of any size in the course's text format.
//!
//! ```text
//! cargo run -p harness --example heat_input -- 1000 1000 > big.dat
//! cargo run --release -p profiling-heat -- big.dat
//! ```

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dims: Option<Vec<usize>> = args.iter().map(|a| a.parse().ok().filter(|&n| n >= 1)).collect();
    let Some([rows, cols]) = dims.as_deref().and_then(|d| <[usize; 2]>::try_from(d).ok()) else {
        eprintln!("usage: heat_input ROWS COLS > field.dat   (two whole numbers ≥ 1)");
        return ExitCode::from(2);
    };
    let text = harness::heat::bottle(rows, cols).to_text();
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
