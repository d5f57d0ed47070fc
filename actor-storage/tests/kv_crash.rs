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
/// `buffered` makes the child write with `Durability::Buffered`.
const MODE_VAR: &str = "PINION_KV_CRASH_MODE";
/// The buffered child's sync interval.
const INTERVAL: Duration = Duration::from_millis(10);

fn options() -> KvOptions {
    KvOptions {
        segment_bytes: 16 << 10,
        compact_above: 1.5,
        buffer_interval: INTERVAL,
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
        let durability = match std::env::var(MODE_VAR).as_deref() {
            Ok("buffered") => Durability::Buffered,
            _ => Durability::Durable,
        };
        for i in next.. {
            // Both keys of a pair live in the one partition.
            let batch = pair(i);
            store.batch(batch, durability).await.unwrap();
            println!("acked {i}");
            if durability == Durability::Buffered {
                // Give the partition's timer room to run between writes.
                actor_core::time::sleep(Duration::from_millis(1)).await;
            }
        }
    });
}

/// Every pair of `acked` there, no pair half there, no hole; returns the
/// number of pairs.
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
        // Writes are made in index order: what survives is a prefix.
        for (n, (key, _)) in a.iter().enumerate() {
            assert_eq!(key, format!("a{n:010}").as_bytes(), "a hole in the log");
        }
        for ((ka, va), (kb, vb)) in a.iter().zip(&b) {
            assert_eq!((&ka[1..], va), (&kb[1..], vb), "a half-applied batch");
        }
        a.len()
    })
}

#[test]
fn kill_9_loses_no_acknowledged_write() {
    crash_cycles(Durability::Durable);
}

/// Buffered writes: what survives is a prefix of the writes, whole pairs
/// only, holding every write acknowledged well over one sync interval
/// before the kill.
#[test]
fn kill_9_of_buffered_writes_loses_only_the_last_interval() {
    crash_cycles(Durability::Buffered);
}

fn crash_cycles(durability: Durability) {
    let cycles: u64 = std::env::var("PINION_KV_CRASH_CYCLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4);
    let buffered = durability == Durability::Buffered;
    // A buffered write acknowledged this long before the kill must be there.
    let margin = INTERVAL * 50;
    let mut dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut rng = 0x9E37_79B9_7F4A_7C15u64 ^ std::process::id() as u64;
    let mut must = Vec::new();
    for cycle in 0..cycles {
        // A fresh store every 25 cycles keeps long soaks from growing it
        // (and each check) without bound.
        if cycle % 25 == 24 {
            dir = tempfile::tempdir().unwrap();
            must.clear();
        }
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
            .env(MODE_VAR, if buffered { "buffered" } else { "durable" })
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // Kill after a random number of acknowledgements (durable) or a
        // random time (buffered).
        let kill_after = 1 + rng % 40;
        let run_for = Duration::from_millis(100 + rng % 1000);
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut acks: Vec<(u64, Instant)> = Vec::new();
        while Instant::now() < deadline {
            let done = if buffered {
                acks.first().is_some_and(|(_, t)| t.elapsed() >= run_for)
            } else {
                acks.len() as u64 >= kill_after
            };
            if done {
                break;
            }
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(i) = line.strip_prefix("acked ") {
                        acks.push((i.parse::<u64>().unwrap(), Instant::now()));
                    }
                }
                _ => break,
            }
        }
        child.kill().unwrap();
        let killed = Instant::now();
        // What the child printed before it died was acknowledged too.
        let late: Vec<u64> = lines
            .map_while(Result::ok)
            .filter_map(|l| l.strip_prefix("acked ").map(|i| i.parse().unwrap()))
            .collect();
        child.wait().unwrap();
        assert!(
            !acks.is_empty(),
            "cycle {cycle}: the child acknowledged nothing"
        );
        if buffered {
            must.extend(
                acks.iter()
                    .filter(|(_, t)| killed - *t > margin)
                    .map(|(i, _)| *i),
            );
        } else {
            must.extend(acks.iter().map(|(i, _)| *i));
            must.extend(late);
        }
        check(dir.path(), &must);
    }
}
