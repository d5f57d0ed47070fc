//! proptest: random operations on a partition against a `BTreeMap` model,
//! with clean reopens and crashes (the partition dropped without a sync)
//! at random points. After a crash, the store must equal the model as of
//! the last durable point: every durable write is there, and buffered
//! writes after it are gone whole.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use actor_storage::kv::{Durability, KvOptions, KvShard, Op};
use common::{on_shard, runtime};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

#[derive(Debug, Clone)]
enum Step {
    Write(Vec<Op>, Durability),
    Get(Vec<u8>),
    Scan(Vec<u8>),
    Sync,
    Reopen,
    Crash,
    Compact,
}

fn key() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(vec![b'a', b'b', b'c']), 0..3)
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (key(), prop::collection::vec(any::<u8>(), 0..50)).prop_map(|(key, value)| Op::Put { key, value }),
        1 => key().prop_map(|key| Op::Delete { key }),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    let durability = prop::sample::select(vec![Durability::Durable, Durability::Buffered]);
    prop_oneof![
        6 => (prop::collection::vec(op(), 1..4), durability).prop_map(|(ops, d)| Step::Write(ops, d)),
        2 => key().prop_map(Step::Get),
        1 => key().prop_map(Step::Scan),
        1 => Just(Step::Sync),
        1 => Just(Step::Reopen),
        1 => Just(Step::Crash),
        1 => Just(Step::Compact),
    ]
}

type Model = BTreeMap<Vec<u8>, Vec<u8>>;

fn options() -> KvOptions {
    KvOptions {
        segment_bytes: 512,
        // No size-triggered sync: a buffered write is synced only by a
        // durable write or an explicit sync, so a crash loses exactly the
        // writes after the last of those.
        buffer_bytes: usize::MAX,
        compact_above: 1.0,
        ..KvOptions::default()
    }
}

async fn check(dir: PathBuf, steps: Vec<Step>) -> Result<(), String> {
    let mut kv = KvShard::open(&dir, options())
        .await
        .map_err(|e| e.to_string())?;
    let mut model = Model::new();
    let mut durable = Model::new();
    for (i, step) in steps.into_iter().enumerate() {
        match step {
            Step::Write(ops, d) => {
                kv.write(ops.clone(), d).await.map_err(|e| e.to_string())?;
                for op in ops {
                    match op {
                        Op::Put { key, value } => model.insert(key, value),
                        Op::Delete { key } => model.remove(&key),
                    };
                }
                if d == Durability::Durable {
                    durable = model.clone();
                }
            }
            Step::Get(k) => {
                let got = kv.get(&k).await.map_err(|e| e.to_string())?;
                if got.as_ref() != model.get(&k) {
                    return Err(format!(
                        "step {i}: get {k:?} = {got:?}, model {:?}",
                        model.get(&k)
                    ));
                }
            }
            Step::Scan(p) => {
                let got = kv.prefix(&p, usize::MAX).await.map_err(|e| e.to_string())?;
                let want: Vec<_> = model
                    .iter()
                    .filter(|(k, _)| k.starts_with(&p))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                if got != want {
                    return Err(format!("step {i}: prefix {p:?} = {got:?}, model {want:?}"));
                }
            }
            Step::Sync => {
                kv.sync().await.map_err(|e| e.to_string())?;
                durable = model.clone();
            }
            Step::Reopen => {
                kv.sync().await.map_err(|e| e.to_string())?;
                drop(kv);
                kv = KvShard::open(&dir, options())
                    .await
                    .map_err(|e| e.to_string())?;
                durable = model.clone();
            }
            Step::Compact => {
                // A compaction that removed a segment synced its copies,
                // and every write before them with them.
                let before = kv.stats();
                let report = kv.compact().await.map_err(|e| e.to_string())?;
                kv.write_hints().await.map_err(|e| e.to_string())?;
                if kv.stats().log_bytes > before.log_bytes + before.live_bytes {
                    return Err(format!(
                        "step {i}: compaction grew the log: {before:?} -> {:?}",
                        kv.stats()
                    ));
                }
                if report.segments_removed > 0 {
                    durable = model.clone();
                }
            }
            Step::Crash => {
                drop(kv);
                kv = KvShard::open(&dir, options())
                    .await
                    .map_err(|e| e.to_string())?;
                model = durable.clone();
            }
        }
        let all: Model = kv
            .range(.., usize::MAX)
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .collect();
        if all != model {
            return Err(format!("step {i}: store {all:?}, model {model:?}"));
        }
    }
    Ok(())
}

#[test]
fn a_partition_matches_a_btreemap_across_reopens_and_crashes() {
    let rt = runtime(1);
    let cases = std::env::var("PINION_KV_MODEL_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(48);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&prop::collection::vec(step(), 1..40), |steps| {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_path_buf();
        let outcome = on_shard(&rt, move || check(d, steps));
        prop_assert!(outcome.is_ok(), "{}", outcome.unwrap_err());
        Ok(())
    });
    rt.shutdown().unwrap();
    if let Err(e) = result {
        panic!("{e}");
    }
}
