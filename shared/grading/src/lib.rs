//! What the runner (`cargo xtask`) and the harness both need, with only `std` and `serde`: the
//! grading protocol's settings, statistics and report types ([`protocol`]), the machine facts a
//! report carries ([`machine`]), the machine's limits a stage is held against ([`roofline`]), the timers the first lesson teaches ([`timeit`]) and the two
//! wire types of the worker protocol ([`worker`]). The harness re-exports the first three under
//! their old paths (`harness::protocol`, …).

pub mod machine;
pub mod protocol;
pub mod roofline;
pub mod timeit;
pub mod worker;
