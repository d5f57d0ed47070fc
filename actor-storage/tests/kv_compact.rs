//! Compaction: old segments go, live values and deletes stay, on reopen
//! too; in the background through the store's actors.

mod common;

use actor_storage::kv::{Durability, KvOptions, KvShard, KvStore};
use common::{on_shard, runtime};

fn small_segments() -> KvOptions {
    KvOptions {
        segment_bytes: 512,
        compact_above: 1.2,
        ..KvOptions::default()
    }
}

#[test]
fn compaction_removes_garbage_and_keeps_values_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(1);
    let d = dir.path().to_path_buf();
    on_shard(&rt, move || async move {
        let kv = KvShard::open(&d, small_segments()).await.unwrap();
        kv.put("gone", "soon", Durability::Durable).await.unwrap();
        kv.delete("gone", Durability::Durable).await.unwrap();
        for round in 0..60 {
            for k in 0..5 {
                kv.put(
                    format!("k{k}"),
                    format!("round {round:03}"),
                    Durability::Buffered,
                )
                .await
                .unwrap();
            }
            kv.sync().await.unwrap();
        }
        kv.sync().await.unwrap();
        let before = kv.stats();
        assert!(before.space_amplification > 5.0, "{before:?}");
        let report = kv.compact().await.unwrap();
        let after = kv.stats();
        assert!(report.segments_removed > 5, "{report:?}");
        assert!(report.bytes_removed > 0);
        assert!(
            after.space_amplification < before.space_amplification / 3.0,
            "{before:?} -> {after:?}"
        );
        assert!(after.segments < before.segments);
        let check = |kv: KvShard| async move {
            assert_eq!(
                kv.get(b"gone").await.unwrap(),
                None,
                "a delete outlives compaction"
            );
            for k in 0..5 {
                let v = kv.get(format!("k{k}").as_bytes()).await.unwrap();
                assert_eq!(v, Some(b"round 059".to_vec()));
            }
            assert_eq!(kv.len(), 5);
        };
        check(kv.clone()).await;
        drop(kv);
        let kv = KvShard::open(&d, small_segments()).await.unwrap();
        check(kv).await;
    });
    rt.shutdown().unwrap();
}

#[test]
fn writes_during_a_compaction_win_over_its_copies() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(1);
    let d = dir.path().to_path_buf();
    on_shard(&rt, move || async move {
        let kv = KvShard::open(&d, small_segments()).await.unwrap();
        for round in 0..30 {
            for k in 0..8 {
                kv.put(
                    format!("k{k}"),
                    format!("old {round}"),
                    Durability::Buffered,
                )
                .await
                .unwrap();
            }
            kv.sync().await.unwrap();
        }
        kv.sync().await.unwrap();
        let writer = async {
            for k in 0..8 {
                kv.put(format!("k{k}"), "new", Durability::Durable)
                    .await
                    .unwrap();
            }
        };
        let (report, ()) = join(kv.compact(), writer).await;
        assert!(report.unwrap().segments_removed > 0);
        for k in 0..8 {
            assert_eq!(
                kv.get(format!("k{k}").as_bytes()).await.unwrap(),
                Some(b"new".to_vec())
            );
        }
        drop(kv);
        let kv = KvShard::open(&d, small_segments()).await.unwrap();
        for k in 0..8 {
            assert_eq!(
                kv.get(format!("k{k}").as_bytes()).await.unwrap(),
                Some(b"new".to_vec())
            );
        }
    });
    rt.shutdown().unwrap();
}

/// Runs two futures to completion, polling both.
async fn join<A: std::future::Future, B: std::future::Future>(
    a: A,
    b: B,
) -> (A::Output, B::Output) {
    let (mut a, mut b) = (Box::pin(a), Box::pin(b));
    let (mut ra, mut rb) = (None, None);
    std::future::poll_fn(|cx| {
        if ra.is_none()
            && let std::task::Poll::Ready(v) = a.as_mut().poll(cx)
        {
            ra = Some(v);
        }
        if rb.is_none()
            && let std::task::Poll::Ready(v) = b.as_mut().poll(cx)
        {
            rb = Some(v);
        }
        if ra.is_some() && rb.is_some() {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    (ra.unwrap(), rb.unwrap())
}

#[test]
fn the_store_compacts_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(2);
    let options = KvOptions {
        buffer_interval: std::time::Duration::from_millis(10),
        ..small_segments()
    };
    rt.block_on(async {
        let store = KvStore::open(rt.handle(), dir.path(), options)
            .await
            .unwrap();
        for round in 0..40 {
            for k in 0..10 {
                let value = format!("{round:050}");
                store
                    .put(format!("k{k}"), value, Durability::Buffered)
                    .await
                    .unwrap();
            }
            store.sync().await.unwrap();
        }
        store.sync().await.unwrap();
        let log =
            |stats: &[actor_storage::kv::KvStats]| stats.iter().map(|s| s.log_bytes).sum::<u64>();
        // At least this much was written: 400 values of 50 bytes.
        let written = 400 * 50;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let stats = store.stats().await.unwrap();
            if log(&stats) < written / 4 {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no background compaction: {stats:?}"
            );
            actor_core::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert_eq!(
            store.get("k3").await.unwrap(),
            Some(format!("{:050}", 39).into_bytes())
        );
        assert_eq!(store.prefix("k", 100).await.unwrap().len(), 10);
    });
    rt.shutdown().unwrap();
}

#[test]
fn a_log_that_is_all_live_is_not_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(1);
    let d = dir.path().to_path_buf();
    on_shard(&rt, move || async move {
        let options = KvOptions {
            compact_above: 0.5,
            ..small_segments()
        };
        let kv = KvShard::open(&d, options).await.unwrap();
        // Tiny keys and values: headers dominate the log.
        for i in 0..200u32 {
            kv.put(i.to_le_bytes(), [1u8], Durability::Buffered)
                .await
                .unwrap();
            if i % 20 == 19 {
                kv.sync().await.unwrap();
            }
        }
        let stats = kv.stats();
        assert!((stats.space_amplification - 1.0).abs() < 0.01, "{stats:?}");
        assert!(stats.segments > 2, "{stats:?}");
        assert!(!kv.wants_compaction());
        kv.maintain().await.unwrap();
        assert_eq!(kv.stats().log_bytes, stats.log_bytes, "nothing rewritten");
    });
    rt.shutdown().unwrap();
}
