//! Helpers shared by the integration tests: a runtime builder, a gate a
//! handler can await, and a few small actors.
#![allow(dead_code, unreachable_pub, missing_docs)]

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context as TaskContext, Poll, Waker};
use std::time::{Duration, Instant};

use actor_core::prelude::*;
use parking_lot::Mutex;

/// The runtime every test uses: two shards (never assume more cores).
pub fn rt2() -> Runtime {
    Runtime::builder()
        .shards(2)
        .build()
        .expect("runtime starts")
}

/// Polls `cond` every millisecond until it holds or `limit` passes; returns
/// whether it held. Used to wait for effects that have no completion signal.
pub fn eventually(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + limit;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= end {
            return false;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[derive(Default)]
struct GateState {
    open: bool,
    entered: bool,
    wakers: Vec<Waker>,
}

/// A one-shot gate: handlers await [`Gate::wait`] until a test calls
/// [`Gate::open`]. `Send + Sync + Clone`, so it can travel in messages.
#[derive(Clone, Default)]
pub struct Gate(Arc<Mutex<GateState>>);

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Gate")
    }
}

impl Gate {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn open(&self) {
        let wakers = {
            let mut s = self.0.lock();
            s.open = true;
            std::mem::take(&mut s.wakers)
        };
        wakers.into_iter().for_each(Waker::wake);
    }

    /// `true` once someone has started waiting on the gate.
    pub fn entered(&self) -> bool {
        self.0.lock().entered
    }

    /// Blocks the calling (plain) thread until someone waits on the gate.
    pub fn wait_entered(&self) {
        assert!(
            eventually(Duration::from_secs(5), || self.entered()),
            "nobody reached the gate"
        );
    }

    pub fn wait(&self) -> GateWait {
        GateWait(self.clone())
    }
}

/// The future of [`Gate::wait`].
pub struct GateWait(Gate);

impl Future for GateWait {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<()> {
        let mut s = (self.0).0.lock();
        s.entered = true;
        if s.open {
            Poll::Ready(())
        } else {
            s.wakers.push(cx.waker().clone());
            Poll::Pending
        }
    }
}

/// A counter: counts messages and sums their values.
#[derive(Default)]
pub struct Counter {
    pub count: u64,
    pub sum: u64,
    /// When set, `on_start` waits for this gate.
    pub start_gate: Option<Gate>,
}

impl Counter {
    /// A counter whose `on_start` waits until `gate` opens.
    pub fn gated(gate: Gate) -> Self {
        Counter {
            start_gate: Some(gate),
            ..Counter::default()
        }
    }
}

pub enum CounterMsg {
    Add(u64),
    /// `(count, sum)`.
    Get(ReplyTo<(u64, u64)>),
    /// Replies with the shard the counter runs on.
    Where(ReplyTo<usize>),
    /// Blocks the handler until the gate opens.
    Block(Gate),
    /// Panics with this text.
    Boom(String, ReplyTo<()>),
}

impl Actor for Counter {
    type Msg = CounterMsg;

    async fn on_start(&mut self, _ctx: &mut Context<Self>) -> Result<(), actor_core::BoxError> {
        if let Some(gate) = self.start_gate.take() {
            gate.wait().await;
        }
        Ok(())
    }

    async fn handle(&mut self, msg: CounterMsg, ctx: &mut Context<Self>) {
        match msg {
            CounterMsg::Add(n) => {
                self.count += 1;
                self.sum += n;
            }
            CounterMsg::Get(r) => r.send((self.count, self.sum)),
            CounterMsg::Where(r) => r.send(ctx.shard()),
            CounterMsg::Block(gate) => gate.wait().await,
            CounterMsg::Boom(text, _r) => panic!("{text}"),
        }
    }
}

/// Records which `on_stop` ran, in order, with the reason.
pub type StopLog = Arc<Mutex<Vec<(String, ExitReason)>>>;

/// An actor that logs its `on_stop` into a shared [`StopLog`].
pub struct Logged {
    pub name: String,
    pub log: StopLog,
}

pub enum LoggedMsg {
    Ping(ReplyTo<()>),
    Block(Gate),
}

impl Actor for Logged {
    type Msg = LoggedMsg;

    async fn handle(&mut self, msg: LoggedMsg, _ctx: &mut Context<Self>) {
        match msg {
            LoggedMsg::Ping(r) => r.send(()),
            LoggedMsg::Block(g) => g.wait().await,
        }
    }

    async fn on_stop(&mut self, reason: &ExitReason, _ctx: &mut Context<Self>) {
        self.log.lock().push((self.name.clone(), reason.clone()));
    }
}

/// A flag set from inside an actor and read by the test.
#[derive(Clone, Default)]
pub struct Flag(Arc<AtomicBool>);

impl Flag {
    pub fn set(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn get(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}
