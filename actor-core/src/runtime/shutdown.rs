//! Graceful shutdown: stop actors in reverse spawn order on every shard, kill
//! those that overrun their timeout, then join every thread.

use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::task::{Context, Poll};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::actor::ActorId;
use crate::runtime::RuntimeInner;
use crate::shard::local::ShardLocal;
use crate::shard::registry::Resident;
use crate::shard::shared::Remote;
use crate::time::timeout;

/// One actor that did not stop within its timeout during shutdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Straggler {
    /// The actor's id.
    pub id: ActorId,
    /// The actor's name.
    pub name: &'static str,
    /// The shard it ran on.
    pub shard: usize,
}

impl fmt::Display for Straggler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}) on shard {}", self.name, self.id, self.shard)
    }
}

/// Shutdown finished, but not cleanly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ShutdownError {
    /// These actors ignored stop past their timeout and were killed.
    #[error("actors ignored stop and were killed: {}", list(.0))]
    Stragglers(Vec<Straggler>),
    /// These shard threads did not finish (a handler blocked the thread) and
    /// were left detached.
    #[error("shards did not finish and were detached: {0:?}")]
    ShardsStuck(Vec<usize>),
}

fn list(s: &[Straggler]) -> String {
    s.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

type Report = (usize, Vec<Straggler>);

/// Resolves when the actor has stopped.
struct ExitWait(Arc<dyn Resident>);

impl Future for ExitWait {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0.poll_stopped(cx.waker()) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

/// Runs on a shard: stops its actors one by one, newest first.
fn begin(local: &Rc<ShardLocal>, limit: Duration, report: mpsc::Sender<Report>) {
    local.stopping.set(true);
    let l = local.clone();
    local.spawn_task(async move {
        let mut stragglers = Vec::new();
        // No actor starts on a stopping shard, so one snapshot in reverse
        // spawn order is the whole list; look again in case one raced in.
        // An entry already stopped (it leaves the registry as it stops) is
        // skipped, and a snapshot with nothing alive ends the walk.
        loop {
            let newest_first = l.shared.registry.lock().newest_first();
            if !newest_first.iter().any(|(_, a)| a.is_alive()) {
                break;
            }
            for (seq, actor) in newest_first {
                // A supervised actor between incarnations: no task runs to
                // take a stop request, so it ends here.
                if !actor.is_alive() || actor.end_if_exited(&l.shared) {
                    continue;
                }
                actor.request_shutdown();
                if timeout(limit, ExitWait(actor.clone())).await.is_err() {
                    stragglers.push(Straggler {
                        id: ActorId::new(l.index(), seq),
                        name: actor.name(),
                        shard: l.index(),
                    });
                    actor.kill();
                    ExitWait(actor).await;
                }
            }
        }
        let _ = report.send((l.index(), stragglers));
        l.exit.set(true);
    });
}

pub(super) fn shutdown(
    inner: &Arc<RuntimeInner>,
    threads: Vec<(usize, JoinHandle<()>)>,
) -> Result<(), ShutdownError> {
    inner.shutting_down.store(true, Ordering::Release);
    let limit = inner.config.shutdown_timeout;
    let (tx, rx) = mpsc::channel::<Report>();
    let mut expected = 0;
    let mut most_actors = 0;
    for shard in &inner.shards {
        most_actors = most_actors.max(shard.registry.lock().len());
        let tx = tx.clone();
        let job = Remote::Run(Box::new(move |local: &Rc<ShardLocal>| {
            begin(local, limit, tx)
        }));
        if shard.push_remote(job).is_ok() {
            expected += 1;
        }
    }
    drop(tx);
    // Each actor may take the full timeout; beyond that a shard is stuck.
    let budget = limit
        .saturating_mul(u32::try_from(most_actors + 1).unwrap_or(u32::MAX))
        .saturating_add(Duration::from_secs(2));
    let deadline = Instant::now() + budget;
    let mut stragglers = Vec::new();
    let mut reported = HashSet::new();
    while reported.len() < expected {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((i, s)) => {
                reported.insert(i);
                stragglers.extend(s);
            }
            Err(_) => break,
        }
    }
    let mut stuck = Vec::new();
    for (i, h) in threads {
        if reported.contains(&i) {
            let _ = h.join();
        } else {
            stuck.push(i);
        }
    }
    inner.blocking.shutdown();
    #[cfg(feature = "tokio")]
    inner.tokio.shutdown(limit);
    if !stuck.is_empty() {
        tracing::error!(
            ?stuck,
            "shards did not finish shutdown; threads left detached"
        );
        return Err(ShutdownError::ShardsStuck(stuck));
    }
    if !stragglers.is_empty() {
        return Err(ShutdownError::Stragglers(stragglers));
    }
    tracing::info!("pinion runtime stopped");
    Ok(())
}
