//! Solution to exercise 10: the mpi4py lesson in rsmpi.
//!
//! Every function runs on every rank of the job (the same program, started `n` times by
//! `mpirun`), takes the communicator it works in, and returns what this rank ends up with.
//! Ranks that need no special treatment get none: where mpi4py writes `MPI.PROC_NULL` for
//! a neighbour that does not exist, Rust says `Option<Process>`.

use harness_mpi::mpi;
use mpi::Tag;
use mpi::collective::SystemOperation;
use mpi::point_to_point::send_receive_into;
use mpi::topology::{Color, Process, Rank, SimpleCommunicator};
use mpi::traits::*;

// ---- Task 1: hello ---------------------------------------------------------------------------

/// `comm.Get_rank()`, `comm.Get_size()`, and a greeting naming both.
pub fn hello(comm: &SimpleCommunicator) -> (Rank, Rank, String) {
    let (rank, size) = (comm.rank(), comm.size());
    (rank, size, format!("Hello from rank {rank} of {size}"))
}

// ---- Tasks 2 and 3: a pairwise exchange ------------------------------------------------------

/// This rank's partner in the exchange (0 ↔ 1, 2 ↔ 3, …): flipping the lowest bit of the rank
/// pairs each even rank with the odd one after it. An odd last rank has none.
fn partner(comm: &SimpleCommunicator) -> Option<Process<'_>> {
    let other = comm.rank() ^ 1;
    (other < comm.size()).then(|| comm.process_at_rank(other))
}

/// `comm.Send` / `comm.Recv`: `data` to the partner, the partner's data back.
///
/// A blocking send of 800 kB returns only once the partner has started to receive it (MPI
/// buffers small messages only), so the two sides must not both send first: even ranks send
/// then receive, odd ranks receive then send.
pub fn exchange(comm: &SimpleCommunicator, data: &[f64]) -> Vec<f64> {
    let Some(partner) = partner(comm) else { return data.to_vec() };
    let mut received = vec![0.0; data.len()];
    if comm.rank() % 2 == 0 {
        partner.send(data);
        partner.receive_into(&mut received[..]);
    } else {
        partner.receive_into(&mut received[..]);
        partner.send(data);
    }
    received
}

/// Task 3's starting point, kept for the lesson: both partners send first, with a synchronous
/// send, which returns only once the other side has started to receive. Neither ever does:
/// the two ranks wait for each other forever (`examples/deadlock.rs` in the exercise shows
/// it). Not tested, not to be used.
pub fn exchange_deadlock(comm: &SimpleCommunicator, data: &[f64]) -> Vec<f64> {
    let Some(partner) = partner(comm) else { return data.to_vec() };
    let mut received = vec![0.0; data.len()];
    partner.synchronous_send(data);
    partner.receive_into(&mut received[..]);
    received
}

/// `comm.Sendrecv`: the exchange as one call. MPI carries out the send and the receive
/// together, so there is no order to get wrong and both sides write the same line.
pub fn exchange_send_receive(comm: &SimpleCommunicator, data: &[f64]) -> Vec<f64> {
    let Some(partner) = partner(comm) else { return data.to_vec() };
    let mut received = vec![0.0; data.len()];
    send_receive_into(data, &partner, &mut received[..], &partner);
    received
}

// ---- Tasks 4 to 6: a message chain -----------------------------------------------------------

/// The ranks before and after this one: `None` past either end, where mpi4py would use
/// `MPI.PROC_NULL` (rsmpi 0.8 builds a `Process` only for a rank that exists).
fn neighbours(comm: &SimpleCommunicator) -> (Option<Process<'_>>, Option<Process<'_>>) {
    let (rank, size) = (comm.rank(), comm.size());
    let before = (rank > 0).then(|| comm.process_at_rank(rank - 1));
    let after = (rank + 1 < size).then(|| comm.process_at_rank(rank + 1));
    (before, after)
}

/// The chain with `comm.Send` / `comm.Recv`: `data` to rank + 1, rank − 1's data returned.
///
/// Every rank sends first. That cannot deadlock here, unlike the exchange: the last rank has
/// nobody to send to, so it receives at once, which lets the rank before it finish its send
/// and receive, and so on down the chain. It works, one rank after another.
pub fn chain(comm: &SimpleCommunicator, data: &[f64]) -> Option<Vec<f64>> {
    let (before, after) = neighbours(comm);
    if let Some(after) = after {
        after.send(data);
    }
    before.map(|before| {
        let mut received = vec![0.0; data.len()];
        before.receive_into(&mut received[..]);
        received
    })
}

/// The chain with `comm.Sendrecv`: every rank that has both neighbours sends and receives at
/// once, so all the messages travel at the same time. Without a `PROC_NULL` process the two
/// ends take the plain half they need.
pub fn chain_send_receive(comm: &SimpleCommunicator, data: &[f64]) -> Option<Vec<f64>> {
    match neighbours(comm) {
        (None, None) => None,
        (None, Some(after)) => {
            after.send(data);
            None
        }
        (Some(before), after) => {
            let mut received = vec![0.0; data.len()];
            match after {
                Some(after) => send_receive_into(data, &after, &mut received[..], &before),
                None => before.receive_into(&mut received[..]),
            };
            Some(received)
        }
    }
}

/// The chain with `comm.Isend` / `comm.Irecv` and `wait`: both calls return at once, and the
/// messages travel while this rank could do other work. The scope guarantees the buffers live
/// (and stay untouched) until their requests have completed: a request dropped without `wait`
/// panics, and one still open when the scope ends aborts the program, never a silent read of
/// a buffer MPI is still writing.
pub fn chain_immediate(comm: &SimpleCommunicator, data: &[f64]) -> Option<Vec<f64>> {
    let (before, after) = neighbours(comm);
    let mut received = before.map(|_| vec![0.0; data.len()]);
    mpi::request::scope(|scope| {
        let sending = after.map(|after| after.immediate_send(scope, data));
        let receiving =
            before.zip(received.as_mut()).map(|(before, buffer)| before.immediate_receive_into(scope, &mut buffer[..]));
        // Both messages are on their way here; work that needs neither buffer could run now.
        if let Some(request) = receiving {
            request.wait();
        }
        if let Some(request) = sending {
            request.wait();
        }
    });
    received
}

// ---- Task 7: from rank 0 to every rank -------------------------------------------------------

/// `comm.Bcast(data, root=0)`: rank 0's values into every rank's `data`. Every rank makes the
/// same call; the root's buffer is read, the others' written.
pub fn broadcast(comm: &SimpleCommunicator, data: &mut [f64]) {
    comm.process_at_rank(0).broadcast_into(data);
}

/// `comm.Scatter(data, chunk, root=0)`: rank 0's `data` (size × n values) cut into `size`
/// chunks of n, chunk k to rank k. Only rank 0 knows n, so it broadcasts n first, and every
/// rank can allocate its chunk.
pub fn scatter(comm: &SimpleCommunicator, data: &[f64]) -> Vec<f64> {
    let root = comm.process_at_rank(0);
    let mut n = (data.len() / comm.size() as usize) as u64;
    root.broadcast_into(&mut n);
    let mut chunk = vec![0.0; n as usize];
    if comm.rank() == 0 {
        root.scatter_into_root(data, &mut chunk[..]);
    } else {
        root.scatter_into(&mut chunk[..]);
    }
    chunk
}

// ---- Task 8: from every rank to rank 0 -------------------------------------------------------

/// `comm.Gather(chunk, all, root=0)`: every rank's chunk (all of the same length), in rank
/// order, on rank 0. The root passes a buffer to receive into; the others only send.
pub fn gather(comm: &SimpleCommunicator, chunk: &[f64]) -> Option<Vec<f64>> {
    let root = comm.process_at_rank(0);
    if comm.rank() == 0 {
        let mut all = vec![0.0; chunk.len() * comm.size() as usize];
        root.gather_into_root(chunk, &mut all[..]);
        Some(all)
    } else {
        root.gather_into(chunk);
        None
    }
}

/// `comm.Reduce(values, total, op=MPI.SUM, root=0)`: element-wise sums of every rank's
/// `values`, on rank 0.
pub fn sum(comm: &SimpleCommunicator, values: &[f64]) -> Option<Vec<f64>> {
    let root = comm.process_at_rank(0);
    if comm.rank() == 0 {
        let mut total = vec![0.0; values.len()];
        root.reduce_into_root(values, &mut total[..], SystemOperation::sum());
        Some(total)
    } else {
        root.reduce_into(values, SystemOperation::sum());
        None
    }
}

// ---- Task 9: a split communicator ------------------------------------------------------------

/// `part = comm.Split(color=rank % 2)` then `part.allreduce(value, op=MPI.SUM)`: the even and the
/// odd ranks each get a communicator of their own (ranked in the world's order), and sum
/// within it. Returns this rank's rank and size in its part, and its part's sum.
pub fn split_sum(comm: &SimpleCommunicator, value: f64) -> (Rank, Rank, f64) {
    let part = comm
        .split_by_color(Color::with_value(comm.rank() % 2))
        .expect("every rank gives a colour, so every rank gets a part");
    let mut total = 0.0;
    part.all_reduce_into(&value, &mut total, SystemOperation::sum());
    (part.rank(), part.size(), total)
}

// ---- Task 10: messages in any order ----------------------------------------------------------

/// A message as the root of task 10 received it: who sent it, its tag, its value.
pub type Message = (Rank, Tag, f64);

/// `comm.Recv(source=MPI.ANY_SOURCE, tag=MPI.ANY_TAG, status=status)` on `root`, then
/// `comm.bcast(total, root=root)`: the other ranks each send `value` to `root` tagged `tag`;
/// `root` takes the messages as they come and learns from each `Status` who sent it and how it
/// was tagged. Returns, on `root`, one `(source, tag, value)` per other rank sorted by source
/// (`None` elsewhere), and everywhere the sum `root` broadcast.
pub fn collect(comm: &SimpleCommunicator, root: Rank, tag: Tag, value: f64) -> (Option<Vec<Message>>, f64) {
    let root_process = comm.process_at_rank(root);
    let mut total = 0.0;
    let collected = if comm.rank() == root {
        // Arrival order is whatever the network made it: nothing in a message's position says
        // who sent it, only its status does.
        let mut got: Vec<Message> = (1..comm.size())
            .map(|_| {
                let (value, status) = comm.any_process().receive::<f64>();
                (status.source_rank(), status.tag(), value)
            })
            .collect();
        got.sort_by_key(|&(source, _, _)| source);
        total = got.iter().map(|&(_, _, value)| value).sum();
        Some(got)
    } else {
        root_process.send_with_tag(&value, tag);
        None
    };
    // A collective with a root other than 0: every rank names the same root.
    root_process.broadcast_into(&mut total);
    (collected, total)
}
