//! What the layers above hook into the executor. The executor knows tasks,
//! not actors or replies; it reports what happens to a task, and the layer
//! that owns the task decides what that means (as tokio's task layer calls
//! its scheduler's hooks without naming the scheduler):
//!
//! - [`OnPanic`]: told, on the shard, when a task's poll panics. An actor's
//!   cell implements it to end the actor's incarnation.
//! - [`DropCause`]: why the executor (or an owner) is dropping values on
//!   this thread right now. A reply handle dropped unanswered reads it to
//!   tell its asker why.
//! - [`Deferred`]: work a value hands the executor while a task unwinds,
//!   run once the panic hook has run ([`flush_deferred`], after every poll).

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use crate::shard::local::ShardLocal;

/// Told once, on the shard, if the task's poll panics: the panic's text.
/// An actor's cell is its own hook, so installing one allocates nothing.
pub(crate) trait OnPanic {
    fn on_panic(&self, local: &ShardLocal, text: String);
}

/// Why values are being dropped on this thread right now.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum DropCause {
    /// Nothing in particular: a value dropped by the code that owns it.
    None,
    /// The task that owned them panicked.
    Failed,
    /// Their owner is stopping (a task dropped at shard exit, a mailbox
    /// closed with messages still queued).
    Stopped,
}

/// Work held back while a shard task unwinds (see [`defer`]).
pub(crate) trait Deferred {
    /// Runs it, once the failed task's panic hook has run.
    fn run(&self);
}

thread_local! {
    static DROP_CAUSE: Cell<DropCause> = const { Cell::new(DropCause::None) };
    /// Work handed over by values dropped while a shard task unwinds, held
    /// back until the shard has run the task's panic hook.
    static DEFERRED: RefCell<Vec<Arc<dyn Deferred>>> = const { RefCell::new(Vec::new()) };
}

/// The current drop cause of this thread.
#[inline]
pub(crate) fn drop_cause() -> DropCause {
    DROP_CAUSE.with(Cell::get)
}

/// Runs `f` with `cause` as the reason for anything it drops. The previous
/// cause comes back when `f` returns or unwinds.
pub(crate) fn with_drop_cause<R>(cause: DropCause, f: impl FnOnce() -> R) -> R {
    struct Restore(DropCause);
    impl Drop for Restore {
        fn drop(&mut self) {
            let prev = self.0;
            DROP_CAUSE.with(|c| c.set(prev));
        }
    }
    let _restore = Restore(DROP_CAUSE.with(|c| c.replace(cause)));
    f()
}

/// Holds `work` until the shard calls [`flush_deferred`] after the current
/// poll (by then a failed task's panic hook has run).
pub(crate) fn defer(work: Arc<dyn Deferred>) {
    DEFERRED.with(|d| d.borrow_mut().push(work));
}

/// Runs the work held back by [`defer`]. The shard calls it after every
/// task poll (a panic a task caught itself leaves no other trace); with
/// nothing held it is one borrow check.
#[inline]
pub(crate) fn flush_deferred() {
    let held = DEFERRED.with(|d| {
        let mut d = d.borrow_mut();
        (!d.is_empty()).then(|| std::mem::take(&mut *d))
    });
    if let Some(held) = held {
        held.into_iter().for_each(|w| w.run());
    }
}
