//! The two things of `harness::worker`'s wire protocol the runner needs (the rest, serving
//! requests, lives in the harness with the code it serves).

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
