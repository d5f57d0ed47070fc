//! The two ways an operation runs: as an io_uring submission on the
//! calling shard's ring, or as a blocking syscall on the runtime's blocking
//! pool (epoll shards, opcodes the kernel lacks, and plain threads inside
//! [`Runtime::block_on`](actor_core::Runtime::block_on)). Off any runtime
//! the syscall runs inline: such a thread is allowed to block.

use std::io;

use actor_core::io_driver::{self, DriverKind, submit};
use actor_core::{BlockingError, Handle};
use io_uring::squeue;

/// `true` when the calling thread is an io_uring shard whose ring takes
/// `opcode`.
pub(crate) fn ring_supported(opcode: u8) -> bool {
    io_driver::current_driver() == Ok(DriverKind::Uring) && io_driver::opcode_supported(opcode)
}

/// Runs one ring operation; a failed submission hands the resources back
/// with its error. The result is the completion's non-negative value.
///
/// # Safety
///
/// As [`submit`]: every pointer in `sqe` points into heap memory owned by
/// `resources`, and the fd it names is kept open by `resources`.
pub(crate) async unsafe fn ring<T: 'static>(
    sqe: squeue::Entry,
    resources: T,
) -> (io::Result<u32>, T) {
    // SAFETY: forwarded from the caller.
    match unsafe { submit(sqe, resources, None) } {
        Ok(op) => {
            let (res, resources) = op.await;
            let out = if res < 0 {
                Err(io::Error::from_raw_os_error(-res))
            } else {
                Ok(res as u32)
            };
            (out, resources)
        }
        Err(e) => (Err(e.error), e.resources),
    }
}

/// Runs `f` where blocking is allowed: the runtime's blocking pool, or
/// inline on a thread with no runtime. `Err` when the pool shut down
/// before running it (what `f` owned is gone with it) or `f` panicked.
pub(crate) async fn blocking<R: Send + 'static>(
    f: impl FnOnce() -> R + Send + 'static,
) -> io::Result<R> {
    match Handle::current() {
        Some(handle) => handle.spawn_blocking(f).await.map_err(|e| match e {
            BlockingError::Cancelled => io::Error::other("the blocking pool shut down"),
            other => io::Error::other(other),
        }),
        None => Ok(f()),
    }
}

/// Turns a libc return value into a result.
pub(crate) fn cvt(rc: isize) -> io::Result<usize> {
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(rc as usize)
    }
}
