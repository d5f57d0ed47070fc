//! Compaction: the oldest sealed segments are rewritten, live values only,
//! at the log's end, and then removed.
//!
//! Only the oldest segment is ever removed, which keeps deletes correct
//! without tracking tombstones: a delete in the removed segment can only
//! shadow a put in an older segment, and there is none. A live value is
//! copied only if its key still points at it when the copy is appended
//! (a write that came meanwhile wins). The copies are synced before the
//! old file goes; a crash in between leaves both, and replay keeps the
//! newer. Compaction runs as a task beside the partition's actor: reads
//! and writes go on while it awaits its I/O.

use super::KvError;
use super::hint::hint_path;
use super::record::Op;
use super::recover::segment_path;
use super::shard::KvShard;
use super::state::read_value;
use crate::file::Storage;
use crate::join::join_all;

/// Values copied per record while maintaining.
const COPY_BATCH: usize = 64;

/// What a compaction did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompactionReport {
    /// Segment files removed.
    pub segments_removed: usize,
    /// Live values copied forward.
    pub values_copied: usize,
    /// Bytes of segment files removed.
    pub bytes_removed: u64,
}

/// Space figures of a partition.
#[derive(Debug, Clone, PartialEq)]
pub struct KvStats {
    /// Live keys.
    pub keys: usize,
    /// Bytes of live keys and values (with their op headers).
    pub live_bytes: u64,
    /// Bytes of all segment files, unsynced tail included.
    pub log_bytes: u64,
    /// Segment files.
    pub segments: usize,
    /// `log_bytes / live_bytes` (1.0 when empty): what compaction brings
    /// down toward 1.
    pub space_amplification: f64,
    /// Records (writes and batches, compaction's copies included)
    /// appended since the partition opened.
    pub records: u64,
    /// Flushes since the partition opened, each one write and one
    /// `fdatasync`: fewer than `records` when group commit shares syncs.
    pub syncs: u64,
    /// Bytes the read cache holds now (values and overhead), at most
    /// [`KvOptions::cache_bytes`](super::KvOptions::cache_bytes).
    pub cache_bytes: usize,
    /// Point reads of values in the segment files that the read cache
    /// served since the partition opened.
    pub cache_hits: u64,
    /// Point reads of values in the segment files that went to the file.
    pub cache_misses: u64,
}

impl<S: Storage> KvShard<S> {
    /// The partition's space figures.
    pub fn stats(&self) -> KvStats {
        let st = self.state();
        KvStats {
            keys: st.index.len(),
            live_bytes: st.index.total_live(),
            log_bytes: st.log_bytes(),
            segments: st.segments.len(),
            space_amplification: st.amplification(),
            records: st.appended,
            syncs: st.syncs,
            cache_bytes: st.cache.used(),
            cache_hits: st.cache.counts().hits,
            cache_misses: st.cache.counts().misses,
        }
    }

    /// `true` when space amplification is above the options' threshold and
    /// a sealed segment exists to compact.
    pub fn wants_compaction(&self) -> bool {
        let st = self.state();
        !st.maintaining
            && !st.sealed.is_empty()
            && st.amplification() > self.inner.options.compaction_threshold()
    }

    /// Compacts the oldest sealed segments, one after the other, while
    /// space amplification is above [`KvOptions::compact_above`]
    /// (at most the segments sealed when it starts). One compaction runs
    /// at a time; a second call returns an empty report.
    ///
    /// [`KvOptions::compact_above`]: super::KvOptions::compact_above
    pub async fn compact(&self) -> Result<CompactionReport, KvError> {
        let rounds = {
            let mut st = self.state();
            if st.maintaining {
                return Ok(CompactionReport::default());
            }
            st.maintaining = true;
            st.sealed.len()
        };
        let mut report = CompactionReport::default();
        let mut result: Result<(), KvError> = Ok(());
        for _ in 0..rounds {
            if !self.state().sealed.is_empty()
                && self.state().amplification() > self.inner.options.compaction_threshold()
            {
                result = self.compact_oldest(&mut report).await;
                if result.is_err() {
                    break;
                }
            }
        }
        self.state().maintaining = false;
        result.map(|()| report)
    }

    /// Copies the oldest sealed segment's live values forward and removes it.
    async fn compact_oldest(&self, report: &mut CompactionReport) -> Result<(), KvError> {
        let (oldest, size, file, entries) = {
            let st = self.state();
            if let Some(e) = &st.poisoned {
                return Err(KvError::Poisoned(e.duplicate()));
            }
            let (&oldest, &size) = st.sealed.first_key_value().expect("checked by the caller");
            (
                oldest,
                size,
                st.segments[&oldest].clone(),
                st.index.in_segment(oldest),
            )
        };
        for chunk in entries.chunks(COPY_BATCH) {
            // A chunk's reads run together (one kernel entry on io_uring).
            let reads = chunk.iter().map(|(key, loc)| {
                let file = &file;
                async move { Ok::<_, KvError>((key.clone(), *loc, read_value(file, *loc).await?)) }
            });
            let copies = join_all(reads.collect())
                .await
                .into_iter()
                .collect::<Result<Vec<_>, _>>()?;
            let mut st = self.state();
            let ops: Vec<Op> = copies
                .into_iter()
                .filter(|(key, loc, _)| st.index.get(key) == Some(*loc))
                .map(|(key, _, value)| Op::Put { key, value })
                .collect();
            if !ops.is_empty() {
                report.values_copied += ops.len();
                st.append(&ops);
            }
        }
        self.sync().await?;
        {
            let mut st = self.state();
            // Every live value of the segment has moved on; should one not
            // have, the segment stays.
            if !st.index.in_segment(oldest).is_empty() {
                return Err(KvError::Unavailable(format!(
                    "compaction left live values in segment {oldest}; it is kept"
                )));
            }
            st.segments.remove(&oldest);
            st.sealed.remove(&oldest);
            st.index.drop_segment(oldest);
            st.hinted.remove(&oldest);
        }
        let dir = &self.inner.dir;
        let storage = &self.inner.storage;
        storage.remove(&segment_path(dir, oldest)).await?;
        // A hint left without its segment is ignored on open; a segment
        // never hinted has none to remove.
        if storage.list(dir).await?.contains(&hint_path(dir, oldest)) {
            storage.remove(&hint_path(dir, oldest)).await?;
        }
        self.inner.storage.sync_dir(dir).await?;
        report.segments_removed += 1;
        report.bytes_removed += size;
        Ok(())
    }
}
