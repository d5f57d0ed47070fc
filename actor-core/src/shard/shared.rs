//! The part of a shard other threads touch: its inbox, its park flag and
//! eventfd, its counters and its registry of live actors.

use std::collections::VecDeque;
use std::rc::Rc;
use std::task::Waker;
use std::time::Instant;

use crate::loom::sync::Mutex;
use crate::loom::sync::atomic::{AtomicU64, Ordering};
use crate::metrics::ShardCounters;
use crate::reactor::EventFd;
use crate::shard::local::ShardLocal;
use crate::shard::park::ParkFlag;
use crate::shard::registry::Registry;
use crate::shard::task::TaskRef;

/// A job run on the shard, with the shard's local state.
pub(crate) type ShardJob = Box<dyn FnOnce(&Rc<ShardLocal>) + Send>;

/// What other threads hand a shard.
pub(crate) enum Remote {
    /// A task became runnable.
    Schedule(TaskRef),
    /// Run this on the shard (spawning an actor, for one).
    Run(ShardJob),
    /// Wake this waker at or after the deadline (sleeps off the shard).
    Timer(Instant, Waker),
}

struct Inbox {
    items: VecDeque<Remote>,
    /// Set when the shard thread has left its loop for good.
    closed: bool,
}

/// One shard's shared half.
pub(crate) struct ShardShared {
    pub(crate) index: usize,
    inbox: Mutex<Inbox>,
    next_seq: AtomicU64,
    park: ParkFlag,
    pub(crate) eventfd: EventFd,
    pub(crate) counters: ShardCounters,
    /// Live actors.
    pub(crate) registry: Mutex<Registry>,
}

impl std::fmt::Debug for ShardShared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShardShared")
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}

impl ShardShared {
    pub(crate) fn new(index: usize) -> std::io::Result<Self> {
        Ok(ShardShared {
            index,
            inbox: Mutex::new(Inbox {
                items: VecDeque::new(),
                closed: false,
            }),
            next_seq: AtomicU64::new(0),
            park: ParkFlag::new(),
            eventfd: EventFd::new()?,
            counters: ShardCounters::default(),
            registry: Mutex::new(Registry::default()),
        })
    }

    /// Hands `item` to the shard and wakes it if it is parked. Gives the
    /// item back if the shard has stopped for good.
    pub(crate) fn push_remote(&self, item: Remote) -> Result<(), Remote> {
        {
            let mut inbox = self.inbox.lock();
            if inbox.closed {
                return Err(item);
            }
            inbox.items.push_back(item);
        }
        self.wake_if_parked();
        Ok(())
    }

    /// A fresh sequence number for an actor of this shard.
    pub(crate) fn next_seq(&self) -> u64 {
        self.next_seq.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Refuses further items and hands back what is still queued.
    pub(crate) fn close_inbox(&self) -> VecDeque<Remote> {
        let mut inbox = self.inbox.lock();
        inbox.closed = true;
        std::mem::take(&mut inbox.items)
    }

    /// Wakes the shard if it is parked (or about to park).
    pub(crate) fn wake_if_parked(&self) {
        if self.park.needs_wake() {
            self.eventfd.notify();
        }
    }

    /// Takes everything in the inbox.
    pub(crate) fn drain_inbox(&self, into: &mut VecDeque<Remote>) {
        let mut inbox = self.inbox.lock();
        if !inbox.items.is_empty() {
            into.append(&mut inbox.items);
        }
    }

    pub(crate) fn inbox_is_empty(&self) -> bool {
        self.inbox.lock().items.is_empty()
    }

    pub(crate) fn park_flag(&self) -> &ParkFlag {
        &self.park
    }
}
