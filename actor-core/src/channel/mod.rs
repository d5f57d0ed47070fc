//! Bounded, lock-free channels: the building block for Pinion's cross-shard
//! queues. Crate-private: the shards use [`spsc`] between each pair; [`mpmc`]
//! is kept, tested and benchmarked beside it (`benches/channels.rs` compiles
//! this module in) for queues that several threads feed.
//!
//! Two flavours share one error vocabulary ([`TrySendError`], [`SendError`],
//! [`TryRecvError`], [`RecvError`]) and one method set (`try_send`,
//! `send_blocking`, `try_recv`, `recv_blocking`, `len`, `is_empty`,
//! `capacity`, `is_disconnected`):
//!
//! - [`spsc`]: one [`Producer`](spsc::Producer), one
//!   [`Consumer`](spsc::Consumer). A ring buffer with no compare-and-swap at
//!   all; each side caches the other's index, so the common path touches
//!   only its own cache line. Use it for a fixed pair of threads, such as the
//!   queue from one shard to another.
//! - [`mpmc`]: any number of cloneable [`Sender`](mpmc::Sender)s and
//!   [`Receiver`](mpmc::Receiver)s. Dmitry Vyukov's bounded array queue with
//!   a stamp per slot. Use it when many threads feed, or drain, one queue.
//!
//! Both round the capacity up to a power of two (a capacity of 0 becomes 1),
//! never allocate after construction, keep the head and tail indices on
//! separate cache lines (`crossbeam_utils::CachePadded`), and drop whatever
//! is still queued when the last handle goes. A channel is *disconnected* once every handle on the
//! other side has been dropped: sends then fail and hand the message back,
//! while receives still drain what was queued before reporting
//! [`TryRecvError::Disconnected`].
//!
//! The `*_blocking` methods spin, then yield, then park with a growing
//! timeout. They never need a wake-up from the other side, so the fast path
//! carries no notification cost. Parking may consume a pending
//! [`Thread::unpark`](std::thread::Thread::unpark) meant for the calling
//! thread, so code that parks on its own should re-check its condition, as
//! `park` already requires.

// A whole channel API, tested and benchmarked as one; the shards use part
// of `spsc`, and only the tests and the bench use `mpmc`.
#![allow(dead_code)]

/// The snapshot methods every channel handle shares, built on
/// `self.shared.len()` and `self.shared.capacity()`; used inside `impl`s.
macro_rules! snapshot_methods {
    () => {
        /// Number of queued messages (a snapshot).
        pub(crate) fn len(&self) -> usize {
            self.shared.len()
        }

        /// Whether no message is queued (a snapshot).
        pub(crate) fn is_empty(&self) -> bool {
            self.len() == 0
        }

        /// The most messages the channel holds.
        pub(crate) fn capacity(&self) -> usize {
            self.shared.capacity()
        }
    };
}

/// `Debug` for a handle: its snapshot, never the messages (no `T: Debug`).
macro_rules! debug_by_snapshot {
    ($($handle:ident),+) => {$(
        impl<T> std::fmt::Debug for $handle<T> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($handle))
                    .field("len", &self.len())
                    .field("capacity", &self.capacity())
                    .field("disconnected", &self.is_disconnected())
                    .finish()
            }
        }
    )+};
}

mod error;
pub(crate) mod mpmc;
pub(crate) mod spsc;

pub(crate) use crossbeam_utils::CachePadded;
pub(crate) use error::{RecvError, SendError, TryRecvError, TrySendError};

/// Rounds a requested capacity to the one the channel really has.
fn round_capacity(requested: usize) -> usize {
    // Above this the doubled stamps of the MPMC queue could no longer tell
    // laps apart as signed differences;
    // such a buffer could not be allocated anyway.
    const MAX: usize = 1 << (usize::BITS - 3);
    requested.clamp(1, MAX).next_power_of_two()
}

/// `send_blocking` for any flavour: retries `try_send` with [`Backoff`].
fn send_blocking<T>(
    mut v: T,
    try_send: impl Fn(T) -> Result<(), TrySendError<T>>,
) -> Result<(), SendError<T>> {
    let mut backoff = Backoff::default();
    loop {
        match try_send(v) {
            Ok(()) => return Ok(()),
            Err(TrySendError::Full(back)) => v = back,
            Err(TrySendError::Disconnected(back)) => return Err(SendError(back)),
        }
        backoff.snooze();
    }
}

/// `recv_blocking` for any flavour: retries `try_recv` with [`Backoff`].
fn recv_blocking<T>(try_recv: impl Fn() -> Result<T, TryRecvError>) -> Result<T, RecvError> {
    let mut backoff = Backoff::default();
    loop {
        match try_recv() {
            Ok(v) => return Ok(v),
            Err(TryRecvError::Empty) => backoff.snooze(),
            Err(TryRecvError::Disconnected) => return Err(RecvError),
        }
    }
}

/// Waiting strategy of the blocking methods: spin, then yield, then park
/// with a timeout that doubles up to a millisecond.
#[derive(Debug, Default)]
struct Backoff {
    step: u32,
}

// The thresholds are unused under loom, where every snooze is a yield.
#[cfg_attr(loom, allow(dead_code))]
impl Backoff {
    const SPIN_LIMIT: u32 = 6;
    const YIELD_LIMIT: u32 = 10;
    const MAX_PARK_MICROS: u64 = 1_000;

    /// Waits a little longer than last time.
    fn snooze(&mut self) {
        // Under loom every wait is a yield, so the model checker can run the
        // other threads; loom has no parking with a timeout.
        #[cfg(loom)]
        crate::loom::thread::yield_now();
        #[cfg(not(loom))]
        if self.step <= Self::SPIN_LIMIT {
            for _ in 0..1_u32 << self.step {
                crate::loom::hint::spin_loop();
            }
        } else if self.step <= Self::YIELD_LIMIT {
            crate::loom::thread::yield_now();
        } else {
            let exp = (self.step - Self::YIELD_LIMIT).min(10);
            let micros = (1_u64 << exp).min(Self::MAX_PARK_MICROS);
            std::thread::park_timeout(std::time::Duration::from_micros(micros));
        }
        self.step = self.step.saturating_add(1);
    }
}

// The tests (`tests.rs`, `loom_tests.rs`) are declared in `lib.rs`, so that
// `benches/channels.rs`, which compiles this module in, does not build them.

#[cfg(test)]
mod unit_tests {
    #[test]
    fn capacity_rounds_up_to_a_power_of_two() {
        let round = super::round_capacity;
        assert_eq!(round(0), 1);
        assert_eq!(round(1), 1);
        assert_eq!(round(3), 4);
        assert_eq!(round(1024), 1024);
        assert_eq!(round(usize::MAX), 1 << (usize::BITS - 3));
    }
}
