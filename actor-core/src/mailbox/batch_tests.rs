//! The batch path and the same-shard push (also run under miri).

use super::*;

/// The batch path end to end: order across a swap, the capacity counting
/// the batch, a stop overtaking batched messages, and `close` handing
/// back batch then queue. (Also run under miri:
/// `cargo +nightly miri test -p actor-core --lib batch_tests`.)
#[test]
fn batches_keep_order_capacity_and_priority() {
    let mb = Mailbox::new(4);
    for i in 0..4 {
        mb.try_push(i).unwrap();
    }
    // The first pop swaps all four into the batch.
    assert!(matches!(mb.next(), Next::Msg(0, true)));
    assert_eq!(mb.len(), 3);
    mb.try_push(4).unwrap();
    assert_eq!(mb.try_push(9), Err(SendError::Full(9)), "the batch counts");
    assert!(matches!(mb.next(), Next::Msg(1, true)));
    mb.request_stop(ExitReason::Normal);
    assert!(matches!(mb.next(), Next::Stop(ExitReason::Normal)));
    assert!(matches!(mb.next(), Next::Msg(2, true)));
    let rest = mb.close();
    assert_eq!(rest, [3, 4]);
    assert!(matches!(mb.next(), Next::Empty));
}

/// Boxed messages: miri checks every one is dropped exactly once.
#[test]
fn batched_messages_are_dropped_once() {
    let mb = Mailbox::new(8);
    for i in 0..6 {
        mb.try_push(Box::new(i)).unwrap();
    }
    assert!(matches!(mb.next(), Next::Msg(b, true) if *b == 0));
    mb.try_push(Box::new(6)).unwrap();
    drop(mb);
}

fn owner() -> OwnerThread {
    // SAFETY: these tests are the only thread touching their mailbox.
    unsafe { OwnerThread::assume() }
}

fn drain(mb: &Mailbox<u32>) -> Vec<u32> {
    let mut out = Vec::new();
    while let Next::Msg(m, _) = mb.next() {
        out.push(m);
    }
    out
}

/// Same-shard pushes join the batch: each lane keeps its order, the
/// capacity counts them, and queued messages are not starved by them.
#[test]
fn local_pushes_keep_each_lane_in_order_and_starve_no_one() {
    let mb = Mailbox::new(8);
    mb.try_push(100).unwrap();
    mb.try_push(101).unwrap();
    mb.push_local(1, None, owner()).unwrap();
    mb.try_push(102).unwrap();
    mb.push_local(2, None, owner()).unwrap();
    assert_eq!(mb.len(), 5);
    let got = drain(&mb);
    let local: Vec<_> = got.iter().copied().filter(|m| *m < 100).collect();
    let remote: Vec<_> = got.iter().copied().filter(|m| *m >= 100).collect();
    assert_eq!(local, [1, 2]);
    assert_eq!(remote, [100, 101, 102]);

    // A receiver that keeps messaging itself still reaches the queue.
    mb.push_local(0, None, owner()).unwrap();
    mb.try_push(200).unwrap();
    let mut seen_remote = false;
    for i in 1..20 {
        match mb.next() {
            Next::Msg(200, _) => {
                seen_remote = true;
                break;
            }
            Next::Msg(_, _) => mb.push_local(i, None, owner()).unwrap(),
            _ => panic!("the mailbox ran dry"),
        }
    }
    assert!(seen_remote, "the queued message waited behind self-sends");
}

#[test]
fn local_pushes_respect_capacity_and_close() {
    let mb = Mailbox::new(2);
    mb.try_push(7).unwrap();
    mb.push_local(1, None, owner()).unwrap();
    assert_eq!(mb.push_local(2, None, owner()), Err(SendError::Full(2)));
    assert_eq!(mb.try_push(8), Err(SendError::Full(8)));
    let waker = std::task::Waker::noop();
    assert_eq!(
        mb.push_local(3, Some(waker), owner()),
        Err(SendError::Full(3))
    );
    assert!(matches!(mb.next(), Next::Msg(_, _)));
    mb.push_local(3, Some(waker), owner()).unwrap();
    let rest = mb.close();
    assert_eq!(rest.len(), 2);
    assert_eq!(mb.push_local(4, None, owner()), Err(SendError::Closed(4)));
    assert_eq!(
        mb.push_local(5, Some(waker), owner()),
        Err(SendError::Closed(5))
    );
}
