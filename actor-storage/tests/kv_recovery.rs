//! Recovery: a torn tail is cut, a flipped bit in the middle of the log is
//! a `Corrupt` error naming its offset.

mod common;

use std::path::{Path, PathBuf};

use actor_storage::kv::{Durability, KvError, KvOptions, KvShard};
use common::{on_shard, runtime};

/// Writes `n` durable records (`k{i}` = `v{i}`) to a fresh partition in
/// `dir`; returns the segment file and each record's start offset.
fn make_log(rt: &actor_core::Runtime, dir: &Path, n: usize) -> (PathBuf, Vec<u64>) {
    let d = dir.to_path_buf();
    on_shard(rt, move || async move {
        let kv = KvShard::open(&d, KvOptions::default()).await.unwrap();
        let mut starts = Vec::new();
        for i in 0..n {
            starts.push(std::fs::metadata(segment(&d)).unwrap().len());
            kv.put(
                format!("k{i}"),
                format!("value number {i}"),
                Durability::Durable,
            )
            .await
            .unwrap();
        }
        (segment(&d), starts)
    })
}

fn segment(dir: &Path) -> PathBuf {
    dir.join(format!("{:020}.log", 1))
}

fn reopen(
    rt: &actor_core::Runtime,
    dir: &Path,
) -> Result<(usize, actor_storage::kv::RecoveryReport), KvError> {
    let d = dir.to_path_buf();
    on_shard(rt, move || async move {
        let kv = KvShard::open(&d, KvOptions::default()).await?;
        Ok((kv.len(), kv.recovery().clone()))
    })
}

#[test]
fn a_torn_tail_is_cut_and_every_complete_record_kept() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(1);
    let (seg, _) = make_log(&rt, dir.path(), 5);
    let good = std::fs::metadata(&seg).unwrap().len();
    // Half of a sixth record, as a crash mid-write leaves it.
    let mut half = Vec::new();
    {
        let d2 = tempfile::tempdir().unwrap();
        let (s2, _) = make_log(&rt, d2.path(), 1);
        half.extend_from_slice(&std::fs::read(s2).unwrap());
    }
    half[8..16].copy_from_slice(&6u64.to_le_bytes());
    let mut bytes = std::fs::read(&seg).unwrap();
    bytes.extend_from_slice(&half[..half.len() / 2]);
    std::fs::write(&seg, &bytes).unwrap();
    let (len, report) = reopen(&rt, dir.path()).unwrap();
    assert_eq!(len, 5);
    let (path, at, cut) = report.truncated.unwrap();
    assert_eq!(
        (path, at, cut),
        (seg.clone(), good, (half.len() / 2) as u64)
    );
    assert_eq!(
        std::fs::metadata(&seg).unwrap().len(),
        good,
        "the file was cut"
    );
    // Zeroes after the log (a preallocated or extended file) are a tail too.
    let mut bytes = std::fs::read(&seg).unwrap();
    bytes.extend_from_slice(&[0; 4096]);
    std::fs::write(&seg, &bytes).unwrap();
    assert_eq!(reopen(&rt, dir.path()).unwrap().0, 5);
    rt.shutdown().unwrap();
}

#[test]
fn a_flipped_bit_in_the_middle_of_the_log_is_reported_with_its_offset() {
    let rt = runtime(1);
    let dir = tempfile::tempdir().unwrap();
    let (seg, starts) = make_log(&rt, dir.path(), 4);
    let pristine = std::fs::read(&seg).unwrap();
    // Every bit of records 0..3 (the last is a tail, tested above).
    let end = starts[3] as usize;
    for bit in (0..end * 8).step_by(7) {
        let mut bytes = pristine.clone();
        bytes[bit / 8] ^= 1 << (bit % 8);
        std::fs::write(&seg, &bytes).unwrap();
        let record = starts.iter().rposition(|&s| s as usize <= bit / 8).unwrap();
        match reopen(&rt, dir.path()) {
            Err(KvError::Corrupt {
                segment, offset, ..
            }) => {
                assert_eq!(segment, seg);
                assert_eq!(offset, starts[record], "bit {bit}");
            }
            other => panic!("bit {bit}: {other:?}"),
        }
    }
    std::fs::write(&seg, &pristine).unwrap();
    assert_eq!(reopen(&rt, dir.path()).unwrap().0, 4);
    rt.shutdown().unwrap();
}

#[test]
fn a_corrupt_sealed_segment_is_an_error_even_at_its_end() {
    let rt = runtime(1);
    let dir = tempfile::tempdir().unwrap();
    let (seg, _) = make_log(&rt, dir.path(), 2);
    // A later segment that holds a record makes the first one sealed: a
    // copy of the first segment's records under the next id (its sequence
    // numbers do not follow, but the first segment fails before that).
    let copy = std::fs::read(&seg).unwrap();
    std::fs::write(dir.path().join(format!("{:020}.log", 2)), &copy).unwrap();
    let mut bytes = copy;
    let last = bytes.len() - 1;
    bytes[last] ^= 0x10;
    std::fs::write(&seg, &bytes).unwrap();
    match reopen(&rt, dir.path()) {
        Err(KvError::Corrupt { segment, .. }) => assert_eq!(segment, seg),
        other => panic!("{other:?}"),
    }
    rt.shutdown().unwrap();
}

#[test]
fn a_crash_between_making_a_segment_and_switching_to_it_recovers() {
    // A roll makes the next segment, then switches appends to it; a crash
    // in between leaves it empty while the one before ends in a torn
    // write. That segment is still the tail: cut, and the empty one goes.
    let rt = runtime(1);
    let dir = tempfile::tempdir().unwrap();
    let (seg, _) = make_log(&rt, dir.path(), 3);
    let good = std::fs::metadata(&seg).unwrap().len();
    let mut bytes = std::fs::read(&seg).unwrap();
    bytes.extend_from_within(..30);
    std::fs::write(&seg, &bytes).unwrap();
    let empty = dir.path().join(format!("{:020}.log", 2));
    std::fs::write(&empty, b"").unwrap();
    let (len, report) = reopen(&rt, dir.path()).unwrap();
    assert_eq!(len, 3);
    assert_eq!(report.truncated.map(|t| t.1), Some(good));
    assert!(!empty.exists(), "the empty segment is removed");
    rt.shutdown().unwrap();
}
