//! Building blocks for supervisors: actors whose failures end only their
//! current *incarnation*.
//!
//! A supervised actor keeps its mailbox and its [`ActorRef`] across
//! restarts. When an incarnation ends (stop, panic, kill, failed start), the
//! mailbox stays open — messages queue — and watchers (its supervisor monitors
//! it) get a [`Notice`](crate::Notice) with the reason. The supervisor then
//! either [`restart`](ActorRef::restart)s it, running the factory again on the
//! same shard, or [`close`](ActorRef::close)s it for good, turning what is
//! queued into dead letters. The message being handled when a handler
//! panicked goes to dead letters; nothing else is lost.
//!
//! On a shard that is shutting down, a supervised actor stops for good like
//! any other.
//!
//! ```
//! use std::sync::Arc;
//! use actor_core::prelude::*;
//! use actor_core::supervision::{Factory, spawn_supervised};
//!
//! struct Flaky;
//! impl Actor for Flaky {
//!     type Msg = (bool, ReplyTo<&'static str>);
//!     async fn handle(&mut self, (fail, reply): Self::Msg, _: &mut Context<Self>) {
//!         if fail {
//!             panic!("asked to fail");
//!         }
//!         reply.send("ok");
//!     }
//! }
//!
//! let rt = Runtime::builder().shards(1).build()?;
//! let factory: Factory<Flaky> = Arc::new(|| Flaky);
//! let child = spawn_supervised(rt.handle(), 0, None, factory.clone())?;
//! assert_eq!(child.ask_blocking(|r| (true, r)), Err(AskError::ActorFailed));
//! assert!(child.is_alive() && !child.is_running());
//! child.restart(factory)?;
//! assert_eq!(child.ask_blocking(|r| (false, r))?, "ok");
//! rt.shutdown()?;
//! # Ok::<(), actor_core::Error>(())
//! ```

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll};

use crate::actor::cell::{ActorCell, ActorEntry};
use crate::runtime::Handle;
use crate::runtime::spawn::{SpawnError, spawn_cell, start};
use crate::shard::local::ShardLocal;
use crate::shard::registry::Resident;
use crate::shard::shared::Remote;
use crate::util::panic_text;
use crate::{Actor, ActorRef, ExitReason};

/// A factory that builds an actor again for each incarnation.
pub type Factory<A> = Arc<dyn Fn() -> A + Send + Sync>;

/// Restarting or closing a supervised actor failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RestartError {
    /// The actor is not supervised.
    #[error("actor is not supervised")]
    NotSupervised,
    /// Its shard has stopped; the actor was closed.
    #[error("the actor's shard has stopped")]
    ShardStopped,
}

/// Spawns a supervised actor on `shard`, built by `factory` now and again at
/// every restart.
pub fn spawn_supervised<A: Actor>(
    handle: &Handle,
    shard: usize,
    mailbox: Option<usize>,
    factory: Factory<A>,
) -> Result<ActorRef<A>, SpawnError> {
    spawn_cell(&handle.inner, shard, mailbox, true, None, move || factory())
}

/// Like [`spawn_supervised`], with `watcher` monitoring the new actor from
/// before its factory first runs, as
/// [`Context::monitor`](crate::Context::monitor) would: it gets the
/// `Started` notice and every incarnation's exit. On the caller's own shard
/// the first start runs before this returns, so a factory that panics there
/// is heard only by a watcher registered this way.
pub fn spawn_supervised_monitored<A: Actor, W: Actor>(
    handle: &Handle,
    shard: usize,
    mailbox: Option<usize>,
    factory: Factory<A>,
    watcher: &ActorRef<W>,
) -> Result<ActorRef<A>, SpawnError> {
    let sink: Arc<dyn ActorEntry> = watcher.cell.clone();
    spawn_cell(&handle.inner, shard, mailbox, true, Some(sink), move || {
        factory()
    })
}

impl<A: Actor> ActorRef<A> {
    /// `true` while an incarnation runs; `false` while a supervised actor
    /// waits for its supervisor, and after it stopped for good.
    pub fn is_running(&self) -> bool {
        self.cell.is_running()
    }

    /// Resolves with the reason once the current incarnation has ended.
    pub fn wait_exit(&self) -> WaitExit<A> {
        WaitExit {
            cell: self.cell.clone(),
        }
    }

    /// Runs a new incarnation of an exited supervised actor on its shard,
    /// with the same mailbox and handle. Does nothing if it is running.
    pub fn restart(&self, factory: Factory<A>) -> Result<(), RestartError> {
        if !self.cell.supervised {
            return Err(RestartError::NotSupervised);
        }
        let cell = self.cell.clone();
        let job = move |local: &Rc<ShardLocal>| {
            if !cell.begin_restart() {
                return;
            }
            start(local, cell, move || factory());
        };
        self.on_shard(job).map_err(|()| RestartError::ShardStopped)
    }

    /// Ends a supervised actor for good: a running incarnation is killed,
    /// the mailbox closes, and queued messages become dead letters.
    pub fn close(&self, reason: ExitReason) {
        let cell = self.cell.clone();
        let job = move |local: &Rc<ShardLocal>| {
            if cell.is_running() {
                Resident::kill(&*cell);
            }
            cell.finish(&local.shared, reason, false);
        };
        if self.on_shard(job).is_err() {
            self.cell
                .finish(self.cell.shard(), ExitReason::Shutdown, false);
        }
    }

    fn on_shard(&self, job: impl FnOnce(&Rc<ShardLocal>) + Send + 'static) -> Result<(), ()> {
        let shard = self.cell.shard().clone();
        let here = crate::shard::local::with_current(|l| {
            l.filter(|l| Arc::ptr_eq(&l.shared, &shard)).cloned()
        });
        match here {
            Some(local) => {
                if let Err(p) =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&local)))
                {
                    tracing::error!(panic = %panic_text(&*p), "supervision job panicked");
                }
                Ok(())
            }
            None => {
                crate::shard::local::send_to_shard(&shard, Remote::Run(Box::new(job))).map_err(drop)
            }
        }
    }
}

/// The future of [`ActorRef::wait_exit`].
#[must_use = "futures do nothing unless awaited"]
pub struct WaitExit<A: Actor> {
    cell: Arc<ActorCell<A>>,
}

impl<A: Actor> std::fmt::Debug for WaitExit<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaitExit")
            .field("id", &self.cell.id)
            .finish()
    }
}

impl<A: Actor> Future for WaitExit<A> {
    type Output = ExitReason;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<ExitReason> {
        match self.cell.poll_incarnation_exit(cx.waker()) {
            Some(r) => Poll::Ready(r),
            None => Poll::Pending,
        }
    }
}
