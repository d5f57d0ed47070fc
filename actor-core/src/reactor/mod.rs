//! The reactor seam: where a shard parks when it has nothing to run.
//!
//! Two drivers sit behind one enum (not a trait object, so the hot path is a
//! match): io_uring, probed once at start, and epoll through mio. The probe
//! treats `EPERM`, `ENOSYS` and `EACCES` as "unsupported", since seccomp
//! profiles and `kernel.io_uring_disabled` block io_uring on many production
//! hosts, and falls back to epoll. `PINION_DRIVER=uring|epoll` or the builder
//! force either one; CI runs the whole suite under both.

pub(crate) mod epoll;
mod eventfd;
pub(crate) mod ops;
#[cfg(all(test, not(loom)))]
mod ops_tests;
pub(crate) mod probe;
pub(crate) mod uring;

use std::io;
use std::sync::OnceLock;
use std::time::Duration;

pub(crate) use eventfd::EventFd;
pub(crate) use ops::Reaped;

use crate::config::DriverChoice;
use crate::error::StartError;
use epoll::EpollDriver;
use uring::UringDriver;

/// Which driver a runtime's shards park in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriverKind {
    /// io_uring.
    Uring,
    /// epoll, through mio.
    Epoll,
}

impl DriverKind {
    /// `"uring"` or `"epoll"`.
    pub fn as_str(self) -> &'static str {
        match self {
            DriverKind::Uring => "uring",
            DriverKind::Epoll => "epoll",
        }
    }
}

impl std::fmt::Display for DriverKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The cached io_uring probe: `Ok` or the kernel's refusal.
fn uring_probe() -> &'static Result<(), (Option<i32>, String)> {
    static PROBE: OnceLock<Result<(), (Option<i32>, String)>> = OnceLock::new();
    PROBE.get_or_init(|| {
        UringDriver::new(8)
            .map(drop)
            .map_err(|e| (e.raw_os_error(), e.to_string()))
    })
}

/// `true` when the error means "io_uring is not available here" rather than a
/// real fault.
fn is_unsupported(errno: Option<i32>) -> bool {
    matches!(
        errno,
        Some(libc::EPERM | libc::ENOSYS | libc::EACCES) | None
    )
}

/// Picks the driver: the environment variable, then the configured choice,
/// then the probe.
pub(crate) fn choose(choice: DriverChoice) -> Result<DriverKind, StartError> {
    let choice = match std::env::var("PINION_DRIVER") {
        Ok(v) if v.eq_ignore_ascii_case("uring") => DriverChoice::Uring,
        Ok(v) if v.eq_ignore_ascii_case("epoll") => DriverChoice::Epoll,
        Ok(v) if v.is_empty() || v.eq_ignore_ascii_case("auto") => choice,
        Ok(v) => return Err(StartError::BadDriverVariable(v)),
        Err(_) => choice,
    };
    match choice {
        DriverChoice::Epoll => Ok(DriverKind::Epoll),
        DriverChoice::Uring => match uring_probe() {
            Ok(()) => Ok(DriverKind::Uring),
            Err((errno, text)) => Err(StartError::DriverUnavailable {
                driver: "uring",
                source: match errno {
                    Some(e) => io::Error::from_raw_os_error(*e),
                    None => io::Error::other(text.clone()),
                },
            }),
        },
        DriverChoice::Auto => match uring_probe() {
            Ok(()) => Ok(DriverKind::Uring),
            Err((errno, text)) => {
                if !is_unsupported(*errno) {
                    tracing::warn!(error = %text, "io_uring probe failed unexpectedly");
                }
                tracing::info!(reason = %text, "io_uring unavailable; using epoll");
                Ok(DriverKind::Epoll)
            }
        },
    }
}

/// One shard's driver.
#[derive(Debug)]
pub(crate) enum Reactor {
    Uring(Box<UringDriver>),
    Epoll(EpollDriver),
}

impl Reactor {
    /// Builds the chosen driver; a shard whose ring cannot be built (memlock
    /// limits, say) falls back to epoll and says so.
    pub(crate) fn new(kind: DriverKind, eventfd: &EventFd, shard: usize) -> io::Result<Self> {
        if kind == DriverKind::Uring {
            match UringDriver::new(256) {
                Ok(d) => return Ok(Reactor::Uring(Box::new(d))),
                Err(e) => {
                    tracing::warn!(shard, error = %e, "io_uring ring failed; shard uses epoll")
                }
            }
        }
        EpollDriver::new(eventfd).map(Reactor::Epoll)
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
