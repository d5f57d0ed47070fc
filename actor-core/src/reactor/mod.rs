//! The reactor seam: where a shard parks when it has nothing to run.
//!
//! Two drivers sit behind one enum (not a trait object, so the hot path is a
//! match): io_uring and epoll through mio. Each shard builds its own: with
//! [`DriverChoice::Auto`] it tries a ring and falls back to epoll when the
//! kernel refuses one (`EPERM`/`EACCES` from seccomp profiles or
//! `kernel.io_uring_disabled`, `ENOSYS` without io_uring, memlock limits), so
//! nothing is cached process-wide and the builder's choice is the only input.
//! [`DriverChoice::Uring`] and [`DriverChoice::Epoll`] force either one; CI
//! runs the whole suite under both (`PINION_DRIVER`, read by
//! `Builder::from_env`).

pub(crate) mod epoll;
mod eventfd;
pub(crate) mod ops;
#[cfg(all(test, not(loom)))]
mod ops_tests;
pub(crate) mod probe;
pub(crate) mod uring;

use std::io;
use std::time::Duration;

pub(crate) use eventfd::EventFd;
pub(crate) use ops::Reaped;

pub use crate::config::DriverKind;
use crate::config::{DriverChoice, TestHooks};
use epoll::EpollDriver;
use uring::UringDriver;

/// `true` when the error means "io_uring is not available here" rather than a
/// real fault. Seccomp filters block `io_uring_setup` with `EPERM`.
fn is_unsupported(errno: Option<i32>) -> bool {
    matches!(
        errno,
        Some(libc::EPERM | libc::ENOSYS | libc::EACCES) | None
    )
}

/// Why a shard has no reactor.
#[derive(Debug)]
pub(crate) enum ReactorError {
    /// `Uring` was forced and the kernel refused the ring.
    UringRefused(io::Error),
    /// No driver could be built at all.
    None(io::Error),
}

/// One shard's driver.
#[derive(Debug)]
pub(crate) enum Reactor {
    Uring(Box<UringDriver>),
    Epoll(EpollDriver),
}

impl Reactor {
    /// Builds `shard`'s driver as `choice` says: `Auto` tries a ring and
    /// falls back to epoll (and says so); `Uring` fails when the kernel
    /// refuses the ring; a shard left with no driver at all fails too.
    pub(crate) fn new(
        choice: DriverChoice,
        eventfd: &EventFd,
        shard: usize,
        hooks: &TestHooks,
    ) -> Result<Self, ReactorError> {
        if hooks.fail_reactor_on == Some(shard) {
            return Err(ReactorError::None(io::Error::other(
                "reactor creation failed on purpose (test switch)",
            )));
        }
        if choice != DriverChoice::Epoll {
            match UringDriver::new(256, hooks) {
                Ok(d) => return Ok(Reactor::Uring(Box::new(d))),
                Err(e) if choice == DriverChoice::Uring => {
                    return Err(ReactorError::UringRefused(e));
                }
                Err(e) => {
                    if !is_unsupported(e.raw_os_error()) {
                        tracing::warn!(shard, error = %e, "io_uring ring failed unexpectedly");
                    }
                    tracing::info!(shard, reason = %e, "io_uring unavailable; shard uses epoll");
                }
            }
        }
        EpollDriver::new(eventfd)
            .map(Reactor::Epoll)
            .map_err(ReactorError::None)
    }

    /// Whether this shard's ring takes `opcode`: `false` under epoll, and
    /// for opcodes the kernel lacks or a test switch denies.
    pub(crate) fn opcode_supported(&self, opcode: u8) -> bool {
        match self {
            Reactor::Uring(d) => d.opcodes().supports(opcode),
            Reactor::Epoll(_) => false,
        }
    }

    pub(crate) fn kind(&self) -> DriverKind {
        match self {
            Reactor::Uring(_) => DriverKind::Uring,
            Reactor::Epoll(_) => DriverKind::Epoll,
        }
    }

    /// Parks until woken or `timeout` passes; `true` when woken by eventfd.
    /// Completions and readiness events found on the way land in `reaped`.
    pub(crate) fn park(
        &mut self,
        eventfd: &EventFd,
        timeout: Option<Duration>,
        reaped: &mut Reaped,
    ) -> io::Result<bool> {
        match self {
            Reactor::Uring(d) => d.park(eventfd, timeout, reaped),
            Reactor::Epoll(d) => d.park(eventfd, timeout, reaped),
        }
    }

    /// `true` when I/O is in flight (uring) or fds are registered (epoll).
    pub(crate) fn has_io(&mut self) -> bool {
        match self {
            Reactor::Uring(d) => d.has_io(),
            Reactor::Epoll(d) => d.has_io(),
        }
    }

    /// Without blocking: submits queued operations and routes what has
    /// completed or become ready.
    pub(crate) fn poll_io(&mut self, eventfd: &EventFd, reaped: &mut Reaped) -> io::Result<()> {
        match self {
            Reactor::Uring(d) => d.poll_io(eventfd, reaped),
            Reactor::Epoll(d) => d.poll_io(eventfd, reaped),
        }
    }

    /// At shard exit, after every task was dropped: lets the kernel finish
    /// with the buffers of cancelled operations.
    pub(crate) fn shutdown(&mut self, eventfd: &EventFd, reaped: &mut Reaped) {
        if let Reactor::Uring(d) = self {
            d.shutdown(eventfd, Duration::from_secs(2), reaped);
        }
    }
}
