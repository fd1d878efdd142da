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
//!
//! Some learner functions take a function of the check's (exercise 09's work functions, which
//! the check watches: on which threads, how many at once). Their proxies ([`call_with`]) hand
//! the candidate a stand-in that calls back ([`back`]): each call of it, on whatever learner
//! thread, goes back through the judge as `back ID THREAD HEX` and waits for `answer ID …`,
//! while the check's own function runs in the reference worker, on a thread of its own for
//! each learner thread. So the check sees the learner's threads, and how many of them work at
//! once, in a process the learner's code never runs in.

use grading::worker::Request;
pub use grading::worker::{hex, unhex};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use std::cell::RefCell;
use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, OnceLock, PoisonError, mpsc};

/// One learner function as the candidate worker serves it: bytes of its arguments in, bytes of
/// its result out (`Err` for arguments that do not decode).
pub type Function<'a> = (&'static str, Box<dyn Fn(&[u8]) -> Result<Vec<u8>, String> + 'a>);

/// `value` as the bytes it travels as.
pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    postcard::to_stdvec(value).expect("the value encodes")
}

/// The value of `bytes`, or why not.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    postcard::from_bytes(bytes).map_err(|e| e.to_string())
}

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
    requests: Box<dyn BufRead + Send>,
    answers: Box<dyn Write + Send>,
}

thread_local! {
    static CHANNEL: RefCell<Option<Channel>> = const { RefCell::new(None) };
}

/// Makes `requests` and `answers` the channels of this thread's proxies and request loop.
pub fn install(requests: Box<dyn BufRead + Send>, answers: Box<dyn Write + Send>) {
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
    let answer = if write_line(&Request::Call { name: name.to_string(), args: hex(&bytes) }.to_string()) {
        read_line()
    } else {
        None
    };
    decode_answer(name, &answer.unwrap_or_default())
}

/// The result of `name` in the candidate's `answer` (see [`call`]), or the panic it stands for.
fn decode_answer<R: DeserializeOwned>(name: &str, answer: &str) -> R {
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

/// A course program the judge runs on the learner's code (exercise 07's C program linked with
/// the learner's library, say) with `input` as its requests: what it printed. Sends
/// `call program:NAME HEX` (the input's bytes); the judge answers `result HEX` (the output's
/// bytes) or `panic HEX` (why the program could not be built or run, or what went wrong in it).
pub fn program(name: &str, input: &str) -> String {
    let answer = if write_line(&format!("call program:{name} {}", hex(input.as_bytes()))) { read_line() } else { None };
    let answer = answer.unwrap_or_default();
    match answer.split_once(' ') {
        Some(("result", h)) => match unhex(h) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => std::panic::panic_any(Unanswered(format!("the output of {name} does not decode: {e}"))),
        },
        Some(("panic", h)) => {
            std::panic::panic_any(unhex(h).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default())
        }
        Some(("failed", why)) => std::panic::panic_any(Unanswered(why.to_string())),
        _ => std::panic::panic_any(Unanswered(format!("the judge answered '{answer}'"))),
    }
}

/// Learner threads a call may call back from: more is not a way to use threads but to flood
/// the reference worker with them.
pub const MOST_CALLING_THREADS: usize = 256;

/// What the reader of a call with call-backs hands on.
enum Routed {
    /// A call back: its id and its arguments (hex).
    Back(u64, String),
    /// The call's last line: the candidate's answer, or the judge's account of why none came.
    Done(String),
}

/// [`call`] of a learner function that takes a function of the check's, `work`: the candidate
/// gets a stand-in ([`back`]) whose calls come back here, each run by `work` on a thread of
/// this process standing for the learner thread it came from (the calling thread itself for
/// calls made on the thread that serves the call). `C` is what the stand-in passes, `D` what
/// it returns.
pub fn call_with<A, R, C, D>(name: &str, args: &A, work: &(dyn Fn(C) -> D + Sync)) -> R
where
    A: Serialize,
    R: DeserializeOwned,
    C: DeserializeOwned,
    D: Serialize,
{
    let Some(Channel { requests, answers }) = CHANNEL.with(|c| c.borrow_mut().take()) else {
        return call(name, args); // no channel: answered as any call without one
    };
    let answers = Mutex::new(answers);
    let write = |line: &str| {
        let mut answers = answers.lock().unwrap_or_else(PoisonError::into_inner);
        writeln!(answers, "{line}").and_then(|()| answers.flush()).is_ok()
    };
    // One call back, answered `answer ID result HEX` or `answer ID panic HEX`.
    let run = |id: u64, args: &str| {
        let args = unhex(args).and_then(|b| postcard::from_bytes::<C>(&b).map_err(|e| e.to_string()));
        let outcome = args.map(|args| std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(args))));
        let answer = match outcome {
            Ok(Ok(value)) => format!("result {}", hex(&postcard::to_stdvec(&value).expect("the result encodes"))),
            Ok(Err(payload)) => format!("panic {}", hex(crate::property::panic_text(&*payload).as_bytes())),
            Err(why) => format!("panic {}", hex(format!("the call back's arguments do not decode: {why}").as_bytes())),
        };
        write(&format!("answer {id} {answer}"));
    };
    let bytes = postcard::to_stdvec(args).expect("the arguments encode");
    let (requests, last) = if write(&Request::Call { name: name.to_string(), args: hex(&bytes) }.to_string()) {
        std::thread::scope(|scope| {
            let (mine, jobs) = mpsc::channel::<Routed>();
            let reader = scope.spawn(move || {
                let mut requests = requests;
                let mut threads: HashMap<i64, mpsc::Sender<Routed>> = HashMap::new();
                let last = loop {
                    let mut line = String::new();
                    if !matches!(requests.read_line(&mut line), Ok(n) if n > 0) {
                        break String::new();
                    }
                    let line = line.trim_end_matches(['\n', '\r']);
                    let Some(back) = line.strip_prefix("back ") else { break line.to_string() };
                    let mut words = back.split(' ');
                    let parsed = (words.next().and_then(|w| w.parse::<u64>().ok()))
                        .zip(words.next().and_then(|w| w.parse::<i64>().ok()))
                        .zip(words.next());
                    let Some(((id, thread), args)) = parsed else {
                        break format!("failed your grading worker sent '{}'", shorten(line));
                    };
                    let job = Routed::Back(id, args.to_string());
                    if thread == 0 {
                        let _ = mine.send(job);
                        continue;
                    }
                    if !threads.contains_key(&thread) {
                        if threads.len() == MOST_CALLING_THREADS {
                            break format!(
                                "failed {name} called the work function from more than {MOST_CALLING_THREADS} threads"
                            );
                        }
                        let (tx, rx) = mpsc::channel::<Routed>();
                        scope.spawn(move || {
                            for job in rx {
                                if let Routed::Back(id, args) = job {
                                    run(id, &args);
                                }
                            }
                        });
                        threads.insert(thread, tx);
                    }
                    let _ = threads[&thread].send(job);
                };
                let _ = mine.send(Routed::Done(last));
                requests
            });
            let mut last = String::new();
            for job in jobs {
                match job {
                    Routed::Back(id, args) => run(id, &args),
                    Routed::Done(line) => {
                        last = line;
                        break;
                    }
                }
            }
            (reader.join().expect("the reader of call backs does not panic"), last)
        })
    } else {
        (requests, String::new())
    };
    let answers = answers.into_inner().unwrap_or_else(PoisonError::into_inner);
    install(requests, answers);
    decode_answer(name, &last)
}

/// The first 120 characters of `line`.
fn shorten(line: &str) -> String {
    let mut out: String = line.chars().take(120).collect();
    if out.len() < line.len() {
        out.push('…');
    }
    out
}

// ---- The candidate's side of a call back ---------------------------------------------------------

/// The candidate worker's answer channel, shared by its request loop and the threads that
/// call back; the thread serving requests (its calls back are numbered 0); the next call
/// back's id; and the answers read for threads still waiting.
static CANDIDATE_ANSWERS: OnceLock<Mutex<Box<dyn Write + Send>>> = OnceLock::new();
static SERVING_THREAD: AtomicI32 = AtomicI32::new(0);
static NEXT_BACK: AtomicU64 = AtomicU64::new(1);
static ARRIVED: Mutex<Arrived> = Mutex::new(Arrived { reading: false, ended: false, answers: Vec::new() });
static ARRIVAL: Condvar = Condvar::new();

/// Answers to calls back that came in for threads that have not taken them yet. One waiting
/// thread at a time reads the requests (`reading`); `ended` once they ended.
struct Arrived {
    reading: bool,
    ended: bool,
    answers: Vec<(u64, String)>,
}

/// Makes `answers` the candidate's answer channel and the calling thread the one that serves
/// requests; false if that was done before.
pub(crate) fn install_candidate(answers: Box<dyn Write + Send>) -> bool {
    SERVING_THREAD.store(gettid(), Ordering::SeqCst);
    CANDIDATE_ANSWERS.set(Mutex::new(answers)).is_ok()
}

/// Writes one line on the candidate's answer channel (whole, whichever thread writes).
pub(crate) fn send_candidate(line: &str) -> bool {
    let Some(answers) = CANDIDATE_ANSWERS.get() else { return false };
    let mut answers = answers.lock().unwrap_or_else(PoisonError::into_inner);
    writeln!(answers, "{line}").and_then(|()| answers.flush()).is_ok()
}

/// The next request of the candidate's request loop, without its newline; `None` at the end.
/// Read line by line from stdin, unbuffered here, so a thread calling back can read its answer
/// from the same stream while the loop is busy in a call.
pub(crate) fn read_request() -> Option<String> {
    let mut line = String::new();
    match std::io::stdin().read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line.trim_end_matches(['\n', '\r']).to_string()),
    }
}

fn gettid() -> i32 {
    // SAFETY: gettid has no preconditions.
    unsafe { libc::gettid() }
}

/// The stand-in a served function hands the learner's code for a function of the check's: a
/// call of the check's function, made in the reference worker (see [`call_with`]). Sends
/// `back ID THREAD HEX` and waits for its answer; raises the check's panic again here.
pub fn back<A: Serialize, R: DeserializeOwned>(args: &A) -> R {
    let id = NEXT_BACK.fetch_add(1, Ordering::SeqCst);
    let thread = match gettid() {
        t if t == SERVING_THREAD.load(Ordering::SeqCst) => 0,
        t => t,
    };
    let bytes = postcard::to_stdvec(args).expect("the arguments encode");
    if !send_candidate(&format!("back {id} {thread} {}", hex(&bytes))) {
        panic!("the judge's channel is closed");
    }
    let answer = wait_for(id);
    match answer.split_once(' ') {
        Some(("result", h)) => match unhex(h).and_then(|b| postcard::from_bytes(&b).map_err(|e| e.to_string())) {
            Ok(result) => result,
            Err(e) => panic!("the judge's answer to a call back does not decode: {e}"),
        },
        Some(("panic", h)) => {
            panic!("{}", unhex(h).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default())
        }
        _ => panic!("the judge answered a call back with '{}'", shorten(&answer)),
    }
}

/// The answer to call back `id` (`result HEX` or `panic HEX`): whichever waiting thread is not
/// reading waits for the one that is to hand it over.
fn wait_for(id: u64) -> String {
    let lock = || ARRIVED.lock().unwrap_or_else(PoisonError::into_inner);
    let mut arrived = lock();
    loop {
        if let Some(k) = arrived.answers.iter().position(|(i, _)| *i == id) {
            return arrived.answers.swap_remove(k).1;
        }
        if arrived.ended {
            panic!("the judge's channel ended before the answer to a call back");
        }
        if arrived.reading {
            arrived = ARRIVAL.wait(arrived).unwrap_or_else(PoisonError::into_inner);
            continue;
        }
        arrived.reading = true;
        drop(arrived);
        let line = read_request();
        arrived = lock();
        arrived.reading = false;
        match line.as_deref().and_then(|l| l.strip_prefix("answer ")).and_then(|l| l.split_once(' ')) {
            Some((got, answer)) => match got.parse::<u64>() {
                Ok(got) => arrived.answers.push((got, answer.to_string())),
                Err(_) => arrived.ended = true,
            },
            None => arrived.ended = true,
        }
        ARRIVAL.notify_all();
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
    fn calls_back_run_here_on_a_thread_per_learner_thread() {
        let (requests_in, mut requests_out) = std::io::pipe().unwrap();
        let (answers_in, answers_out) = std::io::pipe().unwrap();
        // The judge and the candidate, played on two pipes: three calls back from two learner
        // threads (7 and the serving thread, 0), then the result: the answers' values summed.
        let player = std::thread::spawn(move || {
            let mut answers = std::io::BufReader::new(answers_in).lines();
            let call = answers.next().unwrap().unwrap();
            for (id, thread, n) in [(1u64, 7, 10u64), (2, 0, 20), (3, 7, 30)] {
                writeln!(requests_out, "back {id} {thread} {}", hex(&postcard::to_stdvec(&n).unwrap())).unwrap();
            }
            let mut sum = 0u64;
            for _ in 0..3 {
                let line = answers.next().unwrap().unwrap();
                let h = line.rsplit(' ').next().unwrap();
                assert!(line.starts_with("answer ") && line.contains(" result "), "{line}");
                sum += postcard::from_bytes::<u64>(&unhex(h).unwrap()).unwrap();
            }
            writeln!(requests_out, "result {}", hex(&postcard::to_stdvec(&sum).unwrap())).unwrap();
            call
        });
        install(Box::new(std::io::BufReader::new(requests_in)), Box::new(answers_out));
        let caller = std::thread::current().id();
        let seen = Mutex::new(Vec::new());
        let work = |n: u64| {
            seen.lock().unwrap().push((n, std::thread::current().id()));
            n + 1
        };
        let total: u64 = call_with("twice", &(5u64,), &work);
        assert_eq!(total, 63, "the answers went back and the result came through");
        assert!(player.join().unwrap().starts_with("call twice "));
        let seen = seen.into_inner().unwrap();
        let on = |n: u64| seen.iter().find(|(m, _)| *m == n).unwrap().1;
        assert_eq!(on(20), caller, "a call back from the serving thread runs on the caller's");
        assert_eq!(on(10), on(30), "one thread for each learner thread");
        assert_ne!(on(10), caller);
        assert!(read_line().is_none(), "the channel is installed again, at its end now");
    }

    #[test]
    fn a_garbled_call_back_ends_the_call_as_unanswered() {
        let (requests_in, mut requests_out) = std::io::pipe().unwrap();
        let (answers_in, answers_out) = std::io::pipe().unwrap();
        writeln!(requests_out, "back x y z").unwrap();
        install(Box::new(std::io::BufReader::new(requests_in)), Box::new(answers_out));
        let payload = std::panic::catch_unwind(|| call_with::<_, u64, u64, u64>("f", &(1u64,), &|n| n)).unwrap_err();
        let Unanswered(why) = payload.downcast_ref::<Unanswered>().expect("unanswered");
        assert!(why.contains("your grading worker sent 'back x y z'"), "{why}");
        drop(answers_in);
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
