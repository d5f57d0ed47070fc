//! The fault-injecting layer does what its table says, under the suite's
//! driver.

mod common;

use actor_storage::{AlignedBuf, Fault, FaultPlan, FaultyDisk, FileIo, OpenOptions, Storage};
use common::{on_shard, runtime};

/// Opens a file on a faulty disk, writes 2000 bytes, syncs, and reads
/// back; returns each step's outcome and the file's bytes on disk.
fn scenario(fault: Fault, at: u64) -> (Vec<Result<(), String>>, Vec<u8>, bool) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    let rt = runtime(1);
    let plan = FaultPlan::new(at, fault);
    let p2 = plan.clone();
    let p = path.clone();
    let steps = on_shard(&rt, move || async move {
        let disk = FaultyDisk::new(p2);
        let mut out = Vec::new();
        let f = match disk.open(&p, &OpenOptions::new().create(true)).await {
            Ok(f) => f,
            Err(e) => return vec![Err(e.to_string())],
        };
        out.push(Ok(()));
        let data = AlignedBuf::from_slice(&[7u8; 2000], 1);
        out.push(f.write_all_at(data, 0).await.0.map_err(|e| e.to_string()));
        out.push(f.sync_data().await.map_err(|e| e.to_string()));
        out.push(
            f.read_exact_at(10, 0)
                .await
                .map(drop)
                .map_err(|e| e.to_string()),
        );
        out
    });
    rt.shutdown().unwrap();
    (
        steps,
        std::fs::read(&path).unwrap_or_default(),
        plan.fired(),
    )
}

#[test]
fn eio_fails_exactly_the_chosen_operation() {
    let (steps, _, fired) = scenario(Fault::Eio, 3);
    assert!(fired);
    assert!(steps[0].is_ok() && steps[1].is_ok() && steps[3].is_ok());
    let e = steps[2].as_ref().unwrap_err();
    assert!(
        e.contains("fdatasync") && e.contains("Input/output error"),
        "{e}"
    );
}

#[test]
fn no_space_waits_for_a_write_and_writes_nothing() {
    let (steps, on_disk, _) = scenario(Fault::NoSpace, 1);
    let e = steps[1].as_ref().unwrap_err();
    assert!(
        e.contains("write") && e.contains("at offset 0") && e.contains("No space"),
        "{e}"
    );
    assert!(on_disk.is_empty());
}

#[test]
fn a_short_write_is_finished_by_write_all() {
    let (steps, on_disk, fired) = scenario(Fault::ShortWrite, 1);
    assert!(fired);
    assert!(steps.iter().all(Result::is_ok), "{steps:?}");
    assert_eq!(on_disk, vec![7u8; 2000]);
}

#[test]
fn a_torn_write_leaves_a_partial_sector_and_a_dead_disk() {
    let (steps, on_disk, _) = scenario(Fault::TornWrite, 1);
    assert!(steps[1].is_err());
    assert!(
        steps[2].is_err() && steps[3].is_err(),
        "everything after fails: {steps:?}"
    );
    assert!(!on_disk.is_empty() && on_disk.len() < 2000);
    assert_ne!(on_disk.len() % 512, 0, "the tear is mid-sector");
}

#[test]
fn a_sync_failure_is_reported_once() {
    let (steps, on_disk, _) = scenario(Fault::SyncFailure, 1);
    assert!(steps[1].is_ok());
    assert!(steps[2].as_ref().unwrap_err().contains("fdatasync"));
    assert!(steps[3].is_ok());
    assert_eq!(on_disk.len(), 2000);
}

#[test]
fn a_counting_plan_counts_and_never_fails() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(1);
    let plan = FaultPlan::counting();
    let p2 = plan.clone();
    let path = dir.path().join("f");
    on_shard(&rt, move || async move {
        let disk = FaultyDisk::new(p2);
        let f = disk
            .open(&path, &OpenOptions::new().create(true))
            .await
            .unwrap();
        let parts = vec![
            AlignedBuf::from_slice(b"ab", 1),
            AlignedBuf::from_slice(b"cd", 1),
        ];
        assert_eq!(f.writev_at(parts, 0).await.0.unwrap(), 4);
        f.write_durable_at(AlignedBuf::from_slice(b"e", 1), 4)
            .await
            .0
            .unwrap();
        assert_eq!(f.size().await.unwrap(), 5);
    });
    assert_eq!(plan.operations(), 5, "open, writev, write, fdatasync, len");
    assert!(!plan.fired());
    rt.shutdown().unwrap();
}
