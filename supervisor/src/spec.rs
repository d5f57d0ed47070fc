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

/// How [`Builder::child`](crate::Builder::child) places and restarts a
/// child: its restart type and, optionally, its shutdown, shard and mailbox
/// capacity. Unset, each takes the same default as in a [`ChildSpec`]. A
/// bare [`Restart`] converts into it, so `.child("id", Restart::Permanent,
/// factory)` needs nothing more:
///
/// ```
/// # use actor_core::prelude::*;
/// # struct Cache;
/// # impl Actor for Cache {
/// #     type Msg = ();
/// #     async fn handle(&mut self, _: (), _: &mut Context<Self>) {}
/// # }
/// use actor_supervisor::{ChildOptions, Restart, Supervisor};
///
/// let rt = Runtime::builder().shards(2).build()?;
/// let tree = Supervisor::builder()
///     .shard(0)
///     .child("plain", Restart::Permanent, || Cache)
///     .child("placed", ChildOptions::transient().shard(1).mailbox_capacity(8), || Cache)
///     .spawn_blocking(rt.handle())?;
/// let placed: ActorRef<Cache> = tree.child("placed")?;
/// assert_eq!((placed.shard(), placed.mailbox_capacity()), (1, 8));
/// let plain: ActorRef<Cache> = tree.child("plain")?;
/// assert_eq!(plain.shard(), 0); // the supervisor's shard
/// tree.shutdown_blocking(std::time::Duration::from_secs(5))?;
/// rt.shutdown()?;
/// # Ok::<(), actor_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChildOptions {
    restart: Restart,
    shutdown: Option<Shutdown>,
    shard: Option<usize>,
    mailbox: Option<usize>,
}

impl ChildOptions {
    /// A child of restart type `restart`, with every other default.
    pub fn new(restart: Restart) -> Self {
        ChildOptions {
            restart,
            shutdown: None,
            shard: None,
            mailbox: None,
        }
    }

    /// A [`Restart::Permanent`] child (the default).
    pub fn permanent() -> Self {
        Self::new(Restart::Permanent)
    }

    /// A [`Restart::Transient`] child.
    pub fn transient() -> Self {
        Self::new(Restart::Transient)
    }

    /// A [`Restart::Temporary`] child.
    pub fn temporary() -> Self {
        Self::new(Restart::Temporary)
    }

    /// How the child is stopped (default: [`DEFAULT_WORKER_SHUTDOWN`]).
    pub fn shutdown(mut self, shutdown: Shutdown) -> Self {
        self.shutdown = Some(shutdown);
        self
    }

    /// Places the child on `shard` (default: the supervisor's shard).
    pub fn shard(mut self, shard: usize) -> Self {
        self.shard = Some(shard);
        self
    }

    /// Gives the child a mailbox of `capacity` (at least 1; default: the
    /// actor's own, else the runtime's).
    pub fn mailbox_capacity(mut self, capacity: usize) -> Self {
        self.mailbox = Some(capacity.max(1));
        self
    }

    /// `spec` with these options set on it.
    pub(crate) fn apply<A: Actor>(self, spec: ChildSpec<A>) -> ChildSpec<A> {
        let mut spec = spec.restart(self.restart);
        if let Some(shutdown) = self.shutdown {
            spec = spec.shutdown(shutdown);
        }
        if let Some(shard) = self.shard {
            spec = spec.shard(shard);
        }
        if let Some(capacity) = self.mailbox {
            spec = spec.mailbox_capacity(capacity);
        }
        spec
    }
}

impl Default for ChildOptions {
    fn default() -> Self {
        Self::permanent()
    }
}

impl From<Restart> for ChildOptions {
    fn from(restart: Restart) -> Self {
        Self::new(restart)
    }
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
