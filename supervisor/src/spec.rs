//! Child specifications: what a supervisor needs to start, stop and restart
//! one child.

use std::sync::Arc;
use std::time::Duration;

use actor_core::Actor;
use actor_core::supervision::Factory;

use crate::tree::TreeShared;

/// When a child that exited is restarted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Restart {
    /// Always restarted, whatever the exit reason.
    Permanent,
    /// Restarted only after an abnormal exit: `Normal` and `Shutdown` exits
    /// are final.
    Transient,
    /// Never restarted, not even when a sibling's failure restarts the others;
    /// removed from the supervisor when it exits.
    Temporary,
}

impl Restart {
    /// Whether an exit with `reason` leads to a restart.
    pub fn restarts_after(self, reason: &actor_core::ExitReason) -> bool {
        match self {
            Restart::Permanent => true,
            Restart::Transient => reason.is_abnormal(),
            Restart::Temporary => false,
        }
    }
}

/// How a child is stopped: asked to stop, then killed after the timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shutdown {
    /// Ask it to stop; kill it if it has not stopped after this long.
    Timeout(Duration),
    /// Kill it at once: no `on_stop`.
    Brutal,
    /// Ask it to stop and wait as long as it takes (for child supervisors,
    /// which stop their own children within their own timeouts).
    Infinity,
}

/// OTP's default shutdown timeout for workers: 5 seconds.
pub const DEFAULT_WORKER_SHUTDOWN: Shutdown = Shutdown::Timeout(Duration::from_secs(5));

/// Whether a child is a worker or a supervisor of its own children.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChildKind {
    /// An ordinary actor.
    Worker,
    /// A nested [`Supervisor`](crate::Supervisor).
    Supervisor,
}

/// The specification of one child: id, factory, restart type, shutdown, kind
/// and shard. Defaults (as in OTP): `Permanent`, a 5 s shutdown for workers
/// and `Infinity` for supervisors, and the supervisor's own shard.
pub struct ChildSpec<A: Actor> {
    pub(crate) id: String,
    pub(crate) factory: Factory<A>,
    pub(crate) restart: Restart,
    pub(crate) shutdown: Shutdown,
    pub(crate) kind: ChildKind,
    pub(crate) shard: Option<usize>,
    pub(crate) mailbox: Option<usize>,
    pub(crate) sub: Option<Arc<TreeShared>>,
}

impl<A: Actor> Clone for ChildSpec<A> {
    fn clone(&self) -> Self {
        ChildSpec {
            id: self.id.clone(),
            factory: self.factory.clone(),
            restart: self.restart,
            shutdown: self.shutdown,
            kind: self.kind,
            shard: self.shard,
            mailbox: self.mailbox,
            sub: self.sub.clone(),
        }
    }
}

impl<A: Actor> std::fmt::Debug for ChildSpec<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChildSpec")
            .field("id", &self.id)
            .field("actor", &A::name())
            .field("restart", &self.restart)
            .field("shutdown", &self.shutdown)
            .field("kind", &self.kind)
            .field("shard", &self.shard)
            .finish()
    }
}

impl<A: Actor> ChildSpec<A> {
    /// A permanent worker called `id`, built by `factory` at each start.
    pub fn new(id: impl Into<String>, factory: impl Fn() -> A + Send + Sync + 'static) -> Self {
        Self::from_factory(id, Arc::new(factory))
    }

    /// Like [`new`](ChildSpec::new), from a shared [`Factory`].
    pub fn from_factory(id: impl Into<String>, factory: Factory<A>) -> Self {
        ChildSpec {
            id: id.into(),
            factory,
            restart: Restart::Permanent,
            shutdown: DEFAULT_WORKER_SHUTDOWN,
            kind: ChildKind::Worker,
            shard: None,
            mailbox: None,
            sub: None,
        }
    }

    /// Sets the restart type.
    pub fn restart(mut self, restart: Restart) -> Self {
        self.restart = restart;
        self
    }

    /// Sets how the child is stopped.
    pub fn shutdown(mut self, shutdown: Shutdown) -> Self {
        self.shutdown = shutdown;
        self
    }

    /// Places the child on `shard` (default: the supervisor's shard).
    pub fn shard(mut self, shard: usize) -> Self {
        self.shard = Some(shard);
        self
    }

    /// Gives the child a mailbox of `capacity`.
    pub fn mailbox_capacity(mut self, capacity: usize) -> Self {
        self.mailbox = Some(capacity.max(1));
        self
    }

    /// The child's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Its restart type.
    pub fn restart_type(&self) -> Restart {
        self.restart
    }

    /// How it is stopped.
    pub fn shutdown_type(&self) -> Shutdown {
        self.shutdown
    }

    /// Worker or supervisor.
    pub fn kind(&self) -> ChildKind {
        self.kind
    }
}
