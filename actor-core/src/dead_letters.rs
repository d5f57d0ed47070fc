//! The dead-letter queue: messages that could not be delivered, with why.
//!
//! Payloads are not kept (they may hold reply handles whose askers must hear
//! back at once); each record names the recipient, the message type and the
//! reason. The most recent records are kept for inspection, and every one is
//! counted.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::Mutex;

use crate::lifecycle::ActorId;

/// How many recent dead letters are kept for inspection.
const KEEP: usize = 1024;

/// Why a message became a dead letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum DeadLetterReason {
    /// Sent to an actor that had already stopped.
    MailboxClosed,
    /// Still queued when its actor stopped.
    ActorStopped,
    /// Being handled when the handler panicked.
    HandlerPanicked,
}

/// One undeliverable message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    /// The actor it was for.
    pub recipient: ActorId,
    /// That actor's name.
    pub recipient_name: &'static str,
    /// The message's type.
    pub message_type: &'static str,
    /// Why it was not delivered.
    pub reason: DeadLetterReason,
}

/// The runtime's dead-letter queue.
#[derive(Debug, Default)]
pub struct DeadLetters {
    total: AtomicU64,
    recent: Mutex<VecDeque<DeadLetter>>,
}

impl DeadLetters {
    /// Records `count` letters alike (a mailbox drained at stop).
    pub(crate) fn record_many(&self, letter: DeadLetter, count: usize) {
        if count == 0 {
            return;
        }
        self.total.fetch_add(count as u64, Ordering::Relaxed);
        tracing::debug!(
            recipient = %letter.recipient,
            name = letter.recipient_name,
            reason = ?letter.reason,
            count,
            "dead letter"
        );
        let mut recent = self.recent.lock();
        for _ in 0..count.min(KEEP) {
            if recent.len() == KEEP {
                recent.pop_front();
            }
            recent.push_back(letter.clone());
        }
    }

    /// Dead letters recorded since the runtime started.
    pub fn count(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    /// A copy of the most recent records (up to 1024), oldest first.
    pub fn recent(&self) -> Vec<DeadLetter> {
        self.recent.lock().iter().cloned().collect()
    }

    /// Takes the recent records, leaving the list empty (the count stays).
    pub fn take(&self) -> Vec<DeadLetter> {
        self.recent.lock().drain(..).collect()
    }
}
