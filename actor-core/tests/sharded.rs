//! End to end: a key always reaches the same member of a sharded group, from
//! any thread and from actors on any shard.
#![allow(missing_docs)]

use std::collections::{BTreeMap, BTreeSet};

use actor_core::partition::{ConsistentHash, Sharded};
use actor_core::prelude::*;
use proptest::prelude::*;

struct Owner {
    keys: BTreeMap<u64, u32>,
}

enum OwnerMsg {
    Key(u64),
    Keys(ReplyTo<BTreeMap<u64, u32>>),
    /// Forward keys to the group from inside an actor.
    Relay(Sharded<Owner, ConsistentHash>, Vec<u64>, ReplyTo<()>),
}

impl Actor for Owner {
    type Msg = OwnerMsg;
    async fn handle(&mut self, msg: OwnerMsg, _ctx: &mut Context<Self>) {
        match msg {
            OwnerMsg::Key(k) => *self.keys.entry(k).or_default() += 1,
            OwnerMsg::Keys(r) => r.send(self.keys.clone()),
            OwnerMsg::Relay(group, keys, r) => {
                for k in keys {
                    group
                        .route(&k)
                        .tell(OwnerMsg::Key(k))
                        .await
                        .expect("member alive");
                }
                r.send(());
            }
        }
    }
}

fn check(keys: Vec<u64>, members: usize) {
    let rt = Runtime::builder().shards(2).build().expect("runtime");
    let group = Sharded::spawn_n(rt.handle(), members, |_| Owner {
        keys: BTreeMap::new(),
    })
    .expect("group")
    .with_partitioner(ConsistentHash);
    std::thread::scope(|s| {
        for t in 0..3 {
            let (group, keys) = (&group, &keys);
            s.spawn(move || {
                for k in keys.iter().skip(t).step_by(3) {
                    group
                        .route(k)
                        .tell_blocking(OwnerMsg::Key(*k))
                        .expect("member alive");
                }
            });
        }
    });
    // Once more from inside an actor, which may sit on either shard.
    let relay = group.members()[members - 1].clone();
    relay
        .ask_blocking(|r| OwnerMsg::Relay(group.clone(), keys.clone(), r))
        .expect("relay");
    let mut seen = BTreeSet::new();
    for (i, m) in group.members().iter().enumerate() {
        let got = m.ask_blocking(OwnerMsg::Keys).expect("member alive");
        for (k, n) in got {
            assert_eq!(
                group.route(&k),
                &group.members()[i],
                "key {k} at the wrong member"
            );
            assert!(seen.insert(k), "key {k} reached two members");
            let sent = keys.iter().filter(|x| **x == k).count() as u32;
            assert_eq!(n, 2 * sent, "key {k}: every send arrives, once");
        }
    }
    assert_eq!(seen, keys.iter().copied().collect());
    rt.shutdown().expect("clean shutdown");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]
    #[test]
    fn one_key_always_reaches_one_member(
        keys in proptest::collection::vec(0u64..500, 1..200),
        members in 1usize..6,
    ) {
        check(keys, members);
    }
}

#[test]
fn tell_all_and_try_tell_all_reach_every_member() {
    let rt = Runtime::builder().shards(2).build().expect("runtime");
    let group = Sharded::spawn(rt.handle(), |_| Owner {
        keys: BTreeMap::new(),
    })
    .expect("group");
    assert_eq!(group.len(), 2);
    assert!(
        group
            .try_tell_all(|| OwnerMsg::Key(7))
            .iter()
            .all(Result::is_ok)
    );
    let waited = rt.block_on(group.tell_all(|| OwnerMsg::Key(7)));
    assert_eq!(waited.len(), 2);
    assert!(waited.iter().all(Result::is_ok));
    for m in group.members() {
        assert_eq!(
            m.ask_blocking(OwnerMsg::Keys).expect("alive").get(&7),
            Some(&2)
        );
    }
    rt.shutdown().expect("clean shutdown");
}
