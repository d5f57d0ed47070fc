//! A mailbox's pending stop request, in two words: every mailbox carries
//! one, and the reasons almost every stop gives need no allocation.

use crate::lifecycle::ExitReason;

/// The first stop request not yet taken by the actor.
#[derive(Debug, Default)]
pub(super) enum StopRequest {
    #[default]
    None,
    Normal,
    Shutdown,
    /// Any other reason, boxed (rare: links and user reasons).
    Other(Box<ExitReason>),
}

impl StopRequest {
    /// Records `reason` unless a request is already pending: the first wins.
    pub(super) fn request(&mut self, reason: ExitReason) {
        if matches!(self, StopRequest::None) {
            *self = match reason {
                ExitReason::Normal => StopRequest::Normal,
                ExitReason::Shutdown => StopRequest::Shutdown,
                other => StopRequest::Other(Box::new(other)),
            };
        }
    }

    /// Takes the pending request's reason, leaving none.
    pub(super) fn take(&mut self) -> Option<ExitReason> {
        match std::mem::take(self) {
            StopRequest::None => None,
            StopRequest::Normal => Some(ExitReason::Normal),
            StopRequest::Shutdown => Some(ExitReason::Shutdown),
            StopRequest::Other(reason) => Some(*reason),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_request_wins_and_every_reason_comes_back_whole() {
        for reason in [
            ExitReason::Normal,
            ExitReason::Shutdown,
            ExitReason::Killed,
            ExitReason::Error("boom".into()),
        ] {
            let mut stop = StopRequest::default();
            assert_eq!(stop.take(), None);
            stop.request(reason.clone());
            stop.request(ExitReason::Error("later".into()));
            assert_eq!(stop.take(), Some(reason));
            assert_eq!(stop.take(), None, "taken once");
        }
        assert!(std::mem::size_of::<StopRequest>() <= 16);
    }
}
