//! [`KvShard`]: one partition of a key-value store, owned by one shard.

use std::cell::{RefCell, RefMut};
use std::ops::{Bound, RangeBounds};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::KvError;
use super::cache::ReadCache;
use super::options::{Durability, KvOptions};
use super::read::Lookup;
use super::record::{self, MAX_BODY, Op};
use super::recover::{RecoveryReport, recover};
use super::state::{Source, State};
use crate::file::{Disk, Storage};
use crate::join::join_in_waves;

/// One partition of a log-structured key-value store: the log (segment
/// files of CRC-checked records, which is also the write-ahead log) and an
/// ordered in-memory index of where each live value is.
///
/// It lives on one shard (it is `!Send`); clones share it, so several
/// tasks of the shard may use it at once, which is how their durable
/// writes share syncs. [`KvStore`](super::KvStore) runs one per shard
/// behind an actor; use this type directly inside a single actor or task.
pub struct KvShard<S: Storage = Disk> {
    pub(crate) inner: Rc<Inner<S>>,
}

pub(crate) struct Inner<S: Storage> {
    pub(crate) storage: S,
    pub(crate) dir: PathBuf,
    pub(crate) options: KvOptions,
    state: RefCell<State<S::File>>,
    report: RecoveryReport,
}

impl<S: Storage> Clone for KvShard<S> {
    fn clone(&self) -> Self {
        KvShard {
            inner: self.inner.clone(),
        }
    }
}

impl<S: Storage> std::fmt::Debug for KvShard<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KvShard")
            .field("dir", &self.inner.dir)
            .finish_non_exhaustive()
    }
}

impl KvShard {
    /// Opens (or creates) the partition in `dir` on the real disk,
    /// recovering from its files.
    pub async fn open(dir: impl AsRef<Path>, options: KvOptions) -> Result<Self, KvError> {
        Self::open_on(Disk, dir, options).await
    }
}

impl<S: Storage> KvShard<S> {
    /// Opens the partition in `dir` on `storage`: replays its log,
    /// cutting a torn tail and failing on corruption in the middle.
    pub async fn open_on(
        storage: S,
        dir: impl AsRef<Path>,
        options: KvOptions,
    ) -> Result<Self, KvError> {
        let dir = dir.as_ref().to_path_buf();
        let r = recover(&storage, &dir).await?;
        let state = State {
            index: r.index,
            cache: ReadCache::new(options.cache_bytes),
            segments: r.segments,
            sealed: r.sealed,
            syncs: 0,
            appended: 0,
            rolling: false,
            maintaining: false,
            hinted: r.hinted,
            active: r.active,
            written: r.active_len,
            pending: Vec::new(),
            next_seq: r.last_seq + 1,
            synced_seq: r.last_seq,
            flushing: false,
            flush_gen: 0,
            waiters: Vec::new(),
            poisoned: None,
        };
        Ok(KvShard {
            inner: Rc::new(Inner {
                storage,
                dir,
                options,
                state: RefCell::new(state),
                report: r.report,
            }),
        })
    }

    pub(crate) fn state(&self) -> RefMut<'_, State<S::File>> {
        self.inner.state.borrow_mut()
    }

    /// What the open's recovery did.
    pub fn recovery(&self) -> &RecoveryReport {
        &self.inner.report
    }

    /// Live keys.
    pub fn len(&self) -> usize {
        self.state().index.len()
    }

    /// `true` when no key is live.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Applies `ops` as one atomic record: after a crash either all of
    /// them are there or none. Returns when the record is as durable as
    /// `durability` says.
    pub async fn write(&self, ops: Vec<Op>, durability: Durability) -> Result<(), KvError> {
        let seq = self.append(&ops)?;
        match durability {
            Durability::Durable => self.wait_durable(seq).await,
            Durability::Buffered => self.flush_if_over(self.inner.options.buffer_bytes).await,
        }
    }

    /// Appends `ops` to the log's tail and the index, without waiting;
    /// returns the record's sequence number. `write` is this followed by
    /// the wait its durability asks for.
    pub(crate) fn append(&self, ops: &[Op]) -> Result<u64, KvError> {
        let size = record::encoded_len(ops);
        if size - record::HEADER > MAX_BODY {
            return Err(KvError::TooLarge(size));
        }
        let mut st = self.state();
        if let Some(e) = &st.poisoned {
            return Err(KvError::Poisoned(e.duplicate()));
        }
        Ok(st.append(ops))
    }

    /// Sets `key` to `value`.
    pub async fn put(
        &self,
        key: impl Into<Vec<u8>>,
        value: impl Into<Vec<u8>>,
        durability: Durability,
    ) -> Result<(), KvError> {
        let op = Op::Put {
            key: key.into(),
            value: value.into(),
        };
        self.write(vec![op], durability).await
    }

    /// Removes `key` (a no-op record when it is absent).
    pub async fn delete(
        &self,
        key: impl Into<Vec<u8>>,
        durability: Durability,
    ) -> Result<(), KvError> {
        self.write(vec![Op::Delete { key: key.into() }], durability)
            .await
    }

    /// Makes every write so far durable.
    pub async fn sync(&self) -> Result<(), KvError> {
        let last = self.state().next_seq - 1;
        self.wait_durable(last).await
    }

    /// The value of `key`.
    pub async fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, KvError> {
        match self.lookup(key) {
            Lookup::Done(out) => out,
            Lookup::Read(file, loc) => self.read_and_cache(key, &file, loc).await.map(Some),
        }
    }

    /// Up to `limit` live entries whose keys fall in `range`, in key order.
    pub async fn range(
        &self,
        range: impl RangeBounds<Vec<u8>>,
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>, KvError> {
        let bounds = (
            clone_bound(range.start_bound()),
            clone_bound(range.end_bound()),
        );
        // Each value's file is taken with its location, so a segment that
        // compaction removes meanwhile is still read through its open fd.
        let sources: Vec<(Vec<u8>, Source<S::File>)> = {
            let mut st = self.state();
            if let Some(e) = &st.poisoned {
                return Err(KvError::Poisoned(e.duplicate()));
            }
            let found: Vec<_> = st
                .index
                .range(bounds)
                .take(limit)
                .map(|(k, l)| (k.clone(), *l))
                .collect();
            found.into_iter().map(|(k, l)| (k, st.source(l))).collect()
        };
        // The file reads run together: on io_uring, submitted in one
        // kernel entry.
        let reads = sources
            .into_iter()
            .map(|(key, source)| async move { Ok((key, source.read().await?)) });
        join_in_waves(reads.collect()).await.into_iter().collect()
    }

    /// Up to `limit` live entries whose keys start with `prefix`, in key
    /// order.
    pub async fn prefix(
        &self,
        prefix: &[u8],
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>, KvError> {
        let start = Bound::Included(prefix.to_vec());
        let end = match prefix_end(prefix) {
            Some(end) => Bound::Excluded(end),
            None => Bound::Unbounded,
        };
        self.range((start, end), limit).await
    }
}

fn clone_bound(b: Bound<&Vec<u8>>) -> Bound<Vec<u8>> {
    match b {
        Bound::Included(k) => Bound::Included(k.clone()),
        Bound::Excluded(k) => Bound::Excluded(k.clone()),
        Bound::Unbounded => Bound::Unbounded,
    }
}

/// The smallest key greater than every key that starts with `prefix`, or
/// `None` when there is none (the prefix is empty or all `0xFF`).
pub(crate) fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::prefix_end;

    #[test]
    fn the_end_of_a_prefix_range() {
        assert_eq!(prefix_end(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(prefix_end(&[1, 0xFF]), Some(vec![2]));
        assert_eq!(prefix_end(&[0xFF, 0xFF]), None);
        assert_eq!(prefix_end(b""), None);
    }
}
