//! Loom models of the mailbox: capacity and order under racing senders.

use super::*;
use crate::loom::sync::Arc;
use crate::loom::thread;

/// A thread that tries to push each of `msgs` from off the shard and
/// returns those that went in.
fn remote_sender(
    mb: &Arc<Mailbox<u32>>,
    msgs: std::ops::RangeInclusive<u32>,
) -> thread::JoinHandle<Vec<u32>> {
    let mb = mb.clone();
    thread::spawn(move || msgs.filter(|&i| mb.try_push(i).is_ok()).collect())
}

/// A sender pushes two messages while the receiver takes (batched) and
/// then closes: what it took, then what `close` handed back, is exactly
/// the sent sequence, in order.
#[test]
fn batched_receive_loses_nothing_and_keeps_order() {
    loom::model(|| {
        let mb = Arc::new(Mailbox::new(2));
        let sender = remote_sender(&mb, 1..=2);
        let mut got = Vec::new();
        for _ in 0..2 {
            if let Next::Msg(m, _) = mb.next() {
                got.push(m);
            }
        }
        let sent = sender.join().unwrap();
        got.extend(mb.close());
        assert_eq!(got, sent);
    });
}

/// A remote sender and the receiver's own shard (appending to the
/// batch between takes) race: nothing is lost, each lane keeps its
/// order, and the capacity holds.
#[test]
fn local_and_remote_pushes_lose_nothing_and_keep_each_order() {
    loom::model(|| {
        let mb = Arc::new(Mailbox::new(3));
        let sender = remote_sender(&mb, 10..=11);
        let mut local_sent = Vec::new();
        let mut got = Vec::new();
        for i in 1..=2 {
            // SAFETY: this thread plays the receiver's shard thread.
            let owner = unsafe { OwnerThread::assume() };
            if mb.push_local(i, None, owner).is_ok() {
                local_sent.push(i);
            }
            assert!(mb.len() <= 3);
            if let Next::Msg(m, _) = mb.next() {
                got.push(m);
            }
        }
        let sent = sender.join().unwrap();
        got.extend(mb.close());
        let local: Vec<_> = got.iter().copied().filter(|m| *m < 10).collect();
        let remote: Vec<_> = got.iter().copied().filter(|m| *m >= 10).collect();
        assert_eq!(local, local_sent);
        assert_eq!(remote, sent);
    });
}

/// The capacity bound stated in the module docs: with a same-shard and
/// a remote sender racing (and nothing taken), at most `2 × capacity`
/// messages are accepted, and each lane alone at most `capacity`.
#[test]
fn racing_lanes_exceed_the_capacity_by_at_most_one_lane() {
    loom::model(|| {
        let mb = Arc::new(Mailbox::new(1));
        let sender = remote_sender(&mb, 10..=11);
        let mut local = 0;
        for i in 1..=2 {
            // SAFETY: this thread plays the receiver's shard thread.
            let owner = unsafe { OwnerThread::assume() };
            if mb.push_local(i, None, owner).is_ok() {
                local += 1;
            }
        }
        let remote = sender.join().unwrap().len();
        assert!(local <= 1 && remote <= 1, "a lane passed its own bound");
        assert!(local + remote <= 2);
        assert_eq!(mb.close().len(), local + remote);
    });
}
