//! Timers fire in deadline order and never before their deadline. Only
//! order and lower bounds are asserted: no upper bounds on wall-clock time.
#![allow(missing_docs)]

mod common;

use std::time::{Duration, Instant};

use actor_core::prelude::*;
use actor_core::time::{Elapsed, sleep, sleep_until, timeout};
use actor_core::{DeadLetterReason, TimerHandle};

const WAIT: Duration = Duration::from_secs(5);
/// The index of a `tell_after` whose handle was dropped.
const KEPT: usize = 1000;
/// The index of a `tell_after` cancelled through its handle.
const CANCELLED: usize = 1001;

#[derive(Default)]
struct Clock {
    /// `(index, deadline computed when scheduling, when handled)`.
    fired: Vec<(usize, Instant, Instant)>,
    ticks: Vec<Instant>,
    interval: Option<TimerHandle>,
}

enum ClockMsg {
    /// `tell_after` each delay (in ms); `Fired(i, deadline)` comes back.
    Schedule(Vec<u64>, ReplyTo<()>),
    Fired(usize, Instant),
    Report(ReplyTo<Vec<(usize, Instant, Instant)>>),
    /// Starts an interval; replies with a time no later than its start.
    Interval(Duration, ReplyTo<Instant>),
    Tick,
    Ticks(ReplyTo<Vec<Instant>>),
    /// Cancels the interval; replies with the ticks handled or queued.
    Cancel(ReplyTo<usize>),
    /// Schedules a timer and an interval, then stops.
    ArmAndStop,
    /// Two `tell_after`s of the same delay: `Fired(KEPT, _)` with its handle
    /// dropped, `Fired(CANCELLED, _)` cancelled at once.
    DropAndCancel(Duration, ReplyTo<()>),
    /// Starts an interval and drops its handle.
    IntervalDropped(Duration, ReplyTo<()>),
    /// Sleeps inside the handler; replies with how long it took.
    Nap(Duration, ReplyTo<Duration>),
}

impl Actor for Clock {
    type Msg = ClockMsg;

    async fn handle(&mut self, msg: ClockMsg, ctx: &mut Context<Self>) {
        match msg {
            ClockMsg::Schedule(delays, r) => {
                for (i, ms) in delays.into_iter().enumerate() {
                    let delay = Duration::from_millis(ms);
                    let deadline = Instant::now() + delay;
                    ctx.tell_after(delay, ClockMsg::Fired(i, deadline)).detach();
                }
                r.send(());
            }
            ClockMsg::Fired(i, deadline) => self.fired.push((i, deadline, Instant::now())),
            ClockMsg::Report(r) => r.send(self.fired.clone()),
            ClockMsg::Interval(period, r) => {
                let start = Instant::now();
                self.interval = Some(ctx.tell_interval(period, || ClockMsg::Tick));
                r.send(start);
            }
            ClockMsg::Tick => self.ticks.push(Instant::now()),
            ClockMsg::Ticks(r) => r.send(self.ticks.clone()),
            ClockMsg::Cancel(r) => {
                if let Some(t) = self.interval.take() {
                    t.cancel();
                }
                // Only ticks can be queued now: the test asks one at a time.
                r.send(self.ticks.len() + ctx.myself().mailbox_len());
            }
            ClockMsg::ArmAndStop => {
                ctx.tell_after(Duration::from_millis(30), ClockMsg::Tick)
                    .detach();
                drop(ctx.tell_interval(Duration::from_millis(10), || ClockMsg::Tick));
                ctx.stop();
            }
            ClockMsg::DropAndCancel(delay, r) => {
                let deadline = Instant::now() + delay;
                drop(ctx.tell_after(delay, ClockMsg::Fired(KEPT, deadline)));
                ctx.tell_after(delay, ClockMsg::Fired(CANCELLED, deadline))
                    .cancel();
                r.send(());
            }
            ClockMsg::IntervalDropped(period, r) => {
                drop(ctx.tell_interval(period, || ClockMsg::Tick));
                r.send(());
            }
            ClockMsg::Nap(d, r) => {
                let start = Instant::now();
                sleep(d).await;
                r.send(start.elapsed());
            }
        }
    }
}

#[test]
fn tell_after_fires_in_deadline_order_and_never_early() {
    let rt = common::rt2();
    for shard in 0..2 {
        let clock = rt.spawn_on(shard, Clock::default).unwrap();
        // Scheduled latest-first, so the wheel (not the order of calls) puts
        // them in order; the spread crosses wheel levels.
        let delays = vec![140, 75, 40, 22, 9, 3, 1, 0];
        clock
            .ask_blocking(|r| ClockMsg::Schedule(delays.clone(), r))
            .unwrap();
        let mut fired = Vec::new();
        let all = common::eventually(WAIT, || {
            fired = clock.ask_blocking(ClockMsg::Report).unwrap();
            fired.len() == delays.len()
        });
        assert!(all, "only {} of {} timers fired", fired.len(), delays.len());
        for &(i, deadline, at) in &fired {
            assert!(
                at >= deadline,
                "timer {i} ({} ms) fired {:?} early",
                delays[i],
                deadline - at
            );
        }
        let order: Vec<u64> = fired.iter().map(|&(i, _, _)| delays[i]).collect();
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(order, sorted, "timers fired out of deadline order");
    }
    rt.shutdown().unwrap();
}

#[test]
fn tell_interval_ticks_and_stops_after_cancel() {
    const PERIOD: Duration = Duration::from_millis(10);
    let rt = common::rt2();
    let clock = rt.spawn_on(1, Clock::default).unwrap();
    let start = clock
        .ask_blocking(|r| ClockMsg::Interval(PERIOD, r))
        .unwrap();
    let mut ticks = Vec::new();
    let enough = common::eventually(WAIT, || {
        ticks = clock.ask_blocking(ClockMsg::Ticks).unwrap();
        ticks.len() >= 5
    });
    assert!(enough, "only {} ticks", ticks.len());
    // Tick k comes no earlier than k periods after the start.
    for (k, &at) in ticks.iter().enumerate() {
        let due = start + PERIOD * (k as u32 + 1);
        assert!(at >= due, "tick {k} came {:?} early", due - at);
    }
    let at_cancel = clock.ask_blocking(ClockMsg::Cancel).unwrap();
    assert!(at_cancel >= 5);
    std::thread::sleep(PERIOD * 6);
    let after = clock.ask_blocking(ClockMsg::Ticks).unwrap().len();
    assert_eq!(after, at_cancel, "ticks kept coming after cancel");
    rt.shutdown().unwrap();
}

/// Dropping a `TimerHandle` detaches the timer (it still fires, and an
/// interval keeps ticking); `cancel` stops it. Both drivers, both shards.
#[test]
fn a_dropped_timer_handle_detaches_and_cancel_stops_the_timer() {
    const DELAY: Duration = Duration::from_millis(15);
    let rt = common::rt2();
    for shard in 0..2 {
        let clock = rt.spawn_on(shard, Clock::default).unwrap();
        clock
            .ask_blocking(|r| ClockMsg::DropAndCancel(DELAY, r))
            .unwrap();
        let kept = common::eventually(WAIT, || {
            let fired = clock.ask_blocking(ClockMsg::Report).unwrap();
            fired.iter().any(|&(i, _, _)| i == KEPT)
        });
        assert!(kept, "a timer whose handle was dropped never fired");
        // Same deadline: the cancelled one would have fired by now; give it
        // several more periods anyway.
        std::thread::sleep(DELAY * 4);
        let fired = clock.ask_blocking(ClockMsg::Report).unwrap();
        assert!(
            fired.iter().all(|&(i, _, _)| i != CANCELLED),
            "a cancelled timer fired"
        );

        clock
            .ask_blocking(|r| ClockMsg::IntervalDropped(Duration::from_millis(5), r))
            .unwrap();
        let ticking = common::eventually(WAIT, || {
            clock.ask_blocking(ClockMsg::Ticks).unwrap().len() >= 3
        });
        assert!(ticking, "an interval whose handle was dropped stopped");
        clock.stop();
        assert_eq!(clock.wait_stopped_blocking(WAIT), Ok(ExitReason::Normal));
    }
    rt.shutdown().unwrap();
}

#[test]
fn timers_end_with_their_actor() {
    let rt = common::rt2();
    let clock = rt.spawn_on(0, Clock::default).unwrap();
    clock.tell_blocking(ClockMsg::ArmAndStop).unwrap();
    assert_eq!(clock.wait_stopped_blocking(WAIT), Ok(ExitReason::Normal));
    std::thread::sleep(Duration::from_millis(60));
    // Had the timers outlived the actor, their sends would be dead letters.
    let letters = rt.dead_letters().recent();
    assert!(
        letters
            .iter()
            .all(|l| l.reason != DeadLetterReason::MailboxClosed),
        "{letters:?}"
    );
    rt.shutdown().unwrap();
}

#[test]
fn sleep_inside_a_handler_waits_at_least_its_duration() {
    let rt = common::rt2();
    for shard in 0..2 {
        let clock = rt.spawn_on(shard, Clock::default).unwrap();
        let d = Duration::from_millis(25);
        let took = clock.ask_blocking(|r| ClockMsg::Nap(d, r)).unwrap();
        assert!(took >= d, "slept only {took:?}");
    }
    rt.shutdown().unwrap();
}

#[test]
fn sleep_and_timeout_inside_block_on() {
    let rt = common::rt2();
    rt.block_on(async {
        let start = Instant::now();
        sleep(Duration::from_millis(30)).await;
        assert!(start.elapsed() >= Duration::from_millis(30));

        // A deadline in the past is ready at once.
        sleep_until(start).await;

        let start = Instant::now();
        let r = timeout(Duration::from_millis(20), std::future::pending::<()>()).await;
        assert_eq!(r, Err(Elapsed));
        assert!(start.elapsed() >= Duration::from_millis(20));

        let r = timeout(WAIT, async {
            sleep(Duration::from_millis(5)).await;
            7
        })
        .await;
        assert_eq!(r, Ok(7));

        // Several sleeps in a row keep their lower bounds.
        let start = Instant::now();
        for _ in 0..3 {
            sleep(Duration::from_millis(4)).await;
        }
        assert!(start.elapsed() >= Duration::from_millis(12));
    });
    rt.shutdown().unwrap();
}

/// `None` blocks its shard's thread until told to go on (or 30 s pass);
/// `Some` answers.
struct Blocker {
    started: std::sync::mpsc::Sender<()>,
    release: std::sync::mpsc::Receiver<()>,
    released: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Actor for Blocker {
    type Msg = Option<ReplyTo<()>>;

    async fn handle(&mut self, msg: Option<ReplyTo<()>>, _ctx: &mut Context<Self>) {
        if let Some(reply) = msg {
            reply.send(());
            return;
        }
        let _ = self.started.send(());
        let _ = self.release.recv_timeout(Duration::from_secs(30));
        self.released
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

#[test]
fn an_ask_timeout_from_a_plain_thread_fires_while_the_target_shard_is_blocked() {
    let rt = Runtime::builder().shards(2).build().unwrap();
    let (started_tx, started) = std::sync::mpsc::channel();
    let (release, release_rx) = std::sync::mpsc::channel();
    let released = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = released.clone();
    let blocker = rt
        .spawn_on(1, move || Blocker {
            started: started_tx,
            release: release_rx,
            released: flag,
        })
        .unwrap();
    blocker.tell_blocking(None).unwrap();
    started.recv().unwrap();
    // Shard 1 runs nothing until released: the deadline must not need it.
    let asked = rt.block_on(blocker.ask_timeout(Duration::from_millis(50), Some));
    assert!(matches!(asked, Err(AskError::Timeout)), "{asked:?}");
    let blocking = blocker.ask_blocking_timeout(Duration::from_millis(50), Some);
    assert!(matches!(blocking, Err(AskError::Timeout)), "{blocking:?}");
    let slept = rt.block_on(timeout(
        Duration::from_millis(50),
        sleep(Duration::from_secs(60)),
    ));
    assert_eq!(slept, Err(Elapsed));
    assert!(!released.load(std::sync::atomic::Ordering::SeqCst));
    release.send(()).unwrap();
    rt.shutdown().unwrap();
}
