//! Stores put their partitions on the runtime's storage shards: the
//! dedicated ones, else the I/O shards, else every shard.

use actor_core::Runtime;
use actor_core::config::ShardRoles;
use actor_storage::kv::{Durability, KvError, KvOptions, KvStore};
use actor_storage::object::ObjectStore;

fn runtime(shards: usize, roles: ShardRoles) -> Runtime {
    Runtime::builder()
        .shards(shards)
        .roles(roles)
        .build()
        .expect("runtime")
}

#[test]
fn kv_partitions_follow_the_storage_role() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(3, ShardRoles::none().with_io(0).with_storage(2));
    rt.block_on(async {
        let store = KvStore::open(rt.handle(), dir.path(), KvOptions::default())
            .await
            .unwrap();
        assert_eq!(store.partition_shards(), [2]);
        store.put("k", "v", Durability::Durable).await.unwrap();
        assert_eq!(store.get("k").await.unwrap(), Some(b"v".to_vec()));
    });
    rt.shutdown().unwrap();

    // Storage shares the I/O shards when it has none of its own; the
    // store's directory then no longer matches a one-partition layout.
    let rt = runtime(4, ShardRoles::none().with_io(1).with_io(3));
    rt.block_on(async {
        let err = KvStore::open(rt.handle(), dir.path(), KvOptions::default())
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                KvError::Layout {
                    found: 1,
                    wanted: 2,
                    ..
                }
            ),
            "{err}"
        );
        let other = dir.path().join("other");
        let store = KvStore::open(rt.handle(), &other, KvOptions::default())
            .await
            .unwrap();
        assert_eq!(store.partition_shards(), [1, 3]);
    });
    rt.shutdown().unwrap();
}

#[test]
fn with_no_dedicated_shard_every_shard_holds_a_partition() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(2, ShardRoles::none());
    assert_eq!(actor_storage::storage_shards(rt.handle()), [0, 1]);
    rt.block_on(async {
        let store = KvStore::open(rt.handle(), dir.path(), KvOptions::default())
            .await
            .unwrap();
        assert_eq!(store.partition_shards(), [0, 1]);
        let objects = ObjectStore::open(rt.handle(), dir.path().join("objects"))
            .await
            .unwrap();
        drop(objects);
    });
    rt.shutdown().unwrap();
}
