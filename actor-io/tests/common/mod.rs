//! Helpers for the networking tests: a two-shard runtime and a way to run a
//! shard-local future to completion from the test thread.
#![allow(dead_code, unreachable_pub, missing_docs)]

use std::future::Future;
use std::pin::Pin;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use actor_core::{Actor, BoxError, Context, Runtime};

/// Two shards (never assume more cores); the driver follows PINION_DRIVER
/// (read by `Runtime::builder`). With `PINION_URING_DENY_OPS=all` (or a
/// comma-separated list of opcode numbers), read here in test code only,
/// each ring reports those opcodes as missing, so the per-operation
/// fallback runs (`scripts/test.sh` does one such run).
pub fn rt2() -> Runtime {
    let builder = Runtime::builder().shards(2);
    let builder = match std::env::var("PINION_URING_DENY_OPS").ok().as_deref() {
        None | Some("") => builder,
        Some("all") => builder.deny_all_uring_opcodes(),
        Some(list) => builder.deny_uring_opcodes(
            list.split(',')
                .map(|op| op.trim().parse::<u8>().expect("an opcode number")),
        ),
    };
    builder.build().expect("runtime starts")
}

/// `true` when this run denies optional io_uring opcodes.
pub fn opcodes_denied() -> bool {
    std::env::var("PINION_URING_DENY_OPS").is_ok_and(|v| !v.is_empty())
}

type LocalFuture = Pin<Box<dyn Future<Output = ()>>>;

/// An actor that runs one future as a task of its shard when it starts.
pub struct Runner(Option<LocalFuture>);

impl Actor for Runner {
    type Msg = ();

    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        if let Some(f) = self.0.take() {
            ctx.spawn_task(f);
        }
        Ok(())
    }

    async fn handle(&mut self, _: (), _: &mut Context<Self>) {}
}

/// Builds a future on `shard` (with `make`, which runs there), runs it as a
/// task, and returns its output; panics if it takes longer than a minute.
pub fn on_shard<T, F>(rt: &Runtime, shard: usize, make: impl FnOnce() -> F + Send + 'static) -> T
where
    T: Send + 'static,
    F: Future<Output = T> + 'static,
{
    let rx = start_on_shard(rt, shard, make);
    rx.recv_timeout(Duration::from_secs(60))
        .expect("the shard task finished")
}

/// Like [`on_shard`], but returns at once with the channel the output comes on.
pub fn start_on_shard<T, F>(
    rt: &Runtime,
    shard: usize,
    make: impl FnOnce() -> F + Send + 'static,
) -> mpsc::Receiver<T>
where
    T: Send + 'static,
    F: Future<Output = T> + 'static,
{
    let (tx, rx) = mpsc::channel();
    rt.handle()
        .spawn_on(shard, move || {
            let fut = make();
            Runner(Some(Box::pin(async move {
                let _ = tx.send(fut.await);
            })))
        })
        .expect("spawn");
    rx
}

/// Polls `cond` until it holds or `limit` passes.
pub fn eventually(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + limit;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= end {
            return false;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Polls a future once, then hands it back (to drop it mid-flight).
pub async fn poll_once<F: Future + Unpin>(mut fut: F) -> (Option<F::Output>, F) {
    let out = std::future::poll_fn(|cx| {
        std::task::Poll::Ready(match Pin::new(&mut fut).poll(cx) {
            std::task::Poll::Ready(v) => Some(v),
            std::task::Poll::Pending => None,
        })
    })
    .await;
    (out, fut)
}

/// Lets the shard turn its loop a few times (submitting and reaping I/O).
pub async fn turns(n: usize) {
    for _ in 0..n {
        actor_core::yield_now().await;
    }
}

/// Entries of /proc/self/fd.
pub fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").expect("procfs").count()
}

/// The driver the environment asks for, if any.
pub fn wanted_driver() -> Option<actor_core::DriverKind> {
    match std::env::var("PINION_DRIVER").ok()?.as_str() {
        "uring" => Some(actor_core::DriverKind::Uring),
        "epoll" => Some(actor_core::DriverKind::Epoll),
        _ => None,
    }
}
