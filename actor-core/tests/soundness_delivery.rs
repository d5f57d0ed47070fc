//! Regression tests for delivery and failure bookkeeping: replies left by a
//! panic a handler caught, causal order across the two send lanes, a sender
//! woken by the mailbox it sends to, a kill between a message's take and its
//! handler, dead letters after a restart, monitors of an actor between
//! incarnations, and links that end with an incarnation.
#![allow(missing_docs)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use actor_core::DeadLetterReason;
use actor_core::prelude::*;
use actor_core::supervision::{Factory, spawn_supervised};

const LONG: Duration = Duration::from_secs(5);

struct CatchesItsPanic;

impl Actor for CatchesItsPanic {
    type Msg = ReplyTo<u32>;
    async fn handle(&mut self, reply: ReplyTo<u32>, _: &mut Context<Self>) {
        let caught = catch_unwind(AssertUnwindSafe(move || {
            let _held = reply;
            panic!("caught by the handler itself");
        }));
        assert!(caught.is_err());
    }
}

/// A reply dropped while a handler unwinds a panic it then catches reaches
/// its asker at once, not at the asker's timeout.
#[test]
fn a_reply_dropped_in_a_caught_panic_is_not_stranded() {
    let rt = Runtime::builder().shards(1).build().unwrap();
    let actor = rt.spawn_on(0, || CatchesItsPanic).unwrap();
    let began = Instant::now();
    let answer = actor.ask_blocking_timeout(LONG, |r| r);
    assert_eq!(answer, Err(AskError::ActorFailed));
    assert!(
        began.elapsed() < Duration::from_secs(2),
        "the reply was stranded"
    );
    assert!(
        actor.is_alive(),
        "the handler caught its panic: the actor lives"
    );
    rt.shutdown().unwrap();
}

enum LogMsg {
    Hold(Duration),
    Note(&'static str),
    Read(ReplyTo<Vec<&'static str>>),
}

#[derive(Default)]
struct Log(Vec<&'static str>);

impl Actor for Log {
    type Msg = LogMsg;
    async fn handle(&mut self, msg: LogMsg, _: &mut Context<Self>) {
        match msg {
            LogMsg::Hold(d) => actor_core::time::sleep(d).await,
            LogMsg::Note(n) => self.0.push(n),
            LogMsg::Read(r) => r.send(self.0.clone()),
        }
    }
}

/// Relays a note to the log from the log's own shard.
struct Relay(ActorRef<Log>);

impl Actor for Relay {
    type Msg = (&'static str, ReplyTo<()>);
    async fn handle(&mut self, (note, done): Self::Msg, _: &mut Context<Self>) {
        self.0.tell(LogMsg::Note(note)).await.unwrap();
        done.send(());
    }
}

/// A message sent from a plain thread, then one sent (causally after it)
/// by an actor on the receiver's shard, arrive in that order.
#[test]
fn causal_order_holds_across_the_two_lanes() {
    let rt = Runtime::builder().shards(2).build().unwrap();
    let log = rt.spawn_on(0, Log::default).unwrap();
    let near = log.clone();
    let relay = rt.spawn_on(0, move || Relay(near)).unwrap();
    for _ in 0..5 {
        log.tell_blocking(LogMsg::Hold(Duration::from_millis(20)))
            .unwrap();
        log.tell_blocking(LogMsg::Note("first, from a plain thread"))
            .unwrap();
        relay
            .ask_blocking_timeout(LONG, |r| ("then, from the same shard", r))
            .unwrap();
    }
    let seen = log.ask_blocking_timeout(LONG, LogMsg::Read).unwrap();
    for pair in seen.chunks(2) {
        assert_eq!(
            pair,
            ["first, from a plain thread", "then, from the same shard"]
        );
    }
    rt.shutdown().unwrap();
}

/// A waker that sends to the mailbox whose room it waited for.
struct SendsWhenWoken {
    target: ActorRef<Log>,
    sent: AtomicUsize,
}

impl Wake for SendsWhenWoken {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    /// Sends twice: the first fills the mailbox, so the second takes the
    /// mailbox's lock to find it full (it deadlocked when wakers ran under
    /// that lock).
    fn wake_by_ref(self: &Arc<Self>) {
        for _ in 0..2 {
            if self.target.try_tell(LogMsg::Note("from a waker")).is_ok() {
                self.sent.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// A sender's waker that sends to the same mailbox does not deadlock the
/// receiver (wakers run after the mailbox lock is released).
#[test]
fn a_waker_may_send_to_the_mailbox_that_woke_it() {
    let rt = Runtime::builder().shards(1).build().unwrap();
    let log = rt
        .spawn_with(
            SpawnOptions::new().shard(0).mailbox_capacity(2),
            Log::default,
        )
        .unwrap();
    log.tell_blocking(LogMsg::Hold(Duration::from_millis(50)))
        .unwrap();
    let deadline = Instant::now() + LONG;
    while log.mailbox_len() > 0 {
        assert!(Instant::now() < deadline);
        std::thread::yield_now();
    }
    log.tell_blocking(LogMsg::Note("a")).unwrap();
    log.tell_blocking(LogMsg::Note("b")).unwrap();
    let waker_state = Arc::new(SendsWhenWoken {
        target: log.clone(),
        sent: AtomicUsize::new(0),
    });
    let waker = Waker::from(waker_state.clone());
    let mut tell = std::pin::pin!(log.tell(LogMsg::Note("c")));
    let polled = tell.as_mut().poll(&mut TaskContext::from_waker(&waker));
    assert!(
        matches!(polled, Poll::Pending),
        "the mailbox should be full"
    );
    let seen = log.ask_blocking_timeout(LONG, LogMsg::Read);
    assert!(seen.is_ok(), "the receiver deadlocked: {seen:?}");
    assert_eq!(waker_state.sent.load(Ordering::Relaxed), 1);

    rt.shutdown().unwrap();
}

use std::future::Future;

struct Counter(Arc<AtomicUsize>);

impl Actor for Counter {
    type Msg = u64;
    async fn handle(&mut self, _: u64, _: &mut Context<Self>) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// Kills land at random moments of a message flood: every message accepted
/// is either handled or a dead letter; none vanishes.
#[test]
fn a_kill_during_a_flood_loses_no_message() {
    for round in 0..60u64 {
        let rt = Runtime::builder().shards(2).build().unwrap();
        let handled = Arc::new(AtomicUsize::new(0));
        let h = handled.clone();
        let actor = rt.spawn_on(1, move || Counter(h)).unwrap();
        let flooder = {
            let actor = actor.clone();
            std::thread::spawn(move || {
                let mut sent = 0u64;
                while actor.tell_blocking(sent).is_ok() {
                    sent += 1;
                }
                sent
            })
        };
        std::thread::sleep(Duration::from_micros(200 + round * 37 % 900));
        actor.kill();
        let sent = flooder.join().unwrap();
        actor.wait_stopped_blocking(LONG).unwrap();
        // Every dead letter, less the one send refused as `Closed` that
        // ended the flood.
        let dead = rt.dead_letters().count() - 1;
        let handled = u64::try_from(handled.load(Ordering::Relaxed)).unwrap();
        assert_eq!(handled + dead, sent, "round {round}: a message vanished");
        rt.shutdown().unwrap();
    }
}

/// Panics in its handler, or in `on_start` when told to through the flag;
/// counts its starts.
struct Fragile(Arc<Mutex<bool>>, Arc<AtomicUsize>);

impl Actor for Fragile {
    type Msg = ();
    async fn on_start(&mut self, _: &mut Context<Self>) -> Result<(), BoxError> {
        self.1.fetch_add(1, Ordering::Relaxed);
        if *self.0.lock().unwrap() {
            panic!("on_start panics");
        }
        Ok(())
    }
    async fn handle(&mut self, _: (), _: &mut Context<Self>) {
        panic!("the handler panics");
    }
}

/// After a handler panic, a panic in the next incarnation's `on_start`
/// records no dead letter: no message was in flight.
#[test]
fn a_hook_panic_after_a_handler_panic_records_no_dead_letter() {
    let rt = Runtime::builder().shards(1).build().unwrap();
    let fail_start = Arc::new(Mutex::new(false));
    let starts = Arc::new(AtomicUsize::new(0));
    let (flag, count) = (fail_start.clone(), starts.clone());
    let factory: Factory<Fragile> = Arc::new(move || Fragile(flag.clone(), count.clone()));
    let child = spawn_supervised(rt.handle(), 0, None, factory.clone()).unwrap();
    child.tell_blocking(()).unwrap();
    assert!(matches!(
        rt.block_on(child.wait_exit()),
        ExitReason::Panicked(_)
    ));
    *fail_start.lock().unwrap() = true;
    child.restart(factory).unwrap();
    let deadline = Instant::now() + LONG;
    while starts.load(Ordering::Relaxed) < 2 || child.is_running() {
        assert!(Instant::now() < deadline);
        std::thread::yield_now();
    }
    let panicked = rt
        .dead_letters()
        .recent()
        .iter()
        .filter(|d| d.reason == DeadLetterReason::HandlerPanicked)
        .count();
    assert_eq!(panicked, 1, "one handler panicked, once");
    rt.shutdown().unwrap();
}
