//! actor-storage's hot paths: `KvStore` puts (durable: alone, 64 at once
//! sharing syncs, and in atomic batches of 100; and buffered), point gets
//! and range scans on a one-shard store in a temp dir (each call an ask
//! from the caller's thread to the partition's shard), and the log
//! record's encode and decode with their CRC32C. Keys are 16 bytes, values
//! 100.
//!
//! ```sh
//! cargo bench -p benches --bench storage
//! ```
//!
//! Durable puts wait for `fdatasync`, so their figures are the disk's
//! (the temp dir's file system; set `TMPDIR` to measure another).

#![allow(missing_docs)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use actor_core::Runtime;
use actor_storage::kv::{Durability, KvOptions, KvStore, Op};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

// The record codec is crate-private in actor-storage: its source is
// compiled in here.
#[allow(dead_code, unreachable_pub)]
#[path = "../actor-storage/src/kv/record.rs"]
mod record;
// Awaits many futures on one task, as the store's own fan-out does. (Its
// unit tests come along unused: a bench has no test harness.)
#[allow(dead_code, unused_imports)]
#[path = "../actor-storage/src/join.rs"]
mod join;

const VALUE: [u8; 100] = [0x5a; 100];
/// Writers in the group-commit bench.
const CONCURRENT: u64 = 64;
/// Keys the get and range benches read from.
const PRELOADED: u64 = 100_000;

fn key(i: u64) -> Vec<u8> {
    format!("key-{i:012}").into_bytes()
}

/// A cheap, repeatable walk over `0..n` in a scattered order.
fn scattered(i: u64, n: u64) -> u64 {
    i.wrapping_mul(0x9E37_79B9_7F4A_7C15) % n
}

/// Times `ops` calls of `one(i)` inside one `block_on`.
fn timed<F: Future<Output = ()>>(rt: &Runtime, ops: u64, one: impl Fn(u64) -> F) -> Duration {
    rt.block_on(async {
        let start = Instant::now();
        for i in 0..ops {
            one(i).await;
        }
        start.elapsed()
    })
}

fn kv(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let rt = Runtime::builder().shards(1).build().expect("runtime");
    let store = rt
        .block_on(KvStore::open(rt.handle(), dir.path(), KvOptions::default()))
        .expect("open store");
    let mut next = 0u64;
    let mut fresh = || {
        next += 1;
        key(PRELOADED + next)
    };

    let mut g = c.benchmark_group("kv_put_durable");
    g.throughput(Throughput::Elements(1));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(3));
    g.bench_function("single", |b| {
        b.iter_custom(|n| {
            let keys: Vec<_> = (0..n).map(|_| fresh()).collect();
            timed(&rt, n, |i| {
                let put = store.put(keys[i as usize].clone(), VALUE, Durability::Durable);
                async move { put.await.expect("durable put") }
            })
        });
    });
    // Writers that each wait for their own durable reply, all at once:
    // those arriving during a sync share the next one (group commit).
    g.throughput(Throughput::Elements(CONCURRENT));
    g.bench_function("concurrent_64", |b| {
        b.iter_custom(|n| {
            let keys: Vec<_> = (0..n * CONCURRENT).map(|_| fresh()).collect();
            timed(&rt, n, |i| {
                let puts = keys[(i * CONCURRENT) as usize..((i + 1) * CONCURRENT) as usize]
                    .iter()
                    .map(|k| store.put(k.clone(), VALUE, Durability::Durable))
                    .collect();
                async move {
                    for put in join::join_all(puts).await {
                        put.expect("durable put");
                    }
                }
            })
        });
    });
    g.throughput(Throughput::Elements(100));
    g.bench_function("batch_of_100", |b| {
        b.iter_custom(|n| {
            let batches: Vec<Vec<Op>> = (0..n)
                .map(|_| {
                    (0..100)
                        .map(|_| Op::Put {
                            key: fresh(),
                            value: VALUE.to_vec(),
                        })
                        .collect()
                })
                .collect();
            timed(&rt, n, |i| {
                let batch = store.batch(batches[i as usize].clone(), Durability::Durable);
                async move { batch.await.expect("durable batch") }
            })
        });
    });
    g.finish();

    let mut g = c.benchmark_group("kv_put_buffered");
    g.throughput(Throughput::Elements(1));
    // Overwrites within a bounded set of keys, so the log stays bounded
    // (compaction reclaims it) however many iterations criterion runs.
    g.bench_function("single", |b| {
        b.iter_custom(|n| {
            timed(&rt, n, |i| {
                let put = store.put(key(scattered(i, 10_000)), VALUE, Durability::Buffered);
                async move { put.await.expect("buffered put") }
            })
        });
    });
    g.finish();

    // The reads' data set: PRELOADED keys, synced.
    rt.block_on(async {
        for start in (0..PRELOADED).step_by(1000) {
            let ops = (start..start + 1000)
                .map(|i| Op::Put {
                    key: key(i),
                    value: VALUE.to_vec(),
                })
                .collect();
            store
                .batch(ops, Durability::Buffered)
                .await
                .expect("preload");
        }
        store.sync().await.expect("sync");
    });

    let mut g = c.benchmark_group("kv_read");
    g.throughput(Throughput::Elements(1));
    g.bench_function("get", |b| {
        b.iter_custom(|n| {
            timed(&rt, n, |i| {
                let get = store.get(key(scattered(i, PRELOADED)));
                async move {
                    let value = get.await.expect("get");
                    assert_eq!(value.as_deref(), Some(&VALUE[..]));
                }
            })
        });
    });
    for len in [10u64, 100] {
        g.throughput(Throughput::Elements(len));
        g.bench_with_input(BenchmarkId::new("range", len), &len, |b, &len| {
            b.iter_custom(|n| {
                timed(&rt, n, |i| {
                    let from = key(scattered(i, PRELOADED - len));
                    let range = store.range(from.., len as usize);
                    async move {
                        let entries = range.await.expect("range");
                        assert_eq!(entries.len() as u64, len);
                    }
                })
            });
        });
    }
    g.finish();

    drop(store);
    rt.shutdown().expect("clean shutdown");
}

fn records(c: &mut Criterion) {
    let mut g = c.benchmark_group("kv_record");
    for ops in [1u64, 100] {
        let batch: Vec<record::Op> = (0..ops)
            .map(|i| record::Op::Put {
                key: key(i),
                value: VALUE.to_vec(),
            })
            .collect();
        let mut encoded = Vec::new();
        record::encode(7, &batch, &mut encoded);
        g.throughput(Throughput::Bytes(encoded.len() as u64));
        let mut out = Vec::with_capacity(encoded.len());
        g.bench_with_input(BenchmarkId::new("encode", ops), &batch, |b, batch| {
            b.iter(|| {
                out.clear();
                black_box(record::encode(7, black_box(batch), &mut out));
            });
        });
        g.bench_with_input(BenchmarkId::new("decode", ops), &encoded, |b, bytes| {
            b.iter(|| {
                let decoded = record::decode(black_box(bytes)).expect("a valid record");
                assert_eq!(decoded.ops.len() as u64, ops);
            });
        });
    }
    let block = vec![0xa5u8; 4096];
    g.throughput(Throughput::Bytes(block.len() as u64));
    g.bench_function("crc32c_4k", |b| {
        b.iter(|| crc32c::crc32c(black_box(&block)));
    });
    g.finish();
}

criterion_group!(benches, kv, records);
criterion_main!(benches);
