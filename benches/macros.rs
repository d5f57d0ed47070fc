//! A macro-built actor against a hand-written actor over the same enum: the
//! generated path must cost no more than the hand-written one.
//!
//! Both run on shard 0 with the driver, so only the message path differs.

#![allow(missing_docs)]

use std::time::Duration;

use actor_core::prelude::*;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

#[path = "macro_pair.rs"]
mod macro_pair;

use macro_pair::{Driver, HandCounter, MacroCounter, Run};

fn bench(c: &mut Criterion) {
    let rt = Runtime::builder().shards(1).build().expect("runtime");
    let by_macro = rt.spawn_on(0, MacroCounter::default).expect("spawn");
    let by_hand = rt.spawn_on(0, HandCounter::default).expect("spawn");
    let driver = rt
        .spawn_on(0, move || Driver { by_macro, by_hand })
        .expect("spawn");

    let mut g = c.benchmark_group("macro_vs_hand");
    g.throughput(Throughput::Elements(1));
    type Make = fn(u64, ReplyTo<Duration>) -> Run;
    let cases: [(&str, Make); 4] = [
        ("tell/macro", Run::MacroTells),
        ("tell/hand", Run::HandTells),
        ("ask/macro", Run::MacroAsks),
        ("ask/hand", Run::HandAsks),
    ];
    for (name, make) in cases {
        g.bench_function(name, |b| {
            b.iter_custom(|n| driver.ask_blocking(|r| make(n, r)).expect("driver"));
        });
    }
    g.finish();
    rt.shutdown().expect("clean shutdown");
}

criterion_group!(benches, bench);
criterion_main!(benches);
