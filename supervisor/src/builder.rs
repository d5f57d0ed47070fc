//! [`Builder`]: a supervisor's strategy, intensity, backoff and child specs.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use actor_core::{Actor, ActorRef, Handle, SpawnOptions};

use crate::backoff::Backoff;
use crate::child::ErasedSpec;
use crate::error::StartError;
use crate::events::EventHub;
use crate::intensity::{DEFAULT_MAX_RESTARTS, DEFAULT_WINDOW};
use crate::spec::{ChildKind, ChildOptions, ChildSpec, Restart, Shutdown};
use crate::strategy::Strategy;
use crate::supervisor::{Msg, SupConfig, Supervisor, SupervisorMsg};
use crate::tree::{SupervisorRef, TreeShared};

impl Supervisor {
    /// A builder: `OneForOne`, 1 restart in 5 s, no backoff, no children.
    pub fn builder() -> Builder {
        Builder::default()
    }
}

/// Builds a supervisor. See the [crate docs](crate) for the semantics.
#[must_use = "a builder does nothing until spawned"]
pub struct Builder {
    strategy: Strategy,
    max_restarts: u32,
    window: Duration,
    backoff: Option<Backoff>,
    seed: Option<u64>,
    name: Option<String>,
    shard: Option<usize>,
    specs: Vec<Arc<dyn ErasedSpec>>,
    hub: Arc<EventHub>,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            strategy: Strategy::OneForOne,
            max_restarts: DEFAULT_MAX_RESTARTS,
            window: DEFAULT_WINDOW,
            backoff: None,
            seed: None,
            name: None,
            shard: None,
            specs: Vec::new(),
            hub: Arc::default(),
        }
    }
}

impl std::fmt::Debug for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.specs.iter().map(|s| s.id()).collect();
        f.debug_struct("Builder")
            .field("strategy", &self.strategy)
            .field("intensity", &(self.max_restarts, self.window))
            .field("backoff", &self.backoff)
            .field("children", &ids)
            .finish()
    }
}

impl Builder {
    /// The restart strategy.
    pub fn strategy(mut self, strategy: Strategy) -> Self {
        self.strategy = strategy;
        self
    }

    /// At most `max_restarts` restarts within any `window`, over all
    /// children; one more and the supervisor escalates.
    pub fn intensity(mut self, max_restarts: u32, window: Duration) -> Self {
        self.max_restarts = max_restarts;
        self.window = window;
        self
    }

    /// Waits out an exponential backoff before each restart. A child that
    /// fails again after `max_restarts` restarts in a row (none of them
    /// running the backoff's `reset_after`) makes the supervisor escalate,
    /// even when the delays space those restarts wider than the intensity's
    /// window (crate docs, rule 5).
    pub fn backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = Some(backoff);
        self
    }

    /// Seeds the backoff jitter (default: the runtime's seed, else the clock).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Names the supervisor in events and logs (default: its child id, or
    /// `"supervisor"` for a root).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Places the supervisor on `shard` (a root spreads by default; a nested
    /// supervisor defaults to its parent's shard).
    pub fn shard(mut self, shard: usize) -> Self {
        self.shard = Some(shard);
        self
    }

    /// Adds a worker called `id`, built by `factory` at each start. `options`
    /// is a [`Restart`] (default shutdown, on the supervisor's shard, default
    /// mailbox) or [`ChildOptions`], which also sets the shutdown, shard and
    /// mailbox capacity:
    /// `.child("cache", ChildOptions::permanent().shard(1).mailbox_capacity(8), Cache::new)`.
    pub fn child<A: Actor>(
        self,
        id: impl Into<String>,
        options: impl Into<ChildOptions>,
        factory: impl Fn() -> A + Send + Sync + 'static,
    ) -> Self {
        self.child_spec(options.into().apply(ChildSpec::new(id, factory)))
    }

    /// Adds a child from a full spec.
    pub fn child_spec<A: Actor>(mut self, spec: ChildSpec<A>) -> Self {
        if let Some(sub) = &spec.sub {
            let _ = sub.hub.parent.set(self.hub.clone());
        }
        self.specs.push(Arc::new(spec));
        self
    }

    /// Adds a nested supervisor built by `sub`.
    pub fn supervisor(self, id: impl Into<String>, restart: Restart, sub: Builder) -> Self {
        self.child_spec(sub.into_spec(id).restart(restart))
    }

    /// Turns this builder into the child spec of a nested supervisor
    /// (kind `Supervisor`, shutdown `Infinity`), for
    /// [`child_spec`](Builder::child_spec) or
    /// [`start_child`](SupervisorRef::start_child).
    pub fn into_spec(self, id: impl Into<String>) -> ChildSpec<Supervisor> {
        let id = id.into();
        let shard = self.shard;
        let cfg = self.config(&id);
        let sub = cfg.shared.clone();
        let mut spec =
            ChildSpec::new(id, move || Supervisor::new(cfg.clone())).shutdown(Shutdown::Infinity);
        spec.kind = ChildKind::Supervisor;
        spec.shard = shard;
        spec.sub = Some(sub);
        spec
    }

    fn config(self, default_name: &str) -> Arc<SupConfig> {
        let name = self.name.as_deref().unwrap_or(default_name);
        Arc::new(SupConfig {
            strategy: self.strategy,
            max_restarts: self.max_restarts,
            window: self.window,
            backoff: self.backoff,
            seed: self.seed,
            shared: TreeShared::new(name, self.hub),
            specs: self.specs,
        })
    }

    fn launch(
        self,
        handle: &Handle,
    ) -> Result<(ActorRef<Supervisor>, Arc<TreeShared>), StartError> {
        let mut seen = HashSet::new();
        if let Some(dup) = self.specs.iter().find(|s| !seen.insert(s.id().to_owned())) {
            return Err(StartError::DuplicateId(dup.id().to_owned()));
        }
        let options = match self.shard {
            Some(s) => SpawnOptions::new().shard(s),
            None => SpawnOptions::new(),
        };
        let cfg = self.config("supervisor");
        let shared = cfg.shared.clone();
        let actor = handle.spawn_with(options, move || Supervisor::new(cfg))?;
        Ok((actor, shared))
    }

    /// Spawns the tree and waits until every child has started, in order.
    /// A child that fails to start fails the whole start, named in the error.
    pub async fn spawn(self, handle: &Handle) -> Result<SupervisorRef, StartError> {
        let (actor, shared) = self.launch(handle)?;
        match actor.ask(|r| SupervisorMsg(Msg::Ready(r))).await {
            Ok(()) => Ok(SupervisorRef { actor, shared }),
            Err(_) => Err(shared.start_failure(actor.wait_stopped().await)),
        }
    }

    /// [`spawn`](Builder::spawn) from a plain thread (not a shard thread).
    pub fn spawn_blocking(self, handle: &Handle) -> Result<SupervisorRef, StartError> {
        let (actor, shared) = self.launch(handle)?;
        match actor.ask_blocking(|r| SupervisorMsg(Msg::Ready(r))) {
            Ok(()) => Ok(SupervisorRef { actor, shared }),
            Err(_) => {
                let reason = actor.wait_stopped_blocking(Duration::from_secs(3600));
                Err(shared.start_failure(reason.unwrap_or(actor_core::ExitReason::Shutdown)))
            }
        }
    }
}
