//! Starting a runtime: validate, pick the driver, start the shard threads
//! and wait until each one runs.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::mpsc;
use std::time::Instant;

use crate::blocking::BlockingPool;
use crate::channel::spsc;
use crate::config::{Builder, RuntimeConfig};
use crate::dead_letters::DeadLetters;
use crate::error::StartError;
use crate::reactor::{self, DriverKind, Reactor};
use crate::runtime::{Handle, Runtime, RuntimeInner};
use crate::shard::local::ShardLocal;
use crate::shard::run::run_shard;
use crate::shard::shared::{Remote, ShardShared};

impl Builder {
    /// Validates the configuration and starts the runtime.
    pub fn build(self) -> Result<Runtime, StartError> {
        Runtime::from_config(self.try_into_config()?)
    }
}

pub(super) fn start(config: RuntimeConfig) -> Result<Runtime, StartError> {
    config.validate()?;
    let driver = reactor::choose(config.driver)?;
    let shards = (0..config.shards)
        .map(|i| ShardShared::new(i).map(Arc::new))
        .collect::<Result<Vec<_>, _>>()
        .map_err(StartError::Thread)?;
    let blocking = BlockingPool::new(config.blocking_threads, &config.thread_name)
        .map_err(StartError::Thread)?;
    let inner = Arc::new(RuntimeInner {
        shards,
        driver,
        dead_letters: Arc::new(DeadLetters::default()),
        blocking,
        #[cfg(feature = "tokio")]
        tokio: crate::tokio_bridge::TokioBridge::new(),
        started: Instant::now(),
        named: Default::default(),
        shutting_down: AtomicBool::new(false),
        next_spread: AtomicUsize::new(0),
        config,
    });
    let config = &inner.config;
    let cores = if config.pin_threads {
        let ids = core_affinity::get_core_ids().filter(|ids| !ids.is_empty());
        if ids.is_none() {
            tracing::warn!("cannot read the core list; shards run unpinned");
        }
        ids
    } else {
        None
    };
    let mut runtime = Runtime {
        handle: Handle::from_inner(inner.clone()),
        threads: Vec::new(),
        done: false,
    };
    let (ready_tx, ready_rx) = mpsc::channel::<(usize, DriverKind)>();
    let mut queues = pair_queues(config.shards);
    for i in 0..config.shards {
        let (outboxes, inboxes) = std::mem::take(&mut queues[i]);
        let inner = inner.clone();
        let core = cores.as_ref().map(|ids| ids[i % ids.len()]);
        let ready = ready_tx.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("{}-{i}", config.thread_name))
            .spawn(move || shard_main(inner, i, core, ready, outboxes, inboxes));
        match spawned {
            Ok(h) => runtime.threads.push((i, h)),
            Err(e) => return Err(StartError::Thread(e)),
        }
    }
    drop(ready_tx);
    let mut kinds = Vec::new();
    while kinds.len() < config.shards {
        match ready_rx.recv() {
            Ok(k) => kinds.push(k),
            Err(_) => break,
        }
    }
    tracing::info!(
        shards = config.shards,
        driver = %driver,
        pinned = cores.is_some(),
        "pinion runtime started"
    );
    Ok(runtime)
}

/// Capacity of each one-way queue between two shards; a full queue spills
/// into the target's shared inbox.
const PAIR_QUEUE: usize = 1024;

type PairQueues = (
    Vec<Option<spsc::Producer<Remote>>>,
    Vec<spsc::Consumer<Remote>>,
);

/// One one-way queue per ordered pair of shards: shard `i` gets the
/// producers to every `j != i` and the consumers from every `j != i`.
fn pair_queues(shards: usize) -> Vec<PairQueues> {
    let mut out: Vec<PairQueues> = (0..shards)
        .map(|_| ((0..shards).map(|_| None).collect(), Vec::new()))
        .collect();
    for from in 0..shards {
        for to in 0..shards {
            if from != to {
                let (tx, rx) = spsc::bounded(PAIR_QUEUE);
                out[from].0[to] = Some(tx);
                out[to].1.push(rx);
            }
        }
    }
    out
}

fn shard_main(
    inner: Arc<RuntimeInner>,
    index: usize,
    core: Option<core_affinity::CoreId>,
    ready: mpsc::Sender<(usize, DriverKind)>,
    outboxes: Vec<Option<spsc::Producer<Remote>>>,
    inboxes: Vec<spsc::Consumer<Remote>>,
) {
    if let Some(core) = core
        && !core_affinity::set_for_current(core)
    {
        tracing::warn!(
            shard = index,
            core = core.id,
            "pinning failed; shard runs unpinned"
        );
    }
    let shared = inner.shards[index].clone();
    let reactor = match Reactor::new(inner.driver, &shared.eventfd, index) {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(shard = index, error = %e, "no reactor could be built; shard is down");
            let _ = ready.send((index, inner.driver));
            drop(shared.close_inbox());
            return;
        }
    };
    let _ = ready.send((index, reactor.kind()));
    drop(ready);
    let local = ShardLocal::new(shared, inner, outboxes, inboxes, reactor);
    run_shard(local);
}
