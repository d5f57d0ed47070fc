#![allow(missing_docs)]
//! Backoff: the delay schedule with an injected clock and seed (asserted,
//! never slept and measured), and the mailbox kept during a backoff.

mod common;

use std::time::{Duration, Instant};

use actor_supervisor::{Backoff, BackoffState, EventKind, Restart, SplitMix64, Supervisor};
use common::{Msg, Worker, log, quiet_panics, runtime};
use proptest::prelude::*;

const MS: Duration = Duration::from_millis(1);

#[test]
fn schedule_doubles_caps_and_resets_after_a_stable_period() {
    let policy = Backoff::new(100 * MS, 1000 * MS).reset_after(5000 * MS);
    let mut rng = SplitMix64::new(7);
    let mut st = BackoffState::new();
    let t0 = Instant::now();
    st.started(t0);
    let mut delays = Vec::new();
    for k in 0..6 {
        // Each incarnation crashes 10 ms after it starts.
        let now = t0 + k * 10 * MS;
        delays.push(st.next_delay(&policy, now, &mut rng).as_millis());
        st.started(now);
    }
    assert_eq!(delays, [100, 200, 400, 800, 1000, 1000]);
    // Stable for the reset period: back to the smallest delay.
    let later = t0 + 60 * MS + 5000 * MS;
    assert_eq!(st.next_delay(&policy, later, &mut rng), 100 * MS);
    assert_eq!(st.attempt(), 1);
}

#[test]
fn jitter_is_reproducible_from_the_seed() {
    let policy = Backoff::new(100 * MS, 10_000 * MS).random_factor(0.5);
    let t0 = Instant::now();
    let run = |seed| {
        let mut rng = SplitMix64::new(seed);
        let mut st = BackoffState::new();
        (0..5)
            .map(|_| st.next_delay(&policy, t0, &mut rng))
            .collect::<Vec<_>>()
    };
    // The draws of SplitMix64(1234567) are the reference vector's, so the
    // delays are known exactly: base · (1 + 0.5 · u).
    let mut draws = SplitMix64::new(1234567);
    let expected: Vec<Duration> = (0..5)
        .map(|k| (100 * MS * (1 << k)).mul_f64(1.0 + 0.5 * draws.next_f64()))
        .collect();
    assert_eq!(run(1234567), expected);
    // 6457827717110365317 / 2^64 = 0.35007954…: 100 ms · 1.17503977
    assert_eq!(expected[0], Duration::from_nanos(117_503_977));
    assert_eq!(run(1234567), run(1234567));
    assert_ne!(run(1234567), run(7654321));
}

proptest! {
    #[test]
    fn delays_stay_within_bounds(seed: u64, min_ms in 1u64..1000, span in 1u64..50, rf in 0.0f64..2.0, n in 1usize..40) {
        let min = Duration::from_millis(min_ms);
        let max = min * span as u32;
        let policy = Backoff::new(min, max).random_factor(rf);
        let mut rng = SplitMix64::new(seed);
        let mut st = BackoffState::new();
        let t0 = Instant::now();
        for k in 0..n {
            let d = st.next_delay(&policy, t0, &mut rng);
            let base = min.saturating_mul(1u32 << k.min(31)).min(max);
            prop_assert!(d >= base);
            prop_assert!(d <= base.mul_f64(1.0 + rf) + Duration::from_nanos(1));
        }
    }
}

#[test]
fn a_child_in_backoff_keeps_its_mailbox() {
    quiet_panics();
    let rt = runtime();
    let log = log();
    let tree = Supervisor::builder()
        .intensity(10, Duration::from_secs(5))
        .backoff(Backoff::new(300 * MS, Duration::from_secs(1)))
        .seed(1)
        .child("w", Restart::Permanent, Worker::factory("w", &log))
        .spawn_blocking(rt.handle())
        .unwrap();
    let events = tree.subscribe();
    let w = tree.child::<Worker>("w").unwrap();
    w.tell_blocking(Msg::Crash).unwrap();
    // Queue messages while it waits out the backoff.
    for n in 0..100 {
        w.tell_blocking(Msg::Seq(0, n)).unwrap();
    }
    let mut seen = Vec::new();
    loop {
        let ev = events.recv_timeout(Duration::from_secs(10)).unwrap();
        let restarted = matches!(ev.kind, EventKind::Restarted { .. });
        seen.push(ev.kind);
        if restarted {
            break;
        }
    }
    assert!(
        seen.contains(&EventKind::Backoff {
            delay: 300 * MS,
            attempt: 0
        }),
        "{seen:?}"
    );
    assert_eq!(
        w.ask_blocking(Msg::Check).unwrap(),
        (100, true),
        "all queued messages, in order"
    );
    // The next crash backs off twice as long.
    w.tell_blocking(Msg::Crash).unwrap();
    let delay = loop {
        if let EventKind::Backoff { delay, .. } =
            events.recv_timeout(Duration::from_secs(10)).unwrap().kind
        {
            break delay;
        }
    };
    assert_eq!(delay, 600 * MS);
    tree.shutdown_blocking(Duration::from_secs(10)).unwrap();
    rt.shutdown().unwrap();
}

/// Waits for the next `Backoff` event; panics after ten seconds.
fn next_backoff(
    events: &std::sync::mpsc::Receiver<actor_supervisor::SupervisorEvent>,
) -> (Duration, u32) {
    loop {
        let ev = events
            .recv_timeout(Duration::from_secs(10))
            .expect("a backoff event");
        if let EventKind::Backoff { delay, attempt } = ev.kind {
            return (delay, attempt);
        }
    }
}

/// Waits for the next `Restarted` event; panics after ten seconds.
fn next_restart(events: &std::sync::mpsc::Receiver<actor_supervisor::SupervisorEvent>) {
    loop {
        let ev = events
            .recv_timeout(Duration::from_secs(10))
            .expect("a restart event");
        if let EventKind::Restarted { .. } = ev.kind {
            return;
        }
    }
}

#[test]
fn the_backoff_event_counts_from_the_reset() {
    quiet_panics();
    let rt = runtime();
    let log = log();
    let tree = Supervisor::builder()
        .intensity(100, Duration::from_secs(5))
        .backoff(Backoff::new(10 * MS, Duration::from_secs(1)).reset_after(500 * MS))
        .seed(1)
        .child("w", Restart::Permanent, Worker::factory("w", &log))
        .spawn_blocking(rt.handle())
        .unwrap();
    let events = tree.subscribe();
    let w = tree.child::<Worker>("w").unwrap();
    // Three quick crashes: attempts 0, 1, 2.
    for n in 0..3u32 {
        w.tell_blocking(Msg::Crash).unwrap();
        assert_eq!(next_backoff(&events), (10 * MS * (1 << n), n));
        next_restart(&events);
    }
    // Stable for longer than `reset_after`: the schedule and the count
    // start again.
    std::thread::sleep(700 * MS);
    w.tell_blocking(Msg::Crash).unwrap();
    assert_eq!(next_backoff(&events), (10 * MS, 0));
    next_restart(&events);
    w.tell_blocking(Msg::Crash).unwrap();
    assert_eq!(next_backoff(&events), (20 * MS, 1));
    tree.shutdown_blocking(Duration::from_secs(10)).unwrap();
    rt.shutdown().unwrap();
}

#[test]
fn a_restart_that_never_started_does_not_reset_the_count() {
    let policy = Backoff::new(100 * MS, 10_000 * MS).reset_after(1000 * MS);
    let mut rng = SplitMix64::new(7);
    let mut st = BackoffState::new();
    let t0 = Instant::now();
    st.started(t0);
    // It ran 5 s, then failed: the schedule starts again.
    assert_eq!(st.next_delay(&policy, t0 + 5000 * MS, &mut rng), 100 * MS);
    // Its restarts fail to start (no `started`): however late, no reset.
    assert_eq!(st.next_delay(&policy, t0 + 10_000 * MS, &mut rng), 200 * MS);
    assert_eq!(st.next_delay(&policy, t0 + 20_000 * MS, &mut rng), 400 * MS);
    assert_eq!(st.attempt(), 3);
}

#[test]
fn a_restart_storm_spaced_wider_than_the_window_escalates() {
    // Crashing at once, and after running longer than `reset_after` (the
    // restarts that then fail to start must not reset the count).
    for ran in [Duration::ZERO, 300 * MS] {
        restart_storm_escalates(ran);
    }
}

fn restart_storm_escalates(ran: Duration) {
    quiet_panics();
    let rt = runtime();
    let log = log();
    // The first incarnation starts; every later one fails in `on_start`.
    let builds = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let factory = {
        let (builds, log) = (builds.clone(), log.clone());
        move || {
            let mut w = Worker::new("w", &log);
            w.fail_start = builds.fetch_add(1, std::sync::atomic::Ordering::SeqCst) > 0;
            w
        }
    };
    // Two restarts in 50 ms, while the backoff spaces them 100 ms, 200 ms...
    // apart: the window alone would never fill.
    let tree = Supervisor::builder()
        .intensity(2, 50 * MS)
        .backoff(Backoff::new(100 * MS, Duration::from_secs(1)).reset_after(200 * MS))
        .seed(1)
        .child("w", Restart::Permanent, factory)
        .spawn_blocking(rt.handle())
        .unwrap();
    let events = tree.subscribe();
    std::thread::sleep(ran);
    tree.child::<Worker>("w")
        .unwrap()
        .tell_blocking(Msg::Crash)
        .unwrap();
    let reason = tree
        .actor()
        .wait_stopped_blocking(Duration::from_secs(10))
        .expect("the storm ends: the supervisor escalates");
    assert!(
        matches!(reason, actor_core::ExitReason::Error(_)),
        "{reason:?}"
    );
    let kinds: Vec<EventKind> = events.try_iter().map(|e| e.kind).collect();
    let attempts: Vec<u32> = kinds
        .iter()
        .filter_map(|k| match k {
            EventKind::Backoff { attempt, .. } => Some(*attempt),
            _ => None,
        })
        .collect();
    assert_eq!(attempts, [0, 1], "{kinds:?}");
    assert!(
        matches!(kinds.last(), Some(EventKind::Escalated { .. })),
        "{kinds:?}"
    );
    assert_eq!(builds.load(std::sync::atomic::Ordering::SeqCst), 3);
    rt.shutdown().unwrap();
}
