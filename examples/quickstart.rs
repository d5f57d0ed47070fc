//! Quickstart: a runtime with one shard per core, a counter actor on every
//! shard, tells and asks from plain threads, from async code and across
//! shards, then a summary of what ran where with the per-shard counters.
//!
//! The generated methods follow `ActorRef`: `c.add(1)` is a tell that waits
//! for room in the mailbox (await it), `c.try_add(1)` never waits,
//! `c.add_blocking(1)` blocks a plain thread; `c.total()` is an ask.

use std::time::Instant;

use actor_core::prelude::*;

/// Counts what it is told, and asks a peer on another shard for its total.
#[actor]
struct Counter {
    total: u64,
    peer: Option<ActorRef<Counter>>,
}

#[messages]
impl Counter {
    /// Adds to the total (a tell).
    #[message]
    fn add(&mut self, n: u64) {
        self.total += n;
    }

    /// The total so far (an ask).
    #[message]
    fn total(&self) -> u64 {
        self.total
    }

    /// The peer's total: an ask across shards, from inside an actor.
    #[message]
    async fn peer_total(&self) -> Option<u64> {
        match &self.peer {
            Some(peer) => peer.total().await.ok(),
            None => None,
        }
    }

    /// Tells the peer to add `n`: a tell across shards from inside an actor,
    /// waiting for room in the peer's mailbox. Answers once it is sent.
    #[message]
    async fn pass_on(&self, n: u64) -> bool {
        match &self.peer {
            Some(peer) => peer.add(n).await.is_ok(),
            None => false,
        }
    }

    /// Sets the peer.
    #[message]
    fn set_peer(&mut self, peer: ActorRef<Counter>) {
        self.peer = Some(peer);
    }

    /// The shard this actor runs on.
    #[message]
    fn where_am_i(&self, ctx: &mut Context<Self>) -> usize {
        ctx.shard()
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
        c.set_peer_blocking(counters[(i + 1) % shards].clone())?;
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
                    c.add_blocking(1).expect("counter alive");
                }
            });
        }
    });
    let told = started.elapsed();

    // Tells from async code (each waits for room), and one tell per counter
    // passed on to its peer on the next shard.
    rt.block_on(async {
        for c in &counters {
            c.add(1).await?;
            assert!(c.pass_on(1).await?, "every counter has a peer");
        }
        Ok::<_, actor_core::Error>(())
    })?;

    // Asks from this thread, and asks across shards from inside actors.
    let mut sum = 0;
    for c in &counters {
        let total = c.total_blocking()?;
        let home = c.where_am_i_blocking()?;
        let peer = c.peer_total_blocking()?;
        println!(
            "  counter {} on shard {home}: total {total}, its peer on shard {} says {}",
            c.id(),
            (home + 1) % shards,
            peer.map_or("-".to_owned(), |p| p.to_string()),
        );
        sum += total;
    }
    assert_eq!(sum, 4 * per_thread + 2 * shards as u64);
    println!(
        "{} tells from 4 threads in {told:?}; with {} more from async code \
         and actors, totals add up to {sum}",
        4 * per_thread,
        2 * shards
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
