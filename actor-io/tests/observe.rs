//! `/metrics` text and the health probes against a live runtime.

use std::time::Duration;

use actor_core::prelude::*;
use actor_io::observe::{Exporter, Health, Probe};

struct Echo;

impl Actor for Echo {
    type Msg = ReplyTo<u32>;

    async fn handle(&mut self, reply: ReplyTo<u32>, _ctx: &mut Context<Self>) {
        reply.send(7);
    }
}

/// Blocks its shard's thread for the given time, saying when it starts: a
/// misbehaving handler.
struct Blocker(std::sync::mpsc::Sender<()>);

impl Actor for Blocker {
    type Msg = Duration;

    async fn handle(&mut self, d: Duration, _ctx: &mut Context<Self>) {
        let _ = self.0.send(());
        std::thread::sleep(d);
    }
}

fn runtime() -> Runtime {
    Runtime::builder().shards(2).build().expect("runtime")
}

/// The value of the sample line that starts with `prefix`.
fn sample(text: &str, prefix: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(prefix))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[test]
fn metrics_text_has_per_shard_counters_that_move() {
    let rt = runtime();
    let exporter = Exporter::new(rt.handle().clone()).unwrap();
    let before = exporter.render().unwrap();
    let echo = rt.spawn_on(1, || Echo).unwrap();
    for _ in 0..10 {
        assert_eq!(echo.ask_blocking(|r| r).unwrap(), 7);
    }
    rt.handle().counter("io.test_hits").add(3);
    let conns = |shard| actor_core::CounterKey {
        family: "io",
        kind: "test_conns",
        shard: Some(shard),
    };
    rt.handle().keyed_counter(conns(1)).add(4);
    rt.handle().keyed_counter(conns(0)).add(1);
    // A handler's message is counted after it returns, which may be just
    // after its reply arrived: wait for the count rather than race it.
    let handled = |t: &str| sample(t, "pinion_shard_messages_handled_total{shard=\"1\"}").unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let mut after = exporter.render().unwrap();
    while handled(&after) < handled(&before) + 10.0 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
        after = exporter.render().unwrap();
    }
    assert!(
        after.contains("# TYPE pinion_shard_messages_handled_total counter"),
        "{after}"
    );
    assert!(
        after.contains("# TYPE pinion_shard_live_actors gauge"),
        "{after}"
    );
    assert!(
        handled(&after) >= handled(&before) + 10.0,
        "{before}\n---\n{after}"
    );
    assert_eq!(
        sample(&after, "pinion_io_test_hits_total"),
        Some(3.0),
        "{after}"
    );
    // A keyed counter's family and kind make the name, its shard the label.
    assert!(
        after.contains("# TYPE pinion_io_test_conns_total counter"),
        "{after}"
    );
    for (shard, value) in [(0, 1.0), (1, 4.0)] {
        let name = format!("pinion_io_test_conns_total{{shard=\"{shard}\"}}");
        assert_eq!(sample(&after, &name), Some(value), "{after}");
    }
    assert!(sample(&after, "pinion_shard_live_actors{shard=\"0\"}").is_some());
    rt.shutdown().unwrap();
}

#[test]
fn a_second_registration_of_the_runtime_collector_is_an_error() {
    let rt = runtime();
    let exporter = Exporter::new(rt.handle().clone()).unwrap();
    let again = actor_io::observe::RuntimeCollector::new(rt.handle().clone());
    assert!(exporter.registry().register(Box::new(again)).is_err());
    rt.shutdown().unwrap();
}

#[test]
fn probes_follow_readiness_and_a_blocked_shard() {
    let rt = runtime();
    let health = Health::new(rt.handle()).unwrap();
    let answer = |p| rt.block_on(health.answer(p));
    assert_eq!(answer(Probe::Alive).status, 200);
    assert_eq!(answer(Probe::Ready).status, 503);
    assert_eq!(answer(Probe::Health).status, 503);
    health.set_ready(true);
    assert_eq!(answer(Probe::Ready).status, 200);
    // A loaded machine may miss one ping's deadline; a healthy runtime
    // passes within a few tries.
    assert!((0..20).any(|_| answer(Probe::Health).status == 200));

    let (started_tx, started) = std::sync::mpsc::channel();
    let blocker = rt.spawn_on(1, move || Blocker(started_tx)).unwrap();
    blocker.tell_blocking(Duration::from_secs(2)).unwrap();
    started.recv().unwrap();
    let sick = answer(Probe::Health);
    assert_eq!(sick.status.as_u16(), 503);
    assert!(sick.body.contains("[1]"), "{}", sick.body);
    assert_eq!(answer(Probe::Alive).status, 200);
    rt.shutdown().unwrap();
}

#[test]
fn probe_paths() {
    assert_eq!(Probe::from_path("/health"), Some(Probe::Health));
    assert_eq!(Probe::from_path("/ready"), Some(Probe::Ready));
    assert_eq!(Probe::from_path("/alive"), Some(Probe::Alive));
    assert_eq!(Probe::from_path("/metrics"), None);
}
