//! What a supervisor does when a child exits: decide, stop the affected
//! siblings in reverse order, wait out a backoff, restart in order, or give
//! up and escalate.

use std::sync::Arc;
use std::time::Instant;

use actor_core::time::timeout;
use actor_core::{Context, ExitReason};

use crate::child::ChildHandle;
use crate::events::EventKind;
use crate::spec::{Restart, Shutdown};
use crate::supervisor::{Msg, Outcome, State, Supervisor, SupervisorMsg};

/// Ends a child's running incarnation within `shutdown` and returns its
/// exit reason. A stop request it never took (killed after ignoring it) is
/// dropped by the core when the child restarts.
pub(crate) async fn terminate(h: &Arc<dyn ChildHandle>, shutdown: Shutdown) -> ExitReason {
    if !h.is_running() {
        return h.wait_exit().await;
    }
    match shutdown {
        Shutdown::Brutal => {
            h.kill();
            h.wait_exit().await
        }
        Shutdown::Infinity => {
            h.stop(ExitReason::Shutdown);
            h.wait_exit().await
        }
        Shutdown::Timeout(limit) => {
            h.stop(ExitReason::Shutdown);
            match timeout(limit, h.wait_exit()).await {
                Ok(reason) => reason,
                Err(_) => {
                    h.kill();
                    h.wait_exit().await
                }
            }
        }
    }
}

impl Supervisor {
    /// Handles the exit of child `key`, and of any restart that fails to
    /// start in turn.
    pub(crate) async fn child_exited(
        &mut self,
        ctx: &mut Context<Self>,
        key: u64,
        reason: ExitReason,
    ) {
        let mut next = Some((key, reason));
        while let Some((key, reason)) = next.take() {
            if self.done {
                return;
            }
            next = self.exit_once(ctx, key, reason).await;
        }
    }

    async fn exit_once(
        &mut self,
        ctx: &mut Context<Self>,
        key: u64,
        reason: ExitReason,
    ) -> Option<(u64, ExitReason)> {
        let i = self.index_of(key)?;
        self.children[i].state = State::Waiting;
        let id = self.children[i].spec.id().to_owned();
        self.publish(
            Some(&id),
            EventKind::Stopped {
                reason: reason.clone(),
            },
        );
        if !self.children[i].spec.restart().restarts_after(&reason) {
            self.close_child(i, reason).await;
            return None;
        }
        if !self.intensity.record(Instant::now()) {
            let why = format!(
                "{} restarts in {:?}",
                self.intensity.max(),
                self.intensity.window()
            );
            self.escalate(ctx, reason, &why).await;
            return None;
        }
        let backoff = match self.cfg.backoff {
            Some(policy) => {
                let c = &mut self.children[i];
                let delay = c.backoff.next_delay(&policy, Instant::now(), &mut self.rng);
                // Read after `next_delay`, which may have reset the count.
                let attempt = c.backoff.attempt().saturating_sub(1);
                // A storm the backoff spaces wider than the window still ends
                // (rule 5): `max` restarts in a row, then escalation.
                if attempt >= self.intensity.max() {
                    let why =
                        format!("`{id}` failed after {attempt} restarts in a row under backoff");
                    self.escalate(ctx, reason, &why).await;
                    return None;
                }
                Some((delay, attempt))
            }
            None => None,
        };
        let live: Vec<bool> = self
            .children
            .iter()
            .map(|c| matches!(c.state, State::Running | State::Waiting))
            .collect();
        let keys: Vec<u64> = (self.cfg.strategy.affected(i, &live).into_iter())
            .map(|j| self.children[j].key)
            .collect();
        for &k in keys.iter().rev().filter(|&&k| k != key) {
            let Some(j) = self.index_of(k) else { continue };
            self.stop_incarnation(j).await;
            if self.children[j].spec.restart() == Restart::Temporary {
                self.close_child(j, ExitReason::Shutdown).await;
            }
        }
        let keys: Vec<u64> = keys
            .into_iter()
            .filter(|&k| self.index_of(k).is_some())
            .collect();
        let Some((delay, attempt)) = backoff else {
            return self.restart_keys(ctx, &keys).await;
        };
        let mut due = Vec::with_capacity(keys.len());
        for &k in &keys {
            if let Some(j) = self.index_of(k) {
                let c = &mut self.children[j];
                c.generation += 1;
                due.push((k, c.generation));
            }
        }
        self.publish(Some(&id), EventKind::Backoff { delay, attempt });
        ctx.tell_after(delay, SupervisorMsg(Msg::RestartDue(due)))
            .detach();
        None
    }

    /// A backoff timer fired.
    pub(crate) async fn restart_due(&mut self, ctx: &mut Context<Self>, due: Vec<(u64, u64)>) {
        let keys: Vec<u64> = due
            .into_iter()
            .filter(|&(k, generation)| {
                self.index_of(k).is_some_and(|j| {
                    let c = &self.children[j];
                    c.generation == generation && c.state == State::Waiting
                })
            })
            .map(|(k, _)| k)
            .collect();
        if let Some((key, reason)) = self.restart_keys(ctx, &keys).await {
            self.child_exited(ctx, key, reason).await;
        }
    }

    /// Restarts the waiting children `keys` in start order; the first that
    /// fails to start is handed back as a new exit.
    async fn restart_keys(
        &mut self,
        ctx: &mut Context<Self>,
        keys: &[u64],
    ) -> Option<(u64, ExitReason)> {
        for &k in keys {
            let Some(j) = self.index_of(k) else { continue };
            if self.children[j].state != State::Waiting {
                continue;
            }
            match self.restart_one(j).await {
                Outcome::Started => {}
                Outcome::Failed(reason) => return Some((k, reason)),
                Outcome::ShardDown => {
                    self.shard_down(ctx);
                    return None;
                }
            }
        }
        None
    }

    async fn restart_one(&mut self, j: usize) -> Outcome {
        let h = self.children[j].handle.clone();
        let shard = self.children[j].shard;
        if h.restart().is_err() {
            return Outcome::ShardDown;
        }
        // Exits of earlier incarnations drained in the batch being handled
        // will not come through the queue: skip only those still to come.
        let drained = self.take_drained_exits(h.actor_id());
        let mut skip = self.children[j].skip_stops.saturating_sub(drained);
        let outcome = self.await_start(h.actor_id(), shard, &mut skip).await;
        self.children[j].skip_stops = skip;
        if !matches!(outcome, Outcome::Started) {
            return outcome;
        }
        let c = &mut self.children[j];
        c.state = State::Running;
        c.backoff.started(Instant::now());
        let id = c.spec.id().to_owned();
        self.publish(
            Some(&id),
            EventKind::Restarted {
                actor: h.actor_id(),
            },
        );
        Outcome::Started
    }

    /// Ends child `j`'s incarnation (if it runs) within its shutdown; the
    /// child then waits for a restart.
    pub(crate) async fn stop_incarnation(&mut self, j: usize) {
        if self.children[j].state != State::Running {
            return;
        }
        let drained = self.take_drained_exits(self.children[j].handle.actor_id());
        let c = &mut self.children[j];
        // Its exit notice is yet to come, unless it was drained already (it
        // exited on its own in the batch being handled): then it is read.
        c.skip_stops = if drained > c.skip_stops {
            0
        } else {
            c.skip_stops - drained + 1
        };
        c.state = State::Waiting;
        let (h, shutdown) = (c.handle.clone(), c.spec.shutdown());
        terminate(&h, shutdown).await;
    }

    /// Ends child `j` for good: temporary children are removed, others kept
    /// as terminated.
    pub(crate) async fn close_child(&mut self, j: usize, reason: ExitReason) {
        self.stop_incarnation(j).await;
        let c = &mut self.children[j];
        c.state = State::Terminated;
        c.generation += 1;
        c.handle.close(reason);
        self.cfg.shared.unregister(c.spec.id());
        // `close` runs on the child's shard: wait until it is done.
        let _ = c.handle.wait_stopped().await;
        let c = &mut self.children[j];
        let (shard, actor) = (c.shard, c.handle.actor_id());
        if c.spec.restart() == Restart::Temporary {
            self.children.remove(j);
        }
        if let Some(Some(relay)) = self.relays.get(shard) {
            let _ = relay.tell(crate::relay::RelayMsg::Forget(actor)).await;
        }
    }

    /// Stops every child in reverse start order, each within its shutdown.
    pub(crate) async fn shutdown_children(&mut self) {
        self.done = true;
        while let Some(c) = self.children.last() {
            if c.state == State::Running {
                let _ = terminate(&c.handle, c.spec.shutdown()).await;
            }
            let c = self.children.pop().expect("a last child");
            c.handle.close(ExitReason::Shutdown);
            self.cfg.shared.unregister(c.spec.id());
            let _ = c.handle.wait_stopped().await;
        }
    }

    /// The restart intensity was exceeded (`why` says how): stop
    /// everything, then fail.
    async fn escalate(&mut self, ctx: &mut Context<Self>, reason: ExitReason, why: &str) {
        self.shutdown_children().await;
        self.publish(
            None,
            EventKind::Escalated {
                reason: reason.clone(),
            },
        );
        ctx.stop_with(ExitReason::Error(format!(
            "supervisor `{}` exceeded its restart intensity ({why}); last exit: {reason}",
            self.cfg.shared.name,
        )));
    }
}
