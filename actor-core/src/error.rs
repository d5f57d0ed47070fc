//! The umbrella [`Error`]: every error of the crate converts into it, for
//! `?` in handlers and `main`.
//!
//! Each error type lives beside the operation that returns it, and is
//! re-exported at the crate root: [`SendError`] with the mailbox
//! (`mailbox/error.rs`), [`AskError`] with replies (`reply/`), [`WaitError`]
//! with `ActorRef` (`actor/actor_ref.rs`), [`SpawnError`] and
//! [`ShutdownError`] with spawning and shutdown (`runtime/`),
//! [`RestartError`] with supervision. Send errors hand the message back, so
//! nothing is lost silently; the conversion into [`Error`] drops it.

use crate::actor::actor_ref::WaitError;
use crate::mailbox::SendError;
use crate::reply::AskError;
use crate::runtime::shutdown::ShutdownError;
use crate::runtime::spawn::SpawnError;
use crate::supervision::RestartError;

pub use crate::runtime::StartError;

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
    /// See [`RestartError`].
    #[error(transparent)]
    Restart(#[from] RestartError),
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
