//! Fault injection for every operation of a scripted workload: after each
//! fault the partition either reported the error or, reopened on a good
//! disk, holds every acknowledged write (and at most the one write that
//! was in flight when the fault hit).

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use actor_storage::kv::{Durability, KvOptions, KvShard, Op};
use actor_storage::{Fault, FaultPlan, FaultyDisk};
use common::{on_shard, runtime};

type Model = BTreeMap<Vec<u8>, Vec<u8>>;

fn script() -> Vec<Vec<Op>> {
    let mut out = Vec::new();
    for i in 0..12u32 {
        let key = format!("key{}", i % 5).into_bytes();
        out.push(match i % 4 {
            0 | 1 => vec![Op::Put {
                key,
                value: vec![i as u8; 40 + i as usize * 9],
            }],
            2 => vec![Op::Delete { key }],
            _ => vec![
                Op::Put {
                    key,
                    value: b"batched".to_vec(),
                },
                Op::Put {
                    key: format!("batch{i}").into_bytes(),
                    value: b"b".to_vec(),
                },
            ],
        });
    }
    out
}

fn apply(model: &mut Model, ops: &[Op]) {
    for op in ops {
        match op {
            Op::Put { key, value } => {
                model.insert(key.clone(), value.clone());
            }
            Op::Delete { key } => {
                model.remove(key);
            }
        }
    }
}

fn options() -> KvOptions {
    KvOptions {
        segment_bytes: 300,
        compact_above: 1.0,
        ..KvOptions::default()
    }
}

/// Runs the script under `plan`; returns the model of acknowledged
/// writes, the write in flight at the first error (if any), and whether
/// an error was seen at all.
async fn run(dir: &Path, plan: Arc<FaultPlan>) -> (Model, Option<Vec<Op>>) {
    let mut acked = Model::new();
    let Ok(kv) = KvShard::open_on(FaultyDisk::new(plan), dir, options()).await else {
        return (acked, None);
    };
    for ops in script() {
        match kv.write(ops.clone(), Durability::Durable).await {
            Ok(()) => apply(&mut acked, &ops),
            Err(_) => return (acked, Some(ops)),
        }
    }
    // Compaction and hint files change no contents, failed or not.
    let _ = kv.compact().await;
    let _ = kv.write_hints().await;
    (acked, None)
}

async fn contents(dir: &Path) -> Model {
    let open = || KvShard::open(dir, options());
    let kv = open().await.expect("a good disk reopens");
    let found: Model = kv
        .range(.., usize::MAX)
        .await
        .unwrap()
        .into_iter()
        .collect();
    drop(kv);
    // Without the hints, the segments themselves say the same.
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "hint") {
            std::fs::remove_file(path).unwrap();
        }
    }
    let kv = open().await.expect("a good disk reopens");
    let replayed: Model = kv
        .range(.., usize::MAX)
        .await
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(found, replayed, "hints and segments disagree");
    found
}

#[test]
fn every_fault_at_every_operation_keeps_every_acknowledged_write() {
    let rt = runtime(1);
    let total = {
        let dir = tempfile::tempdir().unwrap();
        let plan = FaultPlan::counting();
        let (p, d) = (plan.clone(), dir.path().to_path_buf());
        let (model, failed) = on_shard(&rt, move || async move { run(&d, p).await });
        assert!(failed.is_none());
        assert_eq!(model.len(), 7);
        plan.operations()
    };
    assert!(total > 25, "{total} operations");
    for fault in Fault::ALL {
        for at in 1..=total {
            let dir = tempfile::tempdir().unwrap();
            let plan = FaultPlan::new(at, fault);
            let (p, d) = (plan.clone(), dir.path().to_path_buf());
            let (acked, in_flight, found) = on_shard(&rt, move || async move {
                let (acked, in_flight) = run(&d, p).await;
                (acked, in_flight, contents(&d).await)
            });
            let mut with_flight = acked.clone();
            if let Some(ops) = &in_flight {
                apply(&mut with_flight, ops);
            }
            assert!(
                found == acked || found == with_flight,
                "{fault:?} at operation {at}: found {found:?}, acknowledged {acked:?}"
            );
            if fault == Fault::ShortWrite {
                assert!(
                    in_flight.is_none(),
                    "a short write is finished, not an error"
                );
            }
        }
    }
    rt.shutdown().unwrap();
}
