//! Unit and property tests of the channels (also run under miri:
//! `cargo +nightly miri test -p actor-core --lib channel_tests`).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use crate::channel::{RecvError, SendError, TryRecvError, TrySendError, mpmc, spsc};
use proptest::prelude::*;

/// Scales iteration counts down under miri, which is ~1000x slower.
const fn scaled(n: usize) -> usize {
    if cfg!(miri) { n / 1000 } else { n }
}

/// A channel flavour seen through one pair of handles, so every test below
/// runs against both.
trait Pair<T> {
    fn send(&self, v: T) -> Result<(), TrySendError<T>>;
    fn recv(&self) -> Result<T, TryRecvError>;
    fn len(&self) -> usize;
    fn cap(&self) -> usize;
}

impl<T> Pair<T> for (spsc::Producer<T>, spsc::Consumer<T>) {
    fn send(&self, v: T) -> Result<(), TrySendError<T>> {
        self.0.try_send(v)
    }
    fn recv(&self) -> Result<T, TryRecvError> {
        self.1.try_recv()
    }
    fn len(&self) -> usize {
        assert_eq!(self.0.len(), self.1.len());
        self.1.len()
    }
    fn cap(&self) -> usize {
        self.0.capacity()
    }
}

impl<T> Pair<T> for (mpmc::Sender<T>, mpmc::Receiver<T>) {
    fn send(&self, v: T) -> Result<(), TrySendError<T>> {
        self.0.try_send(v)
    }
    fn recv(&self) -> Result<T, TryRecvError> {
        self.1.try_recv()
    }
    fn len(&self) -> usize {
        assert_eq!(self.0.len(), self.1.len());
        self.1.len()
    }
    fn cap(&self) -> usize {
        self.1.capacity()
    }
}

fn both<T: Send + 'static>(cap: usize, check: impl Fn(&dyn Pair<T>)) {
    check(&spsc::bounded::<T>(cap));
    check(&mpmc::bounded::<T>(cap));
}

#[test]
fn fifo_order_and_full_hands_the_value_back() {
    both::<String>(4, |ch| {
        for lap in 0..3 {
            for i in 0..4 {
                ch.send(format!("{lap}-{i}")).unwrap();
            }
            assert_eq!(ch.len(), 4);
            assert_eq!(
                ch.send("late".into()),
                Err(TrySendError::Full("late".to_owned()))
            );
            for i in 0..4 {
                assert_eq!(ch.recv().unwrap(), format!("{lap}-{i}"));
            }
            assert_eq!(ch.recv(), Err(TryRecvError::Empty));
        }
    });
}

#[test]
fn capacity_is_rounded_up_and_exactly_that_many_fit() {
    for (asked, real) in [(0, 1), (1, 1), (2, 2), (3, 4), (5, 8), (64, 64)] {
        both::<usize>(asked, |ch| {
            assert_eq!(ch.cap(), real);
            for lap in 0..3 {
                for i in 0..real {
                    ch.send(i).unwrap();
                }
                assert!(
                    ch.send(lap).unwrap_err().is_full(),
                    "capacity {real} lap {lap}"
                );
                for i in 0..real {
                    assert_eq!(ch.recv(), Ok(i));
                }
            }
        });
    }
}

#[test]
fn spsc_disconnects_both_ways() {
    let (tx, rx) = spsc::bounded(2);
    tx.try_send(1).unwrap();
    drop(tx);
    assert!(rx.is_disconnected());
    assert_eq!(rx.try_recv(), Ok(1), "queued messages outlive the producer");
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    assert_eq!(rx.recv_blocking(), Err(RecvError));

    let (tx, rx) = spsc::bounded(2);
    assert!(!tx.is_disconnected());
    drop(rx);
    assert!(tx.is_disconnected());
    assert_eq!(tx.try_send(7), Err(TrySendError::Disconnected(7)));
    assert_eq!(tx.send_blocking(8), Err(SendError(8)));
}

#[test]
fn mpmc_disconnects_when_the_last_handle_of_a_side_goes() {
    let (tx, rx) = mpmc::bounded(2);
    let tx2 = tx.clone();
    tx.try_send(1).unwrap();
    drop(tx);
    assert!(!rx.is_disconnected(), "one sender is still alive");
    tx2.try_send(2).unwrap();
    drop(tx2);
    assert!(rx.is_disconnected());
    assert_eq!((rx.try_recv(), rx.try_recv()), (Ok(1), Ok(2)));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    assert_eq!(rx.recv_blocking(), Err(RecvError));

    let (tx, rx) = mpmc::bounded(2);
    let rx2 = rx.clone();
    drop(rx);
    assert_eq!(tx.try_send(3), Ok(()));
    drop(rx2);
    assert!(tx.is_disconnected());
    assert_eq!(tx.try_send(4).map_err(TrySendError::into_inner), Err(4));
    assert_eq!(tx.send_blocking(5), Err(SendError(5)));
}

#[test]
fn blocking_calls_return_when_the_other_side_leaves() {
    let (tx, rx) = spsc::bounded::<u8>(1);
    let waiter = thread::spawn(move || rx.recv_blocking());
    drop(tx);
    assert_eq!(waiter.join().unwrap(), Err(RecvError));

    let (tx, rx) = mpmc::bounded::<u8>(1);
    tx.try_send(0).unwrap();
    let waiter = thread::spawn(move || tx.send_blocking(1));
    drop(rx);
    assert_eq!(waiter.join().unwrap(), Err(SendError(1)));
}

struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn remaining_items_are_dropped_exactly_once_with_the_channel() {
    // Received items are dropped by the test; queued ones by the channel.
    // Sending 6 and receiving 3 through capacity 4 wraps the ring.
    let run = |ch: Box<dyn Pair<Counted>>, drops: &Arc<AtomicUsize>| {
        for _ in 0..4 {
            ch.send(Counted(drops.clone()))
                .unwrap_or_else(|_| panic!("room"));
        }
        for _ in 0..3 {
            drop(ch.recv().unwrap());
        }
        ch.send(Counted(drops.clone()))
            .unwrap_or_else(|_| panic!("room"));
        ch.send(Counted(drops.clone()))
            .unwrap_or_else(|_| panic!("room"));
        assert_eq!(drops.load(Ordering::SeqCst), 3);
        drop(ch);
        assert_eq!(drops.load(Ordering::SeqCst), 6);
    };
    run(Box::new(spsc::bounded(4)), &Arc::new(AtomicUsize::new(0)));
    run(Box::new(mpmc::bounded(4)), &Arc::new(AtomicUsize::new(0)));
}

#[test]
fn spsc_keeps_order_across_threads() {
    let n = scaled(1_000_000);
    let (tx, rx) = spsc::bounded(64);
    let producer = thread::spawn(move || (0..n).for_each(|i| tx.send_blocking(i).unwrap()));
    for expected in 0..n {
        assert_eq!(rx.recv_blocking(), Ok(expected));
    }
    producer.join().unwrap();
    assert_eq!(rx.recv_blocking(), Err(RecvError));
}

#[test]
fn mpmc_two_by_two_delivers_each_item_once_in_per_producer_order() {
    let per_producer = scaled(100_000);
    let (tx, rx) = mpmc::bounded(32);
    let producers: Vec<_> = (0..2_usize)
        .map(|p| {
            let tx = tx.clone();
            thread::spawn(move || (0..per_producer).for_each(|i| tx.send_blocking((p, i)).unwrap()))
        })
        .collect();
    drop(tx);
    let consumers: Vec<_> = (0..2)
        .map(|_| {
            let rx = rx.clone();
            thread::spawn(move || {
                std::iter::from_fn(|| rx.recv_blocking().ok()).collect::<Vec<_>>()
            })
        })
        .collect();
    drop(rx);
    producers.into_iter().for_each(|p| p.join().unwrap());
    let mut seen: HashMap<(usize, usize), usize> = HashMap::new();
    for consumer in consumers {
        let stream = consumer.join().unwrap();
        let mut last = [None::<usize>; 2];
        for &(p, i) in &stream {
            assert!(last[p] < Some(i), "producer {p}: {i} after {:?}", last[p]);
            last[p] = Some(i);
            *seen.entry((p, i)).or_default() += 1;
        }
    }
    assert_eq!(seen.len(), 2 * per_producer, "every item arrived");
    assert!(seen.values().all(|&c| c == 1), "no item arrived twice");
}

#[test]
fn handles_are_send_mpmc_handles_are_sync_and_debug_shows_no_messages() {
    fn send<T: Send>() {}
    fn sync<T: Sync>() {}
    send::<spsc::Producer<u8>>();
    send::<spsc::Consumer<u8>>();
    send::<mpmc::Sender<u8>>();
    send::<mpmc::Receiver<u8>>();
    sync::<mpmc::Sender<u8>>();
    sync::<mpmc::Receiver<u8>>();
    let (tx, _rx) = spsc::bounded::<u8>(0);
    let shown = format!("{tx:?}");
    assert_eq!(
        shown,
        "Producer { len: 0, capacity: 1, disconnected: false }"
    );
}

#[test]
fn errors_print_without_the_message() {
    struct Opaque;
    let full = TrySendError::Full(Opaque);
    assert_eq!(format!("{full:?}"), "Full(..)");
    assert_eq!(full.to_string(), "sending on a full channel");
    assert_eq!(
        TrySendError::Disconnected(1).to_string(),
        "sending on a disconnected channel"
    );
    assert_eq!(format!("{:?}", SendError(Opaque)), "SendError(..)");
    let boxed: Box<dyn std::error::Error> = Box::new(SendError(Opaque));
    assert_eq!(boxed.to_string(), "sending on a disconnected channel");
    assert_eq!(
        TryRecvError::Empty.to_string(),
        "receiving on an empty channel"
    );
    assert_eq!(
        RecvError.to_string(),
        "receiving on an empty and disconnected channel"
    );
    assert_eq!(TryRecvError::from(RecvError), TryRecvError::Disconnected);
}

#[derive(Debug, Clone)]
enum Op {
    Send(u16),
    Recv,
}

fn ops() -> impl Strategy<Value = (usize, Vec<Op>)> {
    let op = prop_oneof![any::<u16>().prop_map(Op::Send), Just(Op::Recv)];
    (0..9_usize, proptest::collection::vec(op, 0..200))
}

/// Replays `ops` against `ch` and a `VecDeque` bounded like the channel.
fn check_against_model(ch: &dyn Pair<u16>, ops: &[Op]) -> Result<(), TestCaseError> {
    let cap = ch.cap();
    let mut model = VecDeque::new();
    for op in ops {
        match *op {
            Op::Send(v) if model.len() < cap => {
                prop_assert_eq!(ch.send(v), Ok(()));
                model.push_back(v);
            }
            Op::Send(v) => prop_assert_eq!(ch.send(v), Err(TrySendError::Full(v))),
            Op::Recv => prop_assert_eq!(ch.recv().ok(), model.pop_front()),
        }
        prop_assert_eq!(ch.len(), model.len());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) { 4 } else { 256 },
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn spsc_matches_a_vecdeque((cap, ops) in ops()) {
        let ch = spsc::bounded(cap);
        prop_assert_eq!(ch.0.capacity(), cap.max(1).next_power_of_two());
        check_against_model(&ch, &ops)?;
    }

    #[test]
    fn mpmc_matches_a_vecdeque((cap, ops) in ops()) {
        let ch = mpmc::bounded(cap);
        prop_assert_eq!(ch.1.capacity(), cap.max(1).next_power_of_two());
        check_against_model(&ch, &ops)?;
    }
}

/// The walk-through the module docs used to show.
#[test]
fn both_flavours_round_capacity_and_report_full_and_disconnected() {
    let (tx, rx) = spsc::bounded(3); // rounded up to 4
    assert_eq!(tx.capacity(), 4);
    let worker =
        std::thread::spawn(move || (0..100).map(|_| rx.recv_blocking().unwrap()).sum::<u32>());
    for i in 0..100 {
        tx.send_blocking(i).unwrap();
    }
    assert_eq!(worker.join().unwrap(), 4950);

    let (tx, rx) = mpmc::bounded(1);
    let tx2 = tx.clone();
    tx.try_send("a").unwrap();
    assert_eq!(tx2.try_send("b"), Err(TrySendError::Full("b")));
    drop((tx, tx2));
    assert_eq!(rx.try_recv(), Ok("a"));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
}

/// The SPSC handles are `Send` but neither `Sync` nor `Clone`: one thread
/// at a time on each side. Each ambiguity check below fails to compile if
/// the type gains the trait.
#[allow(dead_code)]
const _: () = {
    fn send<T: Send>() {}
    trait AmbiguousIfSync<A> {
        fn some_item() {}
    }
    impl<T: ?Sized> AmbiguousIfSync<()> for T {}
    impl<T: ?Sized + Sync> AmbiguousIfSync<u8> for T {}
    trait AmbiguousIfClone<A> {
        fn some_item() {}
    }
    impl<T: ?Sized> AmbiguousIfClone<()> for T {}
    impl<T: Clone> AmbiguousIfClone<u8> for T {}
    fn spsc_handles_are_send() {
        send::<spsc::Producer<u8>>();
        send::<spsc::Consumer<u8>>();
    }
    fn producer_is_not_sync() {
        <spsc::Producer<u8> as AmbiguousIfSync<_>>::some_item();
    }
    fn consumer_is_not_sync() {
        <spsc::Consumer<u8> as AmbiguousIfSync<_>>::some_item();
    }
    fn producer_is_not_clone() {
        <spsc::Producer<u8> as AmbiguousIfClone<_>>::some_item();
    }
    fn consumer_is_not_clone() {
        <spsc::Consumer<u8> as AmbiguousIfClone<_>>::some_item();
    }
};
