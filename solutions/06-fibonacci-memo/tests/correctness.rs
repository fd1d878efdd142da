//! One test per task, shared with the solution (in the harness): `cargo xtask check fibonacci-memo`.
harness::fibonacci_tests!(fibonacci_memo_solution::Fib, fibonacci_memo_solution::memoize);
