//! The campaign's worker actor: it checks per-sender sequence numbers and
//! timer deadlines as it handles them, and injects the faults its plan
//! gives each incarnation (factory, `on_start`, handler and `on_stop`
//! panics, refused starts, slow stops).

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use actor_core::prelude::*;
use actor_core::{BoxError, TimerHandle};
use parking_lot::Mutex;

use super::report::{Tag, World, rules};
use super::rng::{Rng, mix};

/// Every injected panic's text starts with this, so the panic hook can
/// keep them quiet and let real failures through.
pub const PANIC_MARK: &str = "chaos-injected";

/// Sender ids of forwarding workers start here (plain threads use small
/// ones).
const FORWARDER_IDS: u32 = 1000;

/// How often each fault is injected, in percent per incarnation.
#[derive(Debug, Clone, Copy)]
pub struct FaultRates {
    /// Whether the first incarnation may fail to start too.
    pub first_start: bool,
    /// The factory panics.
    pub factory: u64,
    /// `on_start` returns an error.
    pub start_err: u64,
    /// `on_start` panics.
    pub start_panic: u64,
    /// `on_stop` panics.
    pub stop_panic: u64,
    /// `on_stop` sleeps a few milliseconds.
    pub stop_slow: u64,
}

/// How `on_start` of one incarnation ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartFault {
    /// It returns `Ok`.
    None,
    /// It returns an error.
    Refuse,
    /// It panics.
    Panic,
}

/// How `on_stop` of one incarnation ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopFault {
    /// It returns at once.
    None,
    /// It sleeps this long first.
    Slow(Duration),
    /// It panics.
    Panic,
}

/// The faults of one incarnation.
#[derive(Debug, Clone, Copy)]
pub struct Faults {
    /// The factory panics (there is no incarnation then).
    pub factory_panic: bool,
    /// How `on_start` ends.
    pub start: StartFault,
    /// How `on_stop` ends.
    pub stop: StopFault,
}

impl FaultRates {
    /// No faults at all.
    pub const NONE: FaultRates = FaultRates {
        first_start: false,
        factory: 0,
        start_err: 0,
        start_panic: 0,
        stop_panic: 0,
        stop_slow: 0,
    };

    /// The faults of incarnation `n` (0 is the first start): a pure
    /// function of the seed, so a replay injects the same ones.
    pub fn for_incarnation(&self, fault_seed: u64, n: u32) -> Faults {
        let mut rng = Rng::new(mix(fault_seed ^ mix(u64::from(n) + 1)));
        let may_fail = n > 0 || self.first_start;
        let factory_panic = may_fail
            && rng.chance(self.factory)
            && !(n == 0 && crate::skips::AVOID_FIRST_START_FACTORY_PANIC);
        let start = if may_fail && rng.chance(self.start_err) {
            StartFault::Refuse
        } else if may_fail && rng.chance(self.start_panic) {
            StartFault::Panic
        } else {
            StartFault::None
        };
        let stop = if rng.chance(self.stop_panic) {
            StopFault::Panic
        } else if rng.chance(self.stop_slow) {
            StopFault::Slow(rng.millis(1, 8))
        } else {
            StopFault::None
        };
        Faults {
            factory_panic,
            start,
            stop,
        }
    }

    /// Whether the first incarnation fails to start.
    pub fn first_start_fails(&self, fault_seed: u64) -> bool {
        let f = self.for_incarnation(fault_seed, 0);
        f.factory_panic || f.start != StartFault::None
    }
}

/// What a worker keeps across its incarnations (and across the new actors
/// `restart_child` makes of a terminated child): its fault plan and the last
/// sequence number seen from each sender.
#[derive(Debug)]
pub struct Probe {
    /// The child's id.
    pub id: String,
    world: Arc<World>,
    rates: FaultRates,
    fault_seed: u64,
    incarnations: AtomicU32,
    last_seq: Mutex<HashMap<u32, u64>>,
    /// This child's id as a sender when its handlers forward messages
    /// (all its incarnations are one sender: each runs after the last).
    sender_id: u32,
    /// The last sequence number it forwarded.
    forwarded: AtomicU64,
}

impl Probe {
    /// A probe for child `id`.
    pub fn new(world: &Arc<World>, id: &str, rates: FaultRates, fault_seed: u64) -> Arc<Probe> {
        Arc::new(Probe {
            id: id.to_owned(),
            world: world.clone(),
            rates,
            fault_seed,
            incarnations: AtomicU32::new(0),
            last_seq: Mutex::new(HashMap::new()),
            sender_id: FORWARDER_IDS + world.next_forwarder.fetch_add(1, Ordering::SeqCst),
            forwarded: AtomicU64::new(0),
        })
    }

    /// Whether this child's first start is planned to fail.
    pub fn first_start_fails(&self) -> bool {
        self.rates.first_start_fails(self.fault_seed)
    }

    /// The factory for the child's spec: each call is one incarnation.
    pub fn factory(self: &Arc<Self>) -> impl Fn() -> ChaosWorker + Send + Sync + 'static {
        let probe = self.clone();
        move || {
            let n = probe.incarnations.fetch_add(1, Ordering::SeqCst);
            let faults = probe.rates.for_incarnation(probe.fault_seed, n);
            if faults.factory_panic {
                probe.world.hook_panics.fetch_add(1, Ordering::SeqCst);
                panic!("{PANIC_MARK}: factory of {} (incarnation {n})", probe.id);
            }
            ChaosWorker {
                probe: probe.clone(),
                faults,
                incarnation: n,
                interval: None,
            }
        }
    }

    /// Checks that `n` from `sender` comes after everything seen from it.
    fn see(&self, sender: u32, n: u64) {
        let mut last = self.last_seq.lock();
        if let Some(&prev) = last.get(&sender)
            && n <= prev
        {
            self.world.violation(
                rules::FIFO,
                format!(
                    "child `{}` got #{n} from sender {sender} after #{prev}",
                    self.id
                ),
            );
        }
        let prev = last.get(&sender).copied().unwrap_or(0);
        last.insert(sender, n.max(prev));
    }
}

/// A worker's mailbox.
pub enum WMsg {
    /// A sequenced tell.
    Seq { sender: u32, n: u64, tag: Tag },
    /// A sequenced ask; the reply is `n`.
    Ask {
        sender: u32,
        n: u64,
        tag: Tag,
        reply: ReplyTo<u64>,
    },
    /// Panic in the handler.
    Crash,
    /// Panic inside `catch_unwind` while holding the reply, which is dropped
    /// by the unwinding: the asker must hear back at once.
    CatchPanic(ReplyTo<()>),
    /// Sleep on the shard's timer (the actor yields).
    Slow(Duration),
    /// Block the shard thread.
    Block(Duration),
    /// Yield to the shard this many times.
    Yield(u32),
    /// Stop with this reason.
    Exit(ExitReason),
    /// Arm a one-shot timer that sends `Fired` after `delay`.
    Timer { delay: Duration, tag: Tag },
    /// A one-shot timer fired; it must not be early.
    Fired { deadline: Instant, tag: Tag },
    /// Arm an interval of `ticks` ticks.
    Interval { period: Duration, ticks: u32 },
    /// Tick number `k` of an interval armed at `start`.
    Tick {
        start: Instant,
        period: Duration,
        k: u32,
    },
    /// Link to another worker.
    Link(ActorRef<ChaosWorker>),
    /// Monitor another worker.
    Monitor(ActorRef<ChaosWorker>),
    /// Send `count` sequenced messages to `to` from this handler, without
    /// waiting for room (same shard: the owner's lock-free path).
    Forward {
        to: ActorRef<ChaosWorker>,
        count: u32,
    },
}

/// One incarnation of a worker.
pub struct ChaosWorker {
    probe: Arc<Probe>,
    faults: Faults,
    incarnation: u32,
    interval: Option<(TimerHandle, u32)>,
}

impl ChaosWorker {
    fn world(&self) -> &World {
        &self.probe.world
    }
}

impl Actor for ChaosWorker {
    type Msg = WMsg;

    fn name() -> &'static str {
        "ChaosWorker"
    }

    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        self.world().add_worker(ctx.myself());
        match self.faults.start {
            StartFault::None => Ok(()),
            StartFault::Refuse => Err(format!("{PANIC_MARK}: start refused").into()),
            StartFault::Panic => {
                self.world().hook_panics.fetch_add(1, Ordering::SeqCst);
                panic!(
                    "{PANIC_MARK}: on_start of {} (incarnation {})",
                    self.probe.id, self.incarnation
                );
            }
        }
    }

    async fn handle(&mut self, msg: WMsg, ctx: &mut Context<Self>) {
        match msg {
            WMsg::Seq { sender, n, tag } => {
                tag.handled();
                self.probe.see(sender, n);
            }
            WMsg::Ask {
                sender,
                n,
                tag,
                reply,
            } => {
                tag.handled();
                self.probe.see(sender, n);
                reply.send(n);
            }
            WMsg::Crash => {
                self.world().handler_panics.fetch_add(1, Ordering::SeqCst);
                panic!("{PANIC_MARK}: handler of {}", self.probe.id);
            }
            WMsg::CatchPanic(reply) => {
                let caught = std::panic::catch_unwind(AssertUnwindSafe(move || {
                    let _held = reply;
                    panic!("{PANIC_MARK}: caught inside a handler");
                }));
                assert!(caught.is_err());
            }
            WMsg::Slow(d) => actor_core::time::sleep(d).await,
            WMsg::Block(d) => std::thread::sleep(d),
            WMsg::Yield(n) => {
                for _ in 0..n {
                    actor_core::yield_now().await;
                }
            }
            WMsg::Exit(reason) => ctx.stop_with(reason),
            WMsg::Timer { delay, tag } => {
                let deadline = Instant::now() + delay;
                ctx.tell_after(delay, WMsg::Fired { deadline, tag })
                    .detach();
            }
            WMsg::Fired { deadline, tag } => {
                tag.handled();
                let now = Instant::now();
                if now < deadline {
                    self.world().violation(
                        rules::TIMER,
                        format!(
                            "tell_after on `{}` fired {:?} early",
                            self.probe.id,
                            deadline - now
                        ),
                    );
                }
            }
            WMsg::Interval { period, ticks } => {
                if self.interval.is_none() {
                    let start = Instant::now();
                    let mut k = 0;
                    let handle = ctx.tell_interval(period, move || {
                        k += 1;
                        WMsg::Tick { start, period, k }
                    });
                    self.interval = Some((handle, ticks));
                }
            }
            WMsg::Tick { start, period, k } => {
                let due = start + period * k;
                let now = Instant::now();
                if now < due {
                    self.world().violation(
                        rules::TIMER,
                        format!(
                            "tick {k} of a {period:?} interval on `{}` came {:?} early",
                            self.probe.id,
                            due - now
                        ),
                    );
                }
                if self.interval.as_ref().is_some_and(|(_, left)| k >= *left)
                    && let Some((handle, _)) = self.interval.take()
                {
                    handle.cancel();
                }
            }
            WMsg::Link(other) => ctx.link(&other),
            WMsg::Monitor(other) => ctx.monitor(&other),
            WMsg::Forward { to, count } => {
                for _ in 0..count {
                    let n = self.probe.forwarded.fetch_add(1, Ordering::SeqCst) + 1;
                    let _ = to.try_tell(WMsg::Seq {
                        sender: self.probe.sender_id,
                        n,
                        tag: Tag::new(&self.probe.world.ledger),
                    });
                }
            }
        }
    }

    async fn on_stop(&mut self, _reason: &ExitReason, _ctx: &mut Context<Self>) {
        match self.faults.stop {
            StopFault::None => {}
            StopFault::Slow(d) => actor_core::time::sleep(d).await,
            StopFault::Panic => {
                self.world().hook_panics.fetch_add(1, Ordering::SeqCst);
                panic!(
                    "{PANIC_MARK}: on_stop of {} (incarnation {})",
                    self.probe.id, self.incarnation
                );
            }
        }
    }
}
