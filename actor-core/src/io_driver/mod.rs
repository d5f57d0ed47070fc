//! Low-level I/O on the calling shard's reactor.
//!
//! This is the seam the networking layer (`actor-io`) is built on; most
//! programs want that crate's sockets instead. **Unstable**: it is public
//! only with actor-core's `unstable` cargo feature, because [`submit`]
//! takes an `io_uring::squeue::Entry` and so follows the io-uring crate's
//! versions; any release may change it. Everything here runs on a
//! shard thread, inside a task or actor of that shard, and the values it
//! returns are `!Send`: they belong to the shard that made them. Called off
//! a shard, every entry point answers [`NotOnShard`].
//!
//! Two drivers, one per shard (see [`current_driver`]):
//!
//! - **io_uring**: [`submit`] queues a submission entry together with the
//!   resources it points into (buffers, socket addresses, a shared fd). The
//!   returned [`Completion`] resolves to the kernel's result and the
//!   resources. Dropping it before the completion arrives cancels the
//!   operation (`IORING_OP_ASYNC_CANCEL`) and leaves the resources with the
//!   driver until the kernel is done with them; a per-operation
//!   [`OrphanHook`] sees the result of such an orphaned completion (an
//!   accept's new fd, to close it). Submissions are batched: the shard hands
//!   them to the kernel once per loop turn. [`submit_linked`] queues two
//!   entries as one chain (the second runs only after the first completed
//!   whole: a write, then `fdatasync`).
//! - **epoll**: a [`Registration`] registers an fd (edge-triggered) and
//!   waits for it to become readable or writable. A caller whose syscall
//!   answers `WouldBlock` calls [`Registration::clear_ready`] and waits
//!   again. Under io_uring the same type waits with a one-shot
//!   `IORING_OP_POLL_ADD`, which is how an operation whose opcode the kernel
//!   lacks ([`opcode_supported`]) falls back to a readiness-based syscall.
//!
//! The shard reaps completions and readiness events each time it parks and,
//! while I/O is in flight, on its busy turns too: every turn under io_uring
//! (a look at the completion ring is a memory read) and every few turns
//! under epoll (a look is a syscall). A shard with no I/O makes no syscall
//! for it.
//!
//! ```
//! # #[cfg(feature = "unstable")] {
//! use actor_core::Runtime;
//! use actor_core::io_driver::{self, NotOnShard};
//!
//! // Off a shard: a typed error, not a panic.
//! assert_eq!(io_driver::current_driver(), Err(NotOnShard));
//!
//! let rt = Runtime::builder().shards(1).build()?;
//! let (tx, rx) = std::sync::mpsc::channel();
//! rt.handle().spawn_on(0, move || {
//!     tx.send(io_driver::current_driver()).unwrap();
//!     Idle
//! })?;
//! assert_eq!(rx.recv().unwrap(), Ok(rt.driver()));
//! rt.shutdown()?;
//!
//! # struct Idle;
//! # impl actor_core::Actor for Idle {
//! #     type Msg = ();
//! #     async fn handle(&mut self, _: (), _: &mut actor_core::Context<Self>) {}
//! # }
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod completion;
mod entry_rules;
mod readiness;

use std::io;
use std::rc::Rc;

pub use crate::reactor::DriverKind;
pub use completion::{Completion, Linked, OrphanHook, SubmitError, submit, submit_linked};
pub use readiness::{Direction, Ready, Registration};

use crate::reactor::Reactor;
use crate::shard::local::{ShardLocal, with_current};

/// The calling thread is not a shard thread (or its shard has stopped), so
/// it has no reactor to do I/O with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("I/O must run on a shard thread, inside a task or actor of the runtime")]
pub struct NotOnShard;

impl From<NotOnShard> for io::Error {
    /// An `io::Error` of kind `Other` whose inner error is [`NotOnShard`].
    fn from(e: NotOnShard) -> Self {
        io::Error::other(e)
    }
}

/// The driver of the calling shard.
pub fn current_driver() -> Result<DriverKind, NotOnShard> {
    with_current(|l| l.map(|l| l.reactor.borrow().kind())).ok_or(NotOnShard)
}

/// The index of the calling shard.
pub fn current_shard() -> Result<usize, NotOnShard> {
    with_current(|l| l.map(|l| l.index())).ok_or(NotOnShard)
}

/// `true` when the calling shard's io_uring ring takes `opcode` (an
/// `io_uring::opcode::*::CODE`): each ring probes its kernel when it is
/// built. `false` under epoll, off a shard, and for opcodes denied by the
/// builder's test switch.
pub fn opcode_supported(opcode: u8) -> bool {
    with_current(|l| {
        let reactor = l?.reactor.try_borrow().ok()?;
        Some(reactor.opcode_supported(opcode))
    })
    .unwrap_or(false)
}

/// The soft `RLIMIT_MEMLOCK` in bytes, or `None` when unlimited. Buffers
/// registered with io_uring count against it on older kernels.
pub fn memlock_limit() -> io::Result<Option<u64>> {
    crate::reactor::probe::memlock_limit()
}

/// `true` when registering `bytes` of buffers with io_uring stays within
/// `RLIMIT_MEMLOCK`. Check this before any buffer registration; the runtime
/// itself registers none.
pub fn registration_fits(bytes: u64) -> bool {
    match memlock_limit() {
        Ok(None) => true,
        Ok(Some(limit)) => bytes <= limit,
        Err(_) => false,
    }
}

/// Runs `f` with the calling shard and its reactor.
fn with_reactor<R>(f: impl FnOnce(&Rc<ShardLocal>, &mut Reactor) -> R) -> Result<R, NotOnShard> {
    with_current(|l| {
        let l = l.ok_or(NotOnShard)?;
        let mut reactor = l.reactor.try_borrow_mut().map_err(|_| NotOnShard)?;
        Ok(f(l, &mut reactor))
    })
}
