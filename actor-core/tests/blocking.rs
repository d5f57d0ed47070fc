//! `spawn_blocking` runs on the blocking pool, never on a shard, and reports
//! a panicking job as a typed error.
#![allow(missing_docs)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

static SLOW_DONE: AtomicBool = AtomicBool::new(false);

use actor_core::prelude::*;
use actor_core::{BlockingError, BlockingHandle};

struct Offloader;

enum Job {
    ThreadName(ReplyTo<(String, String)>),
    Panic(ReplyTo<Result<(), BlockingError>>),
    /// Starts a slow job and answers a ping while it runs.
    Slow(ReplyTo<BlockingHandle<u64>>),
    Ping(ReplyTo<()>),
}

impl Actor for Offloader {
    type Msg = Job;
    async fn handle(&mut self, msg: Job, ctx: &mut Context<Self>) {
        match msg {
            Job::ThreadName(reply) => {
                let here = std::thread::current().name().unwrap_or("").to_owned();
                let there = ctx
                    .spawn_blocking(|| std::thread::current().name().unwrap_or("").to_owned())
                    .await
                    .unwrap();
                reply.send((here, there));
            }
            Job::Panic(reply) => {
                let out = ctx.spawn_blocking(|| panic!("job failed on purpose")).await;
                reply.send(out);
            }
            Job::Slow(reply) => {
                reply.send(ctx.spawn_blocking(|| {
                    std::thread::sleep(Duration::from_secs(1));
                    SLOW_DONE.store(true, Ordering::SeqCst);
                    7
                }));
            }
            Job::Ping(reply) => reply.send(()),
        }
    }
}

#[test]
fn blocking_jobs_run_off_the_shards() {
    let rt = Runtime::builder()
        .shards(1)
        .thread_name("pinion-shard")
        .build()
        .unwrap();
    let a = rt.spawn_on(0, || Offloader).unwrap();
    let (here, there) = a.ask_blocking(Job::ThreadName).unwrap();
    assert!(here.starts_with("pinion-shard"), "handler ran on {here}");
    assert!(there.contains("blocking"), "job ran on {there}");
    rt.shutdown().unwrap();
}

#[test]
fn a_panicking_job_is_a_typed_error() {
    let rt = Runtime::builder().shards(1).build().unwrap();
    let a = rt.spawn_on(0, || Offloader).unwrap();
    match a.ask_blocking(Job::Panic).unwrap() {
        Err(BlockingError::Panicked(text)) => assert!(text.contains("on purpose"), "{text}"),
        other => panic!("expected a panic report, got {other:?}"),
    }
    // The actor and its shard carry on.
    a.ask_blocking(Job::Ping).unwrap();
    rt.shutdown().unwrap();
}

#[test]
fn the_shard_keeps_serving_while_a_job_blocks() {
    let rt = Runtime::builder().shards(1).build().unwrap();
    let a = rt.spawn_on(0, || Offloader).unwrap();
    let slow = a.ask_blocking(Job::Slow).unwrap();
    a.ask_blocking(Job::Ping).unwrap();
    assert!(
        !SLOW_DONE.load(Ordering::SeqCst),
        "the ping waited for the blocking job"
    );
    assert_eq!(rt.block_on(slow).unwrap(), 7);
    rt.shutdown().unwrap();
}
