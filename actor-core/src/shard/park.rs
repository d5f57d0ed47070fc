//! The sleeping-flag protocol that lets a shard park without losing a wake-up.
//!
//! Shard (before parking): `sleeping = true`, SeqCst fence, look at the
//! inbox. If something is there, clear the flag and run it; otherwise park.
//!
//! Sender: push into the inbox, SeqCst fence, then `swap(sleeping, false)`;
//! only the sender that flips it from `true` writes the eventfd.
//!
//! The two fences forbid the store-buffer outcome where the shard misses the
//! push *and* the sender misses the flag, so a push is always either seen by
//! the shard's check or followed by a wake-up. Only one wake-up syscall is made
//! per park, however many senders race.

use crate::loom::sync::atomic::{AtomicBool, Ordering, fence};

/// The shard's side and the senders' side of the park handshake.
#[derive(Debug, Default)]
pub(crate) struct ParkFlag {
    sleeping: AtomicBool,
}

impl ParkFlag {
    pub(crate) fn new() -> Self {
        ParkFlag {
            sleeping: AtomicBool::new(false),
        }
    }

    /// Shard side. Returns `true` when the shard may park: `has_work` saw
    /// nothing after the flag was raised.
    pub(crate) fn prepare_park(&self, has_work: impl FnOnce() -> bool) -> bool {
        self.sleeping.store(true, Ordering::SeqCst);
        fence(Ordering::SeqCst);
        if has_work() {
            self.sleeping.store(false, Ordering::SeqCst);
            false
        } else {
            true
        }
    }

    /// Shard side, after waking up for any reason.
    pub(crate) fn unparked(&self) {
        self.sleeping.store(false, Ordering::SeqCst);
    }

    /// Sender side, after its push. Returns `true` when this sender must
    /// wake the shard.
    pub(crate) fn needs_wake(&self) -> bool {
        fence(Ordering::SeqCst);
        self.sleeping.load(Ordering::SeqCst) && self.sleeping.swap(false, Ordering::SeqCst)
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::loom::sync::Arc;
    use crate::loom::sync::atomic::AtomicUsize;
    use crate::loom::thread;

    /// A push is never lost: either the shard sees it before parking, or the
    /// sender is told to wake the shard.
    #[test]
    fn park_wake_never_loses_a_push() {
        loom::model(|| {
            let flag = Arc::new(ParkFlag::new());
            let inbox = Arc::new(AtomicUsize::new(0));
            let woken = Arc::new(AtomicUsize::new(0));
            let sender = {
                let (flag, inbox, woken) = (flag.clone(), inbox.clone(), woken.clone());
                thread::spawn(move || {
                    inbox.store(1, Ordering::Relaxed);
                    if flag.needs_wake() {
                        woken.fetch_add(1, Ordering::Relaxed);
                    }
                })
            };
            let parked = flag.prepare_park(|| inbox.load(Ordering::Relaxed) == 1);
            sender.join().unwrap();
            if parked {
                assert_eq!(
                    woken.load(Ordering::Relaxed),
                    1,
                    "parked and nobody woke us"
                );
            }
        });
    }
}
