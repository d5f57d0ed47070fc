//! Recovery of arbitrary bytes: opening a partition whose segment holds
//! anything at all ends in a store or a typed error, never a panic or a
//! hang; a store that opened opens again to the same contents.

mod common;

use std::path::Path;

use actor_storage::kv::{KvError, KvOptions, KvShard};
use common::poll_plain;
use proptest::prelude::*;

type Contents = Vec<(Vec<u8>, Vec<u8>)>;

/// Opens the partition in `dir` (off any runtime, so every step is inline).
fn open(dir: &Path) -> Result<Contents, KvError> {
    poll_plain(async {
        let kv = KvShard::open(dir, KvOptions::default()).await?;
        kv.range(.., usize::MAX).await
    })
}

/// Valid records (from a real store), then damage.
fn segment() -> impl Strategy<Value = Vec<u8>> {
    let ops = prop::collection::vec(
        (any::<u8>(), prop::collection::vec(any::<u8>(), 0..20)),
        0..6,
    );
    let damage = prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4);
    (ops, damage, any::<prop::sample::Index>()).prop_map(|(ops, damage, cut)| {
        let dir = tempfile::tempdir().unwrap();
        poll_plain(async {
            let kv = KvShard::open(dir.path(), KvOptions::default())
                .await
                .unwrap();
            for (k, v) in ops {
                kv.put(vec![k], v, actor_storage::kv::Durability::Durable)
                    .await
                    .unwrap();
            }
        });
        let mut bytes = std::fs::read(dir.path().join(format!("{:020}.log", 1))).unwrap();
        for (at, x) in damage {
            if !bytes.is_empty() {
                let i = at.index(bytes.len());
                bytes[i] ^= x;
            }
        }
        if !bytes.is_empty() {
            bytes.truncate(cut.index(bytes.len() + 1));
        }
        bytes
    })
}

proptest! {
    #[test]
    fn any_last_segment_opens_or_reports_corruption(bytes in prop_oneof![segment(), prop::collection::vec(any::<u8>(), 0..300)]) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(format!("{:020}.log", 1)), &bytes).unwrap();
        match open(dir.path()) {
            Ok(first) => prop_assert_eq!(open(dir.path()).unwrap(), first),
            Err(KvError::Corrupt { offset, .. }) => prop_assert!(offset < bytes.len() as u64),
            Err(e) => prop_assert!(false, "{e}"),
        }
    }

    #[test]
    fn any_sealed_segment_opens_whole_or_reports_corruption(bytes in segment()) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(format!("{:020}.log", 1)), &bytes).unwrap();
        // A later segment that is not empty (here one byte of a torn
        // write) makes the first one sealed.
        std::fs::write(dir.path().join(format!("{:020}.log", 2)), b"x").unwrap();
        match open(dir.path()) {
            Ok(_) | Err(KvError::Corrupt { .. }) => {}
            Err(e) => prop_assert!(false, "{e}"),
        }
        // A sealed segment is never cut.
        let len = std::fs::metadata(dir.path().join(format!("{:020}.log", 1))).unwrap().len();
        prop_assert_eq!(len, bytes.len() as u64);
    }
}
