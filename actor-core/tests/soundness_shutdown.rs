//! Regression tests for the shutdown paths: sends from destructors racing a
//! foreign `close`, queued messages whose `Drop` panics, supervised actors
//! between incarnations, and jobs sent to a shard while it exits.
#![allow(missing_docs)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use actor_core::prelude::*;
use actor_core::supervision::{Factory, spawn_supervised};

/// A message that counts its drops once it was accepted by a mailbox.
struct Counted(Arc<AtomicUsize>, bool);

impl Counted {
    fn new(drops: &Arc<AtomicUsize>) -> Self {
        Counted(drops.clone(), true)
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        if self.1 {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

struct Sink;

impl Actor for Sink {
    type Msg = Counted;
    async fn handle(&mut self, _: Counted, _: &mut Context<Self>) {}
}

/// Sends to `target` from its destructor, as long as the mailbox takes it,
/// after raising `dropping`.
struct SendOnDrop {
    target: ActorRef<Sink>,
    dropped: Arc<AtomicUsize>,
    sent: Arc<AtomicUsize>,
    dropping: Arc<AtomicBool>,
}

impl Drop for SendOnDrop {
    fn drop(&mut self) {
        self.dropping.store(true, Ordering::Release);
        for _ in 0..4_000 {
            match self.target.try_tell(Counted::new(&self.dropped)) {
                Ok(()) => {
                    self.sent.fetch_add(1, Ordering::Relaxed);
                }
                // Handed back, never accepted: not counted.
                Err(e) => e.into_inner().1 = false,
            }
        }
    }
}

/// Spawns, from its `on_start`, a task that never finishes and sends from
/// its destructor when the shard drops it at exit.
struct Spawner(Option<SendOnDrop>);

impl Actor for Spawner {
    type Msg = ();
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        let guard = self.0.take();
        ctx.spawn_task(async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        });
        Ok(())
    }
    async fn handle(&mut self, _: (), _: &mut Context<Self>) {}
}

/// A task's destructor sends (on the shard thread, during its exit, after
/// the shard's inbox closed) to a supervised actor that exited, while a
/// plain thread closes that actor (on its own thread, since the inbox is
/// closed). Every message accepted is dropped exactly once: none is lost,
/// none is freed twice (this aborted with "double free or corruption").
#[test]
fn sends_from_destructors_at_exit_race_no_foreign_close() {
    for round in 0..300u64 {
        let rt = Runtime::builder().shards(1).build().unwrap();
        let factory: Factory<Sink> = Arc::new(|| Sink);
        let child = spawn_supervised(rt.handle(), 0, Some(8192), factory).unwrap();
        child.stop();
        let deadline = Instant::now() + Duration::from_secs(5);
        while child.is_running() {
            assert!(Instant::now() < deadline, "the child did not exit");
            std::thread::yield_now();
        }
        let dropped = Arc::new(AtomicUsize::new(0));
        let sent = Arc::new(AtomicUsize::new(0));
        let dropping = Arc::new(AtomicBool::new(false));
        let guard = SendOnDrop {
            target: child.clone(),
            dropped: dropped.clone(),
            sent: sent.clone(),
            dropping: dropping.clone(),
        };
        rt.spawn_on(0, move || Spawner(Some(guard))).unwrap();
        let closer = {
            let (child, dropping) = (child.clone(), dropping.clone());
            std::thread::spawn(move || {
                while !dropping.load(Ordering::Acquire) {
                    std::hint::spin_loop();
                }
                // Spread over the destructor's sends, round by round.
                spin_for(Duration::from_micros(round % 20));
                child.close(ExitReason::Normal);
            })
        };
        rt.shutdown().unwrap();
        closer.join().unwrap();
        assert!(!child.is_alive());
        assert_eq!(
            dropped.load(Ordering::Relaxed),
            sent.load(Ordering::Relaxed),
            "a message was lost or dropped twice"
        );
    }
}

fn spin_for(d: Duration) {
    let end = Instant::now() + d;
    while Instant::now() < end {
        std::hint::spin_loop();
    }
}

/// Panics when dropped while armed.
struct PanicOnDrop(bool);

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        if self.0 && !std::thread::panicking() {
            panic!("a message that panics in its drop");
        }
    }
}

enum GateMsg {
    /// Waits this long before taking the next message.
    Hold(Duration),
    Payload(#[allow(dead_code)] PanicOnDrop),
    /// Drops the reply unanswered.
    Ignore(#[allow(dead_code)] ReplyTo<()>),
}

struct Gate;

impl Actor for Gate {
    type Msg = GateMsg;
    async fn handle(&mut self, msg: GateMsg, _: &mut Context<Self>) {
        if let GateMsg::Hold(d) = msg {
            actor_core::time::sleep(d).await;
        }
    }
}

/// A queued message whose `Drop` panics while the actor stops: the actor
/// still ends cleanly (not alive, its stop awaited, out of the registry so
/// shutdown is prompt), and the drop cause does not leak to later drops on
/// that shard (an unanswered ask still says `NoReply`).
#[test]
fn a_queued_message_that_panics_in_drop_leaves_the_actor_stopped() {
    let rt = Runtime::builder().shards(1).build().unwrap();
    let gate = rt.spawn_on(0, || Gate).unwrap();
    gate.tell_blocking(GateMsg::Hold(Duration::from_millis(100)))
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while gate.mailbox_len() > 0 {
        assert!(Instant::now() < deadline, "the hold was never taken");
        std::thread::yield_now();
    }
    gate.tell_blocking(GateMsg::Payload(PanicOnDrop(true)))
        .unwrap();
    gate.tell_blocking(GateMsg::Payload(PanicOnDrop(false)))
        .unwrap();
    gate.stop();
    let reason = gate.wait_stopped_blocking(Duration::from_secs(5));
    assert!(reason.is_ok(), "the stop was never reported");
    assert!(!gate.is_alive());
    assert_eq!(rt.dead_letters().count(), 2);

    let other = rt.spawn_on(0, || Gate).unwrap();
    let answer = other.ask_blocking_timeout(Duration::from_secs(5), GateMsg::Ignore);
    assert_eq!(answer, Err(AskError::NoReply), "a stale drop cause");
    let began = Instant::now();
    rt.shutdown().unwrap();
    assert!(
        began.elapsed() < Duration::from_secs(2),
        "shutdown waited on a dead entry"
    );
}

/// A supervised actor between incarnations when the runtime shuts down
/// ends for good: not alive, its queued messages dropped as dead letters,
/// and a blocking send fails at once instead of waiting forever.
#[test]
fn supervised_actors_between_incarnations_end_at_shutdown() {
    let rt = Runtime::builder().shards(2).build().unwrap();
    let factory: Factory<Sink> = Arc::new(|| Sink);
    let child = spawn_supervised(rt.handle(), 1, Some(8), factory).unwrap();
    child.kill();
    rt.block_on(child.wait_exit());
    let dropped = Arc::new(AtomicUsize::new(0));
    for _ in 0..3 {
        child.tell_blocking(Counted::new(&dropped)).unwrap();
    }
    rt.shutdown().unwrap();
    assert!(!child.is_alive());
    assert_eq!(dropped.load(Ordering::Relaxed), 3, "queued messages leaked");
    let sent = child.tell_blocking(Counted::new(&dropped));
    assert!(matches!(sent, Err(SendError::Closed(_))));
}

/// Restarts a supervised child from its `on_stop`, which runs while the
/// child's own shard may be exiting.
struct Restarter {
    child: ActorRef<Sink>,
    factory: Factory<Sink>,
    restarted: Arc<AtomicBool>,
}

impl Actor for Restarter {
    type Msg = ();
    async fn handle(&mut self, _: (), _: &mut Context<Self>) {}
    async fn on_stop(&mut self, _: &ExitReason, _: &mut Context<Self>) {
        let ok = self.child.restart(self.factory.clone()).is_ok();
        self.restarted.store(ok, Ordering::Relaxed);
    }
}

/// A restart job sent to a shard while it exits either runs or is refused:
/// never accepted and then lost. After shutdown the child is gone.
#[test]
fn jobs_sent_to_an_exiting_shard_run_or_are_refused() {
    for _ in 0..40 {
        let rt = Runtime::builder().shards(2).build().unwrap();
        let factory: Factory<Sink> = Arc::new(|| Sink);
        let child = spawn_supervised(rt.handle(), 1, None, factory.clone()).unwrap();
        child.kill();
        rt.block_on(child.wait_exit());
        let restarted = Arc::new(AtomicBool::new(false));
        let (c, f, r) = (child.clone(), factory.clone(), restarted.clone());
        rt.spawn_on(0, move || Restarter {
            child: c,
            factory: f,
            restarted: r,
        })
        .unwrap();
        rt.shutdown().unwrap();
        assert!(!child.is_alive(), "the child outlived its runtime");
        assert!(matches!(
            child.try_tell(Counted(Arc::default(), false)),
            Err(SendError::Closed(_))
        ));
    }
}
