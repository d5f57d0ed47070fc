//! The sharded store: partitions as actors on every shard, routed by key.

mod common;

use actor_storage::kv::{Durability, KvError, KvOptions, KvStore, Op};
use common::runtime;

#[test]
fn keys_spread_over_partitions_and_come_back_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(2);
    rt.block_on(async {
        let store: KvStore = KvStore::open(rt.handle(), dir.path(), KvOptions::default())
            .await
            .unwrap();
        assert_eq!(store.partitions(), 2);
        for i in 0..100u32 {
            let d = if i % 2 == 0 {
                Durability::Durable
            } else {
                Durability::Buffered
            };
            store
                .put(format!("k{i:03}"), i.to_le_bytes(), d)
                .await
                .unwrap();
        }
        store.delete("k050", Durability::Durable).await.unwrap();
        store
            .put_value("typed", &("pinion", 7u8), Durability::Durable)
            .await
            .unwrap();
        store.sync().await.unwrap();
        assert_eq!(
            store.get("k001").await.unwrap(),
            Some(1u32.to_le_bytes().to_vec())
        );
        let got: Option<(String, u8)> = store.get_value("typed").await.unwrap();
        assert_eq!(got, Some(("pinion".to_owned(), 7)));
        let first = store
            .range(b"k000".to_vec()..b"k010".to_vec(), 100)
            .await
            .unwrap();
        let keys: Vec<_> = first
            .iter()
            .map(|(k, _)| String::from_utf8(k.clone()).unwrap())
            .collect();
        assert_eq!(
            keys,
            (0..10).map(|i| format!("k{i:03}")).collect::<Vec<_>>()
        );
        assert_eq!(store.prefix("k", 1000).await.unwrap().len(), 99);
        assert_eq!(store.prefix("k", 5).await.unwrap().len(), 5);
        let dirs = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(dirs, 3, "two partitions and the layout file");
    });
    rt.shutdown().unwrap();

    let rt = runtime(2);
    rt.block_on(async {
        let store: KvStore = KvStore::open(rt.handle(), dir.path(), KvOptions::default())
            .await
            .unwrap();
        let records: u64 = store.recovery().iter().map(|r| r.records).sum();
        assert_eq!(records, 102);
        assert_eq!(store.prefix("k", 1000).await.unwrap().len(), 99);
        assert_eq!(store.get("k050").await.unwrap(), None);
        assert_eq!(
            store.get("k099").await.unwrap(),
            Some(99u32.to_le_bytes().to_vec())
        );
    });
    rt.shutdown().unwrap();
}

#[test]
fn a_batch_across_partitions_and_a_changed_shard_count_are_typed_errors() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(2);
    rt.block_on(async {
        let store: KvStore = KvStore::open(rt.handle(), dir.path(), KvOptions::default())
            .await
            .unwrap();
        let ops: Vec<Op> = (0..20)
            .map(|i| Op::Put {
                key: format!("spread{i}").into_bytes(),
                value: vec![],
            })
            .collect();
        let e = store.batch(ops, Durability::Durable).await.unwrap_err();
        assert!(matches!(e, KvError::SpansPartitions(2)), "{e}");
        assert_eq!(
            store.prefix("spread", 100).await.unwrap().len(),
            0,
            "nothing of it applied"
        );
        store.batch(Vec::new(), Durability::Durable).await.unwrap();
    });
    rt.shutdown().unwrap();
    let rt = runtime(1);
    let e = rt
        .block_on(KvStore::open(rt.handle(), dir.path(), KvOptions::default()))
        .unwrap_err();
    assert!(
        matches!(
            e,
            KvError::Layout {
                found: 2,
                wanted: 1,
                ..
            }
        ),
        "{e}"
    );
    rt.shutdown().unwrap();
}

#[test]
fn buffered_writes_reach_the_disk_within_the_interval() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(1);
    let options = KvOptions {
        buffer_interval: std::time::Duration::from_millis(20),
        ..KvOptions::default()
    };
    rt.block_on(async {
        let store: KvStore = KvStore::open(rt.handle(), dir.path(), options)
            .await
            .unwrap();
        store
            .put("soon", "on disk", Durability::Buffered)
            .await
            .unwrap();
        let seg = dir
            .path()
            .join("partition-000")
            .join(format!("{:020}.log", 1));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while std::fs::metadata(&seg).unwrap().len() == 0 {
            assert!(
                std::time::Instant::now() < deadline,
                "the timer never flushed"
            );
            actor_core::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    });
    rt.shutdown().unwrap();
}

#[test]
fn buffered_writes_are_synced_when_the_runtime_shuts_down() {
    let dir = tempfile::tempdir().unwrap();
    let options = KvOptions {
        buffer_interval: std::time::Duration::from_secs(3600),
        ..KvOptions::default()
    };
    let rt = runtime(1);
    rt.block_on(async {
        let store = KvStore::open(rt.handle(), dir.path(), options.clone())
            .await
            .unwrap();
        store
            .put("late", "kept", Durability::Buffered)
            .await
            .unwrap();
    });
    rt.shutdown().unwrap();
    let rt = runtime(1);
    rt.block_on(async {
        let store = KvStore::open(rt.handle(), dir.path(), options)
            .await
            .unwrap();
        assert_eq!(store.get("late").await.unwrap(), Some(b"kept".to_vec()));
    });
    rt.shutdown().unwrap();
}

#[test]
fn a_store_with_a_corrupt_partition_does_not_open_and_leaves_no_actor() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(2);
    rt.block_on(async {
        let store = KvStore::open(rt.handle(), dir.path(), KvOptions::default())
            .await
            .unwrap();
        for i in 0..20 {
            store
                .put(format!("k{i}"), "v", Durability::Durable)
                .await
                .unwrap();
        }
    });
    rt.shutdown().unwrap();
    // Damage the first record of partition 1; later records follow it.
    let seg = dir
        .path()
        .join("partition-001")
        .join(format!("{:020}.log", 1));
    let mut bytes = std::fs::read(&seg).unwrap();
    bytes[20] ^= 0xFF;
    std::fs::write(&seg, &bytes).unwrap();
    let rt = runtime(2);
    let live_before = rt.metrics().total.live_actors;
    let e = rt
        .block_on(KvStore::open(rt.handle(), dir.path(), KvOptions::default()))
        .unwrap_err();
    assert!(
        matches!(&e, KvError::Corrupt { segment, offset: 0, .. } if *segment == seg),
        "{e}"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while rt.metrics().total.live_actors > live_before {
        assert!(
            std::time::Instant::now() < deadline,
            "the partitions' actors still run"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    rt.shutdown().unwrap();
}

#[test]
fn ops_split_by_partition_apply_as_batches() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(2);
    rt.block_on(async {
        let store = KvStore::open(rt.handle(), dir.path(), KvOptions::default())
            .await
            .unwrap();
        let ops: Vec<Op> = (0..40)
            .map(|i| Op::Put {
                key: format!("s{i:02}").into_bytes(),
                value: vec![i],
            })
            .collect();
        let groups = store.split_by_partition(ops);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups.iter().map(Vec::len).sum::<usize>(), 40);
        for g in groups {
            store.batch(g, Durability::Durable).await.unwrap();
        }
        assert_eq!(store.prefix("s", 100).await.unwrap().len(), 40);
    });
    rt.shutdown().unwrap();
}

#[test]
fn concurrent_durable_writers_share_syncs_through_the_partition_actor() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(1);
    rt.block_on(async {
        let store = KvStore::open(rt.handle(), dir.path(), KvOptions::default())
            .await
            .unwrap();
        let writers: Vec<_> = (0..32)
            .map(|w| {
                let store = store.clone();
                async move {
                    for i in 0..8 {
                        store
                            .put(format!("w{w}-{i}"), "v", Durability::Durable)
                            .await
                            .unwrap();
                    }
                }
            })
            .collect();
        join_all(writers).await;
        let stats = &store.stats().await.unwrap()[0];
        assert_eq!(stats.records, 256);
        assert!(
            stats.syncs < 128,
            "{} syncs for 256 durable puts from 32 writers",
            stats.syncs
        );
    });
    rt.shutdown().unwrap();
}

/// Polls every future until all finish.
async fn join_all<F: std::future::Future<Output = ()>>(futs: Vec<F>) {
    let mut futs: Vec<_> = futs.into_iter().map(Box::pin).map(Some).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for slot in &mut futs {
            if let Some(f) = slot {
                if f.as_mut().poll(cx).is_ready() {
                    *slot = None;
                } else {
                    pending = true;
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
}
