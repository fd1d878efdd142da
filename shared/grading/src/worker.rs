//! The things of `harness::worker`'s wire protocol the runner needs (the rest, serving
//! requests, lives in the harness with the code it serves): the answer channel, the spec, and
//! the hex that bytes travel as.

use crate::protocol::Work;
use serde::{Deserialize, Serialize};

/// The file descriptor a worker answers on; its stdout and stderr are the learner code's.
pub const ANSWER_FD: i32 = 3;

/// What `spec` answers: the stages and their work, as the judge needs them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpecAnswer {
    pub exercise: String,
    pub stages: Vec<(String, Work)>,
    /// The `todo!()` tasks the reference worker checks itself (the course tests' names).
    #[serde(default)]
    pub tasks: Vec<String>,
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(2 * bytes.len());
    for &b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

/// The bytes of hex text, or why not.
pub fn unhex(text: &str) -> Result<Vec<u8>, String> {
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8).ok_or(format!("'{}' is not a hex digit", c as char));
    if !text.len().is_multiple_of(2) {
        return Err("hex of odd length".into());
    }
    text.as_bytes().chunks(2).map(|p| Ok(digit(p[0])? << 4 | digit(p[1])?)).collect()
}
