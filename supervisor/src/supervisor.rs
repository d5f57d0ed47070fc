//! The supervisor actor: its state, its messages, start and stop.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use actor_core::{Actor, ActorId, ActorRef, BoxError, Context, ExitReason, ReplyTo};

use crate::backoff::{Backoff, BackoffState, SplitMix64};
use crate::child::{ChildHandle, ErasedSpec};
use crate::dynamic::Command;
use crate::events::{Counters, EventKind, publish};
use crate::intensity::Intensity;
use crate::relay::{EventQueue, Item, Relay};
use crate::strategy::Strategy;
use crate::tree::TreeShared;

/// The mailbox capacity of supervisors and relays, unless a child spec sets
/// one: their traffic is internal and small, so a runtime default sized for
/// workers (possibly 1) does not apply to them.
pub(crate) const CONTROL_MAILBOX: usize = 64;

/// Everything a supervisor is built from; shared by its incarnations.
pub(crate) struct SupConfig {
    pub(crate) strategy: Strategy,
    pub(crate) max_restarts: u32,
    pub(crate) window: Duration,
    pub(crate) backoff: Option<Backoff>,
    pub(crate) seed: Option<u64>,
    pub(crate) specs: Vec<Arc<dyn ErasedSpec>>,
    pub(crate) shared: Arc<TreeShared>,
}

/// Where a child stands, as its supervisor sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    /// An incarnation runs.
    Running,
    /// Its incarnation ended; a restart is due (now or after a backoff).
    Waiting,
    /// Stopped for good; the spec is kept for `restart_child`.
    Terminated,
}

pub(crate) struct Child {
    pub(crate) key: u64,
    pub(crate) spec: Arc<dyn ErasedSpec>,
    pub(crate) handle: Arc<dyn ChildHandle>,
    pub(crate) shard: usize,
    pub(crate) state: State,
    /// Exit notices still to come (through the queue) of incarnations the
    /// supervisor ended itself; they must not be read as the next
    /// incarnation's exit.
    pub(crate) skip_stops: u32,
    /// Bumped whenever a scheduled restart becomes stale.
    pub(crate) generation: u64,
    pub(crate) backoff: BackoffState,
}

/// How a child's start went.
pub(crate) enum Outcome {
    Started,
    Failed(ExitReason),
    /// Its shard is shutting down.
    ShardDown,
}

/// A supervisor: an actor that starts, watches and restarts its children.
/// Build one with [`Supervisor::builder`](crate::Supervisor::builder).
pub struct Supervisor {
    pub(crate) cfg: Arc<SupConfig>,
    pub(crate) children: Vec<Child>,
    pub(crate) intensity: Intensity,
    pub(crate) rng: SplitMix64,
    pub(crate) relays: Vec<Option<ActorRef<Relay>>>,
    pub(crate) queue: Arc<EventQueue>,
    /// Items drained from `queue` and not yet handled (see `on_tick`).
    pub(crate) drained: VecDeque<Item>,
    pub(crate) counters: Option<Counters>,
    pub(crate) next_key: u64,
    /// Children are gone for good (escalated, or shutting down).
    pub(crate) done: bool,
}

impl std::fmt::Debug for Supervisor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Supervisor")
            .field("name", &self.cfg.shared.name)
            .field("strategy", &self.cfg.strategy)
            .field("children", &self.children.len())
            .finish()
    }
}

/// A supervisor's mailbox message (opaque: use [`SupervisorRef`](crate::SupervisorRef)).
pub struct SupervisorMsg(pub(crate) Msg);

impl std::fmt::Debug for SupervisorMsg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SupervisorMsg")
    }
}

pub(crate) enum Msg {
    /// Relays queued events.
    Tick,
    /// Answered once `on_start` has started every child.
    Ready(ReplyTo<()>),
    /// A backoff ended: restart these `(key, generation)` children in order.
    RestartDue(Vec<(u64, u64)>),
    Cmd(Command),
}

impl SupervisorMsg {
    pub(crate) fn tick() -> Self {
        SupervisorMsg(Msg::Tick)
    }
}

impl Supervisor {
    pub(crate) fn new(cfg: Arc<SupConfig>) -> Self {
        Supervisor {
            intensity: Intensity::new(cfg.max_restarts, cfg.window),
            rng: SplitMix64::new(0),
            cfg,
            children: Vec::new(),
            relays: Vec::new(),
            queue: Arc::default(),
            drained: VecDeque::new(),
            counters: None,
            next_key: 0,
            done: false,
        }
    }

    pub(crate) fn publish(&self, child: Option<&str>, kind: EventKind) {
        if let Some(c) = &self.counters {
            let shared = &self.cfg.shared;
            publish(&shared.hub, c, &shared.name, child, kind);
        }
    }

    pub(crate) fn index_of(&self, key: u64) -> Option<usize> {
        self.children.iter().position(|c| c.key == key)
    }

    pub(crate) fn index_of_id(&self, id: &str) -> Option<usize> {
        self.children.iter().position(|c| c.spec.id() == id)
    }

    fn index_of_actor(&self, id: ActorId) -> Option<usize> {
        self.children.iter().position(|c| c.handle.actor_id() == id)
    }

    /// Handles what the relays queued. Items wait in `drained` while they
    /// are handled one by one, so that a group restart started by one exit
    /// finds the exits of its siblings drained in the same batch (see
    /// [`take_drained_exits`](Self::take_drained_exits)).
    async fn on_tick(&mut self, ctx: &mut Context<Self>) {
        use actor_core::LifecycleEvent::Stopped;
        self.drained.extend(self.queue.drain());
        while let Some(item) = self.drained.pop_front() {
            if self.done {
                self.drained.clear();
                return;
            }
            match item {
                Item::RelayDown(_) => self.shard_down(ctx),
                Item::Child(id, Stopped(reason)) => {
                    let Some(i) = self.index_of_actor(id) else {
                        continue;
                    };
                    let child = &mut self.children[i];
                    if child.skip_stops > 0 {
                        child.skip_stops -= 1;
                    } else if child.state == State::Running {
                        let key = child.key;
                        self.child_exited(ctx, key, reason).await;
                    }
                }
                Item::Child(..) => {}
            }
        }
    }

    /// Removes from the batch being handled the exit notices of `actor`,
    /// and says how many there were. Notices of one child arrive in order:
    /// first those of incarnations the supervisor ended itself (counted in
    /// its `skip_stops`), then its current incarnation's own exit.
    pub(crate) fn take_drained_exits(&mut self, actor: ActorId) -> u32 {
        use actor_core::LifecycleEvent::Stopped;
        let before = self.drained.len();
        self.drained
            .retain(|i| !matches!(i, Item::Child(id, Stopped(_)) if *id == actor));
        u32::try_from(before - self.drained.len()).unwrap_or(u32::MAX)
    }

    /// A shard is stopping (the runtime shuts down): restart nothing more
    /// and stop quietly; `on_stop` still stops the children in order.
    pub(crate) fn shard_down(&mut self, ctx: &mut Context<Self>) {
        self.done = true;
        ctx.stop_with(ExitReason::Shutdown);
    }
}

impl Actor for Supervisor {
    type Msg = SupervisorMsg;

    fn name() -> &'static str {
        "supervisor"
    }

    /// 64 slots, whatever the runtime's default (a child spec's own
    /// capacity still wins), so a small default does not throttle the calls
    /// made to a supervisor. Supervision itself never waits for room: relays
    /// wake the supervisor without it.
    fn mailbox_capacity() -> Option<usize> {
        Some(CONTROL_MAILBOX)
    }

    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        let handle = ctx.runtime();
        self.counters = Some(Counters::new(&handle));
        let seed = self.cfg.seed.or(handle.config().seed).unwrap_or_else(|| {
            let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
            t.map_or(0, |d| d.as_nanos() as u64)
        });
        self.rng = SplitMix64::new(seed ^ ctx.id().as_u64());
        for spec in self.cfg.specs.clone() {
            match self.spawn_child(ctx, &spec).await {
                Ok((handle, shard)) => self.push_child(spec, handle, shard),
                Err(e) => {
                    *self.cfg.shared.start_error.lock() = Some(e.clone());
                    self.shutdown_children().await;
                    return Err(Box::new(e));
                }
            }
        }
        Ok(())
    }

    async fn handle(&mut self, SupervisorMsg(msg): SupervisorMsg, ctx: &mut Context<Self>) {
        match msg {
            Msg::Tick => {}
            Msg::Ready(reply) => reply.send(()),
            Msg::RestartDue(due) if !self.done => self.restart_due(ctx, due).await,
            Msg::RestartDue(_) => {}
            Msg::Cmd(cmd) => self.command(ctx, cmd).await,
        }
        // After every message, not only a tick: a relay whose tick found
        // this mailbox full relies on it.
        self.on_tick(ctx).await;
    }

    async fn on_stop(&mut self, _reason: &ExitReason, _ctx: &mut Context<Self>) {
        self.shutdown_children().await;
    }
}
