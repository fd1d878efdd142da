//! Exercise 03: static typing. Read README.md first.
//!
//! Three small functions written the way Python runs them: every value is a box
//! (`harness::dynamic::Object`) whose type is checked at each operation. Rewrite each with
//! static Rust types. The tests call them with plain literals, `add(2, 3)`, `subtract(10.2, 8.5)`,
//! `series(1000)`, so the types are yours to choose; choose well (see the lesson's table).

use harness::dynamic::Object;

/// `def add(a, b): return a + b`, for ints and floats alike.
pub fn add(a: impl Into<Object>, b: impl Into<Object>) -> Object {
    a.into().add(&b.into()).expect("numbers add")
}

/// `def subtract(a, b): return a - b`
pub fn subtract(a: impl Into<Object>, b: impl Into<Object>) -> Object {
    a.into().sub(&b.into()).expect("numbers subtract")
}

/// `sum(1 / k**2 for k in range(1, n + 1))`, term by term in that order (timed).
pub fn series(n: impl Into<Object>) -> Object {
    let n = n.into();
    let one = Object::int(1);
    let mut total = Object::float(0.0);
    let mut k = Object::int(1);
    while !n.lt(&k).expect("numbers compare") {
        let term = Object::float(1.0 / k.mul(&k).and_then(|k2| k2.as_float()).expect("a number"));
        total = total.add(&term).expect("floats add");
        k = k.add(&one).expect("ints add");
    }
    total
}
