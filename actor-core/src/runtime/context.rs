//! The methods of [`Context`] that reach the runtime: a [`Handle`] to it,
//! spawning actors, and the blocking pool. They live here, above the actor
//! layer that defines `Context`, so that layer never imports the runtime.

use crate::actor::Actor;
use crate::actor::actor_ref::ActorRef;
use crate::actor::context::Context;
use crate::blocking::BlockingHandle;
use crate::runtime::Handle;
use crate::runtime::spawn::{SpawnError, spawn_actor, spawn_here};

impl<A: Actor> Context<A> {
    /// A handle to the runtime, to spawn anywhere or read metrics.
    pub fn runtime(&self) -> Handle {
        Handle::from_inner(self.local.runtime().clone())
    }

    /// Spawns a child actor on this shard. The value is built here, so it
    /// need not be `Send`. The child is not linked; call [`link`] for that.
    ///
    /// [`link`]: Context::link
    pub fn spawn<B: Actor>(&self, actor: B) -> ActorRef<B> {
        spawn_here(&self.local, actor, None)
    }

    /// Spawns a child actor on `shard`, built there by `factory`.
    pub fn spawn_on<B: Actor>(
        &self,
        shard: usize,
        factory: impl FnOnce() -> B + Send + 'static,
    ) -> Result<ActorRef<B>, SpawnError> {
        spawn_actor(self.local.runtime(), shard, None, factory)
    }

    /// Runs `f` on the blocking pool, never on a shard.
    pub fn spawn_blocking<R: Send + 'static>(
        &self,
        f: impl FnOnce() -> R + Send + 'static,
    ) -> BlockingHandle<R> {
        self.local.runtime().blocking.spawn(f)
    }
}
