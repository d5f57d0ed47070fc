//! Shards: one pinned OS thread each, running a single-threaded executor over
//! a reactor.
//!
//! This is the executor layer: it knows tasks, not actors. The layers above
//! reach it through the hooks in [`hooks`] and [`registry::Resident`], and
//! the runtime that starts a shard passes it plain settings
//! ([`local::ShardSettings`]), never itself by type.
//!
//! The split follows a current-thread scheduler:
//! - [`ShardShared`](shared::ShardShared): what other threads touch — the
//!   inbox, the park flag and eventfd, counters, the registry of residents
//!   (actors).
//! - [`ShardLocal`](local::ShardLocal): owned by the shard thread — the run
//!   queue, the task slab, the timer wheel and the reactor; reachable through a
//!   thread-local while the shard runs.
//! - [`TaskHeader`](task::TaskHeader): what a waker points at (through a
//!   [`TaskRef`](task::TaskRef)).
//!
//! One turn of the loop: drain the inbox, fire due timers, poll up to a batch
//! of runnable tasks, and when nothing is runnable, spin briefly and then park
//! in the reactor until the next timer or a wake-up.
//!
//! Shutdown steps, in order, on each shard:
//! 1. The runtime marks itself shutting down: new spawns fail.
//! 2. Each live actor, in reverse spawn order, is asked to stop and given the
//!    shutdown timeout to do so; one that does not is killed and reported.
//! 3. The thread leaves its loop and tears down (see `run::Teardown`): it
//!    stops owning mailboxes, closes its inbox and runs what was queued,
//!    drops every remaining task until none is left, and lets the reactor
//!    cancel and wait for what is in the kernel. The teardown is a guard:
//!    it runs even if the loop panics.
//! 4. The thread is joined by the runtime.

pub(crate) mod block_on;
pub(crate) mod hooks;
pub(crate) mod linger;
pub(crate) mod local;
pub(crate) mod park;
pub(crate) mod registry;
pub(crate) mod run;
pub(crate) mod shared;
pub(crate) mod slab;
pub(crate) mod task;
#[cfg(all(test, not(loom)))]
mod teardown_tests;
