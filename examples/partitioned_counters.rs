//! Keyed routing: page-view counters split over a sharded group, each user's
//! count owned by exactly one actor.
//!
//! Four plain threads record views for 2,000 users through
//! `Sharded::route`, which asks the partitioner (`HashPartitioner` by
//! default) which member owns the key. Each member then reports what it
//! holds: every user must sit on the member the partitioner names, on no
//! other, with every view counted once. The per-member and per-shard
//! distribution is printed. Last, `ConsistentHash` shows what growing the
//! group by one member would move: about `1/(n + 1)` of the keys, all of
//! them onto the new member.
//!
//! Run: `cargo run -p examples --example partitioned_counters`

use std::collections::BTreeMap;

use actor_core::partition::{ConsistentHash, HashPartitioner, Partitioner, Sharded};
use actor_core::prelude::*;

const USERS: u64 = 2_000;
const VIEWS_PER_USER: u64 = 5;
const MEMBERS: usize = 8;
const THREADS: u64 = 4;

/// Page views per user, for the users this member owns.
#[actor]
struct ViewCounter {
    views: BTreeMap<String, u64>,
}

#[messages]
impl ViewCounter {
    /// Records one view of `user` (a tell).
    #[message]
    fn record(&mut self, user: String) {
        *self.views.entry(user).or_default() += 1;
    }

    /// Everything this member counted (an ask).
    #[message]
    fn snapshot(&self) -> BTreeMap<String, u64> {
        self.views.clone()
    }
}

fn user(i: u64) -> String {
    format!("user-{i}")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rt = Runtime::builder().shards(4).build()?;
    // Member i lives on shard i % shards; with 8 members, two per shard.
    let counters = Sharded::spawn_n(rt.handle(), MEMBERS, |_member| ViewCounter {
        views: BTreeMap::new(),
    })?;

    std::thread::scope(|scope| {
        for t in 0..THREADS {
            let counters = &counters;
            scope.spawn(move || {
                for round in 0..VIEWS_PER_USER {
                    for i in (t..USERS).step_by(THREADS as usize) {
                        let key = user((i + round * 7) % USERS);
                        counters
                            .route(&key)
                            .record_blocking(key)
                            .expect("the counters run until shutdown");
                    }
                }
            });
        }
    });

    let mut per_shard = vec![(0u64, 0u64); rt.shards()];
    let mut total_views = 0;
    let mut users_seen = 0;
    println!("member | shard | users | views");
    for (member, counter) in counters.members().iter().enumerate() {
        let views = counter.snapshot_blocking()?;
        for (key, n) in &views {
            let owner = HashPartitioner.partition(key, MEMBERS);
            if owner != member {
                return Err(format!("{key} counted on member {member}, owned by {owner}").into());
            }
            if *n != VIEWS_PER_USER {
                return Err(format!("{key}: {n} views counted, {VIEWS_PER_USER} recorded").into());
            }
        }
        let sum: u64 = views.values().sum();
        println!(
            "{member:>6} | {:>5} | {:>5} | {sum:>5}",
            counter.shard(),
            views.len()
        );
        let shard = &mut per_shard[counter.shard()];
        shard.0 += views.len() as u64;
        shard.1 += sum;
        total_views += sum;
        users_seen += views.len() as u64;
    }
    println!("\nshard | users | views");
    for (shard, (users, views)) in per_shard.iter().enumerate() {
        println!("{shard:>5} | {users:>5} | {views:>5}");
    }
    if users_seen != USERS || total_views != USERS * VIEWS_PER_USER {
        return Err(format!("counted {users_seen} users and {total_views} views").into());
    }
    println!("all {USERS} users on their owner, {total_views} views counted once each");

    // Growing a consistent-hash group by one member moves few keys, and only
    // onto the new member.
    let mut moved = 0;
    for i in 0..USERS {
        let key = user(i);
        let (before, after) = (
            ConsistentHash.partition(&key, MEMBERS),
            ConsistentHash.partition(&key, MEMBERS + 1),
        );
        if before != after {
            if after != MEMBERS {
                return Err(format!("{key} moved between old members {before} -> {after}").into());
            }
            moved += 1;
        }
    }
    let fraction = moved as f64 / USERS as f64;
    println!(
        "ConsistentHash, {MEMBERS} -> {} members: {moved} of {USERS} users move ({:.1}%, \
         ideal {:.1}%), all onto the new member",
        MEMBERS + 1,
        fraction * 100.0,
        100.0 / (MEMBERS + 1) as f64
    );
    if fraction > 1.5 / (MEMBERS + 1) as f64 {
        return Err(format!("ConsistentHash moved {moved} of {USERS} keys").into());
    }
    rt.shutdown()?;
    Ok(())
}
