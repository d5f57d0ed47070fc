//! Lifecycle events: published as `tracing` events, as named counters in
//! the runtime's metrics, and to subscribers.
//!
//! Counters (in [`Metrics::named`](actor_core::Metrics)):
//! `supervisor.child_starts`, `supervisor.child_exits`, `supervisor.restarts`,
//! `supervisor.backoffs`, `supervisor.escalations`.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use actor_core::{ActorId, ExitReason, Handle, NamedCounter};
use parking_lot::Mutex;

/// What happened in a supervision tree.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventKind {
    /// A child started for the first time (or after `restart_child`).
    Started {
        /// Its actor id.
        actor: ActorId,
    },
    /// A child's incarnation ended on its own (crash or exit), or the
    /// supervisor stopped it.
    Stopped {
        /// Why.
        reason: ExitReason,
    },
    /// A child was restarted: same mailbox, same handle.
    Restarted {
        /// Its actor id (unchanged by restarts).
        actor: ActorId,
    },
    /// A child waits out a backoff delay before its restart.
    Backoff {
        /// The delay.
        delay: Duration,
        /// Restarts counted since the last backoff reset, before this one:
        /// 0 for the first restart after a reset (the delay is then the
        /// smallest), n for the (n+1)-th in a row.
        attempt: u32,
    },
    /// The supervisor exceeded its restart intensity: it stopped all its
    /// children and fails, handing the failure to its parent.
    Escalated {
        /// The exit that was one restart too many.
        reason: ExitReason,
    },
}

/// One lifecycle event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupervisorEvent {
    /// The supervisor's name.
    pub supervisor: Arc<str>,
    /// The child concerned (`None` for events about the supervisor).
    pub child: Option<String>,
    /// What happened.
    pub kind: EventKind,
}

/// Fans events out to subscribers, and up to the parent tree's hub.
#[derive(Default)]
pub(crate) struct EventHub {
    subscribers: Mutex<Vec<Sender<SupervisorEvent>>>,
    pub(crate) parent: OnceLock<Arc<EventHub>>,
}

impl EventHub {
    pub(crate) fn subscribe(&self) -> Receiver<SupervisorEvent> {
        let (tx, rx) = channel();
        self.subscribers.lock().push(tx);
        rx
    }

    fn deliver(&self, event: &SupervisorEvent) {
        self.subscribers
            .lock()
            .retain(|s| s.send(event.clone()).is_ok());
        if let Some(p) = self.parent.get() {
            p.deliver(event);
        }
    }
}

/// The named counters of one supervisor.
pub(crate) struct Counters {
    starts: Arc<NamedCounter>,
    exits: Arc<NamedCounter>,
    restarts: Arc<NamedCounter>,
    backoffs: Arc<NamedCounter>,
    escalations: Arc<NamedCounter>,
}

impl Counters {
    pub(crate) fn new(handle: &Handle) -> Self {
        Counters {
            starts: handle.counter("supervisor.child_starts"),
            exits: handle.counter("supervisor.child_exits"),
            restarts: handle.counter("supervisor.restarts"),
            backoffs: handle.counter("supervisor.backoffs"),
            escalations: handle.counter("supervisor.escalations"),
        }
    }
}

/// Publishes one event on all three channels.
pub(crate) fn publish(
    hub: &EventHub,
    counters: &Counters,
    supervisor: &Arc<str>,
    child: Option<&str>,
    kind: EventKind,
) {
    let who = child.unwrap_or("-");
    match &kind {
        EventKind::Started { actor } => {
            counters.starts.inc();
            tracing::debug!(supervisor = %supervisor, child = who, %actor, "child started");
        }
        EventKind::Stopped { reason } => {
            counters.exits.inc();
            if reason.is_abnormal() {
                tracing::warn!(supervisor = %supervisor, child = who, %reason, "child exited");
            } else {
                tracing::debug!(supervisor = %supervisor, child = who, %reason, "child exited");
            }
        }
        EventKind::Restarted { actor } => {
            counters.restarts.inc();
            tracing::info!(supervisor = %supervisor, child = who, %actor, "child restarted");
        }
        EventKind::Backoff { delay, attempt } => {
            counters.backoffs.inc();
            tracing::info!(supervisor = %supervisor, child = who, ?delay, attempt, "child backing off");
        }
        EventKind::Escalated { reason } => {
            counters.escalations.inc();
            tracing::error!(supervisor = %supervisor, %reason, "restart intensity exceeded; escalating");
        }
    }
    hub.deliver(&SupervisorEvent {
        supervisor: supervisor.clone(),
        child: child.map(str::to_owned),
        kind,
    });
}
