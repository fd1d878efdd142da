//! Course checks of learner functions, run where the learner cannot reach them.
//!
//! A `todo!()` task is a course check (`arrays::checks::task_03_checkerboard`, …) that calls the
//! learner's functions and panics with a message when a result is wrong. Run inside a test
//! binary, it runs beside learner code, which can print `test … ok` for every task and exit.
//! So for the verdict the judge runs each check in the **reference worker** (course code only),
//! handing it *proxies* ([`call`]) in place of the learner's functions: each call is sent, as
//! bytes, through the judge to the **candidate worker**, where a [`Function`] decodes the
//! arguments, calls the learner's function and encodes its result. The inputs are the check's
//! own, random ones included (drawn in the reference worker, unknown to the candidate until
//! asked), and every result is judged by course code.
//!
//! Arguments and results travel as [postcard](https://docs.rs/postcard) bytes (every `f64`
//! exact, NaN included), written in hex on the workers' line protocols (`harness::worker`):
//! a check makes a few thousand small calls, so simplicity wins over speed here.

use serde::{Deserialize, Serialize, de::DeserializeOwned};
use std::cell::RefCell;
use std::io::{BufRead, Write};

/// One learner function as the candidate worker serves it: bytes of its arguments in, bytes of
/// its result out (`Err` for arguments that do not decode).
pub type Function<'a> = (&'static str, Box<dyn Fn(&[u8]) -> Result<Vec<u8>, String> + 'a>);

/// Serves `f` under `name`: its arguments, a tuple, decoded from the wire and its result encoded.
pub fn function<'a, A: DeserializeOwned, R: Serialize>(name: &'static str, f: impl Fn(A) -> R + 'a) -> Function<'a> {
    let serve = move |bytes: &[u8]| -> Result<Vec<u8>, String> {
        let args: A = postcard::from_bytes(bytes).map_err(|e| format!("arguments of {name}: {e}"))?;
        postcard::to_stdvec(&f(args)).map_err(|e| format!("result of {name}: {e}"))
    };
    (name, Box::new(serve))
}

/// The reference worker's request and answer channels, held here for its whole life so that
/// a proxy can use them while a task runs (the request loop reads through [`read_line`] too).
struct Channel {
    requests: Box<dyn BufRead>,
    answers: Box<dyn Write>,
}

thread_local! {
    static CHANNEL: RefCell<Option<Channel>> = const { RefCell::new(None) };
}

/// Makes `requests` and `answers` the channels of this thread's proxies and request loop.
pub fn install(requests: Box<dyn BufRead>, answers: Box<dyn Write>) {
    CHANNEL.with(|c| *c.borrow_mut() = Some(Channel { requests, answers }));
}

/// The next request line, without its newline; `None` at the end or without a channel.
pub fn read_line() -> Option<String> {
    CHANNEL.with(|c| {
        let mut c = c.borrow_mut();
        let mut line = String::new();
        match c.as_mut()?.requests.read_line(&mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(line.trim_end_matches(['\n', '\r']).to_string()),
        }
    })
}

/// Writes one answer line; false when it cannot be written.
pub fn write_line(line: &str) -> bool {
    CHANNEL.with(|c| {
        let mut c = c.borrow_mut();
        let Some(channel) = c.as_mut() else { return false };
        writeln!(channel.answers, "{line}").and_then(|()| channel.answers.flush()).is_ok()
    })
}

/// A proxy's call of the learner function `name` on `args` (a tuple): sends `call NAME HEX` on
/// the answer channel and reads the candidate's answer, relayed by the judge: `result HEX`, or
/// `panic HEX` (the panic is raised again here with the learner's message, so a `todo!()`
/// stays a `todo!()`), or `failed TEXT` when the candidate could not answer (it crashed, hung,
/// or broke the protocol).
pub fn call<A: Serialize, R: DeserializeOwned>(name: &str, args: &A) -> R {
    let bytes = postcard::to_stdvec(args).expect("the arguments encode");
    let answer = if write_line(&format!("call {name} {}", hex(&bytes))) { read_line() } else { None };
    let answer = answer.unwrap_or_default();
    match answer.split_once(' ') {
        Some(("result", h)) => match unhex(h).and_then(|b| postcard::from_bytes(&b).map_err(|e| e.to_string())) {
            Ok(result) => result,
            Err(e) => std::panic::panic_any(Unanswered(format!("{name} returned something that does not decode: {e}"))),
        },
        Some(("panic", h)) => {
            let message = unhex(h).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
            std::panic::panic_any(message)
        }
        Some(("failed", why)) => std::panic::panic_any(Unanswered(why.to_string())),
        _ => std::panic::panic_any(Unanswered(format!("the judge answered '{answer}'"))),
    }
}

thread_local! {
    /// The first panic a C-ABI proxy could not raise (see [`call_c`]).
    static PENDING: RefCell<Option<Box<dyn std::any::Any + Send>>> = const { RefCell::new(None) };
}

/// [`call`] for a proxy with a C signature (`extern "C" fn`), which must not unwind: a panic
/// (the learner's, or a call without an answer) is kept, `sentinel` returned, and the task
/// ends with the kept panic as its verdict ([`take_pending`]).
pub fn call_c<A: Serialize, R: DeserializeOwned>(name: &str, args: &A, sentinel: R) -> R {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| call(name, args))) {
        Ok(result) => result,
        Err(payload) => {
            PENDING.with(|p| {
                p.borrow_mut().get_or_insert(payload);
            });
            sentinel
        }
    }
}

/// The panic a C-ABI proxy kept during the task, if any (and forgets it).
pub fn take_pending() -> Option<Box<dyn std::any::Any + Send>> {
    PENDING.with(|p| p.borrow_mut().take())
}

/// The panic of a proxy whose call got no result: the candidate worker crashed, hung or broke
/// the protocol. The task ends with the judge's account of it, not as a wrong answer.
#[derive(Debug)]
pub struct Unanswered(pub String);

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

/// A view as it lies in memory (shape, strides in elements, and the values at every offset it
/// reaches), so the candidate gets a view laid out as the check's was (a transposed or stepped
/// view stays one). Only non-negative strides: the course's checks use no others.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Strided<T> {
    pub shape: Vec<usize>,
    pub strides: Vec<usize>,
    pub data: Vec<T>,
}

impl<T: Clone + Default> Strided<T> {
    pub fn of<D: ndarray::Dimension>(view: ndarray::ArrayView<'_, T, D>) -> Self {
        let strides: Vec<usize> = view
            .strides()
            .iter()
            .map(|&s| usize::try_from(s).expect("the course's checks pass views with non-negative strides"))
            .collect();
        let shape = view.shape().to_vec();
        let len = if shape.contains(&0) {
            0
        } else {
            1 + shape.iter().zip(&strides).map(|(&n, &s)| (n - 1) * s).sum::<usize>()
        };
        let mut data = vec![T::default(); len];
        for (index, value) in view.into_dyn().indexed_iter() {
            use ndarray::Dimension;
            let offset: usize = index.slice().iter().zip(&strides).map(|(i, s)| i * s).sum();
            data[offset] = value.clone();
        }
        Strided { shape, strides, data }
    }

    /// The view again, over `data` (`None` when shape, strides and data do not fit).
    pub fn view<D: ndarray::Dimension>(&self) -> Option<ndarray::ArrayView<'_, T, D>> {
        use ndarray::ShapeBuilder;
        let shape = D::from_dimension(&ndarray::IxDyn(&self.shape))?;
        let strides = D::from_dimension(&ndarray::IxDyn(&self.strides))?;
        ndarray::ArrayView::from_shape(shape.strides(strides), &self.data).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, ArrayView2, Ix2, array, s};

    #[test]
    fn hex_round_trips_and_refuses_garbage() {
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(unhex(&hex(&bytes)).unwrap(), bytes);
        assert!(unhex("abc").is_err() && unhex("zz").is_err());
    }

    #[test]
    fn a_strided_view_keeps_its_layout() {
        let m = Array2::from_shape_fn((3, 4), |(i, j)| (10 * i + j) as f64);
        for view in [m.view(), m.t(), m.slice(s![.., ..;2]), m.slice(s![1.., 1..3])] {
            let wire: Strided<f64> = postcard::from_bytes(&postcard::to_stdvec(&Strided::of(view)).unwrap()).unwrap();
            let back: ArrayView2<f64> = wire.view::<Ix2>().unwrap();
            assert_eq!(back, view);
            assert_eq!(back.strides(), view.strides(), "the same layout, not only the same values");
        }
        let empty = Array2::<f64>::zeros((0, 3));
        assert_eq!(Strided::of(empty.view()).view::<Ix2>().unwrap().shape(), [0, 3]);
        assert_eq!(Strided::of(array![1.0, 2.0].view()).view::<Ix2>(), None, "the wrong dimension");
    }

    #[test]
    fn a_c_proxy_keeps_its_panic_and_returns_the_sentinel() {
        // No channel on this thread: the call gets no answer, which must not unwind.
        let got: i32 = call_c("hpc_rust_kernel", &(1.0, 2.0), i32::MIN);
        assert_eq!(got, i32::MIN);
        let kept = take_pending().expect("the unanswered call is kept");
        let Unanswered(why) = kept.downcast_ref::<Unanswered>().expect("an unanswered call");
        assert!(why.contains("the judge answered"), "{why}");
        assert!(take_pending().is_none(), "taken once");
    }

    #[test]
    fn a_served_function_decodes_its_arguments_and_encodes_its_result() {
        let (name, f) = function("scale", |(v, k): (Vec<f64>, f64)| v.iter().map(|x| x * k).collect::<Vec<f64>>());
        assert_eq!(name, "scale");
        let out = f(&postcard::to_stdvec(&(vec![1.0, f64::NAN], 2.0)).unwrap()).unwrap();
        let got: Vec<f64> = postcard::from_bytes(&out).unwrap();
        assert!(got[0] == 2.0 && got[1].is_nan(), "NaN travels: {got:?}");
        assert!(f(&[0xff]).unwrap_err().contains("arguments of scale"));
    }
}
