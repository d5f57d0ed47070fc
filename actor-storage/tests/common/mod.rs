//! Runs test bodies on a shard of a runtime built from the environment
//! (`PINION_DRIVER` picks io_uring or epoll), so each test covers the
//! driver the suite runs under.

#![allow(dead_code, unreachable_pub)]

use std::future::Future;
use std::pin::Pin;
use std::sync::mpsc;
use std::time::Duration;

use actor_core::{Actor, Context, Runtime};

type Job = Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = ()>>> + Send>;

struct Runner;

impl Actor for Runner {
    type Msg = Job;

    async fn handle(&mut self, job: Job, _: &mut Context<Self>) {
        job().await;
    }
}

/// A runtime of `shards` shards with the environment's driver.
pub fn runtime(shards: usize) -> Runtime {
    Runtime::builder().shards(shards).build().expect("runtime")
}

/// Runs the future `make()` builds on shard 0 of `rt` and returns its
/// output; panics after a minute.
pub fn on_shard<F, Fut, R>(rt: &Runtime, make: F) -> R
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = R> + 'static,
    R: Send + 'static,
{
    let (tx, rx) = mpsc::channel();
    let runner = rt.handle().spawn_on(0, || Runner).expect("spawn");
    let job: Job = Box::new(move || {
        Box::pin(async move {
            let _ = tx.send(make().await);
        })
    });
    runner.tell_blocking(job).expect("tell");
    let out = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the job finished");
    runner.stop();
    out
}

/// Polls a future whose every step completes at once: off any runtime
/// the file layer runs its syscalls inline.
pub fn poll_plain<F: Future>(fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
    }
}
