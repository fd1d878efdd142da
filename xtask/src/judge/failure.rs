//! Why grading stopped before a verdict: what happened, to whom, in words a learner can act on.

use crate::child::Ending;
use std::time::Duration;

/// Why grading stopped before a verdict, in terms a learner can act on.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The output of a checked call differs from the reference.
    Wrong { message: String, while_timing: bool },
    /// The worker ended (panic, abort, signal) while it was asked something.
    Crashed { ending: Ending, while_timing: bool, output: String },
    /// A request got no answer in time; `ranks` for an MPI job (whose ranks may be waiting for
    /// each other).
    TimedOut { after: Duration, output: String, ranks: Option<u32> },
    /// The worker answered something that is not the protocol.
    Protocol { message: String, output: String },
    /// The reference worker (sealed course code, which prepares and checks every sample) crashed
    /// or timed out: never "your code". A candidate so fast that a sample holds a huge number
    /// of calls, each prepared and checked there, is what makes this happen.
    Reference(Box<Failure>),
    /// The course's solution, timed beside the candidate, failed: a fault of the course (or of
    /// the machine), never of the learner's code.
    Solution(Box<Failure>),
}

impl Failure {
    /// The grader's words, then what the worker printed last (see [`Self::summary`] and
    /// [`Self::output`]).
    pub fn describe(&self) -> String {
        match self.output() {
            "" => self.summary(),
            output => format!("{}\n{output}", self.summary()),
        }
    }

    /// What happened, in the grader's own words only (a `Wrong` message is the reference
    /// worker's, course code): nothing learner code printed.
    pub fn summary(&self) -> String {
        match self {
            Failure::Wrong { message, while_timing: false } => message.clone(),
            Failure::Wrong { message, while_timing: true } => {
                format!("Your results changed while being timed (every timed call's output is checked):\n{message}")
            }
            Failure::Crashed { ending, while_timing, .. } => format!(
                "Your code crashed {}: it {}.",
                if *while_timing { "while being timed" } else { "on the graded input" },
                ending.describe()
            ),
            Failure::TimedOut { after, ranks: None, .. } => format!(
                "Your code did not answer within {:.0} s on the graded input and was stopped: an endless loop?",
                after.as_secs_f64()
            ),
            Failure::TimedOut { after, ranks: Some(ranks), .. } => format!(
                "Your code did not answer within {:.0} s on the graded input and its {ranks} ranks were stopped: they \
                 were still waiting. A deadlock (a blocking send that no rank receives, a receive nobody sends to, a \
                 collective call not every rank makes), or an endless loop?",
                after.as_secs_f64()
            ),
            Failure::Protocol { message, .. } => format!(
                "The grading worker stopped following the grader's protocol ({message}). Output printed to the \
                 grader's channel, or a changed `tests/grade.rs`, can cause this."
            ),
            Failure::Solution(inner) => format!(
                "The course's own solution, timed beside your code to measure what this machine gives, failed: \
                 this is not your code's fault (please report it to the course's maintainers).\n{}",
                inner.summary().replace("Your code", "It").replace("Your results", "Its results")
            ),
            Failure::Reference(inner) => {
                let what = match &**inner {
                    Failure::TimedOut { after, .. } => format!("did not finish within {:.0} s", after.as_secs_f64()),
                    Failure::Crashed { ending: Ending::Signalled(24), .. } => {
                        "used up the CPU time it is allowed".to_string()
                    }
                    Failure::Crashed { ending, .. } => ending.describe(),
                    other => return other.summary(),
                };
                format!(
                    "The grader's reference worker (the course's own code, which prepares and checks every timed \
                     call) {what} and was stopped. This is not an endless loop or a crash in your code: it happens \
                     when each of your calls is so fast that a timed sample holds a huge number of calls, every \
                     one of which the grader must prepare and check. Does your code keep results from one call \
                     to the next?"
                )
            }
        }
    }

    /// The end of what the failing worker printed (escape sequences shown inert, bounded by
    /// the worker's kept tail): empty when there is none.
    pub fn output(&self) -> &str {
        match self {
            Failure::Wrong { .. } => "",
            Failure::Crashed { output, .. } | Failure::TimedOut { output, .. } | Failure::Protocol { output, .. } => {
                output
            }
            Failure::Reference(inner) | Failure::Solution(inner) => inner.output(),
        }
    }
}
