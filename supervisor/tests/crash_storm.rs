#![allow(missing_docs)]
//! Crash storms: 10k crashes of one child while its siblings (on both shards)
//! receive sequenced messages from several senders. The siblings lose,
//! duplicate and reorder nothing, and are never restarted.

mod common;

use std::time::{Duration, Instant};

use actor_core::DeadLetterReason;
use actor_supervisor::{ChildSpec, EventKind, Supervisor};
use common::{Msg, Worker, log, quiet_panics, runtime, wait_until};

const CRASHES: u64 = 10_000;
const PER_SENDER: u64 = 20_000;
const SENDERS: u32 = 2;

#[test]
fn ten_thousand_crashes_leave_siblings_untouched() {
    quiet_panics();
    let rt = runtime();
    let log = log();
    let tree = Supervisor::builder()
        .shard(0)
        .intensity(u32::MAX, Duration::from_secs(1))
        .child_spec(ChildSpec::new("s0", Worker::factory("s0", &log)).shard(0))
        .child_spec(ChildSpec::new("crasher", Worker::factory("crasher", &log)).shard(1))
        .child_spec(ChildSpec::new("s1", Worker::factory("s1", &log)).shard(1))
        .spawn_blocking(rt.handle())
        .unwrap();
    let events = tree.subscribe();
    let crasher = tree.child::<Worker>("crasher").unwrap();
    let siblings = [
        tree.child::<Worker>("s0").unwrap(),
        tree.child::<Worker>("s1").unwrap(),
    ];
    let t0 = Instant::now();
    std::thread::scope(|s| {
        for sib in &siblings {
            for sender in 0..SENDERS {
                s.spawn(move || {
                    for n in 0..PER_SENDER {
                        sib.tell_blocking(Msg::Seq(sender, n)).unwrap();
                    }
                });
            }
        }
        s.spawn(|| {
            for _ in 0..CRASHES {
                crasher.tell_blocking(Msg::Crash).unwrap();
            }
        });
    });
    let mut restarts = 0;
    while restarts < CRASHES {
        let ev = events
            .recv_timeout(Duration::from_secs(20))
            .expect("restart events");
        if let EventKind::Restarted { .. } = ev.kind {
            assert_eq!(
                ev.child.as_deref(),
                Some("crasher"),
                "only the crasher restarts"
            );
            restarts += 1;
        }
    }
    for sib in &siblings {
        let (seen, in_order) = sib.ask_blocking(Msg::Check).unwrap();
        assert_eq!(
            seen,
            PER_SENDER * u64::from(SENDERS),
            "nothing lost or duplicated"
        );
        assert!(in_order, "per-sender order kept");
    }
    // The crasher is alive, same handle, and answers.
    assert_eq!(crasher.ask_blocking(Msg::Handled).unwrap(), 1);
    let panicked = rt
        .dead_letters()
        .recent()
        .iter()
        .filter(|d| d.reason == DeadLetterReason::HandlerPanicked)
        .count();
    assert!(panicked > 0 && rt.dead_letters().count() >= CRASHES);
    let started = log
        .lock()
        .iter()
        .filter(|l| l.as_str() == "start:crasher")
        .count();
    assert_eq!(started as u64, CRASHES + 1);
    assert_eq!(
        log.lock()
            .iter()
            .filter(|l| l.starts_with("start:s"))
            .count(),
        2
    );
    wait_until(Duration::from_secs(5), "no stray events", || {
        events.try_recv().is_err()
    });
    eprintln!("{CRASHES} crashes handled in {:?}", t0.elapsed());
    tree.shutdown_blocking(Duration::from_secs(10)).unwrap();
    rt.shutdown().unwrap();
}
