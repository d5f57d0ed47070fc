//! Owned-buffer operations with one API over both reactor drivers.
//!
//! Each operation exists twice, side by side in its file: a ring version
//! (an io_uring submission through [`actor_core::io_driver::submit`]) and a
//! readiness version (a non-blocking syscall retried on readiness). A socket
//! takes the ring version when its shard runs io_uring and the kernel
//! supports the opcode, otherwise the readiness version. Dropping an
//! operation's future cancels it; a buffer it lent stays with the driver
//! until the kernel is done with it, and an fd that an accept or connect
//! produced after the cancel is closed.

pub(crate) mod addr;
mod conn;
mod msg;
mod rw;
pub(crate) mod socket;

use std::future::Future;
use std::io;
use std::time::Duration;

use actor_core::io_driver::{OrphanHook, submit};
use io_uring::squeue;

/// Runs one ring operation; a failed submission hands the resources back
/// with its error.
///
/// # Safety
///
/// As [`submit`]: every pointer in `sqe` points into `resources`' heap
/// memory, and the fds it names are kept open by `resources`.
pub(crate) async unsafe fn ring<T: 'static>(
    sqe: squeue::Entry,
    resources: T,
    on_orphan: Option<OrphanHook>,
) -> (io::Result<u32>, T) {
    // SAFETY: forwarded from the caller.
    match unsafe { submit(sqe, resources, on_orphan) } {
        Ok(op) => {
            let (res, resources) = op.await;
            (socket::from_res(res), resources)
        }
        Err(e) => (Err(e.error), e.resources),
    }
}

/// Closes an fd that an orphaned accept produced.
pub(crate) fn close_orphan(res: i32) {
    if res >= 0 {
        // SAFETY: the fd came from a completed accept whose future is gone,
        // so nobody else owns it; dropping the owner closes it.
        drop(unsafe { <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(res) });
    }
}

/// Runs `future` for at most `duration`. On expiry the future is dropped,
/// which cancels any operation it had in flight, and the result is an
/// error of kind [`TimedOut`](io::ErrorKind::TimedOut).
///
/// ```
/// use std::time::Duration;
///
/// let rt = actor_core::Runtime::builder().shards(1).build()?;
/// let out = rt.block_on(actor_io::timeout(Duration::from_millis(5), async {
///     actor_core::time::sleep(Duration::from_secs(60)).await
/// }));
/// assert_eq!(out.unwrap_err().kind(), std::io::ErrorKind::TimedOut);
/// rt.shutdown()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub async fn timeout<F: Future>(duration: Duration, future: F) -> io::Result<F::Output> {
    actor_core::time::timeout(duration, future)
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "I/O operation timed out"))
}
