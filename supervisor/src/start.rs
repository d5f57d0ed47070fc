//! Starting children: through the relay of their shard, one at a time,
//! each awaited until `on_start` has finished.

use std::sync::Arc;
use std::time::Instant;

use actor_core::{ActorId, ActorRef, Context, ExitReason, SpawnError};

use crate::backoff::BackoffState;
use crate::child::{ChildHandle, ErasedSpec};
use crate::error::ChildError;
use crate::events::EventKind;
use crate::relay::{Relay, RelayMsg};
use crate::supervisor::{Child, Outcome, State, Supervisor};

impl Supervisor {
    /// The relay of `shard`, spawned and linked on first use.
    fn relay(
        &mut self,
        ctx: &mut Context<Self>,
        shard: usize,
    ) -> Result<ActorRef<Relay>, SpawnError> {
        if self.relays.len() <= shard {
            self.relays.resize(shard + 1, None);
        }
        if let Some(r) = &self.relays[shard] {
            return Ok(r.clone());
        }
        let sup = ctx.myself().clone();
        let queue = self.queue.clone();
        let make = move || Relay {
            sup,
            queue,
            children: Vec::new(),
        };
        let relay = if shard == ctx.shard() {
            ctx.spawn(make())
        } else {
            ctx.spawn_on(shard, make)?
        };
        ctx.link(&relay);
        self.relays[shard] = Some(relay.clone());
        Ok(relay)
    }

    /// Spawns a new child from `spec` and waits until it has started.
    pub(crate) async fn spawn_child(
        &mut self,
        ctx: &mut Context<Self>,
        spec: &Arc<dyn ErasedSpec>,
    ) -> Result<(Arc<dyn ChildHandle>, usize), ChildError> {
        let shard = spec.shard().unwrap_or(ctx.shard());
        let relay = self.relay(ctx, shard)?;
        let handle = relay
            .ask(|r| RelayMsg::Spawn(spec.clone(), r))
            .await
            .map_err(|_| ChildError::SupervisorDown)??;
        let mut skip = 0;
        let failed = match self.await_start(handle.actor_id(), shard, &mut skip).await {
            Outcome::Started => None,
            Outcome::Failed(reason) => Some(reason),
            Outcome::ShardDown => Some(ExitReason::Shutdown),
        };
        let Some(reason) = failed else {
            self.publish(
                Some(spec.id()),
                EventKind::Started {
                    actor: handle.actor_id(),
                },
            );
            return Ok((handle, shard));
        };
        handle.close(reason.clone());
        let _ = handle.wait_stopped().await;
        let _ = relay.tell(RelayMsg::Forget(handle.actor_id())).await;
        Err(ChildError::StartFailed {
            child: spec.id().to_owned(),
            reason,
        })
    }

    /// Waits for the `Started` or exit notice of the incarnation being
    /// started, skipping `skip` notices of earlier incarnations.
    pub(crate) async fn await_start(&self, id: ActorId, shard: usize, skip: &mut u32) -> Outcome {
        use crate::relay::Item;
        use actor_core::LifecycleEvent::{Started, Stopped};
        loop {
            match self.queue.next_for(id, shard).await {
                Item::RelayDown(_) => return Outcome::ShardDown,
                Item::Child(_, Started) => return Outcome::Started,
                Item::Child(_, Stopped(_)) if *skip > 0 => *skip -= 1,
                // Only a stopping shard ends a start with `Shutdown`.
                Item::Child(_, Stopped(ExitReason::Shutdown)) => return Outcome::ShardDown,
                Item::Child(_, Stopped(reason)) => return Outcome::Failed(reason),
            }
        }
    }

    /// Adds a started child at the end of the start order.
    pub(crate) fn push_child(
        &mut self,
        spec: Arc<dyn ErasedSpec>,
        handle: Arc<dyn ChildHandle>,
        shard: usize,
    ) {
        let key = self.next_key;
        self.next_key += 1;
        let mut backoff = BackoffState::new();
        backoff.started(Instant::now());
        self.cfg.shared.register(spec.as_ref(), handle.as_ref());
        self.children.push(Child {
            key,
            spec,
            handle,
            shard,
            state: State::Running,
            skip_stops: 0,
            generation: 0,
            backoff,
        });
    }
}
