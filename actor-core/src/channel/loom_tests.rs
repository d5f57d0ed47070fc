//! Loom models of the channels. Run with
//! `RUSTFLAGS="--cfg loom" cargo test -p actor-core --release --lib -- loom_tests`.
//!
//! Each model is small (two or three threads, a handful of messages). The
//! blocking methods only yield under loom, but at most one thread per model
//! may wait in them: with two threads spinning on a third, loom's scheduler
//! ping-pongs between the spinners until it runs out of branches
//! (tokio-rs/loom#53). Other threads use the `try_*` methods and report
//! what they managed.
//! Models run with at most 3 preemptions (`LOOM_MAX_PREEMPTIONS` overrides
//! it): enough for the races below, and it keeps each model well under a
//! minute.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::channel::{RecvError, TryRecvError, mpmc, spsc};
use loom::thread;

/// `loom::model` with a preemption bound unless the environment sets one.
fn model(f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound.get_or_insert(3);
    builder.max_branches = 10_000;
    builder.check(f);
}

/// Counts drops, to prove nothing is lost or dropped twice.
struct Counted(usize, Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.1.fetch_add(1, Ordering::SeqCst);
    }
}

fn spsc_in_order(capacity: usize, items: usize) {
    model(move || {
        let (tx, rx) = spsc::bounded(capacity);
        let producer = thread::spawn(move || (0..items).for_each(|i| tx.send_blocking(i).unwrap()));
        for i in 0..items {
            assert_eq!(rx.recv_blocking(), Ok(i));
        }
        assert_eq!(rx.recv_blocking(), Err(RecvError));
        producer.join().unwrap();
    });
}

#[test]
fn spsc_three_items_through_one_slot_keep_order() {
    spsc_in_order(1, 3);
}

#[test]
fn spsc_three_items_through_two_slots_keep_order() {
    spsc_in_order(2, 3);
}

#[test]
fn mpmc_two_senders_one_receiver() {
    model(|| {
        let (tx, rx) = mpmc::bounded(2);
        // Sender `s` tries to send `(s, 0)`, `(s, 1)`, ... and reports which
        // went in. Only the receiver spins (see the module docs).
        let spawn = |s: usize, n: usize| {
            let tx = tx.clone();
            thread::spawn(move || {
                (0..n)
                    .filter(|&i| tx.try_send((s, i)).is_ok())
                    .map(|i| (s, i))
                    .collect::<Vec<_>>()
            })
        };
        let senders = [spawn(0, 2), spawn(1, 1)];
        drop(tx);
        let got: Vec<_> = std::iter::from_fn(|| rx.recv_blocking().ok()).collect();
        let mut sent: Vec<_> = senders
            .into_iter()
            .flat_map(|s| s.join().unwrap())
            .collect();
        assert!(
            sent.len() >= 2,
            "two slots: at most one send can find the queue full"
        );
        let mut sorted = got.clone();
        sorted.sort_unstable();
        sent.sort_unstable();
        assert_eq!(sorted, sent, "received exactly what was sent");
        let from_0: Vec<_> = got.iter().filter(|m| m.0 == 0).collect();
        assert!(from_0.is_sorted(), "per-sender order: {from_0:?}");
    });
}

#[test]
fn mpmc_one_sender_two_receivers() {
    model(|| {
        let (tx, rx) = mpmc::bounded(2);
        // Nobody spins: each receiver polls twice and keeps what it got.
        let spawn = || {
            let rx = rx.clone();
            thread::spawn(move || {
                (0..2)
                    .filter_map(|_| rx.try_recv().ok())
                    .collect::<Vec<_>>()
            })
        };
        let receivers = [spawn(), spawn()];
        tx.try_send(1).unwrap();
        tx.try_send(2).unwrap();
        drop(tx);
        let streams: Vec<_> = receivers.into_iter().map(|r| r.join().unwrap()).collect();
        let mut all: Vec<_> = streams.iter().flatten().copied().collect();
        all.extend(std::iter::from_fn(|| rx.try_recv().ok()));
        assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
        all.sort_unstable();
        assert_eq!(all, [1, 2], "each message received exactly once");
        assert!(
            streams.iter().all(|s| s.is_sorted()),
            "one receiver taking both takes them in order"
        );
    });
}

#[test]
fn spsc_disconnect_while_in_flight_loses_and_duplicates_nothing() {
    model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = spsc::bounded(1);
        let d = drops.clone();
        let producer = thread::spawn(move || {
            // Fails only if the consumer already left; the value comes back.
            let _ = tx.try_send(Counted(7, d));
        });
        let consumer = thread::spawn(move || rx.try_recv().map(|c| c.0));
        producer.join().unwrap();
        let got = consumer.join().unwrap();
        assert!(matches!(
            got,
            Ok(7) | Err(TryRecvError::Empty | TryRecvError::Disconnected)
        ));
        assert_eq!(
            drops.load(Ordering::SeqCst),
            1,
            "dropped once: by receiver, sender or channel"
        );
    });
}

#[test]
fn mpmc_sent_then_dropped_is_still_received() {
    model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = mpmc::bounded(1);
        let d = drops.clone();
        let sender = thread::spawn(move || {
            tx.try_send(Counted(7, d))
                .unwrap_or_else(|_| panic!("empty, receiver alive"));
        });
        // The send and the sender's drop race with this receive; a message
        // sent before the last sender left must never read as Disconnected.
        assert_eq!(rx.recv_blocking().map(|c| c.0), Ok(7));
        sender.join().unwrap();
        assert_eq!(rx.try_recv().map(|c| c.0), Err(TryRecvError::Disconnected));
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn mpmc_receiver_leaving_mid_send_drops_the_message_once() {
    model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = mpmc::bounded(1);
        let d = drops.clone();
        let sender = thread::spawn(move || {
            let _ = tx.try_send(Counted(1, d.clone()));
            let _ = tx.try_send(Counted(2, d));
        });
        let receiver = thread::spawn(move || rx.try_recv().map(|c| c.0));
        sender.join().unwrap();
        let got = receiver.join().unwrap();
        assert!(matches!(got, Ok(1) | Err(TryRecvError::Empty)));
        assert_eq!(drops.load(Ordering::SeqCst), 2);
    });
}
