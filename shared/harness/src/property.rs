//! Property tests for the course's checks: proptest with the course's settings, and one
//! difference that matters to learners.
//!
//! A function that panics (a `todo!()`, an index out of range) would make proptest catch the
//! panic, shrink, and print it hundreds of times. [`check`] first runs one case outside the
//! runner, so such a panic surfaces once, as itself; only then does proptest search for, and
//! shrink, a failing input.

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::fmt::Debug;

/// Random cases per property: enough to find the usual mistakes, quick in a debug build.
pub const CASES: u32 = 64;

/// Runs `test` on values from `strategy`; panics with proptest's minimal failing case and the
/// test's message.
pub fn check<T: Debug>(strategy: impl Strategy<Value = T>, test: impl Fn(T) -> Result<(), String>) {
    // Shrinking a failing field to a small one takes more than proptest's default 4·cases steps.
    let config = Config { cases: CASES, failure_persistence: None, max_shrink_iters: 4096, ..Config::default() };
    let mut runner = TestRunner::new(config);
    if let Ok(tree) = strategy.new_tree(&mut runner) {
        let _ = test(tree.current()); // a panic here propagates, once
    }
    if let Err(e) = runner.run(&strategy, |v| test(v).map_err(TestCaseError::fail)) {
        panic!("{e}");
    }
}

/// The message a panic carried (`panic!("…")` gives a `String` or a `&str`; anything else, none).
pub fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

/// Runs `f`, the learner's call described by `call`; a panic other than a `todo!()` is raised
/// again with the call named (a `todo!()` is left as it is: the runner reads it as "to do"; so
/// is a proxy's call that got no answer, which the judge tells in its own words). The course's
/// task checks wrap every learner call in it.
pub fn called<T>(call: &str, f: impl FnOnce() -> T) -> T {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(value) => value,
        Err(payload) => {
            let message = panic_text(&*payload);
            if message.starts_with("not yet implemented") || payload.is::<crate::remote::Unanswered>() {
                std::panic::resume_unwind(payload)
            }
            panic!("{call} panicked: {message}")
        }
    }
}

/// `f(n)`, or the panic it raised as "`name`(`n`) panicked: message": which call, with what.
pub fn call_caught<T>(name: &str, f: fn(u32) -> T, n: u32) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(n)))
        .map_err(|e| format!("{name}({n}) panicked: {}", panic_text(&*e)))
}

/// The message of the panic `f` raises: the checks' own tests assert on what a learner would read.
#[cfg(test)]
pub(crate) fn panic_message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    panic_text(&*std::panic::catch_unwind(f).expect_err("the check should fail"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_surfaces_as_itself() {
        let err =
            std::panic::catch_unwind(|| check(0..10u32, |_| -> Result<(), String> { todo!("later") })).unwrap_err();
        assert_eq!(panic_text(&*err), "not yet implemented: later");
    }

    #[test]
    fn a_false_property_is_shrunk_to_its_smallest_case() {
        let err = std::panic::catch_unwind(|| {
            check(0..1000u32, |n| if n < 10 { Ok(()) } else { Err(format!("{n} too big")) })
        })
        .unwrap_err();
        let text = err.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(text.contains("10 too big"), "{text}");
    }
}
