//! The read cache: it serves repeated reads without the file, never an
//! overwritten, deleted or compacted-away value, stays within its bytes,
//! and starts empty on reopen. `get_many` answers in key order across
//! partitions.

mod common;

use actor_storage::kv::{Durability, KvOptions, KvShard, KvStore};
use common::{on_shard, runtime};

fn options(cache_bytes: usize) -> KvOptions {
    KvOptions {
        segment_bytes: 4096,
        compact_above: 1.2,
        cache_bytes,
        ..KvOptions::default()
    }
}

#[test]
fn a_cached_value_gives_way_to_puts_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(1);
    let d = dir.path().to_path_buf();
    on_shard(&rt, move || async move {
        let kv = KvShard::open(&d, options(1 << 20)).await.unwrap();
        kv.put("k", "one", Durability::Durable).await.unwrap();
        for _ in 0..3 {
            assert_eq!(kv.get(b"k").await.unwrap(), Some(b"one".to_vec()));
        }
        let s = kv.stats();
        assert_eq!((s.cache_misses, s.cache_hits), (1, 2), "{s:?}");
        assert!(s.cache_bytes > 0);

        // Overwritten: the new value (from the tail, then from the file).
        kv.put("k", "two", Durability::Durable).await.unwrap();
        assert_eq!(kv.get(b"k").await.unwrap(), Some(b"two".to_vec()));
        assert_eq!(kv.get(b"k").await.unwrap(), Some(b"two".to_vec()));
        // Same length as the first value, buffered (still in the tail).
        kv.put("k", "six", Durability::Buffered).await.unwrap();
        assert_eq!(kv.get(b"k").await.unwrap(), Some(b"six".to_vec()));
        kv.sync().await.unwrap();
        assert_eq!(kv.get(b"k").await.unwrap(), Some(b"six".to_vec()));

        kv.delete("k", Durability::Durable).await.unwrap();
        assert_eq!(kv.get(b"k").await.unwrap(), None);
        assert_eq!(kv.get_many(&[b"k".to_vec()]).await.unwrap(), [None]);
        assert_eq!(kv.range(.., 10).await.unwrap(), []);

        kv.put("k", "one", Durability::Durable).await.unwrap();
        assert_eq!(kv.get(b"k").await.unwrap(), Some(b"one".to_vec()));
        // The overwritten places were dropped from the cache: one entry.
        assert!(kv.stats().cache_bytes < 2 * 100 + 2 * 3, "{:?}", kv.stats());
    });
}

#[test]
fn compaction_moves_values_and_the_cache_follows() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(1);
    let d = dir.path().to_path_buf();
    on_shard(&rt, move || async move {
        let kv = KvShard::open(&d, options(1 << 20)).await.unwrap();
        for round in 0..20 {
            for k in 0..20 {
                let value = format!("key {k} round {round:02}");
                kv.put(format!("k{k:02}"), value, Durability::Buffered)
                    .await
                    .unwrap();
            }
            kv.sync().await.unwrap();
            // Read everything each round, so older places are cached.
            for k in 0..20 {
                let v = kv.get(format!("k{k:02}").as_bytes()).await.unwrap();
                assert_eq!(v, Some(format!("key {k} round {round:02}").into_bytes()));
            }
        }
        kv.delete("k00", Durability::Durable).await.unwrap();
        let report = kv.compact().await.unwrap();
        assert!(report.segments_removed > 0, "{report:?}");
        let keys: Vec<Vec<u8>> = (0..20).map(|k| format!("k{k:02}").into_bytes()).collect();
        for _ in 0..2 {
            let values = kv.get_many(&keys).await.unwrap();
            assert_eq!(values[0], None);
            for (k, v) in values.iter().enumerate().skip(1) {
                assert_eq!(v.as_deref(), Some(format!("key {k} round 19").as_bytes()));
            }
        }
        let s = kv.stats();
        assert!(s.cache_hits > 0, "{s:?}");
    });
}

#[test]
fn the_cache_stays_within_its_bytes_and_reopens_empty() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(1);
    let d = dir.path().to_path_buf();
    on_shard(&rt, move || async move {
        let budget = 4096;
        let kv = KvShard::open(&d, options(budget)).await.unwrap();
        for k in 0..200u32 {
            kv.put(format!("k{k:03}"), k.to_le_bytes(), Durability::Buffered)
                .await
                .unwrap();
        }
        kv.sync().await.unwrap();
        for _ in 0..3 {
            for k in 0..200u32 {
                let v = kv.get(format!("k{k:03}").as_bytes()).await.unwrap();
                assert_eq!(v, Some(k.to_le_bytes().to_vec()));
                assert!(kv.stats().cache_bytes <= budget);
            }
        }
        let s = kv.stats();
        assert!(s.cache_misses > 200, "a small cache misses: {s:?}");
        drop(kv);

        // Reopened: a new value for every key; nothing from before is served.
        let kv = KvShard::open(&d, options(budget)).await.unwrap();
        assert_eq!(kv.stats().cache_bytes, 0);
        for k in 0..200u32 {
            kv.put(
                format!("k{k:03}"),
                (k + 1).to_le_bytes(),
                Durability::Buffered,
            )
            .await
            .unwrap();
        }
        kv.sync().await.unwrap();
        for k in 0..200u32 {
            let v = kv.get(format!("k{k:03}").as_bytes()).await.unwrap();
            assert_eq!(v, Some((k + 1).to_le_bytes().to_vec()));
        }
        drop(kv);

        let off = KvShard::open(&d, options(0)).await.unwrap();
        for _ in 0..2 {
            assert_eq!(
                off.get(b"k007").await.unwrap(),
                Some(8u32.to_le_bytes().to_vec())
            );
        }
        let s = off.stats();
        assert_eq!((s.cache_hits, s.cache_bytes), (0, 0), "{s:?}");
    });
}

#[test]
fn get_many_answers_in_key_order_across_partitions() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(2);
    rt.block_on(async {
        let store = KvStore::open(rt.handle(), dir.path(), KvOptions::default())
            .await
            .unwrap();
        for k in 0..50u32 {
            store
                .put(format!("k{k}"), format!("v{k}"), Durability::Durable)
                .await
                .unwrap();
        }
        let keys: Vec<String> = (0..60u32).rev().map(|k| format!("k{k}")).collect();
        for _ in 0..2 {
            let values = store.get_many(&keys).await.unwrap();
            assert_eq!(values.len(), 60);
            for (key, value) in keys.iter().zip(&values) {
                let k: u32 = key[1..].parse().unwrap();
                let want = (k < 50).then(|| format!("v{k}").into_bytes());
                assert_eq!(value, &want, "{key}");
            }
        }
        store.delete("k3", Durability::Durable).await.unwrap();
        assert_eq!(store.get_many(&["k3", "k4"]).await.unwrap()[0], None);
        assert!(store.get_many::<&str>(&[]).await.unwrap().is_empty());
        let stats = store.stats().await.unwrap();
        assert!(
            stats.iter().map(|s| s.cache_hits).sum::<u64>() > 0,
            "{stats:?}"
        );
    });
    rt.shutdown().unwrap();
}
