//! Unit tests of the reply slot and its pool (also run under miri).

use super::*;
use std::task::Wake;

struct Count(std::sync::atomic::AtomicUsize);

impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Every path of the slot's state machine on one thread: answer before
/// the first poll, after it, a changed waker, and an asker gone before
/// the answer. (Also run under miri:
/// `cargo +nightly miri test -p actor-core --lib reply::tests`.)
#[test]
fn reply_slot_paths_wake_once_and_hand_the_value_over() {
    let count = Arc::new(Count(Default::default()));
    let waker = Waker::from(count.clone());
    let mut cx = Context::from_waker(&waker);

    let (to, mut reply) = reply_pair::<String>();
    to.send("early".into());
    assert_eq!(
        Pin::new(&mut reply).poll(&mut cx),
        Poll::Ready(Ok("early".into()))
    );
    assert_eq!(
        Pin::new(&mut reply).poll(&mut cx),
        Poll::Ready(Err(AskError::Closed))
    );

    let (to, mut reply) = reply_pair::<String>();
    assert!(Pin::new(&mut reply).poll(&mut cx).is_pending());
    assert!(
        Pin::new(&mut reply).poll(&mut cx).is_pending(),
        "same waker kept"
    );
    let other = Arc::new(Count(Default::default()));
    let other_waker = Waker::from(other.clone());
    let mut other_cx = Context::from_waker(&other_waker);
    assert!(
        Pin::new(&mut reply).poll(&mut other_cx).is_pending(),
        "waker replaced"
    );
    assert!(to.is_waiting());
    to.send("late".into());
    assert_eq!(count.0.load(std::sync::atomic::Ordering::Relaxed), 0);
    assert_eq!(other.0.load(std::sync::atomic::Ordering::Relaxed), 1);
    assert_eq!(
        Pin::new(&mut reply).poll(&mut cx),
        Poll::Ready(Ok("late".into()))
    );

    let (to, reply) = reply_pair::<String>();
    drop(reply);
    assert!(!to.is_waiting());
    to.send("nobody".into());

    let (to, mut reply) = reply_pair::<String>();
    drop(to);
    assert_eq!(
        Pin::new(&mut reply).poll(&mut cx),
        Poll::Ready(Err(AskError::NoReply))
    );
}

fn slot_ptr<R: 'static>(reply: &Reply<R>) -> *const Slot<R> {
    Arc::as_ptr(reply.slot.as_ref().unwrap())
}

/// A finished ask's slot serves the next ask of the same type on this
/// thread, reset; a slot the answerer still holds is not pooled, and
/// types never share slots. (Also under miri, with the test above.)
#[test]
fn reply_slots_are_reused_per_thread_and_type() {
    let waker = Waker::from(Arc::new(Count(Default::default())));
    let mut cx = Context::from_waker(&waker);
    let (to, mut reply) = reply_pair::<String>();
    let first = slot_ptr(&reply);
    assert!(Pin::new(&mut reply).poll(&mut cx).is_pending());
    to.send("one".into());
    assert_eq!(
        Pin::new(&mut reply).poll(&mut cx),
        Poll::Ready(Ok("one".into()))
    );
    drop(reply);

    let (other_to, other) = reply_pair::<u64>();
    assert_ne!(
        slot_ptr(&other).cast::<()>(),
        first.cast::<()>(),
        "types never share"
    );
    let (to, mut reply) = reply_pair::<String>();
    assert_eq!(slot_ptr(&reply), first, "the slot came back");
    assert!(to.is_waiting());
    assert!(
        Pin::new(&mut reply).poll(&mut cx).is_pending(),
        "reset to waiting"
    );
    drop(reply);
    assert!(
        pool::take::<String>().is_none(),
        "the answerer still holds it"
    );
    to.send("lost".into());
    drop((other_to, other));
}

/// The answer and the asker's drop race on two threads, round after
/// round, so slots go back to the pool and come out again: every value
/// is dropped once and no slot is reused while the answerer holds it.
/// (Also under miri: `cargo +nightly miri test -p actor-core --lib reply::tests`.)
#[test]
fn a_reply_dropped_while_send_runs_recycles_its_slot_safely() {
    for round in 0..12u32 {
        let (to, reply) = reply_pair::<Box<u32>>();
        let answerer = std::thread::spawn(move || to.send(Box::new(round)));
        if round % 3 == 0 {
            std::thread::yield_now();
        }
        drop(reply);
        answerer.join().unwrap();
    }
    let (to, reply) = reply_pair::<Box<u32>>();
    to.send(Box::new(99));
    let waker = Waker::noop();
    let mut reply = std::pin::pin!(reply);
    let got = reply.as_mut().poll(&mut Context::from_waker(waker));
    assert!(matches!(got, Poll::Ready(Ok(b)) if *b == 99));
}

/// Slots pooled by a thread are freed when it exits (miri reports a
/// leak otherwise).
#[test]
fn the_reply_pool_is_freed_at_thread_exit() {
    std::thread::spawn(|| {
        for _ in 0..3 {
            let (to, reply) = reply_pair::<String>();
            to.send(String::from("pooled"));
            drop(reply);
        }
        let (_to, _reply) = reply_pair::<u8>();
    })
    .join()
    .unwrap();
}
