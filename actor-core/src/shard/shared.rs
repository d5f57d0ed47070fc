//! The part of a shard other threads touch: its inbox, its park flag and
//! eventfd, its counters and its registry of residents (live actors).

use std::collections::VecDeque;
use std::rc::Rc;
use std::task::Waker;
use std::time::Instant;

use crate::loom::sync::Mutex;
use crate::loom::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use crate::metrics::ShardCounters;
use crate::reactor::EventFd;
use crate::shard::local::ShardLocal;
use crate::shard::park::ParkFlag;
use crate::shard::registry::Registry;
use crate::shard::task::TaskRef;
use crossbeam_utils::CachePadded;

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
    lanes: Mutex<InboxLanes>,
    /// Whether `lanes.items` may hold something: set under the lock with
    /// each push, cleared under it by each drain, read without it by the
    /// spinning shard (the park handshake orders it like the items).
    queued: AtomicBool,
}

struct InboxLanes {
    items: VecDeque<Remote>,
    /// Set when the shard thread has left its loop for good.
    closed: bool,
}

/// One shard's shared half. The fields other threads touch on every
/// message each have a cache line of their own: the park flag (read by
/// every sender after its push) must not share one with the inbox, which
/// the spinning shard used to lock on every turn, or with the counters it
/// bumps per message, or each cross-shard send would pay a miss.
pub(crate) struct ShardShared {
    pub(crate) index: usize,
    /// Items from threads that are not this runtime's shards.
    inbox: CachePadded<Inbox>,
    next_seq: AtomicU64,
    park: CachePadded<ParkFlag>,
    pub(crate) eventfd: EventFd,
    pub(crate) counters: CachePadded<ShardCounters>,
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
            inbox: CachePadded::new(Inbox {
                lanes: Mutex::new(InboxLanes {
                    items: VecDeque::new(),
                    closed: false,
                }),
                queued: AtomicBool::new(false),
            }),
            next_seq: AtomicU64::new(0),
            park: CachePadded::new(ParkFlag::new()),
            eventfd: EventFd::new()?,
            counters: CachePadded::new(ShardCounters::default()),
            registry: Mutex::new(Registry::default()),
        })
    }

    /// Hands `item` to the shard and wakes it if it is parked. Gives the
    /// item back if the shard has stopped for good.
    pub(crate) fn push_remote(&self, item: Remote) -> Result<(), Remote> {
        {
            let mut lanes = self.inbox.lanes.lock();
            if lanes.closed {
                return Err(item);
            }
            lanes.items.push_back(item);
            self.inbox.queued.store(true, Ordering::Relaxed);
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
        let mut lanes = self.inbox.lanes.lock();
        lanes.closed = true;
        self.inbox.queued.store(false, Ordering::Relaxed);
        std::mem::take(&mut lanes.items)
    }

    /// Wakes the shard if it is parked (or about to park).
    pub(crate) fn wake_if_parked(&self) {
        if self.park.needs_wake() {
            self.eventfd.notify();
        }
    }

    /// Takes everything in the inbox.
    pub(crate) fn drain_inbox(&self, into: &mut VecDeque<Remote>) {
        if !self.inbox.queued.load(Ordering::Acquire) {
            return;
        }
        let mut lanes = self.inbox.lanes.lock();
        self.inbox.queued.store(false, Ordering::Relaxed);
        into.append(&mut lanes.items);
        crate::util::give_back_excess(&mut lanes.items);
    }

    /// Without taking the lock: a read of `queued`.
    pub(crate) fn inbox_is_empty(&self) -> bool {
        !self.inbox.queued.load(Ordering::Acquire)
    }

    pub(crate) fn park_flag(&self) -> &ParkFlag {
        &self.park
    }
}
