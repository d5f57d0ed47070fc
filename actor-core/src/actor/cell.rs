//! The shared heart of an actor: mailbox, task header, status, watchers.
//! Every `ActorRef` points here; it outlives the actor's incarnations.

use std::marker::PhantomData;
use std::sync::Arc;
use std::task::Waker;

use crate::actor::{Actor, ActorId, ExitReason, LifecycleEvent, Notice, NoticeVia};
use crate::dead_letters::{DeadLetter, DeadLetterReason, DeadLetters};
use crate::loom::sync::Mutex;
use crate::loom::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use crate::mailbox::Mailbox;
use crate::reply::{DropCause, with_drop_cause};
use crate::shard::registry::UNREGISTERED;
use crate::shard::shared::ShardShared;
use crate::shard::task::TaskCell;

const STARTING: u8 = 0;
const RUNNING: u8 = 1;
const STOPPED: u8 = 2;
/// A supervised incarnation ended; the mailbox stays open for a restart.
const EXITED: u8 = 3;

/// Someone to tell when this actor starts or stops.
pub(crate) struct Watcher {
    pub(crate) via: NoticeVia,
    pub(crate) sink: Arc<dyn ActorEntry>,
}

struct ExitState {
    /// The final reason, once stopped for good.
    reason: Option<ExitReason>,
    /// How the latest incarnation ended.
    last: Option<ExitReason>,
    watchers: Vec<Watcher>,
    waiters: Waiters,
}

/// Wakers waiting for an exit. Most exits have one waiter at most, so the
/// first is kept inline and costs no allocation.
#[derive(Default)]
struct Waiters {
    first: Option<Waker>,
    rest: Vec<Waker>,
}

impl Waiters {
    /// Adds `waker` unless an equivalent one is already waiting.
    fn register(&mut self, waker: &Waker) {
        match &self.first {
            None => self.first = Some(waker.clone()),
            Some(w) if w.will_wake(waker) => {}
            Some(_) => {
                if !self.rest.iter().any(|w| w.will_wake(waker)) {
                    self.rest.push(waker.clone());
                }
            }
        }
    }

    fn wake_all(self) {
        self.first
            .into_iter()
            .chain(self.rest)
            .for_each(Waker::wake);
    }
}

/// The type-erased view of an actor cell: what the registry, links and
/// monitors, shutdown and metrics need.
pub(crate) trait ActorEntry: Send + Sync {
    fn id(&self) -> ActorId;
    fn name(&self) -> &'static str;
    fn mailbox_len(&self) -> usize;
    fn is_alive(&self) -> bool;
    fn request_stop(&self, reason: ExitReason);
    fn kill(&self);
    /// Delivers a notice on this actor's signal lane.
    fn notify(&self, notice: Notice);
    /// Adds a watcher; one added after the exit is told at once.
    fn add_watcher(&self, watcher: Watcher);
    fn remove_watcher(&self, id: ActorId, via: NoticeVia);
    /// Registers `waker` for the exit; `Some(reason)` if already stopped.
    fn poll_exit(&self, waker: &Waker) -> Option<ExitReason>;
}

/// One actor's shared state, in one allocation with its task header: the
/// header's fields and, through `Deref`, the [`CellState`]'s.
pub(crate) type ActorCell<A> = TaskCell<CellState<A>>;

/// What an actor's cell holds besides its task header.
pub(crate) struct CellState<A: Actor> {
    pub(crate) id: ActorId,
    pub(crate) seq: u64,
    pub(crate) mailbox: Mailbox<A::Msg>,
    state: AtomicU8,
    pub(crate) killed: AtomicBool,
    /// Set while a message handler runs: a panic then dead-letters it.
    pub(crate) handling: AtomicBool,
    /// The cell's slot in its shard's registry while it runs.
    registry_key: AtomicUsize,
    /// Failures end only the incarnation; a supervisor decides what next.
    pub(crate) supervised: bool,
    exit: Mutex<ExitState>,
    dead_letters: Arc<DeadLetters>,
    _actor: PhantomData<fn() -> A>,
}

impl<A: Actor> ActorCell<A> {
    pub(crate) fn create(
        shard: &Arc<ShardShared>,
        capacity: usize,
        dead_letters: Arc<DeadLetters>,
        supervised: bool,
    ) -> Arc<Self> {
        let seq = shard.next_seq();
        let state = CellState {
            id: ActorId::new(shard.index, seq),
            seq,
            mailbox: Mailbox::new(capacity),
            state: AtomicU8::new(STARTING),
            killed: AtomicBool::new(false),
            handling: AtomicBool::new(false),
            registry_key: AtomicUsize::new(UNREGISTERED),
            supervised,
            exit: Mutex::new(ExitState {
                reason: None,
                last: None,
                watchers: Vec::new(),
                waiters: Waiters::default(),
            }),
            dead_letters,
            _actor: PhantomData,
        };
        TaskCell::new(shard.clone(), state)
    }

    /// Joins the shard's registry of live actors (on the shard, at launch).
    pub(crate) fn register(self: &Arc<Self>, shard: &ShardShared) {
        let entry: Arc<dyn ActorEntry> = self.clone();
        let key = shard.registry.lock().insert(self.seq, entry);
        self.registry_key.store(key, Ordering::Relaxed);
    }

    /// Leaves the shard's registry, if in it.
    fn unregister(&self, shard: &ShardShared) {
        let key = self.registry_key.swap(UNREGISTERED, Ordering::Relaxed);
        if key != UNREGISTERED {
            let entry = shard.registry.lock().remove(key, self.seq);
            // Dropped outside the lock: it may be the last count of a cell.
            drop(entry);
        }
    }

    pub(crate) fn shard(&self) -> &Arc<ShardShared> {
        &self.header().shard
    }

    fn dead_letter(&self, reason: DeadLetterReason, count: usize) {
        if count == 0 {
            return;
        }
        self.shard()
            .counters
            .dead_letters
            .fetch_add(count as u64, std::sync::atomic::Ordering::Relaxed);
        self.dead_letters.record_many(
            DeadLetter {
                recipient: self.id,
                recipient_name: A::name(),
                message_type: std::any::type_name::<A::Msg>(),
                reason,
            },
            count,
        );
    }

    /// A send found the mailbox closed.
    pub(crate) fn dead_letter_closed(&self) {
        self.dead_letter(DeadLetterReason::MailboxClosed, 1);
    }

    /// The actor finished `on_start`: tell monitors.
    pub(crate) fn mark_started(&self) {
        if self
            .state
            .compare_exchange(STARTING, RUNNING, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return;
        }
        let monitors: Vec<Arc<dyn ActorEntry>> = self
            .exit
            .lock()
            .watchers
            .iter()
            .filter(|w| w.via == NoticeVia::Monitor)
            .map(|w| w.sink.clone())
            .collect();
        for sink in monitors {
            sink.notify(Notice {
                id: self.id,
                name: A::name(),
                event: LifecycleEvent::Started,
                via: NoticeVia::Monitor,
            });
        }
    }

    /// Ends the actor for good, on its shard: closes the mailbox, turns what
    /// was queued into dead letters, leaves the registry and tells watchers
    /// and anyone waiting for the exit. Idempotent.
    pub(crate) fn finish(&self, shard: &ShardShared, reason: ExitReason, in_flight: bool) {
        let before = self.state.swap(STOPPED, Ordering::AcqRel);
        if before == STOPPED {
            return;
        }
        let rest = self.mailbox.close();
        let queued = rest.len();
        with_drop_cause(DropCause::ActorStopped, || drop(rest));
        if in_flight {
            self.dead_letter(DeadLetterReason::HandlerPanicked, 1);
        }
        self.dead_letter(DeadLetterReason::ActorStopped, queued);
        if before != EXITED {
            shard.counters.actors_stopped.bump();
            self.unregister(shard);
        }
        if reason.is_abnormal() {
            tracing::warn!(actor = %self.id, name = A::name(), %reason, "actor stopped");
        } else {
            tracing::debug!(actor = %self.id, name = A::name(), %reason, "actor stopped");
        }
        let (watchers, waiters, reason) = {
            let mut exit = self.exit.lock();
            let watchers = std::mem::take(&mut exit.watchers);
            // Watchers of a supervised child already heard about this exit.
            let watchers = if before == EXITED {
                Vec::new()
            } else {
                watchers
            };
            // The final reason is also the last incarnation's (see
            // `poll_incarnation_exit`); with no watcher it moves, uncloned.
            exit.last = None;
            let kept = if watchers.is_empty() {
                exit.reason = Some(reason);
                None
            } else {
                exit.reason = Some(reason.clone());
                Some(reason)
            };
            (watchers, std::mem::take(&mut exit.waiters), kept)
        };
        if let Some(reason) = reason {
            for w in watchers {
                w.sink.notify(Notice {
                    id: self.id,
                    name: A::name(),
                    event: LifecycleEvent::Stopped(reason.clone()),
                    via: w.via,
                });
            }
        }
        waiters.wake_all();
    }
}

impl<A: Actor> ActorCell<A> {
    /// Ends the running incarnation. Unsupervised actors (and any actor on a
    /// shard that is shutting down) stop for good; a supervised one keeps
    /// its mailbox open, tells its watchers, and waits for its supervisor to
    /// restart or close it.
    pub(crate) fn end_incarnation(
        &self,
        shard: &ShardShared,
        shard_stopping: bool,
        reason: ExitReason,
        in_flight: bool,
    ) {
        if !self.supervised || shard_stopping {
            return self.finish(shard, reason, in_flight);
        }
        if self
            .state
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |s| {
                (s == STARTING || s == RUNNING).then_some(EXITED)
            })
            .is_err()
        {
            return;
        }
        if in_flight {
            self.dead_letter(DeadLetterReason::HandlerPanicked, 1);
        }
        shard.counters.actors_stopped.bump();
        self.unregister(shard);
        tracing::debug!(actor = %self.id, name = A::name(), %reason, "supervised incarnation ended");
        let (sinks, waiters) = {
            let mut exit = self.exit.lock();
            exit.last = Some(reason.clone());
            let sinks: Vec<_> = exit
                .watchers
                .iter()
                .map(|w| (w.via, w.sink.clone()))
                .collect();
            (sinks, std::mem::take(&mut exit.waiters))
        };
        for (via, sink) in sinks {
            sink.notify(Notice {
                id: self.id,
                name: A::name(),
                event: LifecycleEvent::Stopped(reason.clone()),
                via,
            });
        }
        waiters.wake_all();
    }

    /// Makes an exited supervised cell ready for a new incarnation; `false`
    /// if it is not in that state.
    pub(crate) fn begin_restart(&self) -> bool {
        let ok = self
            .state
            .compare_exchange(EXITED, STARTING, Ordering::AcqRel, Ordering::Acquire)
            .is_ok();
        if ok {
            self.killed.store(false, Ordering::Release);
            self.mailbox.clear_stop();
        }
        ok
    }

    /// `true` while an incarnation runs (not exited, not stopped).
    pub(crate) fn is_running(&self) -> bool {
        matches!(self.state.load(Ordering::Acquire), STARTING | RUNNING)
    }

    /// Registers `waker` for the end of the current incarnation; the reason
    /// if it has already ended.
    pub(crate) fn poll_incarnation_exit(&self, waker: &Waker) -> Option<ExitReason> {
        let mut exit = self.exit.lock();
        if !self.is_running()
            && let Some(r) = exit.reason.as_ref().or(exit.last.as_ref())
        {
            return Some(r.clone());
        }
        exit.waiters.register(waker);
        None
    }
}

impl<A: Actor> ActorEntry for ActorCell<A> {
    fn id(&self) -> ActorId {
        self.id
    }

    fn name(&self) -> &'static str {
        A::name()
    }

    fn mailbox_len(&self) -> usize {
        self.mailbox.len()
    }

    fn is_alive(&self) -> bool {
        self.state.load(Ordering::Acquire) != STOPPED
    }

    fn request_stop(&self, reason: ExitReason) {
        if self.mailbox.request_stop(reason) {
            self.schedule();
        }
    }

    fn kill(&self) {
        self.killed.store(true, Ordering::Release);
        self.schedule();
    }

    fn notify(&self, notice: Notice) {
        if self.mailbox.push_notice(notice) {
            self.schedule();
        }
    }

    fn add_watcher(&self, watcher: Watcher) {
        let mut exit = self.exit.lock();
        match &exit.reason {
            Some(reason) => {
                let notice = Notice {
                    id: self.id,
                    name: A::name(),
                    event: LifecycleEvent::Stopped(reason.clone()),
                    via: watcher.via,
                };
                drop(exit);
                watcher.sink.notify(notice);
            }
            None => exit.watchers.push(watcher),
        }
    }

    fn remove_watcher(&self, id: ActorId, via: NoticeVia) {
        self.exit
            .lock()
            .watchers
            .retain(|w| !(w.via == via && w.sink.id() == id));
    }

    fn poll_exit(&self, waker: &Waker) -> Option<ExitReason> {
        let mut exit = self.exit.lock();
        if let Some(r) = &exit.reason {
            return Some(r.clone());
        }
        exit.waiters.register(waker);
        None
    }
}
