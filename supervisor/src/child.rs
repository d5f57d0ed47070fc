//! Type erasure: children of different actor types under one supervisor.
//!
//! [`ErasedSpec`] is a [`ChildSpec`] without its actor type; [`ChildHandle`] is
//! a running child's [`ActorRef`] together with its factory.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use actor_core::supervision::{Factory, RestartError, spawn_supervised_monitored};
use actor_core::{Actor, ActorId, ActorRef, Context, ExitReason, SpawnError};

use crate::relay::Relay;
use crate::spec::{ChildKind, ChildSpec, Restart, Shutdown};
use crate::tree::TreeShared;

/// A child spec whose actor type has been erased.
pub(crate) trait ErasedSpec: Send + Sync {
    fn id(&self) -> &str;
    fn restart(&self) -> Restart;
    fn shutdown(&self) -> Shutdown;
    fn kind(&self) -> ChildKind;
    fn shard(&self) -> Option<usize>;
    fn sub_tree(&self) -> Option<Arc<TreeShared>>;
    /// Spawns the child on the relay's shard with the relay monitoring it
    /// from before its factory runs, so no notice can be missed.
    fn spawn_on(&self, ctx: &mut Context<Relay>) -> Result<Arc<dyn ChildHandle>, SpawnError>;
}

impl<A: Actor> ErasedSpec for ChildSpec<A> {
    fn id(&self) -> &str {
        &self.id
    }

    fn restart(&self) -> Restart {
        self.restart
    }

    fn shutdown(&self) -> Shutdown {
        self.shutdown
    }

    fn kind(&self) -> ChildKind {
        self.kind
    }

    fn shard(&self) -> Option<usize> {
        self.shard
    }

    fn sub_tree(&self) -> Option<Arc<TreeShared>> {
        self.sub.clone()
    }

    fn spawn_on(&self, ctx: &mut Context<Relay>) -> Result<Arc<dyn ChildHandle>, SpawnError> {
        // Monitored before the factory runs: on this shard it runs inline,
        // and a panic there must reach the supervisor (rule 7).
        let actor = spawn_supervised_monitored(
            &ctx.runtime(),
            ctx.shard(),
            self.mailbox,
            self.factory.clone(),
            ctx.myself(),
        )?;
        Ok(Arc::new(TypedChild {
            actor,
            factory: self.factory.clone(),
        }))
    }
}

/// What a supervisor does to a child, whatever its actor type.
pub(crate) trait ChildHandle: Send + Sync {
    fn actor_id(&self) -> ActorId;
    fn is_running(&self) -> bool;
    /// A new incarnation with the same mailbox and handle.
    fn restart(&self) -> Result<(), RestartError>;
    /// Ends the child for good.
    fn close(&self, reason: ExitReason);
    fn stop(&self, reason: ExitReason);
    fn kill(&self);
    /// Resolves when the current incarnation has ended.
    fn wait_exit(&self) -> Pin<Box<dyn Future<Output = ExitReason>>>;
    /// Resolves when the child has stopped for good (after `close`).
    fn wait_stopped(&self) -> Pin<Box<dyn Future<Output = ExitReason>>>;
    /// The typed `ActorRef<A>`, for lookups by type.
    fn as_any(&self) -> Arc<dyn Any + Send + Sync>;
}

struct TypedChild<A: Actor> {
    actor: ActorRef<A>,
    factory: Factory<A>,
}

impl<A: Actor> ChildHandle for TypedChild<A> {
    fn actor_id(&self) -> ActorId {
        self.actor.id()
    }

    fn is_running(&self) -> bool {
        self.actor.is_running()
    }

    fn restart(&self) -> Result<(), RestartError> {
        self.actor.restart(self.factory.clone())
    }

    fn close(&self, reason: ExitReason) {
        self.actor.close(reason);
    }

    fn stop(&self, reason: ExitReason) {
        self.actor.stop_with(reason);
    }

    fn kill(&self) {
        self.actor.kill();
    }

    fn wait_exit(&self) -> Pin<Box<dyn Future<Output = ExitReason>>> {
        Box::pin(self.actor.wait_exit())
    }

    fn wait_stopped(&self) -> Pin<Box<dyn Future<Output = ExitReason>>> {
        Box::pin(self.actor.wait_stopped())
    }

    fn as_any(&self) -> Arc<dyn Any + Send + Sync> {
        Arc::new(self.actor.clone())
    }
}
