//! The vocabulary of an actor's life: its [`ActorId`], why it exits
//! ([`ExitReason`]), and the notices links and monitors deliver. Plain data,
//! below the mailbox, whose signal lane carries stop reasons and notices.

use std::fmt;

/// A unique actor id: the shard that owns it, and a sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ActorId(u64);

impl ActorId {
    pub(crate) fn new(shard: usize, seq: u64) -> Self {
        ActorId(((shard as u64) << 48) | (seq & ((1 << 48) - 1)))
    }

    /// The shard the actor lives on, for its whole life.
    pub fn shard(self) -> usize {
        (self.0 >> 48) as usize
    }

    /// The raw 64-bit value: the shard in the top 16 bits.
    pub fn as_u64(self) -> u64 {
        self.0
    }
}

impl fmt::Display for ActorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}.{}", self.shard(), self.0 & ((1 << 48) - 1))
    }
}

/// Why an actor stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExitReason {
    /// It stopped itself, or was asked to stop.
    Normal,
    /// The runtime or its supervisor shut it down.
    Shutdown,
    /// It was killed: no `on_stop`, no further messages.
    Killed,
    /// A handler panicked; the panic's text.
    Panicked(String),
    /// `on_start` returned an error; its text.
    StartFailed(String),
    /// A linked actor exited abnormally, and this one followed it.
    Linked {
        /// The linked actor.
        id: ActorId,
        /// Why it exited.
        reason: Box<ExitReason>,
    },
    /// A user-supplied reason.
    Error(String),
}

impl ExitReason {
    /// `Normal` and `Shutdown` are normal exits; everything else is abnormal
    /// and propagates over links.
    pub fn is_abnormal(&self) -> bool {
        !matches!(self, ExitReason::Normal | ExitReason::Shutdown)
    }
}

impl std::fmt::Display for ExitReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExitReason::Normal => f.write_str("normal"),
            ExitReason::Shutdown => f.write_str("shutdown"),
            ExitReason::Killed => f.write_str("killed"),
            ExitReason::Panicked(t) => write!(f, "panicked: {t}"),
            ExitReason::StartFailed(t) => write!(f, "start failed: {t}"),
            ExitReason::Linked { id, reason } => write!(f, "linked actor {id} exited: {reason}"),
            ExitReason::Error(t) => write!(f, "error: {t}"),
        }
    }
}

/// What happened to a watched actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LifecycleEvent {
    /// It finished `on_start` and takes messages.
    Started,
    /// It stopped for good, with this reason (a panic's text is in
    /// [`ExitReason::Panicked`]).
    Stopped(ExitReason),
}

/// How the notice reached the watcher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeVia {
    /// A bidirectional link: abnormal exits propagate by default.
    Link,
    /// A one-way monitor: a notice only.
    Monitor,
}

/// A lifecycle notice about another actor, delivered on the signal lane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The actor it concerns.
    pub id: ActorId,
    /// That actor's name.
    pub name: &'static str,
    /// What happened.
    pub event: LifecycleEvent,
    /// Link or monitor.
    pub via: NoticeVia,
}
