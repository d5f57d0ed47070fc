//! [`Pool`]: a dynamic pool of identical children, OTP's `simple_one_for_one`,
//! for connection and worker pools.
//!
//! Every worker is built from one template spec; workers are started and
//! stopped at run time, spread round-robin over the shards (unless the
//! template names a shard), and restarted one-for-one under the pool's
//! intensity and backoff.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use actor_core::{Actor, ActorRef, Handle};

use crate::backoff::Backoff;
use crate::builder::Builder;
use crate::error::{ChildError, StartError};
use crate::spec::ChildSpec;
use crate::strategy::Strategy;
use crate::supervisor::Supervisor;
use crate::tree::SupervisorRef;

/// A running pool of identical workers of type `A`.
pub struct Pool<A: Actor> {
    tree: SupervisorRef,
    template: ChildSpec<A>,
    next: Arc<AtomicUsize>,
    shards: usize,
}

impl<A: Actor> Clone for Pool<A> {
    fn clone(&self) -> Self {
        Pool {
            tree: self.tree.clone(),
            template: self.template.clone(),
            next: self.next.clone(),
            shards: self.shards,
        }
    }
}

impl<A: Actor> std::fmt::Debug for Pool<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("tree", &self.tree)
            .field("template", &self.template)
            .finish()
    }
}

/// Builds a [`Pool`].
#[must_use = "a builder does nothing until spawned"]
pub struct PoolBuilder<A: Actor> {
    sup: Builder,
    template: ChildSpec<A>,
    size: usize,
}

impl<A: Actor> std::fmt::Debug for PoolBuilder<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoolBuilder")
            .field("template", &self.template)
            .field("size", &self.size)
            .finish()
    }
}

impl<A: Actor> Pool<A> {
    /// A pool of workers built from `template`; its id prefixes the
    /// workers' ids (`"conn-0"`, `"conn-1"`, ...).
    pub fn builder(template: ChildSpec<A>) -> PoolBuilder<A> {
        PoolBuilder {
            sup: Supervisor::builder().strategy(Strategy::OneForOne),
            template,
            size: 0,
        }
    }

    fn next_spec(&self) -> ChildSpec<A> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let mut spec = self.template.clone();
        spec.id = format!("{}-{n}", self.template.id);
        spec.shard = Some(self.template.shard.unwrap_or(n % self.shards.max(1)));
        spec
    }

    /// Starts one more worker.
    pub async fn start_worker(&self) -> Result<ActorRef<A>, ChildError> {
        self.tree.start_child(self.next_spec()).await
    }

    /// [`start_worker`](Pool::start_worker) from a plain thread.
    pub fn start_worker_blocking(&self) -> Result<ActorRef<A>, ChildError> {
        self.tree.start_child_blocking(self.next_spec())
    }

    /// Stops `worker` within its shutdown and forgets it.
    pub async fn terminate_worker(&self, worker: &ActorRef<A>) -> Result<(), ChildError> {
        let id = self.worker_id(worker)?;
        self.tree.terminate_child(&id).await?;
        match self.tree.delete_child(&id).await {
            Err(ChildError::NotFound(_)) => Ok(()),
            r => r,
        }
    }

    fn worker_id(&self, worker: &ActorRef<A>) -> Result<String, ChildError> {
        let id = self.tree.shared.id_of(worker.id());
        id.ok_or_else(|| ChildError::NotFound(worker.id().to_string()))
    }

    /// The running workers, in start order.
    pub fn workers(&self) -> Vec<ActorRef<A>> {
        self.tree.shared.all_of::<A>()
    }

    /// How many workers run.
    pub fn len(&self) -> usize {
        self.workers().len()
    }

    /// `true` when no worker runs.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The supervisor underneath, for events, counts and shutdown.
    pub fn tree(&self) -> &SupervisorRef {
        &self.tree
    }
}

impl<A: Actor> PoolBuilder<A> {
    /// Starts `size` workers with the pool.
    pub fn size(mut self, size: usize) -> Self {
        self.size = size;
        self
    }

    /// The pool's restart intensity (see [`Builder::intensity`]).
    pub fn intensity(mut self, max_restarts: u32, window: Duration) -> Self {
        self.sup = self.sup.intensity(max_restarts, window);
        self
    }

    /// Backoff before restarts (see [`Builder::backoff`]).
    pub fn backoff(mut self, backoff: Backoff) -> Self {
        self.sup = self.sup.backoff(backoff);
        self
    }

    /// Names the pool's supervisor.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.sup = self.sup.name(name);
        self
    }

    /// Places the pool's supervisor on `shard`.
    pub fn shard(mut self, shard: usize) -> Self {
        self.sup = self.sup.shard(shard);
        self
    }

    /// Spawns the pool and its first `size` workers.
    pub async fn spawn(self, handle: &Handle) -> Result<Pool<A>, StartError> {
        let tree = self.sup.spawn(handle).await?;
        let pool = Pool {
            tree,
            template: self.template,
            next: Arc::default(),
            shards: handle.shards(),
        };
        for _ in 0..self.size {
            pool.start_worker().await.map_err(|e| match e {
                ChildError::StartFailed { child, reason } => {
                    StartError::ChildFailed { child, reason }
                }
                other => StartError::Stopped(actor_core::ExitReason::Error(other.to_string())),
            })?;
        }
        Ok(pool)
    }
}
