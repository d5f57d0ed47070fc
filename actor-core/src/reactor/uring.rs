//! The io_uring driver. The shard parks in `io_uring_enter` waiting for a
//! completion with a timeout (`IORING_FEAT_EXT_ARG`); wake-ups arrive as the
//! completion of a poll on the shard's eventfd.
//!
//! Completion I/O in later layers fits this seam: operations carry owned
//! buffers and a `user_data` key; the driver routes completions by key, and
//! keys below `RESERVED` belong to the runtime itself.

use std::io;
use std::time::Duration;

use io_uring::types::{SubmitArgs, Timespec};
use io_uring::{IoUring, opcode, types};

use super::EventFd;

/// `user_data` of the eventfd poll.
const WAKE: u64 = u64::MAX;

/// A shard's ring.
pub(crate) struct UringDriver {
    ring: IoUring,
    wake_armed: bool,
}

impl std::fmt::Debug for UringDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UringDriver")
            .field("wake_armed", &self.wake_armed)
            .finish()
    }
}

impl UringDriver {
    /// Builds a ring, or fails with the kernel's error. A ring without
    /// `EXT_ARG` (kernels before 5.11) is reported as `Unsupported`.
    pub(crate) fn new(entries: u32) -> io::Result<Self> {
        let ring = IoUring::new(entries)?;
        if !ring.params().is_feature_ext_arg() {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "io_uring lacks IORING_FEAT_EXT_ARG (kernel 5.11+)",
            ));
        }
        let mut probe = io_uring::Probe::new();
        ring.submitter().register_probe(&mut probe)?;
        if !probe.is_supported(opcode::PollAdd::CODE) {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "io_uring lacks POLL_ADD",
            ));
        }
        Ok(UringDriver {
            ring,
            wake_armed: false,
        })
    }

    fn arm_wake(&mut self, eventfd: &EventFd) -> io::Result<()> {
        if self.wake_armed {
            return Ok(());
        }
        let sqe = opcode::PollAdd::new(types::Fd(eventfd.raw()), libc::POLLIN as u32)
            .build()
            .user_data(WAKE);
        // SAFETY: POLL_ADD references no memory; the eventfd outlives the
        // ring because the shard drops its driver before its shared half.
        let pushed = unsafe { self.ring.submission().push(&sqe) };
        if pushed.is_err() {
            self.ring.submit()?;
            // SAFETY: as above.
            unsafe { self.ring.submission().push(&sqe) }
                .map_err(|_| io::Error::other("submission queue full"))?;
        }
        self.wake_armed = true;
        Ok(())
    }

    /// Parks until a completion arrives or `timeout` passes. Returns `true`
    /// when woken through the eventfd.
    pub(crate) fn park(
        &mut self,
        eventfd: &EventFd,
        timeout: Option<Duration>,
    ) -> io::Result<bool> {
        self.arm_wake(eventfd)?;
        let result = match timeout {
            Some(t) => {
                let ts = Timespec::new().sec(t.as_secs()).nsec(t.subsec_nanos());
                let args = SubmitArgs::new().timespec(&ts);
                self.ring.submitter().submit_with_args(1, &args)
            }
            None => self.ring.submit_and_wait(1),
        };
        match result {
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.raw_os_error(),
                    Some(libc::ETIME | libc::EINTR | libc::EBUSY)
                ) => {}
            Err(e) => return Err(e),
        }
        let mut woken = false;
        for cqe in self.ring.completion() {
            if cqe.user_data() == WAKE {
                self.wake_armed = false;
                woken = true;
            }
        }
        if woken {
            eventfd.drain();
        }
        Ok(woken)
    }
}
