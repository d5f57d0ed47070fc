//! The shared record of one seed: the violations found so far, the shutdown
//! moments the checks are timed against, the message ledger, and every
//! handle the post-shutdown checks must look at.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use actor_core::ActorRef;
use actor_supervisor::SupervisorRef;
use parking_lot::Mutex;

use super::worker::ChaosWorker;

/// One documented rule that a run broke.
#[derive(Debug, Clone)]
pub struct Violation {
    /// A short, stable name of the rule (see [`rules`]).
    pub rule: &'static str,
    /// What happened, with the actors and timings involved.
    pub detail: String,
}

/// The names of the rules the campaign checks, as printed in reports.
pub mod rules {
    /// Messages from one sender arrive in send order, each once.
    pub const FIFO: &str = "per-sender FIFO / no duplicate delivery";
    /// Timers fire at or after their deadline.
    pub const TIMER: &str = "timers never fire early";
    /// An ask ends with its reply or a documented error.
    pub const ASK_RESULT: &str = "ask result is the reply or a documented error";
    /// An ask with a deadline ends by its deadline.
    pub const ASK_DEADLINE: &str = "ask ends within its deadline";
    /// A reply dropped by a handler reaches its asker promptly.
    pub const REPLY_STRANDED: &str = "a dropped ReplyTo answers its asker promptly";
    /// `Runtime::shutdown` returns, and joins every shard.
    pub const SHUTDOWN: &str = "Runtime::shutdown returns and joins its shards";
    /// After shutdown no actor is alive and sends fail with `Closed`.
    pub const AFTER_SHUTDOWN: &str = "after shutdown: not alive, sends fail Closed";
    /// Supervisor calls and tree starts return within a bound.
    pub const SUP_BOUND: &str = "supervisor calls return within a bound";
    /// Rule 7: a child that fails to start fails the tree's start, named.
    pub const START: &str = "rule 7: a failed child start fails the tree start";
    /// A dead letter's reason can apply, and the count is exact.
    pub const DEAD_LETTER: &str = "dead-letter reasons apply and are counted exactly";
    /// Every message sent is handled or dropped; none is leaked.
    pub const LEAK: &str = "every message is handled or dropped (none leaked)";
    /// The runtime's threads and fds are all released.
    pub const THREADS: &str = "no thread or fd leak";
    /// A plain-thread send or ask does not stay blocked.
    pub const STUCK: &str = "plain-thread calls do not block forever";
}

/// Counts messages carrying a [`Tag`]: created, handled, dropped unhandled.
#[derive(Debug, Default)]
pub struct Ledger {
    created: AtomicU64,
    handled: AtomicU64,
    dropped: AtomicU64,
}

impl Ledger {
    /// `(created, handled, dropped)` now.
    pub fn counts(&self) -> (u64, u64, u64) {
        (
            self.created.load(Ordering::SeqCst),
            self.handled.load(Ordering::SeqCst),
            self.dropped.load(Ordering::SeqCst),
        )
    }
}

/// Rides in a message: marked when a handler takes it, counted as dropped
/// when it dies unmarked. A tag that is never dropped was leaked.
#[derive(Debug)]
pub struct Tag {
    ledger: Arc<Ledger>,
    done: bool,
}

impl Tag {
    /// A new tag, counted as created.
    pub fn new(ledger: &Arc<Ledger>) -> Tag {
        ledger.created.fetch_add(1, Ordering::SeqCst);
        Tag {
            ledger: ledger.clone(),
            done: false,
        }
    }

    /// Marks the message as handled.
    pub fn handled(mut self) {
        self.done = true;
        self.ledger.handled.fetch_add(1, Ordering::SeqCst);
    }
}

impl Drop for Tag {
    fn drop(&mut self) {
        if !self.done {
            self.ledger.dropped.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// Everything the actors, senders and checks of one seed share.
#[derive(Debug)]
pub struct World {
    /// When the seed began; timings in reports are relative to it.
    pub t0: Instant,
    /// Violations found so far.
    violations: Mutex<Vec<Violation>>,
    /// When `Runtime::shutdown` was called.
    pub shutdown_began: OnceLock<Instant>,
    /// When `Runtime::shutdown` returned.
    pub shutdown_done: OnceLock<Instant>,
    /// When senders and chaos must wind down.
    pub finish_at: OnceLock<Instant>,
    /// Tags of sequenced messages.
    pub ledger: Arc<Ledger>,
    /// Every worker that ever started, once each.
    pub workers: Mutex<Vec<ActorRef<ChaosWorker>>>,
    /// Every supervisor handle seen (root first).
    pub sups: Mutex<Vec<SupervisorRef>>,
    /// Handler panics injected (each must leave exactly one
    /// `HandlerPanicked` dead letter).
    pub handler_panics: AtomicU64,
    /// Forwarding sender ids handed out so far.
    pub next_forwarder: std::sync::atomic::AtomicU32,
    /// Worker incarnations whose factory, `on_start` or `on_stop` panicked.
    pub hook_panics: AtomicU64,
}

impl World {
    /// A fresh record.
    pub fn new() -> Arc<World> {
        Arc::new(World {
            t0: Instant::now(),
            violations: Mutex::new(Vec::new()),
            shutdown_began: OnceLock::new(),
            shutdown_done: OnceLock::new(),
            finish_at: OnceLock::new(),
            ledger: Arc::default(),
            workers: Mutex::new(Vec::new()),
            sups: Mutex::new(Vec::new()),
            next_forwarder: std::sync::atomic::AtomicU32::new(0),
            handler_panics: AtomicU64::new(0),
            hook_panics: AtomicU64::new(0),
        })
    }

    /// Records a broken rule.
    pub fn violation(&self, rule: &'static str, detail: impl Into<String>) {
        let detail = format!("[t={:?}] {}", self.t0.elapsed(), detail.into());
        self.violations.lock().push(Violation { rule, detail });
    }

    /// The violations recorded so far.
    pub fn violations(&self) -> Vec<Violation> {
        self.violations.lock().clone()
    }

    /// Whether senders and chaos should stop now.
    pub fn finished(&self) -> bool {
        self.finish_at.get().is_some_and(|&t| Instant::now() >= t)
    }

    /// Whether `Runtime::shutdown` had returned before `at`.
    pub fn shut_down_before(&self, at: Instant) -> bool {
        self.shutdown_done.get().is_some_and(|&t| t <= at)
    }

    /// Whether `Runtime::shutdown` had been called before `at`.
    pub fn shutting_down_before(&self, at: Instant) -> bool {
        self.shutdown_began.get().is_some_and(|&t| t <= at)
    }

    /// Remembers a worker handle (once).
    pub fn add_worker(&self, w: &ActorRef<ChaosWorker>) {
        let mut all = self.workers.lock();
        if !all.iter().any(|x| x == w) {
            all.push(w.clone());
        }
    }

    /// A snapshot of the known workers.
    pub fn worker_list(&self) -> Vec<ActorRef<ChaosWorker>> {
        self.workers.lock().clone()
    }

    /// Remembers a supervisor handle (once).
    pub fn add_sup(&self, s: &SupervisorRef) {
        let mut all = self.sups.lock();
        if !all.iter().any(|x| x.actor() == s.actor()) {
            all.push(s.clone());
        }
    }

    /// A snapshot of the known supervisors.
    pub fn sup_list(&self) -> Vec<SupervisorRef> {
        self.sups.lock().clone()
    }
}
