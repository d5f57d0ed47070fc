//! [`oneshot`]: the reply pair of an `ask`, on its own, for gates and
//! callbacks; and waiting for a [`Reply`] from a plain thread.

use std::time::{Duration, Instant};

use crate::reply::{AskError, Reply, ReplyTo, reply_pair};
use crate::shard::block_on::{block_on_thread, block_on_thread_until};
use crate::shard::local::on_shard_thread;

/// A one-shot channel: the [`ReplyTo`]/[`Reply`] pair that every `ask` uses,
/// for your own gates and callbacks, with no waker to write.
///
/// The [`ReplyTo`] (`Send` when `R` is) answers once, with
/// [`send`](ReplyTo::send). The [`Reply`] is a future of
/// `Result<R, AskError>`: await it in a handler (the actor waits; its shard
/// does not) or in `Runtime::block_on`, or wait for it on a plain thread
/// with [`Reply::wait_blocking`]. Either end may be on any shard or thread.
///
/// A `ReplyTo` dropped unanswered tells the `Reply` why, as for an ask:
/// `NoReply`; `ActorFailed` when a panic dropped it (on a shard, also a
/// panic that a handler caught); `Closed` when an actor stopped with it still
/// in its mailbox. A `Reply` dropped first makes the `send` drop its value.
/// In steady state a pair allocates nothing: slots come from a per-thread
/// pool.
///
/// ```
/// use actor_core::prelude::*;
///
/// /// Holds a job until its gate opens, then calls back with the result.
/// struct Worker;
///
/// enum Job {
///     After { gate: Reply<u32>, done: ReplyTo<u32> },
/// }
///
/// impl Actor for Worker {
///     type Msg = Job;
///
///     async fn handle(&mut self, msg: Job, _ctx: &mut Context<Self>) {
///         let Job::After { gate, done } = msg;
///         if let Ok(n) = gate.await {   // this actor waits; its shard runs on
///             done.send(n * 2);         // the callback
///         }
///     }
/// }
///
/// let rt = Runtime::builder().shards(1).build()?;
/// let worker = rt.spawn(|| Worker)?;
/// let (open, gate) = actor_core::oneshot::<u32>();
/// let (done, finished) = actor_core::oneshot::<u32>();
/// worker.tell_blocking(Job::After { gate, done })?;
/// std::thread::spawn(move || open.send(21));      // another thread opens the gate
/// assert_eq!(finished.wait_blocking()?, 42);      // this one waits for the callback
/// rt.shutdown()?;
/// # Ok::<(), actor_core::Error>(())
/// ```
pub fn oneshot<R: 'static>() -> (ReplyTo<R>, Reply<R>) {
    reply_pair()
}

impl<R: 'static> Reply<R> {
    /// Blocks a plain thread until the answer (or the reason there is none)
    /// arrives. On a shard thread, which must never block, it returns
    /// `Err(WouldBlock)` at once and the answer is lost: await the `Reply`
    /// there.
    pub fn wait_blocking(self) -> Result<R, AskError> {
        if on_shard_thread() {
            return Err(AskError::WouldBlock);
        }
        block_on_thread(self)
    }

    /// [`wait_blocking`](Reply::wait_blocking) for at most `timeout`:
    /// `Err(Timeout)` when nothing arrived by then.
    pub fn wait_blocking_timeout(self, timeout: Duration) -> Result<R, AskError> {
        if on_shard_thread() {
            return Err(AskError::WouldBlock);
        }
        block_on_thread_until(self, Instant::now() + timeout).unwrap_or(Err(AskError::Timeout))
    }
}
