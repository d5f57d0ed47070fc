//! Starting a runtime: validate, place the shards over the topology, start
//! the shard threads and wait until each one runs its reactor. A shard that
//! cannot build one fails the whole build ([`StartError::NoReactor`]), after
//! the shards that did start are stopped and joined.

use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::{Arc, OnceLock, mpsc};
use std::time::Instant;

use crate::blocking::BlockingPool;
use crate::channel::spsc;
use crate::config::{Builder, RuntimeConfig, ShardInfo, ShardPlace, Topology};
use crate::dead_letters::DeadLetters;
use crate::reactor::{Reactor, ReactorError};
use crate::runtime::{Handle, Runtime, RuntimeInner, StartError};
use crate::shard::local::ShardLocal;
use crate::shard::run::run_shard;
use crate::shard::shared::{Remote, ShardShared};

impl Builder {
    /// Validates the configuration and starts the runtime.
    ///
    /// # Errors
    ///
    /// [`StartError::Config`] for an invalid configuration (or a bad
    /// `PINION_*` value read by [`Builder::from_env`]);
    /// [`StartError::DriverUnavailable`] when io_uring was forced and a
    /// shard's ring was refused; [`StartError::NoReactor`] when a shard could
    /// build no reactor at all; [`StartError::Thread`] when a thread could
    /// not start.
    pub fn build(self) -> Result<Runtime, StartError> {
        Runtime::from_config(self.try_into_config()?)
    }
}

/// What a shard thread reports once it runs (or why it cannot).
type Ready = (usize, Result<ShardInfo, StartError>);

pub(super) fn start(config: RuntimeConfig) -> Result<Runtime, StartError> {
    config.validate()?;
    let places = plan(&config);
    let shards = (0..config.shards)
        .map(|i| ShardShared::new(i).map(Arc::new))
        .collect::<Result<Vec<_>, _>>()
        .map_err(StartError::Thread)?;
    let blocking = BlockingPool::new(config.blocking_threads, &config.thread_name)
        .map_err(StartError::Thread)?;
    let inner = Arc::new(RuntimeInner {
        shards,
        started_shards: OnceLock::new(),
        dead_letters: Arc::new(DeadLetters::default()),
        blocking,
        #[cfg(feature = "tokio")]
        tokio: crate::tokio_bridge::TokioBridge::new(),
        started: Instant::now(),
        named: Default::default(),
        keyed: Default::default(),
        shutting_down: AtomicBool::new(false),
        next_spread: AtomicUsize::new(0),
        next_role: AtomicUsize::new(0),
        config,
    });
    let config = &inner.config;
    let mut runtime = Runtime {
        handle: Handle::from_inner(inner.clone()),
        threads: Vec::new(),
        done: false,
    };
    let (ready_tx, ready_rx) = mpsc::channel::<Ready>();
    let mut queues = pair_queues(config.shards);
    for (i, place) in places.iter().enumerate() {
        let (outboxes, inboxes) = std::mem::take(&mut queues[i]);
        let inner = inner.clone();
        let ready = ready_tx.clone();
        let place = *place;
        let spawned = std::thread::Builder::new()
            .name(format!("{}-{i}", config.thread_name))
            .spawn(move || shard_main(inner, i, place, ready, outboxes, inboxes));
        match spawned {
            Ok(h) => runtime.threads.push((i, h)),
            Err(e) => return Err(StartError::Thread(e)),
        }
    }
    drop(ready_tx);
    let mut started: Vec<Option<ShardInfo>> = vec![None; config.shards];
    let mut failed: Option<(usize, StartError)> = None;
    for (i, result) in ready_rx.iter().take(config.shards) {
        match result {
            Ok(info) => started[i] = Some(info),
            Err(e) if failed.as_ref().is_none_or(|(f, _)| i < *f) => failed = Some((i, e)),
            Err(_) => {}
        }
    }
    if let Some((_, e)) = failed {
        // Dropping the runtime stops and joins the shards that did start.
        return Err(e);
    }
    let started: Vec<ShardInfo> = started.into_iter().flatten().collect();
    if started.len() < config.shards {
        return Err(StartError::Thread(std::io::Error::other(
            "a shard thread ended before it reported",
        )));
    }
    tracing::info!(
        shards = config.shards,
        drivers = ?started.iter().map(|s| s.driver.as_str()).collect::<Vec<_>>(),
        pinned = config.pin_threads,
        "pinion runtime started"
    );
    let _ = inner.started_shards.set(started);
    Ok(runtime)
}

/// Each shard's place: over the configured topology, or, when pinning with
/// an unknown topology, over the affinity mask in order.
fn plan(config: &RuntimeConfig) -> Vec<ShardPlace> {
    let mut topology = config.topology.clone();
    if config.pin_threads && topology.cpus() == 0 {
        let ids = core_affinity::get_core_ids().unwrap_or_default();
        if ids.is_empty() {
            tracing::warn!("cannot read the core list; shards run unpinned");
        }
        topology = Topology::flat(ids.into_iter().map(|c| c.id).collect());
    }
    topology.place(config.shards).iter().copied().collect()
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
    place: ShardPlace,
    ready: mpsc::Sender<Ready>,
    outboxes: Vec<Option<spsc::Producer<Remote>>>,
    inboxes: Vec<spsc::Consumer<Remote>>,
) {
    let mut cpu = None;
    if inner.config.pin_threads
        && let Some(id) = place.cpu
    {
        if core_affinity::set_for_current(core_affinity::CoreId { id }) {
            cpu = Some(id);
        } else {
            tracing::warn!(
                shard = index,
                cpu = id,
                "pinning failed; shard runs unpinned"
            );
        }
    }
    let shared = inner.shards[index].clone();
    let config = &inner.config;
    let reactor = match Reactor::new(config.driver, &shared.eventfd, index, &config.test_hooks) {
        Ok(r) => r,
        Err(e) => {
            let e = match e {
                ReactorError::UringRefused(source) => StartError::DriverUnavailable {
                    driver: "uring",
                    shard: index,
                    source,
                },
                ReactorError::None(source) => StartError::NoReactor {
                    shard: index,
                    source,
                },
            };
            drop(shared.close_inbox());
            let _ = ready.send((index, Err(e)));
            return;
        }
    };
    let info = ShardInfo {
        shard: index,
        driver: reactor.kind(),
        node: place.node,
        cpu,
        role: config.roles.role(index),
    };
    let _ = ready.send((index, Ok(info)));
    drop(ready);
    let local = ShardLocal::new(shared, inner, outboxes, inboxes, reactor);
    run_shard(local);
}
