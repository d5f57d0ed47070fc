//! A sharded group placed under a supervisor: one member per shard, each a
//! supervised child; a member that crashes is restarted behind the same
//! handle, and keys keep reaching the same member.
#![allow(missing_docs)]

use std::collections::BTreeSet;
use std::time::Duration;

use actor_core::partition::Sharded;
use actor_core::prelude::*;
use actor_supervisor::{ChildSpec, Restart, Strategy, Supervisor};

#[actor]
struct Owner {
    keys: BTreeSet<u64>,
}

#[messages]
impl Owner {
    #[message]
    fn put(&mut self, key: u64) {
        self.keys.insert(key);
    }

    #[message]
    fn keys(&self) -> BTreeSet<u64> {
        self.keys.clone()
    }

    #[message]
    fn crash(&mut self) {
        panic!("member crashes on purpose");
    }
}

#[test]
fn a_sharded_group_lives_under_a_supervisor() {
    let rt = Runtime::builder().shards(2).build().unwrap();
    let mut b = Supervisor::builder()
        .strategy(Strategy::OneForOne)
        .intensity(10, Duration::from_secs(5));
    for shard in 0..rt.shards() {
        b = b.child_spec(
            ChildSpec::new(format!("owner-{shard}"), || Owner {
                keys: BTreeSet::new(),
            })
            .restart(Restart::Permanent)
            .shard(shard),
        );
    }
    let tree = b.spawn_blocking(rt.handle()).unwrap();
    let members: Vec<ActorRef<Owner>> = (0..rt.shards())
        .map(|s| tree.child(&format!("owner-{s}")).unwrap())
        .collect();
    for (s, m) in members.iter().enumerate() {
        assert_eq!(m.shard(), s, "one member per shard");
    }
    let group = Sharded::from_members(members).unwrap();
    let owner_of_7 = group.route(&7u64).clone();
    owner_of_7.put_blocking(7).unwrap();
    owner_of_7.crash_blocking().unwrap();
    // Restarted behind the same handle: the key still routes there, and the
    // fresh incarnation starts empty.
    assert_eq!(group.route(&7u64), &owner_of_7);
    owner_of_7.put_blocking(7).unwrap();
    let keys = rt
        .block_on(owner_of_7.keys_timeout(Duration::from_secs(5)))
        .unwrap_or_else(|e| panic!("member did not come back: {e}"));
    assert_eq!(keys, BTreeSet::from([7]));
    assert_eq!(tree.which_children_blocking().unwrap().len(), 2);
    tree.shutdown_blocking(Duration::from_secs(5)).unwrap();
    rt.shutdown().unwrap();
}
