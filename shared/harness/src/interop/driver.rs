//! Tasks 4 and 5: the learner's library called from another language, by the course's C
//! program (`shared/c/call_rust.c`) and Python script (`shared/python/call_rust.py`). Both
//! *serve* requests (`--serve FILE`): the check here draws the inputs, fresh ones every run,
//! hands them over as text and judges every answer itself. So what decides is the library's
//! answers, seen through C's and Python's calling conventions, never a line the program
//! prints about itself.
//!
//! The requests, one a line (every `f64` as the 16 hex digits of its bits, so nothing is lost):
//! `heat ROWS COLS IN OUT V…` (`IN`/`OUT` 0 for a null pointer; `ROWS × COLS` values when `IN`
//! is 1), answered `CODE V…` (the output field when `OUT` is 1 and `CODE` is `HPC_OK`); and
//! `kernel ZR ZI CR CI LIM CUTOFF`, answered with the escape count.

use super::{HPC_ERR_NULL, HPC_ERR_SIZE, HPC_OK, reference_heat_step, reference_kernel};
use std::ffi::c_int;
use std::fmt::Write;

/// One request and, through [`Request::judge`], what its answer must be.
#[derive(Clone, Debug, PartialEq)]
enum Request {
    Heat { rows: usize, cols: usize, input: Option<Vec<f64>>, output: bool },
    Kernel { z: (f64, f64), c: (f64, f64), lim: f64, cutoff: c_int },
}

fn bits(value: f64) -> String {
    format!("{:016x}", value.to_bits())
}

fn from_bits(word: &str) -> Option<f64> {
    u64::from_str_radix(word, 16).ok().map(f64::from_bits)
}

impl Request {
    /// The request's line.
    fn line(&self) -> String {
        match self {
            Request::Heat { rows, cols, input, output } => {
                let mut line = format!("heat {rows} {cols} {} {}", u8::from(input.is_some()), u8::from(*output));
                for &v in input.iter().flatten() {
                    let _ = write!(line, " {}", bits(v));
                }
                line
            }
            Request::Kernel { z, c, lim, cutoff } => {
                format!("kernel {} {} {} {} {} {cutoff}", bits(z.0), bits(z.1), bits(c.0), bits(c.1), bits(*lim))
            }
        }
    }

    /// The call in C's words, for messages.
    fn call(&self) -> String {
        match self {
            Request::Heat { rows, cols, input, output } => format!(
                "hpc_rust_heat_step({}, {}, {rows}, {cols})",
                if input.is_some() { "u" } else { "NULL" },
                if *output { "out" } else { "NULL" }
            ),
            Request::Kernel { z, c, lim, cutoff } => {
                format!("hpc_rust_kernel({}, {}, {}, {}, {lim}, {cutoff})", z.0, z.1, c.0, c.1)
            }
        }
    }

    /// `Ok` when `answer` is right.
    fn judge(&self, answer: &str) -> Result<(), String> {
        let mut words = answer.split_whitespace();
        let code: Option<c_int> = words.next().and_then(|w| w.parse().ok());
        let Some(code) = code else { return Err(format!("answered '{answer}', not a number")) };
        match self {
            Request::Heat { rows, cols, input, output } => {
                let want_code = match (input, output) {
                    (None, _) | (_, false) => HPC_ERR_NULL,
                    _ if rows * cols == 0 => HPC_ERR_SIZE,
                    _ => HPC_OK,
                };
                if code != want_code {
                    return Err(format!("returned {code}, expected {want_code}"));
                }
                let (Some(u), true, HPC_OK) = (input, output, code) else { return Ok(()) };
                let got: Vec<f64> = words.map(|w| from_bits(w).unwrap_or(f64::NAN)).collect();
                let want = reference_heat_step(u, *rows, *cols);
                let shape = [*rows, *cols];
                let got_shape = if got.len() == rows * cols { shape.to_vec() } else { vec![got.len()] };
                crate::diff::compare(&want, &got, &shape, &got_shape, crate::heat::TOLERANCE)
                    .map_err(|m| format!("the output field differs from the reference step:\n{m}"))
            }
            Request::Kernel { z, c, lim, cutoff } => {
                let want = u32::try_from(*cutoff).map_or(0, |n| reference_kernel(z.0, z.1, c.0, c.1, *lim, n));
                if i64::from(code) == i64::from(want) {
                    Ok(())
                } else {
                    Err(format!("returned {code}, expected {want}"))
                }
            }
        }
    }
}

/// The requests of one check, drawn from `seed`: the lesson's hot centre, random fields, the
/// sizes and pointers that must be refused, and the kernel at random points.
fn requests(seed: u64) -> Vec<Request> {
    let mut next = crate::worker::uniform(seed);
    let mut draw = |low: f64, high: f64| low + (high - low) * next();
    let mut all = vec![Request::Heat {
        rows: 3,
        cols: 3,
        input: Some(vec![0.0, 0.0, 0.0, 0.0, 100.0, 0.0, 0.0, 0.0, 0.0]),
        output: true,
    }];
    for _ in 0..12 {
        let (rows, cols) = (draw(1.0, 12.0) as usize, draw(1.0, 12.0) as usize);
        let input = (0..rows * cols).map(|_| draw(-100.0, 100.0)).collect();
        all.push(Request::Heat { rows, cols, input: Some(input), output: true });
    }
    let u = Some(vec![1.0; 9]);
    all.push(Request::Heat { rows: 3, cols: 3, input: None, output: true });
    all.push(Request::Heat { rows: 3, cols: 3, input: u.clone(), output: false });
    all.push(Request::Heat { rows: 0, cols: 3, input: Some(Vec::new()), output: true });
    let (cr, ci) = (draw(-1.0, 1.0), draw(-1.0, 1.0));
    for _ in 0..200 {
        let z = (draw(-2.0, 2.0), draw(-2.0, 2.0));
        all.push(Request::Kernel { z, c: (cr, ci), lim: 2.0, cutoff: draw(1.0, 300.0) as c_int });
    }
    all.push(Request::Kernel { z: (0.0, 0.0), c: (0.0, 0.0), lim: 2.0, cutoff: -5 });
    all
}

/// The check of tasks 4 and 5: `run` gives `program` (named in messages) the requests, as
/// the text of a file, and returns what it printed; it panics itself when the program cannot
/// be built or run. Panics with the first wrong answer.
pub fn check(program: &str, run: &dyn Fn(&str) -> String) {
    let requests = requests(crate::worker::unknown_seed());
    let text: String = requests.iter().map(|r| r.line() + "\n").collect();
    let printed = run(&text);
    let answers: Vec<&str> = printed.lines().collect();
    for (k, request) in requests.iter().enumerate() {
        let Some(answer) = answers.get(k) else {
            panic!(
                "{program} answered {} of {} requests: nothing for {}",
                answers.len(),
                requests.len(),
                request.call()
            );
        };
        if let Err(why) = request.judge(answer) {
            panic!("{program}, calling your library: {} {why}", request.call());
        }
    }
    if answers.len() > requests.len() {
        panic!("{program} printed {} lines for {} requests", answers.len(), requests.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference's own answer to `request`, as a program would print it.
    fn answer(request: &Request) -> String {
        match request {
            Request::Heat { rows, cols, input: Some(u), output: true } if rows * cols > 0 => {
                let mut line = HPC_OK.to_string();
                for v in reference_heat_step(u, *rows, *cols) {
                    line += &format!(" {}", bits(v));
                }
                line
            }
            Request::Heat { input: Some(_), output: true, .. } => HPC_ERR_SIZE.to_string(),
            Request::Heat { .. } => HPC_ERR_NULL.to_string(),
            Request::Kernel { z, c, lim, cutoff } => {
                u32::try_from(*cutoff).map_or(0, |n| reference_kernel(z.0, z.1, c.0, c.1, *lim, n)).to_string()
            }
        }
    }

    #[test]
    fn right_answers_pass_and_each_kind_of_wrong_one_is_named() {
        let requests = requests(7);
        let right: Vec<String> = requests.iter().map(answer).collect();
        for (r, a) in requests.iter().zip(&right) {
            assert_eq!(r.judge(a), Ok(()), "{}", r.call());
        }
        let field = requests[1].judge("0 3ff0000000000000").unwrap_err();
        assert!(field.contains("the output field differs"), "{field}");
        assert!(requests[13].judge("0").unwrap_err().contains("returned 0, expected -1"), "a null input");
        assert!(requests[15].judge("0").unwrap_err().contains("expected -2"), "zero rows");
        assert!(requests[16].judge("x").unwrap_err().contains("not a number"));
    }

    #[test]
    fn the_check_reads_the_answers_in_order_and_counts_them() {
        let serve = |text: &str| -> String {
            let lines: Vec<String> = text.lines().map(|_| "0".to_string()).collect();
            lines.join("\n")
        };
        let message = crate::property::panic_message(|| check("call_rust.c", &serve));
        assert!(
            message.starts_with("call_rust.c, calling your library: hpc_rust_heat_step(u, out, 3, 3)"),
            "{message}"
        );
        let message = crate::property::panic_message(|| check("call_rust.py", &|_| String::new()));
        assert!(message.contains("answered 0 of 217 requests"), "{message}");
    }

    #[test]
    fn a_request_line_holds_every_bit() {
        let line = Request::Kernel { z: (0.1, -0.0), c: (f64::MIN_POSITIVE, 1.0), lim: 2.0, cutoff: 9 }.line();
        let words: Vec<&str> = line.split(' ').collect();
        assert_eq!(from_bits(words[1]), Some(0.1));
        assert_eq!(from_bits(words[2]).map(f64::to_bits), Some((-0.0f64).to_bits()));
        assert_eq!(from_bits(words[3]), Some(f64::MIN_POSITIVE));
    }
}
