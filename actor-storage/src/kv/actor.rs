//! The actor that owns one partition on its shard.

use std::ops::Bound;
use std::path::PathBuf;

use actor_core::{Actor, BoxError, Context, ExitReason, ReplyTo};

use super::KvError;
use super::compact::{CompactionReport, KvStats};
use super::options::{Durability, KvOptions};
use super::read::{Lookup, Values};
use super::record::Op;
use super::recover::RecoveryReport;
use super::shard::KvShard;
use crate::file::{Disk, Storage};

/// Entries a scan returns.
pub(crate) type Entries = Vec<(Vec<u8>, Vec<u8>)>;

/// A request to a [`KvPartition`]; made by [`KvStore`](super::KvStore)'s
/// methods, opaque otherwise.
pub struct KvRequest(pub(crate) Req);

impl std::fmt::Debug for KvRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KvRequest")
    }
}

/// What a partition actor is asked.
pub(crate) enum Req {
    /// The outcome of the partition's open (recovery).
    Ready(ReplyTo<Result<RecoveryReport, KvError>>),
    /// An atomic batch.
    Write(Vec<Op>, Durability, ReplyTo<Result<(), KvError>>),
    /// A point read.
    Get(Vec<u8>, ReplyTo<Result<Option<Vec<u8>>, KvError>>),
    /// Point reads of several keys of this partition, answered together.
    GetMany(Vec<Vec<u8>>, ReplyTo<Result<Values, KvError>>),
    /// A range scan.
    Range(
        (Bound<Vec<u8>>, Bound<Vec<u8>>),
        usize,
        ReplyTo<Result<Entries, KvError>>,
    ),
    /// Make every write so far durable.
    Sync(ReplyTo<Result<(), KvError>>),
    /// Space figures.
    Stats(ReplyTo<Result<KvStats, KvError>>),
    /// Compact now.
    Compact(ReplyTo<Result<CompactionReport, KvError>>),
    /// The buffered-write and compaction timer.
    Tick,
}

/// The actor that owns one partition of a [`KvStore`](super::KvStore).
/// The partition opens (and recovers) in `on_start`, so an actor restarted
/// by a supervisor recovers from its own files; build it with
/// [`KvStore::partition`](super::KvStore::partition) to run it as a
/// supervised child.
pub struct KvPartition<S: Storage = Disk> {
    storage: S,
    dir: PathBuf,
    options: KvOptions,
    shard: Option<KvShard<S>>,
    open_error: Option<KvError>,
}

impl<S: Storage> std::fmt::Debug for KvPartition<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KvPartition")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl<S: Storage> KvPartition<S> {
    /// The owner of the partition in `dir` on `storage`; it opens when the
    /// actor starts.
    pub fn new(storage: S, dir: PathBuf, options: KvOptions) -> Self {
        KvPartition {
            storage,
            dir,
            options,
            shard: None,
            open_error: None,
        }
    }

    fn unavailable(&self) -> KvError {
        KvError::Unavailable(format!("partition {:?} did not open", self.dir))
    }
}

impl<S: Storage> Actor for KvPartition<S> {
    type Msg = KvRequest;

    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        match KvShard::open_on(self.storage.clone(), &self.dir, self.options.clone()).await {
            Ok(shard) => {
                self.shard = Some(shard);
                ctx.tell_interval(self.options.buffer_interval, || KvRequest(Req::Tick))
                    .detach();
            }
            Err(e) => self.open_error = Some(e),
        }
        Ok(())
    }

    /// A partition that stops (not killed) syncs its buffered writes.
    async fn on_stop(&mut self, _: &ExitReason, _: &mut Context<Self>) {
        if let Some(shard) = &self.shard
            && let Err(e) = shard.sync().await
        {
            tracing::warn!(error = %e, dir = ?self.dir, "could not sync buffered writes at stop");
        }
    }

    async fn handle(&mut self, KvRequest(msg): KvRequest, ctx: &mut Context<Self>) {
        let Some(shard) = self.shard.clone() else {
            match msg {
                Req::Ready(r) => r.send(Err(self
                    .open_error
                    .take()
                    .unwrap_or_else(|| self.unavailable()))),
                Req::Write(_, _, r) | Req::Sync(r) => r.send(Err(self.unavailable())),
                Req::Get(_, r) => r.send(Err(self.unavailable())),
                Req::GetMany(_, r) => r.send(Err(self.unavailable())),
                Req::Range(_, _, r) => r.send(Err(self.unavailable())),
                Req::Stats(r) => r.send(Err(self.unavailable())),
                Req::Compact(r) => r.send(Err(self.unavailable())),
                Req::Tick => {}
            }
            return;
        };
        match msg {
            Req::Ready(r) => r.send(Ok(shard.recovery().clone())),
            Req::Write(ops, durability, r) => {
                // Appended here, in mailbox order; the wait runs beside the
                // actor so later writes join the same sync.
                let seq = match shard.append(&ops) {
                    Ok(seq) => seq,
                    Err(e) => return r.send(Err(e)),
                };
                let bytes = shard.inner.options.buffer_bytes;
                ctx.spawn_task(async move {
                    let out = match durability {
                        Durability::Durable => shard.wait_durable(seq).await,
                        Durability::Buffered => shard.flush_if_over(bytes).await,
                    };
                    r.send(out);
                });
            }
            // A value in the tail or the read cache is answered here; only
            // a file read runs as a task beside the actor.
            Req::Get(key, r) => match shard.lookup(&key) {
                Lookup::Done(out) => r.send(out),
                Lookup::Read(file, loc) => ctx.spawn_task(async move {
                    r.send(shard.read_and_cache(&key, &file, loc).await.map(Some));
                }),
            },
            Req::GetMany(keys, r) => match Lookup::all_done(shard.lookup_all(&keys)) {
                Ok(out) => r.send(out),
                Err(plan) => ctx.spawn_task(async move { r.send(shard.finish(&keys, plan).await) }),
            },
            Req::Range(bounds, limit, r) => {
                ctx.spawn_task(async move { r.send(shard.range(bounds, limit).await) })
            }
            Req::Sync(r) => ctx.spawn_task(async move { r.send(shard.sync().await) }),
            Req::Stats(r) => r.send(Ok(shard.stats())),
            Req::Compact(r) => ctx.spawn_task(async move { r.send(shard.compact().await) }),
            Req::Tick => ctx.spawn_task(async move {
                let _ = shard.flush_if_over(1).await;
                if let Err(e) = shard.maintain().await {
                    tracing::warn!(error = %e, "compaction or hint writing failed");
                }
            }),
        }
    }
}
