//! The io_uring driver. The shard parks in `io_uring_enter` waiting for a
//! completion with a timeout (`IORING_FEAT_EXT_ARG`); wake-ups arrive as the
//! completion of a poll on the shard's eventfd.
//!
//! Operations carry owned resources and a `user_data` key (see
//! [`ops`](super::ops)); keys at the top of the range belong to the driver
//! itself (the eventfd poll and cancellations). Submissions are batched:
//! pushed into the submission queue by tasks, and handed to the kernel once
//! per loop turn or when the shard parks.

use std::any::Any;
use std::io;
use std::task::Waker;
use std::time::Duration;

use io_uring::types::{SubmitArgs, Timespec};
use io_uring::{IoUring, opcode, squeue, types};

use super::EventFd;
use super::ops::{OpTable, OrphanHook, Reaped, Taken};
use super::probe::Opcodes;
use crate::config::TestHooks;

/// `user_data` of the eventfd poll.
const WAKE: u64 = u64::MAX;
/// `user_data` of cancellations (their completions are ignored).
const CANCEL: u64 = u64::MAX - 1;

/// A chain that could not be queued: why, and both entries' resources.
pub(crate) type PairRefused = (io::Error, Box<dyn Any>, Box<dyn Any>);

/// A shard's ring.
pub(crate) struct UringDriver {
    ring: IoUring,
    wake_armed: bool,
    ops: OpTable,
    opcodes: Opcodes,
}

impl std::fmt::Debug for UringDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UringDriver")
            .field("wake_armed", &self.wake_armed)
            .field("in_flight", &self.ops.in_flight())
            .finish()
    }
}

impl UringDriver {
    /// Builds a ring, or fails with the kernel's error. A ring without
    /// `EXT_ARG` (kernels before 5.11) is reported as `Unsupported`. The
    /// ring's opcode probe, less what `hooks` deny, is kept with it.
    pub(crate) fn new(entries: u32, hooks: &TestHooks) -> io::Result<Self> {
        // Completions of polls and of work the kernel punts are finished by
        // task work. By default the kernel interrupts the shard for it; with
        // COOP_TASKRUN it only raises a flag, which the spinning shard reads
        // on each look at its ring ([`UringDriver::poll_io`]). Kernels
        // before 5.19 lack it: plain ring then.
        let ring = IoUring::builder()
            .setup_coop_taskrun()
            .setup_taskrun_flag()
            .build(entries)
            .or_else(|_| IoUring::new(entries))?;
        if !ring.params().is_feature_ext_arg() {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "io_uring lacks IORING_FEAT_EXT_ARG (kernel 5.11+)",
            ));
        }
        let mut probe = io_uring::Probe::new();
        ring.submitter().register_probe(&mut probe)?;
        for code in [opcode::PollAdd::CODE, opcode::AsyncCancel::CODE] {
            if !probe.is_supported(code) {
                return Err(io::Error::new(
                    io::ErrorKind::Unsupported,
                    "io_uring lacks POLL_ADD or ASYNC_CANCEL",
                ));
            }
        }
        Ok(UringDriver {
            ring,
            wake_armed: false,
            ops: OpTable::default(),
            opcodes: Opcodes::from_probe(&probe, hooks),
        })
    }

    /// The opcodes this ring takes.
    pub(crate) fn opcodes(&self) -> &Opcodes {
        &self.opcodes
    }

    /// Pushes one entry, submitting the queue first if it is full.
    fn push(&mut self, sqe: &squeue::Entry) -> io::Result<()> {
        // SAFETY: the caller of `push` guarantees that whatever `sqe` points
        // to stays valid until its completion (see `submit_op`).
        if unsafe { self.ring.submission().push(sqe) }.is_ok() {
            return Ok(());
        }
        self.ring.submit()?;
        // SAFETY: as above.
        unsafe { self.ring.submission().push(sqe) }
            .map_err(|_| io::Error::other("submission queue full"))
    }

    fn arm_wake(&mut self, eventfd: &EventFd) -> io::Result<()> {
        if self.wake_armed {
            return Ok(());
        }
        // POLL_ADD references no memory; the eventfd outlives the ring
        // because the shard drops its driver before its shared half.
        let sqe = opcode::PollAdd::new(types::Fd(eventfd.raw()), libc::POLLIN as u32)
            .build()
            .user_data(WAKE);
        self.push(&sqe)?;
        self.wake_armed = true;
        Ok(())
    }

    /// Queues an operation and keeps `resources` until its completion.
    ///
    /// # Safety
    ///
    /// Every pointer in `sqe` must point into `resources` (heap memory that
    /// does not move with it) or into memory that outlives the ring.
    pub(crate) unsafe fn submit_op(
        &mut self,
        sqe: squeue::Entry,
        resources: Box<dyn Any>,
        on_orphan: Option<OrphanHook>,
    ) -> Result<u64, (io::Error, Box<dyn Any>)> {
        let key = self.ops.insert(resources, on_orphan);
        match self.push(&sqe.user_data(key)) {
            Ok(()) => Ok(key),
            Err(e) => {
                let resources = self.ops.withdraw(key).expect("slot just inserted");
                Err((e, resources))
            }
        }
    }

    /// Queues `first` and `second` as one chain (`IOSQE_IO_LINK` on the
    /// first): `second` starts only after `first` completes whole, and
    /// completes with `-ECANCELED` when `first` fails or comes up short.
    /// Both entries go into the queue together, so no other entry can
    /// slip between them. Each keeps its own resources until its own
    /// completion.
    ///
    /// # Safety
    ///
    /// As [`submit_op`](Self::submit_op), for each entry and its resources.
    pub(crate) unsafe fn submit_linked(
        &mut self,
        first: (squeue::Entry, Box<dyn Any>),
        second: (squeue::Entry, Box<dyn Any>),
    ) -> Result<(u64, u64), PairRefused> {
        let k1 = self.ops.insert(first.1, None);
        let k2 = self.ops.insert(second.1, None);
        let chain = [
            first.0.user_data(k1).flags(squeue::Flags::IO_LINK),
            second.0.user_data(k2),
        ];
        // SAFETY: the caller guarantees that what the entries point to
        // stays valid until their completions (see `submit_op`).
        let mut pushed = unsafe { self.ring.submission().push_multiple(&chain) }.is_ok();
        if !pushed {
            if let Err(e) = self.ring.submit() {
                return Err(self.withdraw_pair(e, k1, k2));
            }
            // SAFETY: as above.
            pushed = unsafe { self.ring.submission().push_multiple(&chain) }.is_ok();
        }
        if pushed {
            Ok((k1, k2))
        } else {
            Err(self.withdraw_pair(io::Error::other("submission queue full"), k1, k2))
        }
    }

    fn withdraw_pair(&mut self, e: io::Error, k1: u64, k2: u64) -> PairRefused {
        let r1 = self.ops.withdraw(k1).expect("slot just inserted");
        let r2 = self.ops.withdraw(k2).expect("slot just inserted");
        (e, r1, r2)
    }

    pub(crate) fn poll_op(&mut self, key: u64, waker: &Waker) -> Taken {
        self.ops.poll(key, waker)
    }

    /// The future of `key` was dropped: cancel the operation if it is still
    /// in the kernel. Its slot lives on until the completion arrives.
    ///
    /// The cancellation is submitted at once (one syscall, on this rare
    /// path) rather than with the next batch: until the kernel sees it, the
    /// operation can still take data (a datagram, stream bytes) that the
    /// caller, having dropped the future, would then never see.
    pub(crate) fn drop_op(&mut self, key: u64, reaped: &mut Reaped) {
        if self.ops.orphan(key, reaped) {
            let cancel = opcode::AsyncCancel::new(key).build().user_data(CANCEL);
            let submitted = self.push(&cancel).and_then(|()| self.ring.submit());
            if let Err(e) = submitted {
                tracing::warn!(error = %e, "could not submit an io_uring cancellation");
            }
        }
    }

    /// `true` when operations are in flight or queued.
    pub(crate) fn has_io(&mut self) -> bool {
        self.ops.in_flight() > 0 || !self.ring.submission().is_empty()
    }

    /// Without blocking: submits what is queued and routes the completions
    /// that have arrived. Costs a syscall only when something is queued or
    /// the kernel has task work waiting for us to enter.
    pub(crate) fn poll_io(&mut self, eventfd: &EventFd, reaped: &mut Reaped) -> io::Result<()> {
        let pending = {
            let sq = self.ring.submission();
            !sq.is_empty() || sq.taskrun()
        };
        if pending {
            match self.ring.submit() {
                Ok(_) => {}
                Err(e) if matches!(e.raw_os_error(), Some(libc::EINTR | libc::EBUSY)) => {}
                Err(e) => return Err(e),
            }
        }
        self.reap(eventfd, reaped);
        Ok(())
    }

    fn reap(&mut self, eventfd: &EventFd, reaped: &mut Reaped) -> bool {
        let mut woken = false;
        let mut cq = self.ring.completion();
        cq.sync();
        for cqe in cq {
            match cqe.user_data() {
                WAKE => {
                    self.wake_armed = false;
                    woken = true;
                }
                CANCEL => {}
                key => self.ops.complete(key, cqe.result(), reaped),
            }
        }
        if woken {
            eventfd.drain();
        }
        woken
    }

    /// Parks until a completion arrives or `timeout` passes. Returns `true`
    /// when woken through the eventfd.
    pub(crate) fn park(
        &mut self,
        eventfd: &EventFd,
        timeout: Option<Duration>,
        reaped: &mut Reaped,
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
        Ok(self.reap(eventfd, reaped))
    }

    /// At shard exit: cancels what is still in the kernel and waits (up to
    /// `limit`) for it to finish, so no buffer is freed while the kernel
    /// may write into it. What does not finish in time is leaked.
    pub(crate) fn shutdown(&mut self, eventfd: &EventFd, limit: Duration, reaped: &mut Reaped) {
        for key in self.ops.pending_keys() {
            let cancel = opcode::AsyncCancel::new(key).build().user_data(CANCEL);
            let _ = self.push(&cancel);
        }
        let end = std::time::Instant::now() + limit;
        while self.ops.in_flight() > 0 && std::time::Instant::now() < end {
            let ts = Timespec::new().nsec(10_000_000);
            let args = SubmitArgs::new().timespec(&ts);
            let _ = self.ring.submitter().submit_with_args(1, &args);
            self.reap(eventfd, reaped);
        }
        if self.ops.in_flight() > 0 {
            tracing::warn!(
                left = self.ops.in_flight(),
                "io_uring operations outlived the shard; leaking their buffers"
            );
            self.ops.leak_pending();
        }
    }
}

impl Drop for UringDriver {
    /// The shard's exit cancels and waits for its operations
    /// ([`UringDriver::shutdown`]). If a ring is dropped without that (its
    /// thread unwound past the exit, or a test dropped it), what is still in
    /// flight is leaked on purpose: the kernel may still write into those
    /// buffers, and a destructor here may run during thread-local teardown,
    /// where waking or dropping user values is not safe.
    fn drop(&mut self) {
        if self.ops.in_flight() > 0 {
            tracing::warn!(
                left = self.ops.in_flight(),
                "io_uring ring dropped with operations in flight; leaking their buffers"
            );
            self.ops.leak_pending();
        }
    }
}
