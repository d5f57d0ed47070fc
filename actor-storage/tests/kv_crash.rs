//! kill -9: a child process writes atomic pairs with durable
//! acknowledgements, printing each acknowledged index; the parent kills it
//! (SIGKILL) at a random moment, reopens the store, and checks that every
//! acknowledged pair is there and no pair is half there. The child carries
//! on from what the store holds, cycle after cycle.
//!
//! CI runs a few cycles; `PINION_KV_CRASH_CYCLES=1000 cargo test -p
//! actor-storage --test kv_crash` is the soak. The child is this same test
//! binary running the ignored test `child_writer`, told where to write by
//! `PINION_KV_CRASH_DIR`.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use actor_storage::kv::{Durability, KvOptions, KvShard, KvStore, Op};
use common::poll_plain;

const DIR_VAR: &str = "PINION_KV_CRASH_DIR";

fn options() -> KvOptions {
    KvOptions {
        segment_bytes: 16 << 10,
        compact_above: 1.5,
        ..KvOptions::default()
    }
}

fn value(i: u64) -> Vec<u8> {
    format!("value {i} ")
        .repeat(1 + (i % 7) as usize)
        .into_bytes()
}

fn pair(i: u64) -> Vec<Op> {
    ["a", "b"]
        .iter()
        .map(|side| Op::Put {
            key: format!("{side}{i:010}").into_bytes(),
            value: value(i),
        })
        .collect()
}

/// The child: writes pairs from where the store stands, forever.
#[test]
#[ignore = "the child half of kill_9_loses_no_acknowledged_write, which runs it"]
fn child_writer() {
    let dir = std::env::var(DIR_VAR).expect("run by kill_9_loses_no_acknowledged_write only");
    let rt = actor_core::Runtime::builder().shards(1).build().unwrap();
    rt.block_on(async {
        let store = KvStore::open(rt.handle(), &dir, options()).await.unwrap();
        let next = store.prefix("a", usize::MAX).await.unwrap().len() as u64;
        for i in next.. {
            // Both keys of a pair live in the one partition.
            let batch = pair(i);
            store.batch(batch, Durability::Durable).await.unwrap();
            println!("acked {i}");
        }
    });
}

/// Every acknowledged pair whole, no pair half there; returns the pairs.
fn check(dir: &Path, acked: &[u64]) -> usize {
    let part = dir.join("partition-000");
    poll_plain(async {
        let kv = KvShard::open(&part, options())
            .await
            .expect("the store reopens after kill -9");
        for &i in acked {
            for op in pair(i) {
                let Op::Put { key, value } = op else {
                    unreachable!()
                };
                let got = kv.get(&key).await.unwrap();
                assert_eq!(got, Some(value), "acknowledged pair {i} lost");
            }
        }
        let a = kv.prefix(b"a", usize::MAX).await.unwrap();
        let b = kv.prefix(b"b", usize::MAX).await.unwrap();
        assert_eq!(a.len(), b.len(), "a half-applied batch");
        for ((ka, va), (kb, vb)) in a.iter().zip(&b) {
            assert_eq!((&ka[1..], va), (&kb[1..], vb), "a half-applied batch");
        }
        a.len()
    })
}

#[test]
fn kill_9_loses_no_acknowledged_write() {
    let cycles: u64 = std::env::var("PINION_KV_CRASH_CYCLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4);
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut rng = 0x9E37_79B9_7F4A_7C15u64 ^ std::process::id() as u64;
    let mut acked_total = Vec::new();
    for cycle in 0..cycles {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let mut child = Command::new(&exe)
            .args([
                "child_writer",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(DIR_VAR, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        // Kill after a random number of acknowledgements (or time).
        let kill_after = 1 + rng % 40;
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut lines = stdout.lines();
        let mut seen = 0;
        while seen < kill_after && Instant::now() < deadline {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(i) = line.strip_prefix("acked ") {
                        acked_total.push(i.parse::<u64>().unwrap());
                        seen += 1;
                    }
                }
                _ => break,
            }
        }
        child.kill().unwrap();
        // What the child printed before it died was acknowledged too.
        for line in lines.map_while(Result::ok) {
            if let Some(i) = line.strip_prefix("acked ") {
                acked_total.push(i.parse().unwrap());
            }
        }
        child.wait().unwrap();
        assert!(seen > 0, "cycle {cycle}: the child acknowledged nothing");
        // Pairs are written in index order, so every index up to the
        // highest acknowledged one is there.
        let pairs = check(dir.path(), &acked_total) as u64;
        assert!(pairs > *acked_total.iter().max().unwrap(), "cycle {cycle}");
    }
}
