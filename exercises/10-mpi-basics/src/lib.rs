//! Exercise 10: MPI basics, the mpi4py lesson in rsmpi. Read README.md first.
//!
//! Each task is one or two functions with `todo!()` bodies; the doc comment gives the mpi4py
//! form. Every function runs on every rank of the job (`mpirun` starts this same program once
//! per rank), takes the communicator it works in, and returns what *this* rank ends up with.
//! `cargo xtask check mpi-basics` runs each task's test with 2 and with 4 ranks and tells you
//! which pass. Keep the signatures: the tests call them. Your code must work for any number
//! of ranks, odd ones included.

// The `todo!()` bodies leave parameters and imports unused; delete this line when you are done.
#![allow(unused_variables, unused_imports)]

use harness_mpi::mpi;
use mpi::Tag;
use mpi::collective::SystemOperation;
use mpi::point_to_point::send_receive_into;
use mpi::topology::{Color, Process, Rank, SimpleCommunicator};
use mpi::traits::*;

// ---- Task 1: hello ---------------------------------------------------------------------------

/// `comm.Get_rank()`, `comm.Get_size()`, and a greeting naming both, such as
/// `"Hello from rank 1 of 4"`.
pub fn hello(comm: &SimpleCommunicator) -> (Rank, Rank, String) {
    todo!()
}

// ---- Tasks 2 and 3: a pairwise exchange ------------------------------------------------------

/// `comm.Send` / `comm.Recv`: ranks 0 and 1 exchange their `data`, as do 2 and 3, and so on;
/// each returns what its partner sent. With an odd number of ranks, the last one has no
/// partner and returns a copy of its own `data`. Every rank's `data` has the same length.
///
/// Use the blocking `partner.send(data)` and `partner.receive_into(&mut buffer[..])`, in an
/// order that cannot deadlock (the lesson explains why the order matters).
pub fn exchange(comm: &SimpleCommunicator, data: &[f64]) -> Vec<f64> {
    todo!()
}

/// Task 3's starting point, to read and to run (`examples/deadlock.rs`), never to use: both
/// partners send first, with a synchronous send, which returns only once the other side has
/// started to receive. Neither ever does, so both wait forever. Not tested.
pub fn exchange_deadlock(comm: &SimpleCommunicator, data: &[f64]) -> Vec<f64> {
    let other = comm.rank() ^ 1;
    if other >= comm.size() {
        return data.to_vec();
    }
    let partner = comm.process_at_rank(other);
    let mut received = vec![0.0; data.len()];
    partner.synchronous_send(data);
    partner.receive_into(&mut received[..]);
    received
}

/// `comm.Sendrecv`: the same exchange as [`exchange`], cured of the deadlock above with one
/// `send_receive_into` call on both sides instead of a send and a receive in some order.
pub fn exchange_send_receive(comm: &SimpleCommunicator, data: &[f64]) -> Vec<f64> {
    todo!()
}

// ---- Tasks 4 to 6: a message chain -----------------------------------------------------------

/// `comm.Send` / `comm.Recv` along a chain: every rank sends its `data` to rank + 1 and
/// returns what rank − 1 sent it: `None` on rank 0, which has no rank before it; the last rank
/// sends nothing. Every rank's `data` has the same length.
///
/// Handle the two ends without testing rank numbers in the communication: make the
/// neighbours `Option<Process>` (`(rank > 0).then(|| comm.process_at_rank(rank - 1))`), where
/// mpi4py would use `MPI.PROC_NULL`.
pub fn chain(comm: &SimpleCommunicator, data: &[f64]) -> Option<Vec<f64>> {
    todo!()
}

/// `comm.Sendrecv` along the chain: the same result as [`chain`], with one
/// `send_receive_into` on every rank that has both neighbours.
pub fn chain_send_receive(comm: &SimpleCommunicator, data: &[f64]) -> Option<Vec<f64>> {
    todo!()
}

/// `comm.Isend` / `comm.Irecv` and `MPI.Request.Waitall` along the chain: the same result as
/// [`chain`], with `immediate_send` and `immediate_receive_into` inside
/// `mpi::request::scope(|scope| { … })`, then `wait()` on each request.
pub fn chain_immediate(comm: &SimpleCommunicator, data: &[f64]) -> Option<Vec<f64>> {
    todo!()
}

// ---- Task 7: from rank 0 to every rank -------------------------------------------------------

/// `comm.Bcast(data, root=0)`: every rank passes a buffer of the same length; afterwards each
/// holds rank 0's values.
pub fn broadcast(comm: &SimpleCommunicator, data: &mut [f64]) {
    todo!()
}

/// `comm.Scatter(data, chunk, root=0)`: rank 0's `data` holds size × n values (the other
/// ranks pass an empty slice); rank k returns the k-th chunk of n values. Only rank 0 knows
/// n: send it to the others first.
pub fn scatter(comm: &SimpleCommunicator, data: &[f64]) -> Vec<f64> {
    todo!()
}

// ---- Task 8: from every rank to rank 0 -------------------------------------------------------

/// `comm.Gather(chunk, all, root=0)`: every rank passes a chunk of the same length; rank 0
/// returns all of them, in rank order, and the other ranks return `None`.
pub fn gather(comm: &SimpleCommunicator, chunk: &[f64]) -> Option<Vec<f64>> {
    todo!()
}

/// `comm.Reduce(values, total, op=MPI.SUM, root=0)`: every rank passes `values` of the same
/// length; rank 0 returns their element-wise sums, the other ranks `None`.
pub fn sum(comm: &SimpleCommunicator, values: &[f64]) -> Option<Vec<f64>> {
    todo!()
}

// ---- Task 9: a split communicator ------------------------------------------------------------

/// `part = comm.Split(color=rank % 2)`, then `part.allreduce(value, op=MPI.SUM)`: the even
/// ranks form one communicator, the odd ranks another. Returns this rank's rank in its part,
/// its part's size, and the sum of `value` over its part (the same on every rank of a part).
pub fn split_sum(comm: &SimpleCommunicator, value: f64) -> (Rank, Rank, f64) {
    todo!()
}

// ---- Task 10: messages in any order ----------------------------------------------------------

/// A message as the root of task 10 received it: who sent it, its tag, its value.
pub type Message = (Rank, Tag, f64);

/// `comm.Recv(source=MPI.ANY_SOURCE, tag=MPI.ANY_TAG, status=status)`, then
/// `comm.bcast(total, root=root)`: every rank but `root` sends its `value` to `root`, tagged
/// `tag`. `root` receives the `size − 1` messages in the order they arrive, from any rank, and
/// reads who sent each and with which tag from the message's `Status`. `root` returns `Some` of
/// one `(source, tag, value)` per other rank, sorted by source, the other ranks `None`. Then
/// `root` broadcasts the sum of the values it received (0 when there were none), and every rank
/// returns that sum too. `root` may be any rank, not only 0.
pub fn collect(comm: &SimpleCommunicator, root: Rank, tag: Tag, value: f64) -> (Option<Vec<Message>>, f64) {
    todo!()
}
