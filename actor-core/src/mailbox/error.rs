//! [`SendError`]: what a send into a mailbox returns when the message did
//! not go in. It hands the message back, so nothing is lost silently.

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
