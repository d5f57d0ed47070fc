//! Every fault of the fault layer at every operation of a scripted
//! workload of puts and deletes: reopened on a good disk, every finished
//! put and delete is there, and an object whose put failed is the old one
//! or the new one, whole.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use super::ObjectError;
use super::partition::Partition;
use crate::file::{Disk, Fault, FaultPlan, FaultyDisk, Storage};
use crate::test_support::poll_plain;

type Model = BTreeMap<String, Vec<u8>>;

fn data(i: usize) -> Vec<u8> {
    vec![i as u8; 300 + 700 * (i % 3)]
}

async fn put<S: Storage>(p: &mut Partition<S>, name: &str, body: &[u8]) -> Result<(), ObjectError> {
    let id = p
        .begin(name.to_owned(), "x".into(), BTreeMap::new())
        .await?;
    for chunk in body.chunks(512) {
        p.append(id, chunk.to_vec()).await?;
    }
    p.finish(id).await.map(drop)
}

/// Runs the script; returns what was acknowledged and the name and body
/// of the operation that failed (`None` body for a delete).
async fn run(dir: &Path, plan: Arc<FaultPlan>) -> (Model, Option<(String, Option<Vec<u8>>)>) {
    let mut acked = Model::new();
    let Ok(mut p) = Partition::open(FaultyDisk::new(plan), dir).await else {
        return (acked, None);
    };
    for i in 0..8 {
        let name = format!("obj{}", i % 3);
        let (ok, body) = if i % 4 == 3 {
            (p.delete(&name).await.is_ok(), None)
        } else {
            (put(&mut p, &name, &data(i)).await.is_ok(), Some(data(i)))
        };
        // After an error too, the index says what the directory holds.
        index_matches_directory(&p, dir);
        match (ok, body) {
            (true, Some(b)) => drop(acked.insert(name, b)),
            (true, None) => drop(acked.remove(&name)),
            (false, body) => return (acked, Some((name, body))),
        }
    }
    (acked, None)
}

/// The partition's index names exactly the object files on disk.
fn index_matches_directory<S: Storage>(p: &Partition<S>, dir: &Path) {
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().into_string().ok())
        .filter_map(|n| super::meta::object_name(&n))
        .collect();
    on_disk.sort();
    let indexed: Vec<String> = p.list("", usize::MAX).into_iter().map(|m| m.name).collect();
    assert_eq!(indexed, on_disk);
}

async fn contents(dir: &Path) -> Model {
    let mut p = Partition::open(Disk, dir)
        .await
        .expect("a good disk reopens");
    let mut out = Model::new();
    for meta in p.list("", usize::MAX) {
        let (id, _) = p.open_read(&meta.name).await.unwrap();
        let body = p.read(id, 0, meta.size as usize).await.unwrap();
        assert_eq!(crc32c::crc32c(&body), meta.crc32c, "{} is whole", meta.name);
        out.insert(meta.name, body);
    }
    let leftovers = std::fs::read_dir(dir).unwrap().count();
    assert_eq!(leftovers, out.len(), "no upload file outlives a reopen");
    out
}

#[test]
fn every_fault_at_every_operation_keeps_puts_atomic() {
    let total = {
        let dir = tempfile::tempdir().unwrap();
        let plan = FaultPlan::counting();
        let (model, failed) = poll_plain(run(dir.path(), plan.clone()));
        assert!(failed.is_none());
        assert_eq!(poll_plain(contents(dir.path())), model);
        plan.operations()
    };
    for fault in Fault::ALL {
        for at in 1..=total {
            let dir = tempfile::tempdir().unwrap();
            let (acked, failed) = poll_plain(run(dir.path(), FaultPlan::new(at, fault)));
            let found = poll_plain(contents(dir.path()));
            let mut alternative = acked.clone();
            match &failed {
                Some((name, Some(body))) => drop(alternative.insert(name.clone(), body.clone())),
                Some((name, None)) => drop(alternative.remove(name)),
                None => {}
            }
            assert!(
                found == acked || found == alternative,
                "{fault:?} at operation {at}: found {:?}, acknowledged {:?}",
                found.keys().collect::<Vec<_>>(),
                acked.keys().collect::<Vec<_>>()
            );
        }
    }
}
