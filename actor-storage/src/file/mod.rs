//! File I/O on the calling shard's reactor.
//!
//! On an io_uring shard each operation is one submission on the shard's
//! own ring (batched with the shard's other submissions, one kernel entry
//! per loop turn); on an epoll shard, for an opcode the kernel lacks, and
//! inside [`Runtime::block_on`](actor_core::Runtime::block_on) it is the
//! matching syscall on the runtime's blocking pool. The API is the same.
//!
//! Buffers are owned: an operation takes an [`AlignedBuf`] and hands it
//! back. Dropping an operation's future cancels it; the buffer stays with
//! the driver (or the blocking job) until the kernel is done with it, so
//! it is never freed while the kernel may still write into it.

mod align;
mod buf;
mod exec;
mod fault;
mod io;
mod open;
mod ops;
mod pool;

pub use buf::AlignedBuf;
pub use fault::{Fault, FaultPlan, FaultyDisk, FaultyFile};
pub use io::{Disk, FileIo, Storage};
pub use open::{File, OpenOptions};
pub use pool::pooled_buffers;
