//! Shared test actors and helpers.
#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use actor_core::prelude::*;
use actor_core::{BoxError, ExitReason};
use parking_lot::Mutex;

pub type Log = Arc<Mutex<Vec<String>>>;

pub fn log() -> Log {
    Arc::default()
}

pub fn runtime() -> Runtime {
    Runtime::builder()
        .shards(2)
        .shutdown_timeout(Duration::from_secs(2))
        .build()
        .expect("runtime")
}

/// Silences the default panic printer on the runtime's threads, for tests
/// that crash actors on purpose; a panic of the test itself (a failed
/// assertion, a timeout) is still printed.
pub fn quiet_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let name = std::thread::current().name().map(str::to_owned);
        if !name.is_some_and(|n| n.starts_with("pinion-")) {
            default(info);
        }
    }));
}

/// Polls `cond` every millisecond until it holds; panics after `limit`.
pub fn wait_until(limit: Duration, what: &str, mut cond: impl FnMut() -> bool) {
    let end = Instant::now() + limit;
    while !cond() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Runs `f` on a thread of its own and returns its result; panics if it has
/// not returned within `limit`, so a hang fails the test instead of stalling
/// it. A panic inside `f` fails the test too.
pub fn within<T: Send + 'static>(
    limit: Duration,
    what: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    use std::sync::mpsc::RecvTimeoutError;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(limit) {
        Ok(v) => v,
        Err(RecvTimeoutError::Timeout) => panic!("timed out after {limit:?}: {what}"),
        Err(RecvTimeoutError::Disconnected) => panic!("panicked: {what}"),
    }
}

pub enum Msg {
    /// Panic in the handler.
    Crash,
    /// Stop itself with this reason.
    Exit(ExitReason),
    /// Reply with how many messages this incarnation handled.
    Handled(ReplyTo<u64>),
    /// A sequenced message from `sender`.
    Seq(u32, u64),
    /// Reply with the number of sequenced messages seen and whether every
    /// sender's sequence was gap-free and in order.
    Check(ReplyTo<(u64, bool)>),
    /// Wait forever inside the handler.
    Hang,
}

/// A worker that records its lifecycle into a shared log.
pub struct Worker {
    pub name: &'static str,
    pub log: Log,
    pub fail_start: bool,
    /// `on_stop` never returns.
    pub stubborn: bool,
    pub handled: u64,
    pub next: Vec<u64>,
    pub in_order: bool,
}

impl Worker {
    pub fn new(name: &'static str, log: &Log) -> Self {
        Worker {
            name,
            log: log.clone(),
            fail_start: false,
            stubborn: false,
            handled: 0,
            next: Vec::new(),
            in_order: true,
        }
    }

    pub fn factory(name: &'static str, log: &Log) -> impl Fn() -> Worker + Send + Sync + 'static {
        let log = log.clone();
        move || Worker::new(name, &log)
    }
}

impl Actor for Worker {
    type Msg = Msg;

    async fn on_start(&mut self, _: &mut Context<Self>) -> Result<(), BoxError> {
        if self.fail_start {
            self.log.lock().push(format!("fail:{}", self.name));
            return Err("refused to start".into());
        }
        self.log.lock().push(format!("start:{}", self.name));
        Ok(())
    }

    async fn handle(&mut self, msg: Msg, ctx: &mut Context<Self>) {
        self.handled += 1;
        match msg {
            Msg::Crash => panic!("{} crashes on purpose", self.name),
            Msg::Exit(reason) => ctx.stop_with(reason),
            Msg::Handled(r) => r.send(self.handled),
            Msg::Seq(sender, n) => {
                let s = sender as usize;
                if self.next.len() <= s {
                    self.next.resize(s + 1, 0);
                }
                self.in_order &= self.next[s] == n;
                self.next[s] = n + 1;
            }
            Msg::Check(r) => r.send((self.next.iter().sum(), self.in_order)),
            Msg::Hang => std::future::pending::<()>().await,
        }
    }

    async fn on_stop(&mut self, reason: &ExitReason, _: &mut Context<Self>) {
        self.log.lock().push(format!("stop:{}", self.name));
        if self.stubborn && *reason == ExitReason::Shutdown {
            std::future::pending::<()>().await;
        }
    }
}

/// Three workers `a`, `b`, `c` on alternating shards under one supervisor.
pub fn tree(
    rt: &Runtime,
    strategy: actor_supervisor::Strategy,
    restarts: [actor_supervisor::Restart; 3],
    log: &Log,
) -> actor_supervisor::SupervisorRef {
    let mut b = actor_supervisor::Supervisor::builder()
        .strategy(strategy)
        .intensity(10, Duration::from_secs(5))
        .shard(0);
    for (i, (name, restart)) in ["a", "b", "c"].into_iter().zip(restarts).enumerate() {
        // Spread children over both shards: the order must hold across them.
        let spec = actor_supervisor::ChildSpec::new(name, Worker::factory(name, log))
            .restart(restart)
            .shard(i % 2);
        b = b.child_spec(spec);
    }
    b.spawn_blocking(rt.handle()).expect("tree starts")
}
