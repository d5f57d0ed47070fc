//! A KvStore whose partitions are supervised children: a killed partition
//! is restarted on its shard and recovers from its own files.

mod common;

use std::time::Duration;

use actor_storage::kv::{Durability, KvOptions, KvPartition, KvStore};
use actor_supervisor::{ChildSpec, EventKind, Supervisor};
use common::runtime;

#[test]
fn a_killed_partition_is_restarted_and_recovers_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(2);
    let mut builder = Supervisor::builder().intensity(10, Duration::from_secs(5));
    for i in 0..2 {
        let d = dir.path().to_path_buf();
        let spec = ChildSpec::new(format!("kv-{i}"), move || {
            KvStore::partition(&d, KvOptions::default(), i)
        });
        builder = builder.child_spec(spec.shard(i));
    }
    let tree = builder.spawn_blocking(rt.handle()).unwrap();
    let events = tree.subscribe();
    let members: Vec<_> = (0..2)
        .map(|i| tree.child::<KvPartition>(&format!("kv-{i}")).unwrap())
        .collect();
    rt.block_on(async {
        let store = KvStore::from_partitions(dir.path(), members.clone())
            .await
            .unwrap();
        for i in 0..50 {
            store
                .put(format!("k{i}"), format!("v{i}"), Durability::Durable)
                .await
                .unwrap();
        }
        for m in &members {
            m.kill();
        }
        let mut restarted = 0;
        while restarted < 2 {
            let ev = events
                .recv_timeout(Duration::from_secs(10))
                .expect("restart events");
            if matches!(ev.kind, EventKind::Restarted { .. }) {
                restarted += 1;
            }
        }
        // Same handles, new incarnations, recovered from the files.
        for i in 0..50 {
            let v = store.get(format!("k{i}")).await.unwrap();
            assert_eq!(v, Some(format!("v{i}").into_bytes()));
        }
        store
            .put("after", "restart", Durability::Durable)
            .await
            .unwrap();
        assert_eq!(store.prefix("k", 100).await.unwrap().len(), 50);
    });
    rt.shutdown().unwrap();
}
