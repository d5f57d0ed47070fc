//! Hint files: reopening reads them instead of sealed segments; a damaged
//! or stale hint is ignored and its segment replayed.

mod common;

use std::path::{Path, PathBuf};

use actor_storage::kv::{Durability, KvOptions, KvShard};
use common::{on_shard, runtime};

fn options() -> KvOptions {
    KvOptions {
        segment_bytes: 400,
        compact_above: 1.5,
        ..KvOptions::default()
    }
}

type Contents = Vec<(Vec<u8>, Vec<u8>)>;

/// Fills a partition in `dir` over many segments, writes the hints;
/// returns its contents and the number of hints written.
async fn fill(dir: PathBuf) -> (Contents, usize) {
    let kv = KvShard::open(&dir, options()).await.unwrap();
    for i in 0..120 {
        let key = format!("key{:03}", i % 70);
        kv.put(key, format!("value {i}"), Durability::Durable)
            .await
            .unwrap();
        if i % 9 == 0 {
            kv.delete(format!("key{:03}", i / 2), Durability::Durable)
                .await
                .unwrap();
        }
    }
    assert!(kv.unhinted_segments() > 3);
    let written = kv.write_hints().await.unwrap();
    assert_eq!(kv.unhinted_segments(), 0);
    (kv.range(.., usize::MAX).await.unwrap(), written)
}

async fn reopen(dir: PathBuf) -> (Contents, usize, u64) {
    let kv = KvShard::open(&dir, options()).await.unwrap();
    let r = kv.recovery().clone();
    (kv.range(.., usize::MAX).await.unwrap(), r.hinted, r.records)
}

fn hints(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "hint"))
        .collect();
    v.sort();
    v
}

#[test]
fn a_reopen_reads_the_hints_and_finds_the_same_contents() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(1);
    let d = dir.path().to_path_buf();
    let (before, written) = on_shard(&rt, move || fill(d));
    assert_eq!(hints(dir.path()).len(), written);
    let d = dir.path().to_path_buf();
    let (after, hinted, records) = on_shard(&rt, move || reopen(d));
    assert_eq!(hinted, written);
    assert_eq!(records, 120 + 14);
    assert_eq!(after, before);
    rt.shutdown().unwrap();
}

#[test]
fn a_damaged_or_stale_hint_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(1);
    let d = dir.path().to_path_buf();
    let (before, written) = on_shard(&rt, move || fill(d));
    let all = hints(dir.path());
    let mut bytes = std::fs::read(&all[0]).unwrap();
    bytes[40] ^= 0x04;
    std::fs::write(&all[0], bytes).unwrap();
    // A hint of another segment, under the second one's name: stale.
    std::fs::copy(&all[2], &all[1]).unwrap();
    let d = dir.path().to_path_buf();
    let (after, hinted, _) = on_shard(&rt, move || reopen(d));
    assert_eq!(hinted, written - 2);
    assert_eq!(after, before);
    rt.shutdown().unwrap();
}

#[test]
fn compaction_removes_the_hints_of_the_segments_it_removes() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(1);
    let d = dir.path().to_path_buf();
    let (before, written) = on_shard(&rt, move || fill(d));
    let d = dir.path().to_path_buf();
    let removed = on_shard(&rt, move || async move {
        let kv = KvShard::open(&d, options()).await.unwrap();
        kv.compact().await.unwrap().segments_removed
    });
    assert!(removed > 0);
    assert_eq!(hints(dir.path()).len(), written - removed);
    let d = dir.path().to_path_buf();
    let (after, _, _) = on_shard(&rt, move || reopen(d));
    assert_eq!(after, before);
    rt.shutdown().unwrap();
}

#[test]
fn a_value_damaged_after_its_hint_was_written_is_caught_on_read() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(1);
    let d = dir.path().to_path_buf();
    let small = KvOptions {
        segment_bytes: 100,
        ..options()
    };
    let o = small.clone();
    on_shard(&rt, move || async move {
        let kv = KvShard::open(&d, o).await.unwrap();
        kv.put(
            "victim",
            "a value that will rot on disk",
            Durability::Durable,
        )
        .await
        .unwrap();
        for i in 0..5 {
            kv.put(format!("other{i}"), "x".repeat(60), Durability::Durable)
                .await
                .unwrap();
        }
        assert!(kv.write_hints().await.unwrap() > 0);
    });
    // The first segment holds one record: the victim, starting at 0.
    let seg = dir.path().join(format!("{:020}.log", 1));
    let mut bytes = std::fs::read(&seg).unwrap();
    let at = bytes.windows(4).position(|w| w == b"rot ").unwrap();
    bytes[at] ^= 0x01;
    std::fs::write(&seg, &bytes).unwrap();
    let d = dir.path().to_path_buf();
    let (hinted, got, other) = on_shard(&rt, move || async move {
        let kv = KvShard::open(&d, small).await.unwrap();
        let hinted = kv.recovery().hinted;
        (
            hinted,
            kv.get(b"victim").await,
            kv.get(b"other4").await.unwrap(),
        )
    });
    assert!(
        hinted > 0,
        "the damaged segment was opened from its hint, unread"
    );
    match got {
        Err(actor_storage::kv::KvError::Corrupt {
            segment, offset, ..
        }) => {
            assert_eq!((segment, offset), (seg, 0));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(other, Some("x".repeat(60).into_bytes()));
    rt.shutdown().unwrap();
}
