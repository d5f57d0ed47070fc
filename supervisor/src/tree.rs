//! [`SupervisorRef`]: the handle to a running tree, and the directory that
//! finds children by id and type from any thread without a round trip.

use std::any::Any;
use std::sync::Arc;
use std::sync::mpsc::Receiver;
use std::time::Duration;

use actor_core::{Actor, ActorId, ActorRef, ExitReason, WaitError};
use parking_lot::Mutex;

use crate::child::{ChildHandle, ErasedSpec};
use crate::error::{ChildError, StartError};
use crate::events::{EventHub, SupervisorEvent};
use crate::supervisor::Supervisor;

struct Entry {
    id: String,
    actor: Arc<dyn Any + Send + Sync>,
    actor_id: ActorId,
    sub: Option<Arc<TreeShared>>,
}

/// What a supervisor shares with its handles, across its incarnations.
pub(crate) struct TreeShared {
    pub(crate) name: Arc<str>,
    pub(crate) hub: Arc<EventHub>,
    dir: Mutex<Vec<Entry>>,
    pub(crate) start_error: Mutex<Option<ChildError>>,
}

impl TreeShared {
    pub(crate) fn new(name: &str, hub: Arc<EventHub>) -> Arc<Self> {
        Arc::new(TreeShared {
            name: name.into(),
            hub,
            dir: Mutex::new(Vec::new()),
            start_error: Mutex::new(None),
        })
    }

    pub(crate) fn register(&self, spec: &dyn ErasedSpec, handle: &dyn ChildHandle) {
        let mut dir = self.dir.lock();
        dir.retain(|e| e.id != spec.id());
        dir.push(Entry {
            id: spec.id().to_owned(),
            actor: handle.as_any(),
            actor_id: handle.actor_id(),
            sub: spec.sub_tree(),
        });
    }

    pub(crate) fn unregister(&self, id: &str) {
        self.dir.lock().retain(|e| e.id != id);
    }

    pub(crate) fn id_of(&self, actor: ActorId) -> Option<String> {
        let dir = self.dir.lock();
        dir.iter()
            .find(|e| e.actor_id == actor)
            .map(|e| e.id.clone())
    }

    /// The running children of type `A`, in start order.
    pub(crate) fn all_of<A: Actor>(&self) -> Vec<ActorRef<A>> {
        let dir = self.dir.lock();
        let refs = dir
            .iter()
            .filter_map(|e| e.actor.downcast_ref::<ActorRef<A>>());
        refs.cloned().collect()
    }

    pub(crate) fn start_failure(&self, reason: ExitReason) -> StartError {
        match self.start_error.lock().take() {
            Some(ChildError::StartFailed { child, reason }) => {
                StartError::ChildFailed { child, reason }
            }
            _ => StartError::Stopped(reason),
        }
    }
}

/// A handle to a running supervisor: find children, change them at run time,
/// subscribe to events, shut the tree down. `Send + Sync + Clone`; it stays
/// valid across the supervisor's own restarts.
#[derive(Clone)]
pub struct SupervisorRef {
    pub(crate) actor: ActorRef<Supervisor>,
    pub(crate) shared: Arc<TreeShared>,
}

impl std::fmt::Debug for SupervisorRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SupervisorRef")
            .field("name", &self.shared.name)
            .field("actor", &self.actor.id())
            .finish()
    }
}

impl SupervisorRef {
    /// The supervisor's name (its child id when nested).
    pub fn name(&self) -> &str {
        &self.shared.name
    }

    /// The supervisor actor itself.
    pub fn actor(&self) -> &ActorRef<Supervisor> {
        &self.actor
    }

    /// The running child `id`, typed. Restarts keep the same `ActorRef`.
    pub fn child<A: Actor>(&self, id: &str) -> Result<ActorRef<A>, ChildError> {
        let dir = self.shared.dir.lock();
        let e = dir
            .iter()
            .find(|e| e.id == id)
            .ok_or_else(|| ChildError::NotFound(id.to_owned()))?;
        e.actor
            .downcast_ref::<ActorRef<A>>()
            .cloned()
            .ok_or_else(|| ChildError::WrongType {
                child: id.to_owned(),
                expected: A::name(),
            })
    }

    /// The nested supervisor `id`.
    pub fn supervisor(&self, id: &str) -> Result<SupervisorRef, ChildError> {
        let actor = self.child::<Supervisor>(id)?;
        let dir = self.shared.dir.lock();
        let sub = dir.iter().find(|e| e.id == id).and_then(|e| e.sub.clone());
        let shared = sub.ok_or_else(|| ChildError::NotFound(id.to_owned()))?;
        Ok(SupervisorRef { actor, shared })
    }

    /// Ids of the running children, in start order.
    pub fn child_ids(&self) -> Vec<String> {
        self.shared
            .dir
            .lock()
            .iter()
            .map(|e| e.id.clone())
            .collect()
    }

    /// Lifecycle events of this supervisor and of every supervisor nested
    /// under it, from now on.
    pub fn subscribe(&self) -> Receiver<SupervisorEvent> {
        self.shared.hub.subscribe()
    }

    /// Stops the tree: children stop in reverse start order, each within its
    /// shutdown. Resolves with the supervisor's exit reason. For a nested
    /// supervisor, use its parent's
    /// [`terminate_child`](SupervisorRef::terminate_child) instead, or the
    /// parent restarts it.
    pub async fn shutdown(&self) -> ExitReason {
        self.actor.stop_with(ExitReason::Shutdown);
        self.actor.wait_stopped().await
    }

    /// [`shutdown`](SupervisorRef::shutdown) from a plain thread, waiting at
    /// most `limit` for the supervisor's exit reason. `Err(Timeout)` when
    /// the tree is still stopping then (it goes on stopping). On a shard
    /// thread, which must never block, it only asks the tree to stop and
    /// returns `Err(WouldBlock)` at once: await
    /// [`shutdown`](SupervisorRef::shutdown) there.
    pub fn shutdown_blocking(&self, limit: Duration) -> Result<ExitReason, WaitError> {
        self.actor.stop_with(ExitReason::Shutdown);
        self.actor.wait_stopped_blocking(limit)
    }
}
