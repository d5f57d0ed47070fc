//! The tokio bridge (feature `tokio`): futures of tokio-based libraries
//! (database drivers, gRPC, HTTP clients, cloud SDKs) run on a small tokio
//! runtime that the Pinion runtime owns, and their results come back to the
//! awaiting shard through its waker, so the shard never blocks on them.
//!
//! Life of the bridge, in order:
//!
//! 1. Nothing runs until the first [`Context::spawn_tokio`] or
//!    [`Handle::spawn_tokio`]. That call builds a multi-thread tokio runtime
//!    with [`RuntimeConfig::tokio_threads`](crate::config::RuntimeConfig)
//!    workers named `{thread_name}-tokio-N`, with every tokio driver that the
//!    build compiles in (I/O, time) enabled.
//! 2. Each spawn is one tokio task. The caller gets a [`TokioTask`] around its
//!    `JoinHandle`: awaiting it on a shard parks only that actor; the task's
//!    completion wakes it from the tokio thread. Dropping it aborts the task.
//! 3. [`Runtime::shutdown`](crate::Runtime::shutdown) closes the bridge after
//!    every shard has stopped (so `on_stop` may still use it): spawns from
//!    then on resolve to [`TokioError::RuntimeGone`]; the tokio runtime drops
//!    its tasks (a `TokioTask` still awaited resolves to
//!    [`TokioError::Cancelled`]) and its threads are joined within the
//!    runtime's `shutdown_timeout`. Called from inside a tokio runtime, where
//!    tokio forbids blocking, it shuts down in the background instead.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use parking_lot::Mutex;
use tokio::task::JoinHandle;

use crate::actor::Actor;
use crate::actor::context::Context;
use crate::config::RuntimeConfig;
use crate::runtime::Handle;
use crate::util::panic_text;

/// Why a future handed to the tokio bridge produced no output.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokioError {
    /// The future panicked on the tokio thread; the panic's text.
    #[error("tokio task panicked: {0}")]
    Panicked(String),
    /// The tokio runtime shut down (with the Pinion runtime) before the
    /// future finished.
    #[error("tokio task cancelled: the runtime shut down before it finished")]
    Cancelled,
    /// The Pinion runtime had shut down: the future was never started.
    #[error("the runtime has shut down; the tokio task was not started")]
    RuntimeGone,
    /// The tokio runtime could not be started (its threads could not be
    /// spawned); the error's text.
    #[error("the tokio runtime could not start: {0}")]
    Start(String),
}

/// Resolves to the output of a future running on the runtime's tokio
/// threads. Dropping it aborts the tokio task (at its next await point).
#[must_use = "dropping a TokioTask cancels the tokio task"]
pub struct TokioTask<R> {
    state: State<R>,
}

enum State<R> {
    Running(JoinHandle<R>),
    /// Refused before it started; reported on the first poll.
    Refused(TokioError),
    Done,
}

impl<R> fmt::Debug for TokioTask<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Running(_) => "running",
            State::Refused(_) => "refused",
            State::Done => "done",
        };
        f.debug_struct("TokioTask").field("state", &state).finish()
    }
}

impl<R> Future for TokioTask<R> {
    type Output = Result<R, TokioError>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let out = match &mut this.state {
            State::Running(join) => match Pin::new(join).poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(value)) => Ok(value),
                Poll::Ready(Err(e)) if e.is_panic() => {
                    Err(TokioError::Panicked(panic_text(&*e.into_panic())))
                }
                Poll::Ready(Err(_)) => Err(TokioError::Cancelled),
            },
            State::Refused(e) => Err(e.clone()),
            // Polled again after it resolved: there is nothing left to give.
            State::Done => Err(TokioError::Cancelled),
        };
        this.state = State::Done;
        Poll::Ready(out)
    }
}

impl<R> Drop for TokioTask<R> {
    fn drop(&mut self) {
        if let State::Running(join) = &self.state {
            join.abort();
        }
    }
}

enum Owner {
    Idle,
    Running(tokio::runtime::Runtime),
    Closed,
}

/// The lazily started tokio runtime one Pinion runtime owns.
pub(crate) struct TokioBridge {
    /// Set once the runtime runs: the fast path of every spawn.
    handle: OnceLock<tokio::runtime::Handle>,
    owner: Mutex<Owner>,
    closed: AtomicBool,
}

impl fmt::Debug for TokioBridge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokioBridge")
            .field("started", &self.handle.get().is_some())
            .field("closed", &self.closed.load(Ordering::Relaxed))
            .finish()
    }
}

impl TokioBridge {
    pub(crate) fn new() -> Self {
        TokioBridge {
            handle: OnceLock::new(),
            owner: Mutex::new(Owner::Idle),
            closed: AtomicBool::new(false),
        }
    }

    /// The tokio runtime's handle, starting it on first use.
    fn handle(&self, config: &RuntimeConfig) -> Result<&tokio::runtime::Handle, TokioError> {
        if self.closed.load(Ordering::Acquire) {
            return Err(TokioError::RuntimeGone);
        }
        if let Some(h) = self.handle.get() {
            return Ok(h);
        }
        let mut owner = self.owner.lock();
        match &*owner {
            Owner::Closed => return Err(TokioError::RuntimeGone),
            Owner::Running(_) => {}
            Owner::Idle => {
                let rt = build(config).map_err(|e| TokioError::Start(e.to_string()))?;
                let _ = self.handle.set(rt.handle().clone());
                *owner = Owner::Running(rt);
                tracing::debug!(
                    threads = config.tokio_threads.max(1),
                    "tokio bridge started"
                );
            }
        }
        Ok(self.handle.get().expect("set when the runtime started"))
    }

    /// Spawns `fut` as a tokio task.
    pub(crate) fn spawn<F>(&self, config: &RuntimeConfig, fut: F) -> TokioTask<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let state = match self.handle(config) {
            Ok(h) => State::Running(h.spawn(fut)),
            Err(e) => State::Refused(e),
        };
        TokioTask { state }
    }

    /// Refuses new tasks, drops the running ones and joins the threads
    /// within `limit` (see the module docs).
    pub(crate) fn shutdown(&self, limit: Duration) {
        self.closed.store(true, Ordering::Release);
        let owner = std::mem::replace(&mut *self.owner.lock(), Owner::Closed);
        if let Owner::Running(rt) = owner {
            if tokio::runtime::Handle::try_current().is_ok() {
                rt.shutdown_background();
            } else {
                rt.shutdown_timeout(limit);
            }
            tracing::debug!("tokio bridge stopped");
        }
    }
}

impl Drop for TokioBridge {
    fn drop(&mut self) {
        // Only when the Pinion runtime was leaked without shutting down;
        // this may run on any thread, so never block here.
        if let Owner::Running(rt) = std::mem::replace(self.owner.get_mut(), Owner::Closed) {
            rt.shutdown_background();
        }
    }
}

fn build(config: &RuntimeConfig) -> std::io::Result<tokio::runtime::Runtime> {
    let name = config.thread_name.clone();
    let next = AtomicUsize::new(0);
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(config.tokio_threads.max(1))
        .thread_name_fn(move || format!("{name}-tokio-{}", next.fetch_add(1, Ordering::Relaxed)))
        .enable_all()
        .build()
}

impl<A: Actor> Context<A> {
    /// Runs `fut` on the runtime's tokio threads (feature `tokio`) and
    /// returns a future this actor awaits on its own shard: the shard keeps
    /// running other actors meanwhile. Use it to call tokio-based libraries.
    ///
    /// Dropping the returned [`TokioTask`] aborts the tokio task; a panic in
    /// `fut` comes back as [`TokioError::Panicked`]. The tokio runtime starts
    /// on the first call and stops with the Pinion runtime (see
    /// [`TokioError`] for what a caller sees then).
    ///
    /// ```
    /// use actor_core::prelude::*;
    ///
    /// struct Caller;
    ///
    /// impl Actor for Caller {
    ///     type Msg = ReplyTo<String>;
    ///
    ///     async fn handle(&mut self, reply: ReplyTo<String>, ctx: &mut Context<Self>) {
    ///         // Any tokio-based client call goes here.
    ///         let task = ctx.spawn_tokio(async { tokio::runtime::Handle::current().runtime_flavor() });
    ///         let flavor = task.await.expect("no panic, runtime up");
    ///         reply.send(format!("{flavor:?}"));
    ///     }
    /// }
    ///
    /// let rt = Runtime::builder().shards(1).build()?;
    /// let caller = rt.spawn_on(0, || Caller)?;
    /// assert_eq!(caller.ask_blocking(|r| r)?, "MultiThread");
    /// rt.shutdown()?;
    /// # Ok::<(), actor_core::Error>(())
    /// ```
    pub fn spawn_tokio<F>(&self, fut: F) -> TokioTask<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let rt = self.local.runtime();
        rt.tokio.spawn(&rt.config, fut)
    }
}

impl Handle {
    /// Runs `fut` on the runtime's tokio threads (feature `tokio`), from any
    /// thread; as [`Context::spawn_tokio`].
    pub fn spawn_tokio<F>(&self, fut: F) -> TokioTask<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.inner.tokio.spawn(&self.inner.config, fut)
    }

    /// The handle of the runtime's tokio runtime (feature `tokio`), starting
    /// it if it has not started: for libraries that must be set up inside a
    /// tokio context (`let _guard = handle.enter();`). Tasks spawned through
    /// it directly are not tied to any [`TokioTask`]; they end when the
    /// Pinion runtime shuts down.
    pub fn tokio_handle(&self) -> Result<tokio::runtime::Handle, TokioError> {
        self.inner.tokio.handle(&self.inner.config).cloned()
    }
}
