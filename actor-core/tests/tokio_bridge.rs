//! The tokio bridge (feature `tokio`): a future handed to `spawn_tokio` runs
//! on the runtime's tokio threads and its result, panic or cancellation comes
//! back to the awaiting shard as a value; dropping the awaited future aborts
//! the tokio task; shutdown never hangs on a task still running.
#![allow(missing_docs)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use actor_core::prelude::*;
use actor_core::time::timeout;
use actor_core::{TokioError, TokioTask};
use common::eventually;

/// Raises its flag when dropped: shows a tokio future was dropped (aborted).
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// A future that raises `started`, then never finishes, holding a
/// [`DropFlag`] on `dropped`.
async fn forever(started: Arc<AtomicBool>, dropped: Arc<AtomicBool>) {
    let _guard = DropFlag(dropped);
    started.store(true, Ordering::SeqCst);
    std::future::pending::<()>().await;
}

fn thread_name() -> String {
    std::thread::current().name().unwrap_or("").to_owned()
}

struct Caller;

/// Where each part of a round trip ran.
#[derive(Debug)]
struct Trip {
    before: String,
    tokio: String,
    after: String,
    value: u64,
}

enum Call {
    Trip(ReplyTo<Trip>),
    /// The tokio task waits on the gate's tokio timer for 300 ms.
    Slow(ReplyTo<Result<u64, TokioError>>),
    Panic(ReplyTo<Result<(), TokioError>>),
    /// Awaits a never-ending tokio task for 50 ms, then gives up.
    GiveUp(Arc<AtomicBool>, Arc<AtomicBool>, ReplyTo<bool>),
    /// Starts a never-ending tokio task and awaits it.
    Hang(Arc<AtomicBool>, Arc<AtomicBool>),
    Ping(ReplyTo<String>),
}

impl Actor for Caller {
    type Msg = Call;

    async fn handle(&mut self, msg: Call, ctx: &mut Context<Self>) {
        match msg {
            Call::Trip(reply) => {
                let before = thread_name();
                let (tokio, value) = ctx
                    .spawn_tokio(async {
                        // tokio's own timer works: the runtime has its drivers.
                        tokio::time::sleep(Duration::from_millis(1)).await;
                        (thread_name(), 42)
                    })
                    .await
                    .expect("the task finishes");
                reply.send(Trip {
                    before,
                    tokio,
                    after: thread_name(),
                    value,
                });
            }
            Call::Slow(reply) => {
                let out = ctx
                    .spawn_tokio(async {
                        tokio::time::sleep(Duration::from_millis(300)).await;
                        7
                    })
                    .await;
                reply.send(out);
            }
            Call::Panic(reply) => {
                let out = ctx
                    .spawn_tokio(async { panic!("tokio task failed on purpose") })
                    .await;
                reply.send(out);
            }
            Call::GiveUp(started, dropped, reply) => {
                let task = ctx.spawn_tokio(forever(started, dropped));
                reply.send(timeout(Duration::from_millis(50), task).await.is_err());
            }
            Call::Hang(started, dropped) => {
                let _ = ctx.spawn_tokio(forever(started, dropped)).await;
            }
            Call::Ping(reply) => reply.send(thread_name()),
        }
    }
}

#[test]
fn a_result_comes_back_to_the_awaiting_shard() {
    let rt = Runtime::builder()
        .shards(2)
        .thread_name("bridge")
        .build()
        .unwrap();
    let caller = rt.spawn_on(1, || Caller).unwrap();
    let trip = caller.ask_blocking(Call::Trip).unwrap();
    assert_eq!(trip.value, 42);
    assert_eq!(trip.before, "bridge-1", "handler ran on shard 1");
    assert_eq!(trip.after, "bridge-1", "resumed on its own shard");
    assert!(
        trip.tokio.starts_with("bridge-tokio-"),
        "ran on {}",
        trip.tokio
    );
    rt.shutdown().unwrap();
}

#[test]
fn awaiting_a_tokio_task_does_not_block_the_shard() {
    let rt = Runtime::builder().shards(1).build().unwrap();
    let slow = rt.spawn_on(0, || Caller).unwrap();
    let other = rt.spawn_on(0, || Caller).unwrap();
    let pending = std::thread::spawn({
        let slow = slow.clone();
        move || slow.ask_blocking(Call::Slow)
    });
    std::thread::sleep(Duration::from_millis(50));
    let start = Instant::now();
    other.ask_blocking(Call::Ping).unwrap();
    assert!(
        start.elapsed() < Duration::from_millis(200),
        "a neighbour on the same shard waited {:?}",
        start.elapsed()
    );
    assert_eq!(pending.join().unwrap().unwrap(), Ok(7));
    rt.shutdown().unwrap();
}

#[test]
fn a_panic_in_the_tokio_task_comes_back_as_a_typed_error() {
    let rt = Runtime::builder().shards(1).build().unwrap();
    let caller = rt.spawn_on(0, || Caller).unwrap();
    let out = caller.ask_blocking(Call::Panic).unwrap();
    assert_eq!(
        out,
        Err(TokioError::Panicked("tokio task failed on purpose".into()))
    );
    // The actor and its shard carry on.
    assert!(caller.ask_blocking(Call::Ping).is_ok());
    let trip = caller.ask_blocking(Call::Trip).unwrap();
    assert_eq!(trip.value, 42);
    rt.shutdown().unwrap();
}

#[test]
fn dropping_the_awaited_future_aborts_the_tokio_task() {
    let rt = Runtime::builder().shards(1).build().unwrap();
    let caller = rt.spawn_on(0, || Caller).unwrap();
    let started = Arc::new(AtomicBool::new(false));
    let dropped = Arc::new(AtomicBool::new(false));
    let timed_out = caller
        .ask_blocking(|r| Call::GiveUp(started.clone(), dropped.clone(), r))
        .unwrap();
    assert!(timed_out);
    assert!(started.load(Ordering::SeqCst), "the task ran");
    assert!(
        eventually(Duration::from_secs(5), || dropped.load(Ordering::SeqCst)),
        "the tokio task was not aborted"
    );

    // The same from a plain thread, through the handle.
    let started = Arc::new(AtomicBool::new(false));
    let dropped = Arc::new(AtomicBool::new(false));
    let task = rt
        .handle()
        .spawn_tokio(forever(started.clone(), dropped.clone()));
    assert!(eventually(Duration::from_secs(5), || started.load(Ordering::SeqCst)));
    assert!(!dropped.load(Ordering::SeqCst));
    drop(task);
    assert!(
        eventually(Duration::from_secs(5), || dropped.load(Ordering::SeqCst)),
        "the tokio task was not aborted"
    );
    rt.shutdown().unwrap();
}

#[test]
fn the_handle_spawns_from_any_thread_and_from_tokio_itself() {
    let rt = Runtime::builder()
        .shards(1)
        .thread_name("anywhere")
        .build()
        .unwrap();
    let handle = rt.handle().clone();
    let from_thread = std::thread::spawn({
        let handle = handle.clone();
        move || {
            let task: TokioTask<String> = handle.spawn_tokio(async { thread_name() });
            task
        }
    })
    .join()
    .unwrap();
    let name = rt.block_on(from_thread).unwrap();
    assert!(name.starts_with("anywhere-tokio-"), "ran on {name}");

    // Nested: a tokio task spawns another through the handle and awaits it.
    let inner = handle.clone();
    let nested = rt.block_on(
        handle.spawn_tokio(async move { inner.spawn_tokio(async { 5 }).await.map(|v| v + 1) }),
    );
    assert_eq!(nested, Ok(Ok(6)));

    // The tokio handle itself, for libraries set up inside a tokio context.
    let tokio = handle.tokio_handle().unwrap();
    let name = rt.block_on(tokio.spawn(async { thread_name() })).unwrap();
    assert!(name.starts_with("anywhere-tokio-"), "ran on {name}");
    rt.shutdown().unwrap();
}

fn flags() -> (Arc<AtomicBool>, Arc<AtomicBool>) {
    (Arc::default(), Arc::default())
}

/// Names of this process's threads, as the kernel has them (15 bytes).
fn os_thread_names() -> Vec<String> {
    std::fs::read_dir("/proc/self/task")
        .map(|dir| {
            dir.filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
                .map(|n| n.trim().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_tokio_runtime_starts_on_first_use_with_the_configured_threads() {
    let rt = Runtime::builder()
        .shards(1)
        .thread_name("lazy")
        .tokio_threads(2)
        .build()
        .unwrap();
    let tokio_threads = || {
        os_thread_names()
            .iter()
            .filter(|n| n.starts_with("lazy-tokio-"))
            .count()
    };
    assert_eq!(tokio_threads(), 0, "started before first use");
    let names: Vec<String> = (0..8)
        .map(|_| rt.block_on(rt.handle().spawn_tokio(async { thread_name() })))
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        names.iter().all(|n| n.starts_with("lazy-tokio-")),
        "{names:?}"
    );
    // A worker names itself as it starts: give the second one a moment.
    assert!(
        eventually(Duration::from_secs(5), || tokio_threads() == 2),
        "{} tokio threads",
        tokio_threads()
    );
    rt.shutdown().unwrap();
    assert!(
        eventually(Duration::from_secs(5), || tokio_threads() == 0),
        "tokio threads outlived the runtime"
    );
}

#[test]
fn shutdown_with_tokio_tasks_still_running_does_not_hang() {
    // Two workers: the one not stuck in the blocking task drops the others.
    let rt = Runtime::builder()
        .shards(1)
        .tokio_threads(2)
        .shutdown_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let handle = rt.handle().clone();
    // An actor awaiting a task that never ends.
    let (a_started, a_dropped) = flags();
    let caller = rt.spawn_on(0, || Caller).unwrap();
    caller
        .try_tell(Call::Hang(a_started.clone(), a_dropped.clone()))
        .unwrap();
    // A plain thread holding a task that never ends.
    let (b_started, b_dropped) = flags();
    let held = handle.spawn_tokio(forever(b_started.clone(), b_dropped.clone()));
    // A task that blocks its tokio thread for longer than the timeout.
    let blocker = handle.spawn_tokio(async {
        std::thread::sleep(Duration::from_secs(3));
    });
    assert!(eventually(Duration::from_secs(5), || {
        a_started.load(Ordering::SeqCst) && b_started.load(Ordering::SeqCst)
    }));

    let start = Instant::now();
    // The actor is still in its handler: it overruns and is killed.
    assert!(rt.shutdown().is_err(), "the hung actor is a straggler");
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "shutdown took {:?}",
        start.elapsed()
    );
    let dropped =
        |f: &Arc<AtomicBool>| eventually(Duration::from_secs(2), || f.load(Ordering::SeqCst));
    assert!(dropped(&a_dropped), "the actor's task lives on");
    assert!(dropped(&b_dropped), "the held task lives on");
    let plain = poll_until_ready(held);
    assert_eq!(plain, Err(TokioError::Cancelled));
    drop(blocker);
    // After shutdown nothing starts.
    let late = poll_until_ready(handle.spawn_tokio(async { 1 }));
    assert_eq!(late, Err(TokioError::RuntimeGone));
    assert!(handle.tokio_handle().is_err());
}

/// Polls a future to completion on this thread (the runtime is gone).
fn poll_until_ready<F: std::future::Future>(fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    let end = Instant::now() + Duration::from_secs(5);
    loop {
        if let std::task::Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
        assert!(Instant::now() < end, "the future never resolved");
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn dropping_the_runtime_inside_a_tokio_runtime_does_not_panic() {
    let rt = Runtime::builder().shards(1).build().unwrap();
    let (started, dropped) = flags();
    let held = rt
        .handle()
        .spawn_tokio(forever(started.clone(), dropped.clone()));
    assert!(eventually(Duration::from_secs(5), || started.load(Ordering::SeqCst)));
    // tokio forbids blocking in its own context: the bridge shuts down in
    // the background there instead of waiting for its threads.
    let outer = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    outer.block_on(async move { drop(rt) });
    assert!(eventually(Duration::from_secs(5), || dropped.load(Ordering::SeqCst)));
    assert_eq!(poll_until_ready(held), Err(TokioError::Cancelled));
}

/// Calls tokio from `on_stop` and reports what came back.
struct Closer(std::sync::mpsc::Sender<Result<u8, TokioError>>);

impl Actor for Closer {
    type Msg = ();

    async fn handle(&mut self, _: (), _: &mut Context<Self>) {}

    async fn on_stop(&mut self, _: &ExitReason, ctx: &mut Context<Self>) {
        let out = ctx.spawn_tokio(async { 9 }).await;
        let _ = self.0.send(out);
    }
}

#[test]
fn on_stop_may_still_call_tokio_during_shutdown() {
    let rt = Runtime::builder().shards(2).build().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    rt.spawn_on(1, move || Closer(tx)).unwrap();
    rt.shutdown().unwrap();
    assert_eq!(rx.recv_timeout(Duration::from_secs(5)), Ok(Ok(9)));
}
