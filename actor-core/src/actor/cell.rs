//! The shared heart of an actor: mailbox, task header, status, watchers.
//! Every `ActorRef` points here; it outlives the actor's incarnations.

use std::marker::PhantomData;
use std::sync::Arc;
use std::task::Waker;

use crate::actor::{Actor, ActorId, ExitReason, LifecycleEvent, Notice, NoticeVia};
use crate::dead_letters::{DeadLetter, DeadLetterReason, DeadLetters};
use crate::loom::sync::Mutex;
use crate::loom::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, Ordering};
use crate::mailbox::Mailbox;
use crate::shard::hooks::{DropCause, with_drop_cause};
use crate::shard::registry::Resident;
use crate::shard::shared::ShardShared;
use crate::shard::task::TaskCell;

/// `registry_key` while the cell is in no registry.
const UNREGISTERED_KEY: u32 = u32::MAX;

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

/// A watcher as this cell keeps it.
struct Watching {
    via: NoticeVia,
    sink: Arc<dyn ActorEntry>,
    /// The sink's incarnation when it began watching: notices reach that
    /// incarnation only (a restarted actor has no links or monitors).
    incarnation: u64,
    /// Told of the end of this cell's latest incarnation already.
    heard_exit: bool,
}

impl Watching {
    fn tell(&self, id: ActorId, name: &'static str, event: LifecycleEvent) {
        let notice = Notice {
            id,
            name,
            event,
            via: self.via,
        };
        self.sink.notify(notice, self.incarnation);
    }
}

/// How the actor ended, and who wants to know. Kept small: every idle actor
/// carries one.
struct ExitState {
    /// How the actor ended, if it has.
    ended: Ended,
    /// Watchers and waiters, allocated by the first of them: most actors
    /// have neither.
    watch: Option<Box<Watch>>,
}

impl ExitState {
    /// The final reason, once stopped for good.
    fn final_reason(&self) -> Option<&ExitReason> {
        match &self.ended {
            Ended::Stopped(reason) => Some(reason),
            _ => None,
        }
    }

    /// How the latest incarnation ended (the final reason, once stopped).
    fn last_reason(&self) -> Option<&ExitReason> {
        match &self.ended {
            Ended::Incarnation(reason) | Ended::Stopped(reason) => Some(reason),
            Ended::Not => None,
        }
    }

    fn watchers(&self) -> &[Watching] {
        self.watch.as_ref().map_or(&[], |w| &w.watchers)
    }

    fn watch(&mut self) -> &mut Watch {
        self.watch.get_or_insert_with(Box::default)
    }
}

/// How far an actor has ended (one word with the reason: no flag beside it).
enum Ended {
    Not,
    /// Its latest incarnation ended; a supervisor may start another.
    Incarnation(ExitReason),
    /// Stopped for good.
    Stopped(ExitReason),
}

#[derive(Default)]
struct Watch {
    watchers: Vec<Watching>,
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

/// The type-erased view of an actor cell: what links and monitors need,
/// beside what its shard's registry knows of it ([`Resident`]).
pub(crate) trait ActorEntry: Resident {
    fn id(&self) -> ActorId;
    fn request_stop(&self, reason: ExitReason);
    /// Delivers a notice on this actor's signal lane, if `incarnation` is
    /// still the running one (else it is dropped).
    fn notify(&self, notice: Notice, incarnation: u64);
    /// The incarnation this actor serves now (0 for the first).
    fn incarnation(&self) -> u64;
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
///
/// `repr(C)`: the mailbox comes right after the header, whose `scheduled`
/// flag senders read with each push, so its sender side follows it; the
/// flags the actor's own thread writes per message (`handling`) follow the
/// mailbox's receiver side (see [`Mailbox`]'s layout).
#[repr(C)]
pub(crate) struct CellState<A: Actor> {
    pub(crate) mailbox: Mailbox<A::Msg>,
    /// Set while a message handler runs: a panic then dead-letters it.
    pub(crate) handling: AtomicBool,
    pub(crate) killed: AtomicBool,
    state: AtomicU8,
    /// Failures end only the incarnation; a supervisor decides what next.
    pub(crate) supervised: bool,
    /// The cell's slot in its shard's registry while it runs.
    /// (32 bits: it shares a word with the flags above.)
    registry_key: AtomicU32,
    pub(crate) id: ActorId,
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
            mailbox: Mailbox::new(capacity),
            state: AtomicU8::new(STARTING),
            killed: AtomicBool::new(false),
            handling: AtomicBool::new(false),
            registry_key: AtomicU32::new(UNREGISTERED_KEY),
            supervised,
            exit: Mutex::new(ExitState {
                ended: Ended::Not,
                watch: None,
            }),
            dead_letters,
            _actor: PhantomData,
        };
        // The cell is its own panic hook (see `OnPanic`), through its vtable.
        let cell = TaskCell::new_hooked(shard.clone(), state);
        // An idle actor that other shards message keeps being polled by its
        // shard for a while instead of sleeping (see `shard::linger`).
        cell.header().allow_linger();
        cell
    }

    /// Joins the shard's registry of live actors (on the shard, at launch),
    /// unless already in it (a restarted incarnation stays registered: the
    /// shard's shutdown must find actors between incarnations too).
    pub(crate) fn register(self: &Arc<Self>, shard: &ShardShared) {
        if self.registry_key.load(Ordering::Relaxed) != UNREGISTERED_KEY {
            return;
        }
        let key = shard.registry.lock().insert(self.task_ref());
        let key = u32::try_from(key).expect("a shard's registry outgrew u32 keys");
        self.registry_key.store(key, Ordering::Relaxed);
    }

    /// Leaves the shard's registry, if in it.
    fn unregister(&self, shard: &ShardShared) {
        let key = self.registry_key.swap(UNREGISTERED_KEY, Ordering::Relaxed);
        if key != UNREGISTERED_KEY {
            let entry = shard.registry.lock().remove(key as usize, self.seq());
            // Dropped outside the lock: it may be the last count of a cell.
            drop(entry);
        }
    }

    /// Its spawn sequence number on its shard (the id's low 48 bits).
    pub(crate) fn seq(&self) -> u64 {
        self.id.as_u64() & ((1 << 48) - 1)
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
        let monitors: Vec<(Arc<dyn ActorEntry>, u64)> = self
            .exit
            .lock()
            .watchers()
            .iter()
            .filter(|w| w.via == NoticeVia::Monitor)
            .map(|w| (w.sink.clone(), w.incarnation))
            .collect();
        for (sink, incarnation) in monitors {
            let notice = Notice {
                id: self.id,
                name: A::name(),
                event: LifecycleEvent::Started,
                via: NoticeVia::Monitor,
            };
            sink.notify(notice, incarnation);
        }
    }

    /// Ends the actor for good: closes the mailbox, leaves the registry,
    /// tells watchers and anyone waiting for the exit, and only then drops
    /// what was queued (as dead letters): a message whose `Drop` panics
    /// cannot leave the actor half finished. Idempotent.
    pub(crate) fn finish(&self, shard: &ShardShared, reason: ExitReason, in_flight: bool) {
        let before = self.state.swap(STOPPED, Ordering::AcqRel);
        if before == STOPPED {
            return;
        }
        let rest = self.mailbox.close();
        if in_flight {
            self.dead_letter(DeadLetterReason::HandlerPanicked, 1);
        }
        self.dead_letter(DeadLetterReason::ActorStopped, rest.len());
        if before != EXITED {
            shard.counters.actors_stopped.bump();
        }
        self.unregister(shard);
        if reason.is_abnormal() {
            tracing::warn!(actor = %self.id, name = A::name(), %reason, "actor stopped");
        } else {
            tracing::debug!(actor = %self.id, name = A::name(), %reason, "actor stopped");
        }
        let (watchers, waiters) = {
            let mut exit = self.exit.lock();
            // The final reason is also the last incarnation's (see
            // `poll_incarnation_exit`).
            exit.ended = Ended::Stopped(reason.clone());
            let Watch {
                mut watchers,
                waiters,
            } = exit.watch.take().map(|w| *w).unwrap_or_default();
            // Those that heard the latest incarnation's exit heard this one.
            watchers.retain(|w| !w.heard_exit);
            (watchers, waiters)
        };
        for w in &watchers {
            w.tell(self.id, A::name(), LifecycleEvent::Stopped(reason.clone()));
        }
        drop(watchers);
        waiters.wake_all();
        let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            with_drop_cause(DropCause::Stopped, || drop(rest));
        }));
        if dropped.is_err() {
            tracing::error!(actor = %self.id, name = A::name(), "a queued message panicked in its drop");
        }
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
        // It stays registered: the shard's shutdown ends it if no restart
        // comes first.
        tracing::debug!(actor = %self.id, name = A::name(), %reason, "supervised incarnation ended");
        let (told, waiters) = {
            let mut exit = self.exit.lock();
            exit.ended = Ended::Incarnation(reason.clone());
            // Links end with the incarnation: each partner hears this exit,
            // then is forgotten. Monitors stay (the handle lives on).
            let mut told = Vec::new();
            let mut waiters = Waiters::default();
            if let Some(watch) = exit.watch.as_mut() {
                told.reserve(watch.watchers.len());
                watch.watchers.retain_mut(|w| {
                    w.heard_exit = true;
                    told.push((w.sink.clone(), w.via, w.incarnation));
                    w.via == NoticeVia::Monitor
                });
                waiters = std::mem::take(&mut watch.waiters);
            }
            (told, waiters)
        };
        for (sink, via, incarnation) in told {
            let w = Watching {
                via,
                sink,
                incarnation,
                heard_exit: true,
            };
            w.tell(self.id, A::name(), LifecycleEvent::Stopped(reason.clone()));
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
            self.handling.store(false, Ordering::Relaxed);
            self.mailbox.begin_incarnation();
            if let Some(watch) = self.exit.lock().watch.as_mut() {
                for w in &mut watch.watchers {
                    w.heard_exit = false;
                }
            }
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
            && let Some(r) = exit.last_reason()
        {
            return Some(r.clone());
        }
        exit.watch().waiters.register(waker);
        None
    }
}

impl<A: Actor> Resident for ActorCell<A> {
    fn name(&self) -> &'static str {
        A::name()
    }

    fn seq(&self) -> u64 {
        ActorCell::seq(self)
    }

    fn queued(&self) -> usize {
        self.mailbox.len()
    }

    fn is_alive(&self) -> bool {
        self.state.load(Ordering::Acquire) != STOPPED
    }

    fn request_shutdown(&self) {
        ActorEntry::request_stop(self, ExitReason::Shutdown);
    }

    fn kill(&self) {
        self.killed.store(true, Ordering::Release);
        self.schedule();
    }

    fn end_if_exited(&self, shard: &ShardShared) -> bool {
        if self.state.load(Ordering::Acquire) != EXITED {
            return false;
        }
        self.finish(shard, ExitReason::Shutdown, false);
        true
    }

    fn poll_stopped(&self, waker: &Waker) -> bool {
        ActorEntry::poll_exit(self, waker).is_some()
    }
}

impl<A: Actor> ActorEntry for ActorCell<A> {
    fn id(&self) -> ActorId {
        self.id
    }

    fn request_stop(&self, reason: ExitReason) {
        if self.mailbox.request_stop(reason) {
            self.schedule();
        }
    }

    fn notify(&self, notice: Notice, incarnation: u64) {
        if self.mailbox.push_notice(notice, incarnation) {
            self.schedule();
        }
    }

    fn incarnation(&self) -> u64 {
        self.mailbox.incarnation()
    }

    fn add_watcher(&self, watcher: Watcher) {
        let watching = Watching {
            incarnation: watcher.sink.incarnation(),
            via: watcher.via,
            sink: watcher.sink,
            heard_exit: false,
        };
        let mut exit = self.exit.lock();
        match exit.final_reason() {
            Some(reason) => {
                let event = LifecycleEvent::Stopped(reason.clone());
                drop(exit);
                watching.tell(self.id, A::name(), event);
            }
            None => {
                // What an earlier incarnation of the same sink left goes.
                let (id, via, inc) = (watching.sink.id(), watching.via, watching.incarnation);
                let watchers = &mut exit.watch().watchers;
                watchers.retain(|w| !(w.via == via && w.sink.id() == id && w.incarnation != inc));
                watchers.push(watching);
            }
        }
    }

    fn remove_watcher(&self, id: ActorId, via: NoticeVia) {
        if let Some(watch) = self.exit.lock().watch.as_mut() {
            watch
                .watchers
                .retain(|w| !(w.via == via && w.sink.id() == id));
        }
    }

    fn poll_exit(&self, waker: &Waker) -> Option<ExitReason> {
        let mut exit = self.exit.lock();
        if let Some(r) = exit.final_reason() {
            return Some(r.clone());
        }
        exit.watch().waiters.register(waker);
        None
    }
}
