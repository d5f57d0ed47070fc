//! loom models of the protocols that join the mailbox, the task header and
//! the shard, run on the real types (not re-implementations):
//!
//! - a foreign `close` ordered after the owner's lock-free pushes by the
//!   shard's exit (ownership released, then the inbox closed under its lock);
//! - the actor's `next` (fast path included) against `schedule_after_push`,
//!   and against a stop request;
//! - a task that lingers (see `shard::linger`) against a push;
//! - the park handshake against the real inbox flag and a one-way queue.
//!
//! Run: `RUSTFLAGS="--cfg loom" cargo test -p actor-core --release --lib -- loom_tests`

use std::sync::Arc as StdArc;

use crate::actor::ExitReason;
use crate::channel::spsc;
use crate::loom::sync::{Arc, Mutex};
use crate::loom::thread;
use crate::mailbox::{Mailbox, Next, OwnerThread};
use crate::shard::shared::{Remote, ShardShared};
use crate::shard::task::TaskCell;

fn owner() -> OwnerThread {
    // SAFETY: the model's main thread plays the receiver's shard thread.
    unsafe { OwnerThread::assume() }
}

/// Wake-ups queued in the shard's inbox (and dropped).
fn schedules_queued(shard: &ShardShared) -> usize {
    let mut items = std::collections::VecDeque::new();
    shard.drain_inbox(&mut items);
    items
        .into_iter()
        .filter(|i| matches!(i, Remote::Schedule(_)))
        .count()
}

/// The shard's exit as the runtime orders it: pushes without the lock while
/// it owns the mailbox, then (ownership released) a locked push, then the
/// inbox closes under its lock. A thread that finds the inbox closed closes
/// the mailbox itself. loom checks the batch is never touched by both
/// without order, and every accepted message comes out exactly once.
#[test]
fn a_foreign_close_after_the_inbox_closes_is_ordered_after_owner_pushes() {
    loom::model(|| {
        let mb = Arc::new(Mailbox::<u32>::new(4));
        let inbox_closed = Arc::new(Mutex::new(false));
        let foreign = {
            let (mb, inbox_closed) = (mb.clone(), inbox_closed.clone());
            thread::spawn(move || {
                let closed = *inbox_closed.lock();
                if closed {
                    mb.close().into_iter().collect()
                } else {
                    Vec::new()
                }
            })
        };
        let mut sent = Vec::new();
        for i in 1..=2 {
            if mb.push_local(i, None, owner()).is_ok() {
                sent.push(i);
            }
        }
        // Ownership released: this thread's sends take the lock now.
        if mb.try_push(3).is_ok() {
            sent.push(3);
        }
        *inbox_closed.lock() = true;
        let mut got: Vec<u32> = foreign.join().unwrap();
        got.extend(mb.close());
        got.sort_unstable();
        assert_eq!(got, sent);
    });
}

/// One poll of an actor task as `run_mailbox` makes it: take until a
/// message with nothing behind it, or until empty, or a stop.
fn one_poll(cell: &TaskCell<Mailbox<u32>>) -> (Vec<u32>, bool) {
    cell.header().begin_poll();
    let mut handled = Vec::new();
    loop {
        match cell.next() {
            Next::Msg(m, more) => {
                handled.push(m);
                if !more {
                    return (handled, false);
                }
            }
            Next::Stop(_) => return (handled, true),
            Next::Notice(_) => {}
            Next::Empty => return (handled, false),
        }
    }
}

/// A message pushed from another thread while the actor polls (the batch
/// holds one already, so the fast path runs) is handled by that poll, or
/// the task is scheduled again: never stranded.
#[test]
fn next_and_schedule_after_push_strand_no_message() {
    loom::model(|| {
        let shard = StdArc::new(ShardShared::new(0).unwrap());
        let cell = TaskCell::new(shard.clone(), Mailbox::<u32>::new(4));
        cell.push_local(1, None, owner()).unwrap();
        let producer = {
            let cell = cell.clone();
            thread::spawn(move || {
                if cell.try_push(2).is_ok() {
                    cell.schedule_after_push();
                }
            })
        };
        let (handled, _) = one_poll(&cell);
        producer.join().unwrap();
        let left = cell.len();
        if left > 0 {
            assert!(
                schedules_queued(&shard) > 0,
                "{left} stranded after {handled:?}"
            );
        }
    });
}

/// The looks of a lingering task: no `begin_poll` (its flag stays claimed),
/// and the mailbox may answer without its lock.
fn lingering_looks(cell: &TaskCell<Mailbox<u32>>) -> Vec<u32> {
    let mut handled = Vec::new();
    crate::shard::linger::with_lingering_poll(|| {
        for _ in 0..2 {
            while let Next::Msg(m, _) = cell.next() {
                handled.push(m);
            }
        }
    });
    handled
}

/// A task that lingers after an empty poll (its flag claimed, so a push
/// skips the wake-up), looks without the lock, then stops lingering through
/// an ordinary poll: a message pushed from another thread meanwhile is
/// handled by one of those, or has scheduled the task again.
#[test]
fn a_lingering_task_strands_no_message() {
    loom::model(|| {
        let shard = StdArc::new(ShardShared::new(0).unwrap());
        let cell = TaskCell::new(shard.clone(), Mailbox::<u32>::new(4));
        let producer = {
            let cell = cell.clone();
            thread::spawn(move || {
                if cell.try_push(7).is_ok() {
                    cell.schedule_after_push();
                }
            })
        };
        let (mut handled, _) = one_poll(&cell);
        if cell.header().claim_for_linger() {
            handled.extend(lingering_looks(&cell));
            handled.extend(one_poll(&cell).0);
        }
        producer.join().unwrap();
        let left = cell.len();
        if left > 0 {
            assert!(
                schedules_queued(&shard) > 0,
                "{left} stranded after {handled:?}"
            );
        }
    });
}

/// A stop requested while the actor takes batched messages on the fast path
/// is seen by that poll, or the task is scheduled again.
#[test]
fn a_stop_request_is_not_missed_by_the_fast_path() {
    loom::model(|| {
        let shard = StdArc::new(ShardShared::new(0).unwrap());
        let cell = TaskCell::new(shard.clone(), Mailbox::<u32>::new(4));
        cell.push_local(1, None, owner()).unwrap();
        cell.push_local(2, None, owner()).unwrap();
        let stopper = {
            let cell = cell.clone();
            thread::spawn(move || {
                if cell.request_stop(ExitReason::Normal) {
                    cell.schedule();
                }
            })
        };
        let (_, saw_stop) = one_poll(&cell);
        stopper.join().unwrap();
        if !saw_stop {
            assert!(schedules_queued(&shard) > 0, "the stop was missed");
        }
    });
}

/// The park handshake with the real shared inbox: a push from a plain
/// thread is seen before parking, or the eventfd is written.
#[test]
fn park_never_misses_an_inbox_push() {
    loom::model(|| {
        let shard = Arc::new(ShardShared::new(0).unwrap());
        let sender = {
            let shard = shard.clone();
            thread::spawn(move || {
                let waker = std::task::Waker::noop().clone();
                let item = Remote::Timer(std::time::Instant::now(), waker);
                assert!(shard.push_remote(item).is_ok());
            })
        };
        let parked = shard.park_flag().prepare_park(|| !shard.inbox_is_empty());
        sender.join().unwrap();
        if parked {
            assert!(shard.eventfd.drain(), "parked, and nobody woke the shard");
        }
    });
}

/// The same with a one-way queue from another shard.
#[test]
fn park_never_misses_a_pair_queue_push() {
    loom::model(|| {
        let shard = Arc::new(ShardShared::new(0).unwrap());
        let (tx, rx) = spsc::bounded::<u32>(2);
        let sender = {
            let shard = shard.clone();
            thread::spawn(move || {
                tx.try_send(7).unwrap();
                shard.wake_if_parked();
            })
        };
        let parked = shard.park_flag().prepare_park(|| !rx.is_empty());
        sender.join().unwrap();
        if parked {
            assert!(shard.eventfd.drain(), "parked, and nobody woke the shard");
        }
    });
}
