//! Quickstart: a runtime with one shard per core, a counter actor on every
//! shard, tells and asks from plain threads and across shards, then a
//! summary of what ran where with the per-shard counters.

use std::time::Instant;

use actor_core::prelude::*;

/// Counts what it is told, and forwards pings to a peer on another shard.
struct Counter {
    total: u64,
    peer: Option<ActorRef<Counter>>,
}

enum CounterMsg {
    Add(u64),
    Total(ReplyTo<u64>),
    /// Ask the peer for its total (an ask across shards, from inside an actor).
    PeerTotal(ReplyTo<Option<u64>>),
    SetPeer(ActorRef<Counter>),
    WhereAmI(ReplyTo<usize>),
}

impl Actor for Counter {
    type Msg = CounterMsg;

    async fn handle(&mut self, msg: CounterMsg, ctx: &mut Context<Self>) {
        match msg {
            CounterMsg::Add(n) => self.total += n,
            CounterMsg::Total(reply) => reply.send(self.total),
            CounterMsg::PeerTotal(reply) => {
                let total = match &self.peer {
                    Some(peer) => peer.ask(CounterMsg::Total).await.ok(),
                    None => None,
                };
                reply.send(total);
            }
            CounterMsg::SetPeer(peer) => self.peer = Some(peer),
            CounterMsg::WhereAmI(reply) => reply.send(ctx.shard()),
        }
    }
}

fn main() -> Result<(), actor_core::Error> {
    let rt = Runtime::new()?;
    let shards = rt.shards();
    println!("pinion: {shards} shards, {} driver", rt.driver());

    let counters: Vec<ActorRef<Counter>> = (0..shards)
        .map(|s| {
            rt.spawn_on(s, || Counter {
                total: 0,
                peer: None,
            })
        })
        .collect::<Result<_, _>>()?;
    for (i, c) in counters.iter().enumerate() {
        c.tell_blocking(CounterMsg::SetPeer(counters[(i + 1) % shards].clone()))?;
    }

    // Tells from four plain threads, spread over every counter.
    let started = Instant::now();
    let per_thread = 50_000u64;
    std::thread::scope(|scope| {
        for t in 0..4 {
            let counters = &counters;
            scope.spawn(move || {
                for i in 0..per_thread {
                    let c = &counters[(i as usize + t) % counters.len()];
                    c.tell_blocking(CounterMsg::Add(1)).expect("counter alive");
                }
            });
        }
    });
    let told = started.elapsed();

    // Asks from this thread, and asks across shards from inside actors.
    let mut sum = 0;
    for c in &counters {
        let total = c.ask_blocking(CounterMsg::Total)?;
        let home = c.ask_blocking(CounterMsg::WhereAmI)?;
        let peer = c.ask_blocking(CounterMsg::PeerTotal)?;
        println!(
            "  counter {} on shard {home}: total {total}, its peer on shard {} says {}",
            c.id(),
            (home + 1) % shards,
            peer.map_or("-".to_owned(), |p| p.to_string()),
        );
        sum += total;
    }
    assert_eq!(sum, 4 * per_thread);
    println!(
        "{} tells from 4 threads in {told:?}; totals add up to {sum}",
        4 * per_thread
    );

    let m = rt.metrics();
    println!("\n shard | handled | live | parks | wakes | dead letters");
    for s in &m.shards {
        println!(
            " {:>5} | {:>7} | {:>4} | {:>5} | {:>5} | {:>12}",
            s.shard, s.messages_handled, s.live_actors, s.parks, s.wakes, s.dead_letters
        );
    }
    println!(
        " total | {:>7} | {:>4} | {:>5} | {:>5} | {:>12}",
        m.total.messages_handled,
        m.total.live_actors,
        m.total.parks,
        m.total.wakes,
        m.total.dead_letters
    );
    rt.shutdown()?;
    println!("\nshut down cleanly");
    Ok(())
}
