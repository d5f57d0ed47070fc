//! One key-value partition on a shard: operations, reopening, group
//! commit, poisoning after a failed sync.

mod common;

use actor_storage::kv::{Durability, KvError, KvOptions, KvShard, Op};
use actor_storage::{Fault, FaultPlan, FaultyDisk};
use common::{on_shard, runtime};

fn put(k: &str, v: &str) -> Op {
    Op::Put {
        key: k.into(),
        value: v.into(),
    }
}

#[test]
fn puts_gets_deletes_batches_and_scans_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(1);
    let d = dir.path().to_path_buf();
    on_shard(&rt, move || async move {
        let kv = KvShard::open(&d, KvOptions::default()).await.unwrap();
        assert!(kv.is_empty());
        kv.put("a", "1", Durability::Durable).await.unwrap();
        kv.put("b", "2", Durability::Buffered).await.unwrap();
        kv.write(
            vec![
                put("c/1", "x"),
                put("c/2", "y"),
                Op::Delete { key: "a".into() },
            ],
            Durability::Durable,
        )
        .await
        .unwrap();
        kv.put("c/3", "z", Durability::Buffered).await.unwrap();
        kv.delete("c/3", Durability::Buffered).await.unwrap();
        let check = |kv: KvShard| async move {
            assert_eq!(kv.get(b"a").await.unwrap(), None);
            assert_eq!(kv.get(b"b").await.unwrap(), Some(b"2".to_vec()));
            assert_eq!(kv.len(), 3);
            let scan = kv.prefix(b"c/", 10).await.unwrap();
            let keys: Vec<_> = scan.iter().map(|(k, _)| k.clone()).collect();
            assert_eq!(keys, vec![b"c/1".to_vec(), b"c/2".to_vec()]);
            let range = kv.range(b"b".to_vec()..b"c/2".to_vec(), 10).await.unwrap();
            assert_eq!(
                range,
                vec![
                    (b"b".to_vec(), b"2".to_vec()),
                    (b"c/1".to_vec(), b"x".to_vec())
                ]
            );
            assert_eq!(kv.range(.., 1).await.unwrap().len(), 1);
        };
        check(kv.clone()).await;
        kv.sync().await.unwrap();
        drop(kv);
        let again = KvShard::open(&d, KvOptions::default()).await.unwrap();
        assert_eq!(again.recovery().records, 5);
        assert_eq!(again.recovery().truncated, None);
        check(again).await;
    });
    rt.shutdown().unwrap();
}

#[test]
fn durable_writes_arriving_during_a_sync_share_the_next_one() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(1);
    let plan = FaultPlan::counting();
    let p = plan.clone();
    let d = dir.path().to_path_buf();
    let writers = 50;
    on_shard(&rt, move || async move {
        let kv = KvShard::open_on(FaultyDisk::new(p.clone()), &d, KvOptions::default())
            .await
            .unwrap();
        let before = p.operations();
        let (tx, rx) = std::sync::mpsc::channel();
        let done = std::rc::Rc::new(std::cell::Cell::new(0));
        let mut tasks = Vec::new();
        for i in 0..writers {
            let kv = kv.clone();
            let done = done.clone();
            let tx = tx.clone();
            tasks.push(async move {
                kv.put(format!("k{i}"), "v", Durability::Durable)
                    .await
                    .unwrap();
                done.set(done.get() + 1);
                let _ = tx.send(());
            });
        }
        // All writers run concurrently on this one task.
        join_all(tasks).await;
        assert_eq!(done.get(), writers);
        drop(rx);
        let ops = p.operations() - before;
        assert!(
            ops < writers as u64,
            "{ops} file operations for {writers} durable puts"
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

#[test]
fn a_failed_sync_is_reported_and_the_partition_takes_nothing_more() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(1);
    let d = dir.path().to_path_buf();
    on_shard(&rt, move || async move {
        {
            let kv = KvShard::open(&d, KvOptions::default()).await.unwrap();
            kv.put("kept", "1", Durability::Durable).await.unwrap();
        }
        // The next fdatasync fails: the write is not acknowledged, and
        // nothing after it is accepted (no retried sync pretends success).
        let kv = KvShard::open_on(
            FaultyDisk::new(FaultPlan::new(1, Fault::SyncFailure)),
            &d,
            KvOptions::default(),
        )
        .await
        .unwrap();
        let e = kv.put("lost?", "2", Durability::Durable).await.unwrap_err();
        assert!(
            matches!(&e, KvError::Poisoned(io) if io.op == actor_storage::FileOp::Fdatasync),
            "{e}"
        );
        assert!(matches!(
            kv.put("after", "3", Durability::Durable).await,
            Err(KvError::Poisoned(_))
        ));
        assert!(matches!(kv.get(b"kept").await, Err(KvError::Poisoned(_))));
        drop(kv);
        let again = KvShard::open(&d, KvOptions::default()).await.unwrap();
        assert_eq!(again.get(b"kept").await.unwrap(), Some(b"1".to_vec()));
        assert_eq!(again.get(b"after").await.unwrap(), None);
    });
    rt.shutdown().unwrap();
}

#[test]
fn segments_roll_and_reopen_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(1);
    let d = dir.path().to_path_buf();
    let opts = KvOptions {
        segment_bytes: 256,
        ..KvOptions::default()
    };
    let o = opts.clone();
    on_shard(&rt, move || async move {
        let kv = KvShard::open(&d, o.clone()).await.unwrap();
        for i in 0..40 {
            kv.put(
                format!("key{i:02}"),
                format!("value{i}"),
                Durability::Durable,
            )
            .await
            .unwrap();
        }
        kv.delete("key07", Durability::Durable).await.unwrap();
        drop(kv);
        let segments = std::fs::read_dir(&d).unwrap().count();
        assert!(segments > 5, "{segments} segments");
        let kv = KvShard::open(&d, o).await.unwrap();
        assert_eq!(kv.recovery().segments, segments);
        assert_eq!(kv.len(), 39);
        assert_eq!(kv.get(b"key39").await.unwrap(), Some(b"value39".to_vec()));
        assert_eq!(kv.get(b"key07").await.unwrap(), None);
    });
    rt.shutdown().unwrap();
}

#[test]
fn an_oversized_batch_is_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(1);
    let d = dir.path().to_path_buf();
    on_shard(&rt, move || async move {
        let kv = KvShard::open(&d, KvOptions::default()).await.unwrap();
        let e = kv
            .put("big", vec![0u8; 65 << 20], Durability::Buffered)
            .await
            .unwrap_err();
        assert!(matches!(e, KvError::TooLarge(_)));
        kv.put("small", "ok", Durability::Durable).await.unwrap();
    });
    rt.shutdown().unwrap();
}
