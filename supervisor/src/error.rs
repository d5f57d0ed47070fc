//! Errors: one enum per operation family.

use actor_core::{ExitReason, SpawnError};

/// Starting a supervision tree failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The supervisor could not be spawned.
    #[error(transparent)]
    Spawn(#[from] SpawnError),
    /// A child failed to start; the tree started none (those already started
    /// were stopped in reverse order).
    #[error("child `{child}` failed to start: {reason}")]
    ChildFailed {
        /// The child's id.
        child: String,
        /// Why it failed.
        reason: ExitReason,
    },
    /// Two children share this id.
    #[error("two children share the id `{0}`")]
    DuplicateId(String),
    /// The supervisor stopped before it was ready.
    #[error("supervisor stopped while starting: {0}")]
    Stopped(ExitReason),
}

/// A child lookup or a dynamic-children operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChildError {
    /// No child has this id.
    #[error("no child `{0}`")]
    NotFound(String),
    /// The child is not of the requested actor type.
    #[error("child `{child}` is not a `{expected}`")]
    WrongType {
        /// The child's id.
        child: String,
        /// The type asked for.
        expected: &'static str,
    },
    /// A child with this id already exists.
    #[error("a child `{0}` already exists")]
    AlreadyPresent(String),
    /// The operation needs a terminated child, and this one runs.
    #[error("child `{0}` is running")]
    Running(String),
    /// The child failed to start.
    #[error("child `{child}` failed to start: {reason}")]
    StartFailed {
        /// The child's id.
        child: String,
        /// Why it failed.
        reason: ExitReason,
    },
    /// The child could not be spawned.
    #[error(transparent)]
    Spawn(#[from] SpawnError),
    /// The supervisor has stopped.
    #[error("the supervisor has stopped")]
    SupervisorDown,
    /// A blocking call was made on a shard thread; use the async variant.
    #[error("blocking call on a shard thread; use the async variant")]
    WouldBlock,
}

impl From<StartError> for actor_core::Error {
    fn from(e: StartError) -> Self {
        actor_core::Error::Other(e.to_string())
    }
}

impl From<ChildError> for actor_core::Error {
    fn from(e: ChildError) -> Self {
        actor_core::Error::Other(e.to_string())
    }
}

pub(crate) fn ask_failed(e: actor_core::AskError) -> ChildError {
    match e {
        actor_core::AskError::WouldBlock => ChildError::WouldBlock,
        _ => ChildError::SupervisorDown,
    }
}
