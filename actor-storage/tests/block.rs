//! Block files and the striped block store, under the suite's driver.

mod common;

use actor_storage::block::{BlockError, BlockFile, BlockOptions, BlockStore};
use actor_storage::{Fault, FaultPlan, FaultyDisk};
use common::{on_shard, runtime};

fn options(blocks: u64) -> BlockOptions {
    BlockOptions {
        blocks,
        ..BlockOptions::default()
    }
}

fn pattern(addr: u64, len: usize) -> Vec<u8> {
    (0..len).map(|i| (addr as usize * 31 + i) as u8).collect()
}

#[test]
fn blocks_are_written_read_trimmed_and_kept_across_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(1);
    let path = dir.path().join("blocks");
    on_shard(&rt, move || async move {
        let f = BlockFile::open(&path, options(32)).await.unwrap();
        let size = f.block_size();
        assert_eq!(size, 4096 - 8);
        for addr in [0, 1, 7, 31] {
            f.write(addr, &pattern(addr, size)).await.unwrap();
        }
        f.write_durable(8, &pattern(8, size)).await.unwrap();
        f.flush().await.unwrap();
        assert_eq!(f.read(7).await.unwrap(), pattern(7, size));
        assert_eq!(f.read(2).await.unwrap(), vec![0; size], "never written");
        let many = f.read_many(&[0, 1, 8, 31, 32]).await;
        for (addr, got) in [0, 1, 8, 31].iter().zip(&many) {
            assert_eq!(got.as_ref().unwrap(), &pattern(*addr, size));
        }
        assert!(matches!(
            many[4],
            Err(BlockError::OutOfRange {
                addr: 32,
                blocks: 32
            })
        ));
        assert!(matches!(
            f.write(3, b"short").await,
            Err(BlockError::Size { got: 5, .. })
        ));
        f.trim(0, 2).await.unwrap();
        f.flush().await.unwrap();
        assert_eq!(f.read(0).await.unwrap(), vec![0; size]);
        assert_eq!(f.read(1).await.unwrap(), vec![0; size]);
        assert!(f.trim(31, 2).await.is_err(), "past the end");
        drop(f);
        let f = BlockFile::open(&path, options(32)).await.unwrap();
        assert_eq!(f.read(31).await.unwrap(), pattern(31, size));
        assert_eq!(f.read(8).await.unwrap(), pattern(8, size));
    });
    rt.shutdown().unwrap();
}

#[test]
fn a_corrupt_block_fails_its_checksum_with_its_address_and_offset() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(1);
    let path = dir.path().join("blocks");
    let p = path.clone();
    on_shard(&rt, move || async move {
        let f = BlockFile::open(&p, options(8)).await.unwrap();
        f.write_durable(3, &pattern(3, f.block_size()))
            .await
            .unwrap();
    });
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[3 * 4096 + 100] ^= 0x20;
    std::fs::write(&path, &bytes).unwrap();
    let p = path.clone();
    let (checked, unchecked) = on_shard(&rt, move || async move {
        let f = BlockFile::open(&p, options(8)).await.unwrap();
        let checked = f.read(3).await;
        let plain = BlockOptions {
            checksums: false,
            ..options(8)
        };
        let raw = BlockFile::open(&p, plain)
            .await
            .unwrap()
            .read(3)
            .await
            .unwrap();
        (checked, raw)
    });
    assert!(
        matches!(
            checked,
            Err(BlockError::Checksum {
                addr: 3,
                offset: 12288
            })
        ),
        "{checked:?}"
    );
    assert_eq!(
        unchecked.len(),
        4096,
        "without checksums the slot is the block"
    );
    rt.shutdown().unwrap();
}

#[test]
fn a_torn_block_write_reads_back_as_a_checksum_error() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(1);
    let path = dir.path().join("blocks");
    on_shard(&rt, move || async move {
        // Slots of several sectors, so the tear falls inside one whatever
        // the sector size.
        let wide = BlockOptions {
            slot_size: 16384,
            ..options(4)
        };
        let disk = FaultyDisk::new(FaultPlan::new(1, Fault::TornWrite));
        let f = BlockFile::open_on(disk, &path, wide.clone()).await.unwrap();
        assert!(
            f.write_durable(2, &pattern(2, f.block_size()))
                .await
                .is_err()
        );
        drop(f);
        let f = BlockFile::open(&path, wide).await.unwrap();
        assert!(matches!(
            f.read(2).await,
            Err(BlockError::Checksum { addr: 2, .. })
        ));
        assert_eq!(f.read(1).await.unwrap(), vec![0; f.block_size()]);
    });
    rt.shutdown().unwrap();
}

#[test]
fn a_slot_size_that_does_not_fit_direct_io_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(1);
    let path = dir.path().join("blocks");
    let outcome = on_shard(&rt, move || async move {
        let bad = BlockOptions {
            slot_size: 100,
            ..options(4)
        };
        BlockFile::open(&path, bad).await.map(|f| f.block_size())
    });
    // Buffered files (O_DIRECT refused) take any slot size.
    match outcome {
        Err(BlockError::Options(_)) => {}
        Ok(size) => assert_eq!(size, 92),
        Err(e) => panic!("{e}"),
    }
    rt.shutdown().unwrap();
}

#[test]
fn the_store_stripes_blocks_over_the_shards() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(2);
    rt.block_on(async {
        let store = BlockStore::open(rt.handle(), dir.path(), options(101))
            .await
            .unwrap();
        let size = store.block_size();
        for addr in 0..101 {
            store
                .write(addr, &pattern(addr, size), addr % 10 == 0)
                .await
                .unwrap();
        }
        store.flush().await.unwrap();
        for addr in [0, 1, 50, 99, 100] {
            assert_eq!(
                store.read(addr).await.unwrap(),
                pattern(addr, size),
                "{addr}"
            );
        }
        assert!(matches!(
            store.read(101).await,
            Err(BlockError::OutOfRange { addr: 101, .. })
        ));
        store.trim(10, 15).await.unwrap();
        for addr in 9..16 {
            let want = if (10..15).contains(&addr) {
                vec![0; size]
            } else {
                pattern(addr, size)
            };
            assert_eq!(store.read(addr).await.unwrap(), want, "{addr}");
        }
    });
    let parts = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(parts, 3, "two partition files and the layout file");
    rt.shutdown().unwrap();

    let rt = runtime(2);
    rt.block_on(async {
        let store = BlockStore::open(rt.handle(), dir.path(), options(101))
            .await
            .unwrap();
        assert_eq!(
            store.read(77).await.unwrap(),
            pattern(77, store.block_size())
        );
        let other = BlockStore::open(rt.handle(), dir.path(), options(50)).await;
        assert!(matches!(other, Err(BlockError::Options(_))));
    });
    rt.shutdown().unwrap();
}

#[test]
fn every_fault_at_every_operation_leaves_acknowledged_blocks_whole() {
    let rt = runtime(1);
    // Durable writes of blocks 0..6 (block 2 twice); returns the blocks
    // acknowledged and the one being written when an error came.
    async fn script(f: &BlockFile<FaultyDisk>) -> (Vec<(u64, u8)>, Option<u64>) {
        let mut acked = Vec::new();
        for (addr, fill) in [(0, 1), (1, 2), (2, 3), (3, 4), (2, 5), (5, 6)] {
            match f.write_durable(addr, &vec![fill; f.block_size()]).await {
                Ok(()) => acked.push((addr, fill)),
                Err(_) => return (acked, Some(addr)),
            }
        }
        (acked, None)
    }
    let total = {
        let dir = tempfile::tempdir().unwrap();
        let plan = FaultPlan::counting();
        let p = plan.clone();
        let path = dir.path().join("b");
        on_shard(&rt, move || async move {
            let f = BlockFile::open_on(FaultyDisk::new(p), &path, options(8))
                .await
                .unwrap();
            assert_eq!(script(&f).await.1, None);
        });
        plan.operations()
    };
    for fault in Fault::ALL {
        for at in 1..=total {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("b");
            on_shard(&rt, move || async move {
                let disk = FaultyDisk::new(FaultPlan::new(at, fault));
                let (acked, failed) = match BlockFile::open_on(disk, &path, options(8)).await {
                    Ok(f) => script(&f).await,
                    Err(_) => (Vec::new(), None),
                };
                let Ok(f) = BlockFile::open(&path, options(8)).await else {
                    assert!(
                        acked.is_empty(),
                        "{fault:?} at {at}: acknowledged blocks but no file"
                    );
                    return;
                };
                let mut last = std::collections::BTreeMap::new();
                for (addr, fill) in acked {
                    last.insert(addr, fill);
                }
                for (addr, fill) in last {
                    match f.read(addr).await {
                        Ok(block) if block == vec![fill; f.block_size()] => {}
                        // The block being written when the fault came may
                        // hold the new data, or be torn and say so.
                        Ok(_) | Err(BlockError::Checksum { .. }) if failed == Some(addr) => {}
                        other => panic!("{fault:?} at {at}: block {addr}: {other:?}"),
                    }
                }
            });
        }
    }
    rt.shutdown().unwrap();
}

#[test]
fn a_new_block_file_is_made_durable_before_it_is_used() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(1);
    let path = dir.path().join("new");
    on_shard(&rt, move || async move {
        // Its length and its directory entry are synced: a failing sync
        // fails the open instead of leaving a file a crash could take.
        let disk = FaultyDisk::new(FaultPlan::new(1, Fault::SyncFailure));
        assert!(BlockFile::open_on(disk, &path, options(4)).await.is_err());
        let plan = FaultPlan::counting();
        BlockFile::open_on(FaultyDisk::new(plan.clone()), &path, options(8))
            .await
            .unwrap();
        assert_eq!(
            plan.operations(),
            5,
            "open, size, set_len, fsync, directory fsync"
        );
    });
    rt.shutdown().unwrap();
}
