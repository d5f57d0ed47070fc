//! Dynamic children (OTP's `start_child`, `terminate_child`,
//! `restart_child`, `delete_child`, `which_children`, `count_children`).
//!
//! Each call is an `ask` to the supervisor, so it works from any shard or
//! thread and is ordered with the supervisor's own restarts. The `_blocking`
//! variants are for plain threads.

use std::any::Any;
use std::sync::Arc;

use actor_core::{Actor, ActorId, ActorRef, Context, ExitReason, ReplyTo};

use crate::child::ErasedSpec;
use crate::error::{ChildError, ask_failed};
use crate::spec::{ChildKind, ChildSpec, Restart};
use crate::supervisor::{Msg, State, Supervisor, SupervisorMsg};
use crate::tree::SupervisorRef;

type Reply<T> = ReplyTo<Result<T, ChildError>>;

pub(crate) enum Command {
    Start(Arc<dyn ErasedSpec>, Reply<Arc<dyn Any + Send + Sync>>),
    Terminate(String, Reply<()>),
    Restart(String, Reply<()>),
    Delete(String, Reply<()>),
    Which(ReplyTo<Vec<ChildInfo>>),
    Count(ReplyTo<ChildCounts>),
}

/// Where a child stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildState {
    /// An incarnation runs.
    Running,
    /// Waiting to be restarted (backoff, or a group restart in progress).
    Restarting,
    /// Stopped for good; [`restart_child`](SupervisorRef::restart_child)
    /// starts it again, [`delete_child`](SupervisorRef::delete_child) forgets it.
    Terminated,
}

/// One child, as [`which_children`](SupervisorRef::which_children) lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildInfo {
    /// Its id.
    pub id: String,
    /// Its actor id (`None` once terminated).
    pub actor: Option<ActorId>,
    /// Its shard.
    pub shard: usize,
    /// Worker or supervisor.
    pub kind: ChildKind,
    /// Its restart type.
    pub restart: Restart,
    /// Where it stands.
    pub state: ChildState,
}

/// Counts, as OTP's `count_children` gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChildCounts {
    /// Child specs held, running or not.
    pub specs: usize,
    /// Children with a running incarnation.
    pub active: usize,
    /// Specs of kind supervisor.
    pub supervisors: usize,
    /// Specs of kind worker.
    pub workers: usize,
}

impl Supervisor {
    pub(crate) async fn command(&mut self, ctx: &mut Context<Self>, cmd: Command) {
        match cmd {
            Command::Start(spec, reply) => reply.send(self.start_dynamic(ctx, spec).await),
            Command::Terminate(id, reply) => {
                let r = match self.index_of_id(&id) {
                    None => Err(ChildError::NotFound(id)),
                    Some(j) => {
                        self.close_child(j, ExitReason::Shutdown).await;
                        Ok(())
                    }
                };
                reply.send(r);
            }
            Command::Restart(id, reply) => reply.send(self.restart_terminated(ctx, id).await),
            Command::Delete(id, reply) => reply.send(match self.index_of_id(&id) {
                None => Err(ChildError::NotFound(id)),
                Some(j) if self.children[j].state != State::Terminated => {
                    Err(ChildError::Running(id))
                }
                Some(j) => {
                    self.children.remove(j);
                    Ok(())
                }
            }),
            Command::Which(reply) => reply.send(self.children.iter().map(info).collect()),
            Command::Count(reply) => {
                let mut n = ChildCounts {
                    specs: self.children.len(),
                    ..ChildCounts::default()
                };
                for c in &self.children {
                    n.active += usize::from(c.state == State::Running);
                    match c.spec.kind() {
                        ChildKind::Worker => n.workers += 1,
                        ChildKind::Supervisor => n.supervisors += 1,
                    }
                }
                reply.send(n);
            }
        }
    }

    async fn start_dynamic(
        &mut self,
        ctx: &mut Context<Self>,
        spec: Arc<dyn ErasedSpec>,
    ) -> Result<Arc<dyn Any + Send + Sync>, ChildError> {
        if self.done {
            return Err(ChildError::SupervisorDown);
        }
        if self.index_of_id(spec.id()).is_some() {
            return Err(ChildError::AlreadyPresent(spec.id().to_owned()));
        }
        let (handle, shard) = self.spawn_child(ctx, &spec).await?;
        let any = handle.as_any();
        self.push_child(spec, handle, shard);
        Ok(any)
    }

    async fn restart_terminated(
        &mut self,
        ctx: &mut Context<Self>,
        id: String,
    ) -> Result<(), ChildError> {
        let j = self
            .index_of_id(&id)
            .ok_or_else(|| ChildError::NotFound(id.clone()))?;
        if self.children[j].state != State::Terminated {
            return Err(ChildError::Running(id));
        }
        let spec = self.children[j].spec.clone();
        let (handle, shard) = self.spawn_child(ctx, &spec).await?;
        let j = self.index_of_id(&id).ok_or(ChildError::NotFound(id))?;
        self.cfg.shared.register(spec.as_ref(), handle.as_ref());
        let c = &mut self.children[j];
        (c.handle, c.shard, c.state, c.skip_stops) = (handle, shard, State::Running, 0);
        c.backoff.started(std::time::Instant::now());
        Ok(())
    }
}

fn info(c: &crate::supervisor::Child) -> ChildInfo {
    let state = match c.state {
        State::Running => ChildState::Running,
        State::Waiting => ChildState::Restarting,
        State::Terminated => ChildState::Terminated,
    };
    ChildInfo {
        id: c.spec.id().to_owned(),
        actor: (state != ChildState::Terminated).then(|| c.handle.actor_id()),
        shard: c.shard,
        kind: c.spec.kind(),
        restart: c.spec.restart(),
        state,
    }
}

impl SupervisorRef {
    async fn call<T: 'static>(
        &self,
        make: impl FnOnce(ReplyTo<T>) -> Command,
    ) -> Result<T, ChildError> {
        let ask = self.actor.ask(|r| SupervisorMsg(Msg::Cmd(make(r))));
        ask.await.map_err(ask_failed)
    }

    fn call_blocking<T: 'static>(
        &self,
        make: impl FnOnce(ReplyTo<T>) -> Command,
    ) -> Result<T, ChildError> {
        let ask = self
            .actor
            .ask_blocking(|r| SupervisorMsg(Msg::Cmd(make(r))));
        ask.map_err(ask_failed)
    }

    /// Starts a new child after the others; it is part of the tree from then
    /// on. Fails if the id is taken or the child fails to start.
    pub async fn start_child<A: Actor>(
        &self,
        spec: ChildSpec<A>,
    ) -> Result<ActorRef<A>, ChildError> {
        let spec = self.adopt(spec);
        let any = self.call(|r| Command::Start(spec, r)).await??;
        Ok(downcast::<A>(any))
    }

    /// [`start_child`](SupervisorRef::start_child) from a plain thread.
    pub fn start_child_blocking<A: Actor>(
        &self,
        spec: ChildSpec<A>,
    ) -> Result<ActorRef<A>, ChildError> {
        let spec = self.adopt(spec);
        let any = self.call_blocking(|r| Command::Start(spec, r))??;
        Ok(downcast::<A>(any))
    }

    /// Stops child `id` within its shutdown. Its spec is kept (temporary
    /// children are removed) for [`restart_child`](SupervisorRef::restart_child).
    pub async fn terminate_child(&self, id: &str) -> Result<(), ChildError> {
        self.call(|r| Command::Terminate(id.to_owned(), r)).await?
    }

    /// [`terminate_child`](SupervisorRef::terminate_child) from a plain thread.
    pub fn terminate_child_blocking(&self, id: &str) -> Result<(), ChildError> {
        self.call_blocking(|r| Command::Terminate(id.to_owned(), r))?
    }

    /// Starts a terminated child again (a new actor and `ActorRef`).
    pub async fn restart_child(&self, id: &str) -> Result<(), ChildError> {
        self.call(|r| Command::Restart(id.to_owned(), r)).await?
    }

    /// [`restart_child`](SupervisorRef::restart_child) from a plain thread.
    pub fn restart_child_blocking(&self, id: &str) -> Result<(), ChildError> {
        self.call_blocking(|r| Command::Restart(id.to_owned(), r))?
    }

    /// Forgets a terminated child's spec.
    pub async fn delete_child(&self, id: &str) -> Result<(), ChildError> {
        self.call(|r| Command::Delete(id.to_owned(), r)).await?
    }

    /// [`delete_child`](SupervisorRef::delete_child) from a plain thread.
    pub fn delete_child_blocking(&self, id: &str) -> Result<(), ChildError> {
        self.call_blocking(|r| Command::Delete(id.to_owned(), r))?
    }

    /// Every child spec, in start order.
    pub async fn which_children(&self) -> Result<Vec<ChildInfo>, ChildError> {
        self.call(Command::Which).await
    }

    /// [`which_children`](SupervisorRef::which_children) from a plain thread.
    pub fn which_children_blocking(&self) -> Result<Vec<ChildInfo>, ChildError> {
        self.call_blocking(Command::Which)
    }

    /// Counts of specs, running children, workers and supervisors.
    pub async fn count_children(&self) -> Result<ChildCounts, ChildError> {
        self.call(Command::Count).await
    }

    /// [`count_children`](SupervisorRef::count_children) from a plain thread.
    pub fn count_children_blocking(&self) -> Result<ChildCounts, ChildError> {
        self.call_blocking(Command::Count)
    }

    fn adopt<A: Actor>(&self, spec: ChildSpec<A>) -> Arc<dyn ErasedSpec> {
        if let Some(sub) = &spec.sub {
            let _ = sub.hub.parent.set(self.shared.hub.clone());
        }
        Arc::new(spec)
    }
}

fn downcast<A: Actor>(any: Arc<dyn Any + Send + Sync>) -> ActorRef<A> {
    any.downcast_ref::<ActorRef<A>>()
        .cloned()
        .expect("a child spec of type A spawns an ActorRef<A>")
}
