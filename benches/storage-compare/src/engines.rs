//! The engines under comparison, behind one trait: Pinion's KvStore,
//! fjall, redb, and a bare append + fdatasync log as the floor.

use std::future::Future;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use actor_core::Runtime;
use actor_core::config::Profile;
use actor_storage::kv::{Durability, KvOptions, KvStore, Op};

use crate::on_shard::on_shard;
use crate::stats::Outcome;

/// A key-value engine as the workloads drive it.
pub trait Engine {
    fn name(&self) -> &'static str;
    /// One put, durable before it returns.
    fn put_durable(&mut self, key: &[u8], value: &[u8]);
    /// An atomic batch, durable before it returns.
    fn batch_durable(&mut self, items: &[(Vec<u8>, Vec<u8>)]);
    /// `writers` writers at once, each making `each` durable puts one
    /// after the other (keys from `key(writer, i)`).
    fn concurrent(
        &mut self,
        writers: usize,
        each: u64,
        key: fn(usize, u64) -> Vec<u8>,
        value: &[u8],
    ) -> Outcome;
    /// A point read.
    fn get(&mut self, key: &[u8]) -> Option<Vec<u8>>;
    /// Point reads of `keys` one after the other, each timed and checked
    /// to be there, the way the engine's users read: a plain loop here;
    /// Pinion overrides it to read from a task on a shard, where actors
    /// run.
    fn reads(&mut self, keys: &[Vec<u8>]) -> Outcome {
        Outcome::timed(keys.len() as u64, |i| {
            assert!(self.get(&keys[i as usize]).is_some());
        })
    }
    /// Point reads of `keys`, `per_call` keys per call of the engine's
    /// batched read (one read transaction, one `get_many`).
    fn reads_batched(&mut self, keys: &[Vec<u8>], per_call: usize) -> Outcome;
    /// Point reads one at a time from a thread outside the engine's own
    /// threads, where that differs from [`reads`](Self::reads).
    fn reads_from_thread(&mut self, _keys: &[Vec<u8>]) -> Option<Outcome> {
        None
    }
    /// Closes and reopens the store; returns how long the open took.
    fn reopen(&mut self) -> Duration;
}

/// The memory each engine may cache its data in: what Pinion's KvStore
/// caches by default on this machine (`KvOptions::cache_bytes` per
/// partition, one partition per shard), given to fjall (32 MiB by default)
/// and redb (1 GiB by default) too, so no engine reads from a larger cache.
pub static CACHE_BYTES: std::sync::LazyLock<u64> = std::sync::LazyLock::new(|| {
    let shards = std::thread::available_parallelism().map_or(1, usize::from);
    (KvOptions::default().cache_bytes * shards) as u64
});

/// Runs every future to completion together.
fn join_all<F: Future>(futs: Vec<F>) -> impl Future<Output = Vec<F::Output>> {
    let mut futs: Vec<_> = futs.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = futs.iter().map(|_| None).collect();
    std::future::poll_fn(move |cx| {
        let mut pending = false;
        for (f, o) in futs.iter_mut().zip(out.iter_mut()) {
            if o.is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *o = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(out.drain(..).map(Option::unwrap).collect())
        }
    })
}

pub struct Pinion {
    /// The runtime's profile; `None` for `Runtime::new()`'s defaults.
    profile: Option<Profile>,
    rt: Option<Runtime>,
    store: Option<KvStore>,
    dir: PathBuf,
}

impl Pinion {
    pub fn open(dir: &Path) -> Pinion {
        Self::open_with(dir, None)
    }

    /// The store in `dir` on a runtime of `profile`.
    pub fn open_with(dir: &Path, profile: Option<Profile>) -> Pinion {
        let mut p = Pinion {
            profile,
            rt: None,
            store: None,
            dir: dir.to_path_buf(),
        };
        p.reopen();
        p
    }

    fn rt(&self) -> &Runtime {
        self.rt.as_ref().expect("open")
    }

    fn store(&self) -> &KvStore {
        self.store.as_ref().expect("open")
    }
}

impl Engine for Pinion {
    fn name(&self) -> &'static str {
        "pinion KvStore"
    }

    fn put_durable(&mut self, key: &[u8], value: &[u8]) {
        self.rt()
            .block_on(self.store().put(key, value, Durability::Durable))
            .unwrap();
    }

    fn batch_durable(&mut self, items: &[(Vec<u8>, Vec<u8>)]) {
        // An atomic batch keeps to one partition: items go to their owners,
        // one batch per partition, all in flight together.
        let store = self.store();
        let ops: Vec<Op> = items
            .iter()
            .map(|(k, v)| Op::Put {
                key: k.clone(),
                value: v.clone(),
            })
            .collect();
        let batches = store.split_by_partition(ops);
        let futs = batches
            .into_iter()
            .map(|b| store.batch(b, Durability::Durable))
            .collect();
        for r in self.rt().block_on(join_all(futs)) {
            r.unwrap();
        }
    }

    fn concurrent(
        &mut self,
        writers: usize,
        each: u64,
        key: fn(usize, u64) -> Vec<u8>,
        value: &[u8],
    ) -> Outcome {
        let store = self.store();
        let start = Instant::now();
        let futs = (0..writers)
            .map(|w| async move {
                for i in 0..each {
                    store
                        .put(key(w, i), value, Durability::Durable)
                        .await
                        .unwrap();
                }
            })
            .collect();
        self.rt().block_on(join_all(futs));
        Outcome {
            ops: writers as u64 * each,
            elapsed: start.elapsed(),
            latencies: Vec::new(),
        }
    }

    fn get(&mut self, key: &[u8]) -> Option<Vec<u8>> {
        self.rt().block_on(self.store().get(key)).unwrap()
    }

    fn reads(&mut self, keys: &[Vec<u8>]) -> Outcome {
        let (store, keys) = (self.store().clone(), keys.to_vec());
        on_shard(self.rt(), move || async move {
            let mut latencies = Vec::with_capacity(keys.len());
            let start = Instant::now();
            for k in &keys {
                let t = Instant::now();
                assert!(store.get(k).await.unwrap().is_some());
                latencies.push(t.elapsed());
            }
            Outcome {
                ops: keys.len() as u64,
                elapsed: start.elapsed(),
                latencies,
            }
        })
    }

    fn reads_batched(&mut self, keys: &[Vec<u8>], per_call: usize) -> Outcome {
        let (store, keys) = (self.store().clone(), keys.to_vec());
        on_shard(self.rt(), move || async move {
            let start = Instant::now();
            for chunk in keys.chunks(per_call) {
                let values = store.get_many(chunk).await.unwrap();
                assert!(values.iter().all(Option::is_some));
            }
            Outcome {
                ops: keys.len() as u64,
                elapsed: start.elapsed(),
                latencies: Vec::new(),
            }
        })
    }

    fn reads_from_thread(&mut self, keys: &[Vec<u8>]) -> Option<Outcome> {
        Some(Outcome::timed(keys.len() as u64, |i| {
            assert!(self.get(&keys[i as usize]).is_some());
        }))
    }

    fn reopen(&mut self) -> Duration {
        self.store = None;
        if let Some(rt) = self.rt.take() {
            rt.shutdown().unwrap();
        }
        let rt = match self.profile {
            None => Runtime::new().unwrap(),
            Some(p) => Runtime::builder().profile(p).build().unwrap(),
        };
        let start = Instant::now();
        let store = rt
            .block_on(KvStore::open(rt.handle(), &self.dir, KvOptions::default()))
            .unwrap();
        let took = start.elapsed();
        self.rt = Some(rt);
        self.store = Some(store);
        took
    }
}

pub struct Fjall {
    ks: Option<fjall::Keyspace>,
    part: Option<fjall::PartitionHandle>,
    dir: PathBuf,
}

impl Fjall {
    pub fn open(dir: &Path) -> Fjall {
        let mut f = Fjall {
            ks: None,
            part: None,
            dir: dir.to_path_buf(),
        };
        f.reopen();
        f
    }

    fn persist(&self) {
        self.ks
            .as_ref()
            .unwrap()
            .persist(fjall::PersistMode::SyncData)
            .unwrap();
    }
}

impl Engine for Fjall {
    fn name(&self) -> &'static str {
        "fjall"
    }

    fn put_durable(&mut self, key: &[u8], value: &[u8]) {
        self.part.as_ref().unwrap().insert(key, value).unwrap();
        self.persist();
    }

    fn batch_durable(&mut self, items: &[(Vec<u8>, Vec<u8>)]) {
        let ks = self.ks.as_ref().unwrap();
        let part = self.part.as_ref().unwrap();
        let mut batch = ks.batch();
        for (k, v) in items {
            batch.insert(part, k.as_slice(), v.as_slice());
        }
        batch.commit().unwrap();
        self.persist();
    }

    fn concurrent(
        &mut self,
        writers: usize,
        each: u64,
        key: fn(usize, u64) -> Vec<u8>,
        value: &[u8],
    ) -> Outcome {
        let (ks, part) = (self.ks.clone().unwrap(), self.part.clone().unwrap());
        let start = Instant::now();
        std::thread::scope(|s| {
            for w in 0..writers {
                let (ks, part) = (ks.clone(), part.clone());
                s.spawn(move || {
                    for i in 0..each {
                        part.insert(key(w, i), value).unwrap();
                        ks.persist(fjall::PersistMode::SyncData).unwrap();
                    }
                });
            }
        });
        Outcome {
            ops: writers as u64 * each,
            elapsed: start.elapsed(),
            latencies: Vec::new(),
        }
    }

    fn get(&mut self, key: &[u8]) -> Option<Vec<u8>> {
        self.part
            .as_ref()
            .unwrap()
            .get(key)
            .unwrap()
            .map(|v| v.to_vec())
    }

    fn reads_batched(&mut self, keys: &[Vec<u8>], _per_call: usize) -> Outcome {
        // fjall has no multi-key read: a batch is its gets in a row.
        let part = self.part.as_ref().unwrap();
        let start = Instant::now();
        for k in keys {
            assert!(part.get(k).unwrap().is_some());
        }
        Outcome {
            ops: keys.len() as u64,
            elapsed: start.elapsed(),
            latencies: Vec::new(),
        }
    }

    fn reopen(&mut self) -> Duration {
        self.part = None;
        self.ks = None;
        let start = Instant::now();
        let ks = fjall::Config::new(&self.dir)
            .cache_size(*CACHE_BYTES)
            .open()
            .unwrap();
        let part = ks
            .open_partition("kv", fjall::PartitionCreateOptions::default())
            .unwrap();
        let took = start.elapsed();
        self.ks = Some(ks);
        self.part = Some(part);
        took
    }
}

const TABLE: redb::TableDefinition<&[u8], &[u8]> = redb::TableDefinition::new("kv");

pub struct Redb {
    db: Option<redb::Database>,
    path: PathBuf,
}

impl Redb {
    pub fn open(dir: &Path) -> Redb {
        let mut r = Redb {
            db: None,
            path: dir.join("redb"),
        };
        r.reopen();
        r
    }

    fn write(db: &redb::Database, items: &[(&[u8], &[u8])]) {
        let tx = db.begin_write().unwrap();
        {
            let mut t = tx.open_table(TABLE).unwrap();
            for (k, v) in items {
                t.insert(*k, *v).unwrap();
            }
        }
        tx.commit().unwrap();
    }
}

impl Engine for Redb {
    fn name(&self) -> &'static str {
        "redb"
    }

    fn put_durable(&mut self, key: &[u8], value: &[u8]) {
        Self::write(self.db.as_ref().unwrap(), &[(key, value)]);
    }

    fn batch_durable(&mut self, items: &[(Vec<u8>, Vec<u8>)]) {
        let refs: Vec<(&[u8], &[u8])> = items
            .iter()
            .map(|(k, v)| (k.as_slice(), v.as_slice()))
            .collect();
        Self::write(self.db.as_ref().unwrap(), &refs);
    }

    fn concurrent(
        &mut self,
        writers: usize,
        each: u64,
        key: fn(usize, u64) -> Vec<u8>,
        value: &[u8],
    ) -> Outcome {
        let db = self.db.as_ref().unwrap();
        let start = Instant::now();
        std::thread::scope(|s| {
            for w in 0..writers {
                s.spawn(move || {
                    for i in 0..each {
                        Self::write(db, &[(&key(w, i), value)]);
                    }
                });
            }
        });
        Outcome {
            ops: writers as u64 * each,
            elapsed: start.elapsed(),
            latencies: Vec::new(),
        }
    }

    fn get(&mut self, key: &[u8]) -> Option<Vec<u8>> {
        let tx = self.db.as_ref().unwrap().begin_read().unwrap();
        let t = tx.open_table(TABLE).unwrap();
        t.get(key).unwrap().map(|v| v.value().to_vec())
    }

    fn reads_batched(&mut self, keys: &[Vec<u8>], per_call: usize) -> Outcome {
        // One read transaction per batch.
        let db = self.db.as_ref().unwrap();
        let start = Instant::now();
        for chunk in keys.chunks(per_call) {
            let tx = db.begin_read().unwrap();
            let t = tx.open_table(TABLE).unwrap();
            for k in chunk {
                assert!(t.get(k.as_slice()).unwrap().is_some());
            }
        }
        Outcome {
            ops: keys.len() as u64,
            elapsed: start.elapsed(),
            latencies: Vec::new(),
        }
    }

    fn reopen(&mut self) -> Duration {
        self.db = None;
        let start = Instant::now();
        let db = redb::Builder::new()
            .set_cache_size(*CACHE_BYTES as usize)
            .create(&self.path)
            .unwrap();
        self.db = Some(db);
        start.elapsed()
    }
}

/// The floor for durable puts: records appended with `pwrite` to a
/// preallocated file, each followed by `fdatasync`. The file is
/// preallocated by writing zeroes and syncing them: space reserved with
/// `fallocate` alone is unwritten extents, whose conversion on first write
/// each `fdatasync` would also have to commit to the file system's
/// journal, a cost no append into written blocks pays.
pub struct BareLog {
    file: std::fs::File,
    at: u64,
}

impl BareLog {
    pub fn open(dir: &Path, bytes: u64) -> BareLog {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(true)
            .read(true)
            .write(true)
            .open(dir.join("bare.log"))
            .unwrap();
        let zeroes = vec![0u8; 1 << 20];
        let mut at = 0;
        while at < bytes {
            let n = (bytes - at).min(zeroes.len() as u64);
            file.write_all_at(&zeroes[..n as usize], at).unwrap();
            at += n;
        }
        file.sync_all().unwrap();
        BareLog { file, at: 0 }
    }

    /// Appends `record` and syncs it.
    pub fn append(&mut self, record: &[u8]) {
        self.file.write_all_at(record, self.at).unwrap();
        self.at += record.len() as u64;
        self.file.sync_data().unwrap();
    }
}
