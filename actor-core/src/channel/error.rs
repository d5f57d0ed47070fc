//! One error type per channel operation. Send errors hand the message back.

use std::fmt;

/// Why [`try_send`](crate::channel::spsc::Producer::try_send) could not
/// enqueue a message. Either way the message is handed back.
///
/// The set of variants is closed (a bounded channel is either full or
/// disconnected), so unlike other Pinion errors this enum is not
/// `#[non_exhaustive]`: callers may match it exhaustively.
#[derive(Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum TrySendError<T> {
    /// The channel is full; try again after the receiver has made room.
    #[error("sending on a full channel")]
    Full(T),
    /// Every receiver has been dropped; the message can never be received.
    #[error("sending on a disconnected channel")]
    Disconnected(T),
}

impl<T> TrySendError<T> {
    /// Takes back the message that could not be sent.
    pub(crate) fn into_inner(self) -> T {
        match self {
            Self::Full(v) | Self::Disconnected(v) => v,
        }
    }

    /// Whether the send failed because the channel was full.
    pub(crate) fn is_full(&self) -> bool {
        matches!(self, Self::Full(_))
    }

    /// Whether the send failed because every receiver was gone.
    pub(crate) fn is_disconnected(&self) -> bool {
        matches!(self, Self::Disconnected(_))
    }
}

impl<T> fmt::Debug for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Full(_) => f.write_str("Full(..)"),
            Self::Disconnected(_) => f.write_str("Disconnected(..)"),
        }
    }
}

impl<T> From<SendError<T>> for TrySendError<T> {
    fn from(SendError(v): SendError<T>) -> Self {
        Self::Disconnected(v)
    }
}

/// A blocking send failed because every receiver was dropped; holds the
/// message that could not be delivered.
#[derive(Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("sending on a disconnected channel")]
pub(crate) struct SendError<T>(pub T);

impl<T> SendError<T> {
    /// Takes back the message that could not be sent.
    pub(crate) fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SendError(..)")
    }
}

/// Why [`try_recv`](crate::channel::spsc::Consumer::try_recv) returned no
/// message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub(crate) enum TryRecvError {
    /// Nothing is queued right now, but a sender is still alive.
    #[error("receiving on an empty channel")]
    Empty,
    /// Nothing is queued and every sender has been dropped.
    #[error("receiving on an empty and disconnected channel")]
    Disconnected,
}

impl TryRecvError {
    /// Whether the channel was merely empty.
    pub(crate) fn is_empty(&self) -> bool {
        matches!(self, Self::Empty)
    }

    /// Whether every sender was gone.
    pub(crate) fn is_disconnected(&self) -> bool {
        matches!(self, Self::Disconnected)
    }
}

/// A blocking receive failed: the channel is empty and every sender was
/// dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[error("receiving on an empty and disconnected channel")]
pub(crate) struct RecvError;

impl From<RecvError> for TryRecvError {
    fn from(RecvError: RecvError) -> Self {
        Self::Disconnected
    }
}
