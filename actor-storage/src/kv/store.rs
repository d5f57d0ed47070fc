//! [`KvStore`]: a key-value store partitioned over the runtime's shards.

use std::marker::PhantomData;
use std::ops::{Bound, RangeBounds};
use std::path::{Path, PathBuf};

use actor_core::partition::Sharded;
use actor_core::{ActorRef, AskError, Handle, ReplyTo};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::KvError;
use super::actor::{Entries, KvPartition, KvRequest, Req};
use super::compact::{CompactionReport, KvStats};
use super::options::{Durability, KvOptions};
use super::record::Op;
use super::recover::RecoveryReport;
use super::shard::prefix_end;
use crate::codec::{Codec, Postcard};
use crate::file::Disk;
use crate::join::join_all;
use crate::placement::spawn_partitions;

/// The file that records how many partitions a store has.
const LAYOUT: &str = "PARTITIONS";

/// A durable key-value store: one partition per storage shard, each owned by an
/// actor pinned there, with keys routed by their stable hash. The handle
/// is `Send + Sync + Clone`; use it from any task or, through
/// `Runtime::block_on`, any thread.
///
/// Keys and values are bytes; [`put_value`](Self::put_value) and
/// [`get_value`](Self::get_value) encode serde values with the codec `C`.
///
/// ```
/// use actor_storage::kv::{Durability, KvOptions, KvStore};
///
/// let dir = tempfile::tempdir()?;
/// let rt = actor_core::Runtime::builder().shards(2).build()?;
/// rt.block_on(async {
///     let store = KvStore::open(rt.handle(), dir.path(), KvOptions::default()).await?;
///     store.put(b"user/1", b"ada", Durability::Durable).await?;
///     store.put_value(b"count", &42u32, Durability::Durable).await?;
///     assert_eq!(store.get(b"user/1").await?, Some(b"ada".to_vec()));
///     assert_eq!(store.get_value::<u32>(b"count").await?, Some(42));
///     assert_eq!(store.prefix(b"user/", 10).await?.len(), 1);
///     Ok::<_, actor_storage::kv::KvError>(())
/// })?;
/// rt.shutdown()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct KvStore<C = Postcard> {
    parts: Sharded<KvPartition>,
    reports: Vec<RecoveryReport>,
    _codec: PhantomData<fn() -> C>,
}

impl<C> Clone for KvStore<C> {
    fn clone(&self) -> Self {
        KvStore {
            parts: self.parts.clone(),
            reports: self.reports.clone(),
            _codec: PhantomData,
        }
    }
}

impl<C> std::fmt::Debug for KvStore<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KvStore")
            .field("partitions", &self.parts.len())
            .finish()
    }
}

fn asked<T>(r: Result<Result<T, KvError>, AskError>) -> Result<T, KvError> {
    r.unwrap_or_else(|e| Err(KvError::Unavailable(e.to_string())))
}

/// Checks (or, for a new store, writes) the partition count of `dir`.
fn check_layout(dir: &Path, wanted: usize) -> Result<(), KvError> {
    crate::layout::ensure(dir, LAYOUT, &wanted.to_string())?.map_err(|found| KvError::Layout {
        dir: dir.to_path_buf(),
        found: found.parse().unwrap_or(0),
        wanted,
    })
}

impl KvStore {
    /// The actor of partition `i` of the store in `dir`: what a
    /// supervisor's child factory builds (on shard
    /// [`storage_shards`](crate::storage_shards)`(handle)[i]`), so a restarted
    /// partition recovers from its own files. See
    /// [`from_partitions`](KvStore::from_partitions).
    pub fn partition(dir: &Path, options: KvOptions, i: usize) -> KvPartition {
        KvPartition::new(Disk, partition_dir(dir, i), options)
    }

    /// The store over partition actors that already run, one per
    /// partition in order (children of a supervisor, say, each built by
    /// [`KvStore::partition`] for `dir`). Waits until each has opened;
    /// fails with the first open error, or [`KvError::Layout`] when `dir`
    /// was made with another number of partitions.
    pub async fn from_partitions(
        dir: impl AsRef<Path>,
        members: Vec<ActorRef<KvPartition>>,
    ) -> Result<Self, KvError> {
        check_layout(dir.as_ref(), members.len())?;
        let parts = Sharded::from_members(members)
            .ok_or_else(|| KvError::Unavailable("no partitions".into()))?;
        KvStore::ready(parts).await
    }

    /// Opens (or creates) the store in `dir` with the default codec
    /// (postcard); see [`open_with_codec`](Self::open_with_codec).
    pub async fn open(
        handle: &Handle,
        dir: impl AsRef<Path>,
        options: KvOptions,
    ) -> Result<Self, KvError> {
        Self::open_with_codec(handle, dir, options).await
    }
}

impl<C: Codec> KvStore<C> {
    /// Opens (or creates) the store in `dir` with one partition per storage
    /// shard of `handle`'s runtime ([`storage_shards`](crate::storage_shards)),
    /// each in `dir/partition-NNN`, recovering each from its files. Fails
    /// with the first partition's open error, or [`KvError::Layout`] when
    /// `dir` was made with another number of storage shards.
    pub async fn open_with_codec(
        handle: &Handle,
        dir: impl AsRef<Path>,
        options: KvOptions,
    ) -> Result<Self, KvError> {
        let dir = dir.as_ref().to_path_buf();
        check_layout(&dir, crate::storage_shards(handle).len())?;
        let base = dir.clone();
        let parts = spawn_partitions(handle, move |i| {
            KvStore::partition(&base, options.clone(), i)
        })
        .map_err(|e| KvError::Unavailable(e.to_string()))?;
        let ready = Self::ready(parts.clone()).await;
        if ready.is_err() {
            // A store that did not open leaves no actor behind.
            parts.members().iter().for_each(|m| m.stop());
        }
        ready
    }

    async fn ready(parts: Sharded<KvPartition>) -> Result<Self, KvError> {
        let reports = each(&parts, |r| KvRequest(Req::Ready(r))).await?;
        Ok(KvStore {
            parts,
            reports,
            _codec: PhantomData,
        })
    }

    /// The same store, encoding values with codec `D`.
    pub fn with_codec<D: Codec>(self) -> KvStore<D> {
        KvStore {
            parts: self.parts,
            reports: self.reports,
            _codec: PhantomData,
        }
    }

    /// What each partition's recovery did, in partition order.
    pub fn recovery(&self) -> &[RecoveryReport] {
        &self.reports
    }

    /// Number of partitions.
    pub fn partitions(&self) -> usize {
        self.parts.len()
    }

    /// The shard each partition runs on, in partition order.
    pub fn partition_shards(&self) -> Vec<usize> {
        self.parts.members().iter().map(|m| m.shard()).collect()
    }

    /// Sets `key` to `value`.
    pub async fn put(
        &self,
        key: impl AsRef<[u8]>,
        value: impl AsRef<[u8]>,
        durability: Durability,
    ) -> Result<(), KvError> {
        let op = Op::Put {
            key: key.as_ref().to_vec(),
            value: value.as_ref().to_vec(),
        };
        self.batch(vec![op], durability).await
    }

    /// Removes `key`.
    pub async fn delete(
        &self,
        key: impl AsRef<[u8]>,
        durability: Durability,
    ) -> Result<(), KvError> {
        self.batch(
            vec![Op::Delete {
                key: key.as_ref().to_vec(),
            }],
            durability,
        )
        .await
    }

    /// Applies `ops` atomically. Every key must belong to one partition
    /// (otherwise [`KvError::SpansPartitions`]); an empty batch does nothing.
    pub async fn batch(&self, ops: Vec<Op>, durability: Durability) -> Result<(), KvError> {
        let Some(first) = ops.first() else {
            return Ok(());
        };
        let owner = self.parts.route(first.key());
        let others = ops
            .iter()
            .filter(|op| self.parts.route(op.key()).id() != owner.id())
            .count();
        if others > 0 {
            let mut ids: Vec<_> = ops
                .iter()
                .map(|op| self.parts.route(op.key()).id())
                .collect();
            ids.sort_unstable();
            ids.dedup();
            return Err(KvError::SpansPartitions(ids.len()));
        }
        asked(
            owner
                .ask(|r| KvRequest(Req::Write(ops, durability, r)))
                .await,
        )
    }

    /// Splits `ops` into one group per partition (in partition order,
    /// empty groups left out), each of which [`batch`](Self::batch) can
    /// apply atomically.
    pub fn split_by_partition(&self, ops: Vec<Op>) -> Vec<Vec<Op>> {
        let mut groups: Vec<Vec<Op>> = vec![Vec::new(); self.parts.len()];
        let index: std::collections::HashMap<_, _> = self
            .parts
            .members()
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id(), i))
            .collect();
        for op in ops {
            let owner = self.parts.route(op.key()).id();
            groups[index[&owner]].push(op);
        }
        groups.retain(|g| !g.is_empty());
        groups
    }

    /// The value of `key`.
    pub async fn get(&self, key: impl AsRef<[u8]>) -> Result<Option<Vec<u8>>, KvError> {
        let key = key.as_ref().to_vec();
        asked(
            self.parts
                .route(&key[..])
                .ask(|r| KvRequest(Req::Get(key, r)))
                .await,
        )
    }

    /// The values of `keys`, in the order of `keys`: one request per
    /// partition, all in flight together, each answered from the
    /// partition's tail and read cache where it can and with its file
    /// reads submitted together otherwise. The first error wins.
    pub async fn get_many<K: AsRef<[u8]>>(
        &self,
        keys: &[K],
    ) -> Result<Vec<Option<Vec<u8>>>, KvError> {
        // Each key's partition and its place in that partition's request.
        let ids: std::collections::HashMap<_, _> = self
            .parts
            .members()
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id(), i))
            .collect();
        let mut groups: Vec<Vec<Vec<u8>>> = vec![Vec::new(); self.parts.len()];
        let mut slots = Vec::with_capacity(keys.len());
        for key in keys {
            let key = key.as_ref();
            let p = ids[&self.parts.route(key).id()];
            slots.push((p, groups[p].len()));
            groups[p].push(key.to_vec());
        }
        let members = self.parts.members();
        let asks = groups
            .into_iter()
            .enumerate()
            .filter(|(_, g)| !g.is_empty())
            .map(|(p, g)| {
                let ask = members[p].ask(move |r| KvRequest(Req::GetMany(g, r)));
                async move { (p, asked(ask.await)) }
            })
            .collect();
        let mut answers: Vec<Vec<Option<Vec<u8>>>> = vec![Vec::new(); members.len()];
        for (p, answer) in join_all(asks).await {
            answers[p] = answer?;
        }
        Ok(slots
            .into_iter()
            .map(|(p, i)| answers[p][i].take())
            .collect())
    }

    /// Encodes `value` with the codec and puts it.
    pub async fn put_value<V: Serialize + ?Sized>(
        &self,
        key: impl AsRef<[u8]>,
        value: &V,
        durability: Durability,
    ) -> Result<(), KvError> {
        self.put(key, C::encode(value)?, durability).await
    }

    /// Gets and decodes the value of `key`.
    pub async fn get_value<V: DeserializeOwned>(
        &self,
        key: impl AsRef<[u8]>,
    ) -> Result<Option<V>, KvError> {
        match self.get(key).await? {
            Some(bytes) => Ok(Some(C::decode(&bytes)?)),
            None => Ok(None),
        }
    }

    /// Up to `limit` entries with keys in `range`, in key order, gathered
    /// from every partition.
    pub async fn range(
        &self,
        range: impl RangeBounds<Vec<u8>>,
        limit: usize,
    ) -> Result<Entries, KvError> {
        let bounds = (range.start_bound().cloned(), range.end_bound().cloned());
        let parts = each(&self.parts, |r| {
            KvRequest(Req::Range(bounds.clone(), limit, r))
        })
        .await?;
        let mut all: Entries = parts.into_iter().flatten().collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all.truncate(limit);
        Ok(all)
    }

    /// Up to `limit` entries whose keys start with `prefix`, in key order.
    pub async fn prefix(&self, prefix: impl AsRef<[u8]>, limit: usize) -> Result<Entries, KvError> {
        let start = Bound::Included(prefix.as_ref().to_vec());
        let end = prefix_end(prefix.as_ref()).map_or(Bound::Unbounded, Bound::Excluded);
        self.range((start, end), limit).await
    }

    /// Space figures of each partition, in partition order.
    pub async fn stats(&self) -> Result<Vec<KvStats>, KvError> {
        each(&self.parts, |r| KvRequest(Req::Stats(r))).await
    }

    /// Compacts every partition now (each also compacts on its own once
    /// its space amplification passes [`KvOptions::compact_above`]).
    pub async fn compact(&self) -> Result<Vec<CompactionReport>, KvError> {
        each(&self.parts, |r| KvRequest(Req::Compact(r))).await
    }

    /// Makes every write so far, in every partition, durable.
    pub async fn sync(&self) -> Result<(), KvError> {
        each(&self.parts, |r| KvRequest(Req::Sync(r)))
            .await
            .map(drop)
    }
}

/// Asks every partition at once (`make` builds each request) and gathers
/// the answers in partition order; the first error wins.
async fn each<T: 'static>(
    parts: &Sharded<KvPartition>,
    make: impl Fn(ReplyTo<Result<T, KvError>>) -> KvRequest,
) -> Result<Vec<T>, KvError> {
    let asks = parts.members().iter().map(|m| m.ask(&make)).collect();
    join_all(asks).await.into_iter().map(asked).collect()
}

/// The directory of partition `i`.
fn partition_dir(base: &Path, i: usize) -> PathBuf {
    base.join(format!("partition-{i:03}"))
}
