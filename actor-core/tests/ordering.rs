//! Per-sender FIFO: messages from one sender reach an actor in send order,
//! whatever the other senders do and wherever they run.
#![allow(missing_docs)]

mod common;

use std::collections::HashMap;
use std::sync::OnceLock;

use actor_core::prelude::*;
use proptest::prelude::*;

/// Checks that each sender's sequence numbers arrive as 0, 1, 2, ...
#[derive(Default)]
struct Recorder {
    next: HashMap<u32, u64>,
    violations: Vec<String>,
}

enum RecMsg {
    Seq(u32, u64),
    /// Messages received per sender, and the first violations seen.
    Report(ReplyTo<(HashMap<u32, u64>, Vec<String>)>),
}

impl Actor for Recorder {
    type Msg = RecMsg;

    async fn handle(&mut self, msg: RecMsg, _ctx: &mut Context<Self>) {
        match msg {
            RecMsg::Seq(sender, n) => {
                let next = self.next.entry(sender).or_insert(0);
                if n != *next && self.violations.len() < 10 {
                    self.violations
                        .push(format!("sender {sender}: got {n}, expected {next}"));
                }
                *next = n + 1;
            }
            RecMsg::Report(r) => r.send((self.next.clone(), self.violations.clone())),
        }
    }
}

/// Sends a numbered run to a recorder from its own shard, with async `tell`.
struct Pump {
    target: ActorRef<Recorder>,
}

enum PumpMsg {
    /// Send `count` messages as `sender`; reply once all are in the mailbox.
    Go(u32, u64, ReplyTo<()>),
}

impl Actor for Pump {
    type Msg = PumpMsg;

    async fn handle(&mut self, msg: PumpMsg, _ctx: &mut Context<Self>) {
        let PumpMsg::Go(sender, count, done) = msg;
        for n in 0..count {
            if self.target.tell(RecMsg::Seq(sender, n)).await.is_err() {
                return;
            }
        }
        done.send(());
    }
}

#[derive(Debug, Clone, Copy)]
enum How {
    /// `try_tell` from a plain thread, retrying the returned message on `Full`.
    TryTell,
    /// `tell_blocking` from a plain thread.
    Blocking,
    /// Async `tell` from an actor on this shard.
    FromShard(usize),
}

/// Runs every sender at once against a fresh recorder on `shard` and returns
/// what it recorded.
fn run_senders(
    rt: &Runtime,
    shard: usize,
    capacity: usize,
    senders: &[(How, u64)],
) -> (HashMap<u32, u64>, Vec<String>) {
    let rec = rt
        .spawn_with(
            SpawnOptions::new().shard(shard).mailbox_capacity(capacity),
            Recorder::default,
        )
        .unwrap();
    std::thread::scope(|s| {
        for (id, &(how, count)) in senders.iter().enumerate() {
            let id = id as u32;
            let rec = rec.clone();
            let handle = rt.handle().clone();
            s.spawn(move || match how {
                How::TryTell => {
                    for n in 0..count {
                        let mut msg = RecMsg::Seq(id, n);
                        loop {
                            match rec.try_tell(msg) {
                                Ok(()) => break,
                                Err(SendError::Full(back)) => {
                                    msg = back;
                                    std::thread::yield_now();
                                }
                                Err(other) => panic!("recorder refused: {other}"),
                            }
                        }
                    }
                }
                How::Blocking => {
                    for n in 0..count {
                        rec.tell_blocking(RecMsg::Seq(id, n)).unwrap();
                    }
                }
                How::FromShard(on) => {
                    let pump = handle.spawn_on(on, move || Pump { target: rec }).unwrap();
                    pump.ask_blocking(|r| PumpMsg::Go(id, count, r)).unwrap();
                    pump.stop();
                }
            });
        }
    });
    let out = rec.ask_blocking(RecMsg::Report).unwrap();
    rec.stop();
    out
}

fn expected(senders: &[(How, u64)]) -> HashMap<u32, u64> {
    senders
        .iter()
        .enumerate()
        .filter(|(_, (_, count))| *count > 0)
        .map(|(id, &(_, count))| (id as u32, count))
        .collect()
}

#[test]
fn per_sender_fifo_from_threads_and_shards() {
    let rt = common::rt2();
    let senders = [
        (How::Blocking, 3000),
        (How::Blocking, 3000),
        (How::TryTell, 3000),
        (How::FromShard(0), 3000),
        (How::FromShard(1), 3000),
        (How::FromShard(1), 3000),
    ];
    // A small mailbox keeps it full, so senders really interleave and wait.
    let (got, violations) = run_senders(&rt, 1, 8, &senders);
    assert_eq!(violations, Vec::<String>::new());
    assert_eq!(got, expected(&senders));
    rt.shutdown().unwrap();
}

/// One runtime for every proptest case; each case uses a fresh recorder.
fn shared_rt() -> &'static Runtime {
    static RT: OnceLock<Runtime> = OnceLock::new();
    RT.get_or_init(common::rt2)
}

fn how() -> impl Strategy<Value = How> {
    prop_oneof![
        Just(How::TryTell),
        Just(How::Blocking),
        (0usize..2).prop_map(How::FromShard),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn mailbox_order_under_random_interleavings(
        senders in prop::collection::vec((how(), 0u64..400), 1..5),
        shard in 0usize..2,
        capacity in 1usize..32,
    ) {
        let (got, violations) = run_senders(shared_rt(), shard, capacity, &senders);
        prop_assert_eq!(violations, Vec::<String>::new());
        prop_assert_eq!(got, expected(&senders));
    }
}
