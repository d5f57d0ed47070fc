//! Error types: one per operation family, each `#[non_exhaustive]` where it
//! may grow, and all convertible into the umbrella [`Error`].
//!
//! Send errors hand the message back, so nothing is lost silently.

use std::fmt;

/// A send failed; the message comes back inside.
#[derive(PartialEq, Eq, Clone, Copy)]
#[non_exhaustive]
pub enum SendError<M> {
    /// The mailbox is at capacity (only from `try_tell` and the generated
    /// `try_*` tells, which never wait).
    Full(M),
    /// The actor has stopped for good; its mailbox is closed.
    Closed(M),
    /// A blocking send (`tell_blocking`, a generated `*_blocking` tell) was
    /// made on a shard thread, which must never block; use the async `tell`
    /// or `try_tell` there.
    WouldBlock(M),
}

impl<M> SendError<M> {
    /// Takes the message back.
    pub fn into_inner(self) -> M {
        match self {
            SendError::Full(m) | SendError::Closed(m) | SendError::WouldBlock(m) => m,
        }
    }

    /// `true` for [`SendError::Full`].
    pub fn is_full(&self) -> bool {
        matches!(self, SendError::Full(_))
    }

    /// `true` for [`SendError::Closed`].
    pub fn is_closed(&self) -> bool {
        matches!(self, SendError::Closed(_))
    }

    /// `true` for [`SendError::WouldBlock`].
    pub fn is_would_block(&self) -> bool {
        matches!(self, SendError::WouldBlock(_))
    }

    /// The same error around another message (for wrappers that hand back
    /// what their caller sent).
    pub fn map<N>(self, f: impl FnOnce(M) -> N) -> SendError<N> {
        match self {
            SendError::Full(m) => SendError::Full(f(m)),
            SendError::Closed(m) => SendError::Closed(f(m)),
            SendError::WouldBlock(m) => SendError::WouldBlock(f(m)),
        }
    }
}

impl<M> fmt::Debug for SendError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::Full(_) => f.write_str("Full(..)"),
            SendError::Closed(_) => f.write_str("Closed(..)"),
            SendError::WouldBlock(_) => f.write_str("WouldBlock(..)"),
        }
    }
}

impl<M> fmt::Display for SendError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::Full(_) => f.write_str("mailbox full"),
            SendError::Closed(_) => f.write_str("actor stopped: mailbox closed"),
            SendError::WouldBlock(_) => {
                f.write_str("blocking send on a shard thread; use `tell(..).await` or `try_tell`")
            }
        }
    }
}

impl<M> std::error::Error for SendError<M> {}

/// A blocking wait (`ActorRef::wait_stopped_blocking`, a supervisor's
/// `shutdown_blocking`) ended without the outcome it waited for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WaitError {
    /// The time limit passed first.
    #[error("gave up waiting: the time limit passed")]
    Timeout,
    /// Called on a shard thread, which must never block; await the async
    /// variant there.
    #[error("blocking wait on a shard thread; use the async variant")]
    WouldBlock,
}

/// An `ask` did not produce a reply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AskError {
    /// The actor had stopped, or stopped before handling the request.
    #[error("actor stopped before replying")]
    Closed,
    /// The mailbox was full (only from `try_` variants).
    #[error("mailbox full")]
    Full,
    /// The handler panicked while handling the request.
    #[error("actor failed while handling the request")]
    ActorFailed,
    /// The handler dropped the reply handle without answering.
    #[error("handler dropped the reply without answering")]
    NoReply,
    /// No reply came before the deadline.
    #[error("no reply before the deadline")]
    Timeout,
    /// A blocking call was made on a shard thread, where it could deadlock the
    /// shard; use the async variant there.
    #[error("blocking call on a shard thread; use the async variant")]
    WouldBlock,
}

/// Spawning an actor or task failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SpawnError {
    /// The runtime is shutting down and takes no new actors.
    #[error("runtime is shutting down")]
    ShuttingDown,
    /// The shard index is out of range.
    #[error("no shard {shard}: the runtime has {shards} shards")]
    NoSuchShard {
        /// The requested shard.
        shard: usize,
        /// How many shards there are.
        shards: usize,
    },
}

/// One actor that did not stop within its timeout during shutdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Straggler {
    /// The actor's id.
    pub id: crate::ActorId,
    /// The actor's name.
    pub name: &'static str,
    /// The shard it ran on.
    pub shard: usize,
}

impl fmt::Display for Straggler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}) on shard {}", self.name, self.id, self.shard)
    }
}

/// Shutdown finished, but not cleanly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ShutdownError {
    /// These actors ignored stop past their timeout and were killed.
    #[error("actors ignored stop and were killed: {}", list(.0))]
    Stragglers(Vec<Straggler>),
    /// These shard threads did not finish (a handler blocked the thread) and
    /// were left detached.
    #[error("shards did not finish and were detached: {0:?}")]
    ShardsStuck(Vec<usize>),
}

fn list(s: &[Straggler]) -> String {
    s.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Starting the runtime failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The forced reactor driver is not available on this host.
    #[error("reactor driver {driver} unavailable: {source}")]
    DriverUnavailable {
        /// The driver that was asked for.
        driver: &'static str,
        /// Why the kernel refused it.
        source: std::io::Error,
    },
    /// `PINION_DRIVER` holds something other than `uring` or `epoll`.
    #[error("PINION_DRIVER must be `uring` or `epoll`, not {0:?}")]
    BadDriverVariable(String),
    /// A shard or blocking thread could not be started.
    #[error("could not start thread: {0}")]
    Thread(#[source] std::io::Error),
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
}

/// The umbrella error: every error of the crate converts into it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// See [`StartError`].
    #[error(transparent)]
    Start(#[from] StartError),
    /// See [`SpawnError`].
    #[error(transparent)]
    Spawn(#[from] SpawnError),
    /// See [`AskError`].
    #[error(transparent)]
    Ask(#[from] AskError),
    /// See [`ShutdownError`].
    #[error(transparent)]
    Shutdown(#[from] ShutdownError),
    /// See [`WaitError`].
    #[error(transparent)]
    Wait(#[from] WaitError),
    /// See [`RestartError`](crate::supervision::RestartError).
    #[error(transparent)]
    Restart(#[from] crate::supervision::RestartError),
    /// A send failed; the message was dropped by the conversion.
    #[error("send failed: {0}")]
    Send(&'static str),
    /// A free-form error from user code, for `?` in handlers and `main`.
    #[error("{0}")]
    Other(String),
}

impl<M> From<SendError<M>> for Error {
    fn from(e: SendError<M>) -> Self {
        match e {
            SendError::Full(_) => Error::Send("mailbox full"),
            SendError::Closed(_) => Error::Send("actor stopped"),
            SendError::WouldBlock(_) => Error::Send("blocking send on a shard thread"),
        }
    }
}
