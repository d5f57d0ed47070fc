//! Fairness: an actor handles at most `budget` messages per turn, then
//! yields to the other actors of its shard.
#![allow(missing_docs)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actor_core::prelude::*;

struct Recorder {
    tag: char,
    log: Arc<Mutex<Vec<char>>>,
}

enum RecMsg {
    Note,
    /// Blocks the shard thread for a while (test only), so mail piles up.
    Hog(Duration),
    Done(ReplyTo<()>),
}

impl Actor for Recorder {
    type Msg = RecMsg;
    async fn handle(&mut self, msg: RecMsg, _ctx: &mut Context<Self>) {
        match msg {
            RecMsg::Note => self.log.lock().unwrap().push(self.tag),
            RecMsg::Hog(d) => std::thread::sleep(d),
            RecMsg::Done(r) => r.send(()),
        }
    }
}

fn longest_run(log: &[char]) -> usize {
    log.chunk_by(|a, b| a == b)
        .map(<[char]>::len)
        .max()
        .unwrap_or(0)
}

#[test]
fn busy_actors_on_one_shard_take_turns_by_budget() {
    const BUDGET: usize = 8;
    let rt = Runtime::builder().shards(1).budget(BUDGET).build().unwrap();
    let log = Arc::new(Mutex::new(Vec::new()));
    let spawn = |tag| {
        let log = log.clone();
        rt.spawn_with(
            SpawnOptions::new().shard(0).mailbox_capacity(512),
            move || Recorder { tag, log },
        )
        .unwrap()
    };
    let (hog, a, b) = (spawn('h'), spawn('a'), spawn('b'));
    hog.ask_blocking(RecMsg::Done).unwrap(); // all three have started
    hog.tell_blocking(RecMsg::Hog(Duration::from_millis(100)))
        .unwrap();
    for _ in 0..200 {
        a.try_tell(RecMsg::Note).unwrap();
        b.try_tell(RecMsg::Note).unwrap();
    }
    a.ask_blocking(RecMsg::Done).unwrap();
    b.ask_blocking(RecMsg::Done).unwrap();
    let log = log.lock().unwrap().clone();
    assert_eq!(log.iter().filter(|c| **c == 'a').count(), 200);
    assert_eq!(log.iter().filter(|c| **c == 'b').count(), 200);
    let run = longest_run(&log);
    assert!(
        run <= BUDGET,
        "an actor handled {run} messages in one turn (budget {BUDGET})"
    );
    assert!(
        run >= 2,
        "mail should have piled up while the shard was busy"
    );
    rt.shutdown().unwrap();
}

/// Tells itself `Spin` forever (through the same-shard path) until it has
/// seen a message from outside.
struct SelfSender {
    spins: Arc<std::sync::atomic::AtomicU64>,
}

enum SelfMsg {
    Spin,
    FromOutside(ReplyTo<u64>),
}

impl Actor for SelfSender {
    type Msg = SelfMsg;

    async fn handle(&mut self, msg: SelfMsg, ctx: &mut Context<Self>) {
        match msg {
            SelfMsg::Spin => {
                self.spins
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let _ = ctx.myself().try_tell(SelfMsg::Spin);
            }
            SelfMsg::FromOutside(reply) => {
                reply.send(self.spins.load(std::sync::atomic::Ordering::Relaxed));
            }
        }
    }
}

#[test]
fn an_actor_messaging_itself_does_not_starve_other_senders() {
    let rt = Runtime::builder().shards(1).build().unwrap();
    let spins = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let actor = rt
        .spawn({
            let spins = spins.clone();
            move || SelfSender { spins }
        })
        .unwrap();
    actor.tell_blocking(SelfMsg::Spin).unwrap();
    while spins.load(std::sync::atomic::Ordering::Relaxed) < 1000 {
        std::thread::yield_now();
    }
    // From a plain thread: its message waits in the locked queue while the
    // actor keeps appending to its own batch; it must still be handled.
    let spins = actor
        .ask_blocking_timeout(Duration::from_secs(10), SelfMsg::FromOutside)
        .expect("the outside message was handled");
    assert!(spins >= 1000);
    actor.kill();
    rt.shutdown().unwrap();
}
