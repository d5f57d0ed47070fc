//! The blocking pool: a few threads, fed through a crossbeam-deque injector
//! with work stealing, for CPU-heavy or blocking jobs that must never run on
//! a shard.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::thread::JoinHandle;

use crossbeam_deque::{Injector, Steal, Stealer, Worker};
use parking_lot::{Condvar, Mutex};

use crate::reply::{AskError, Reply, reply_pair};
use crate::util::panic_text;

type Job = Box<dyn FnOnce() + Send>;

/// A blocking job failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BlockingError {
    /// The job panicked; the panic's text.
    #[error("blocking job panicked: {0}")]
    Panicked(String),
    /// The pool shut down before the job ran.
    #[error("blocking pool shut down before the job ran")]
    Cancelled,
}

/// Resolves to the blocking job's result.
#[must_use = "futures do nothing unless awaited"]
#[derive(Debug)]
pub struct BlockingHandle<R: 'static> {
    reply: Reply<Result<R, BlockingError>>,
}

impl<R: 'static> Future for BlockingHandle<R> {
    type Output = Result<R, BlockingError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.reply).poll(cx).map(|r| match r {
            Ok(r) => r,
            Err(AskError::ActorFailed) => Err(BlockingError::Panicked("job panicked".into())),
            Err(_) => Err(BlockingError::Cancelled),
        })
    }
}

struct Shared {
    injector: Injector<Job>,
    stealers: Mutex<Vec<Stealer<Job>>>,
    idle: Mutex<usize>,
    wake: Condvar,
    closed: AtomicBool,
}

/// The pool.
pub(crate) struct BlockingPool {
    shared: Arc<Shared>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl std::fmt::Debug for BlockingPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockingPool").finish_non_exhaustive()
    }
}

impl BlockingPool {
    pub(crate) fn new(threads: usize, name: &str) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            injector: Injector::new(),
            stealers: Mutex::new(Vec::new()),
            idle: Mutex::new(0),
            wake: Condvar::new(),
            closed: AtomicBool::new(false),
        });
        let mut handles = Vec::new();
        for i in 0..threads.max(1) {
            let worker = Worker::new_fifo();
            shared.stealers.lock().push(worker.stealer());
            let s = shared.clone();
            let h = std::thread::Builder::new()
                .name(format!("{name}-blocking-{i}"))
                .spawn(move || work(&s, &worker))?;
            handles.push(h);
        }
        Ok(BlockingPool {
            shared,
            threads: Mutex::new(handles),
        })
    }

    /// Queues `f`; the handle resolves to its result.
    pub(crate) fn spawn<R: Send + 'static>(
        &self,
        f: impl FnOnce() -> R + Send + 'static,
    ) -> BlockingHandle<R> {
        let (reply_to, reply) = reply_pair::<Result<R, BlockingError>>();
        if self.shared.closed.load(Ordering::Acquire) {
            reply_to.send(Err(BlockingError::Cancelled));
            return BlockingHandle { reply };
        }
        self.shared.injector.push(Box::new(move || {
            let out = catch_unwind(AssertUnwindSafe(f))
                .map_err(|p| BlockingError::Panicked(panic_text(&*p)));
            reply_to.send(out);
        }));
        let idle = self.shared.idle.lock();
        if *idle > 0 {
            self.shared.wake.notify_one();
        }
        drop(idle);
        BlockingHandle { reply }
    }

    /// Stops taking jobs, drops the queued ones, and joins every thread
    /// after its running job finishes.
    pub(crate) fn shutdown(&self) {
        self.shared.closed.store(true, Ordering::Release);
        {
            let _idle = self.shared.idle.lock();
            self.shared.wake.notify_all();
        }
        for h in self.threads.lock().drain(..) {
            let _ = h.join();
        }
        loop {
            match self.shared.injector.steal() {
                Steal::Success(job) => drop(job),
                Steal::Retry => {}
                Steal::Empty => break,
            }
        }
    }
}

fn find_job(shared: &Shared, local: &Worker<Job>) -> Option<Job> {
    local.pop().or_else(|| {
        std::iter::repeat_with(|| {
            shared
                .injector
                .steal_batch_and_pop(local)
                .or_else(|| shared.stealers.lock().iter().map(Stealer::steal).collect())
        })
        .find(|s| !s.is_retry())
        .and_then(Steal::success)
    })
}

fn work(shared: &Shared, local: &Worker<Job>) {
    loop {
        if shared.closed.load(Ordering::Acquire) {
            return;
        }
        if let Some(job) = find_job(shared, local) {
            job();
            continue;
        }
        let mut idle = shared.idle.lock();
        if shared.closed.load(Ordering::Acquire) {
            return;
        }
        if !shared.injector.is_empty() {
            continue;
        }
        *idle += 1;
        shared.wake.wait(&mut idle);
        *idle -= 1;
    }
}
