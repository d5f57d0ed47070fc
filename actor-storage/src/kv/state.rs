//! A partition's in-memory state: the ordered index, the open segments,
//! and the log's tail that is not yet in its file.

use std::collections::{BTreeMap, BTreeSet};
use std::task::Waker;

use super::KvError;
use super::cache::ReadCache;
use super::index::Index;
use super::record::{self, Op};
use crate::IoError;
use crate::file::FileIo;

/// Where a value lives: the record that holds it (segment, offset and
/// length, so a read checks the record's CRC), and the value's place in
/// that record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Loc {
    pub(crate) segment: u64,
    /// Where the record starts in its segment.
    pub(crate) record: u64,
    /// The record's length.
    pub(crate) record_len: u32,
    /// Where the value starts in the record.
    pub(crate) value_at: u32,
    /// The value's length.
    pub(crate) len: u32,
}

impl Loc {
    /// The value's place in `record`'s bytes.
    fn value(&self) -> std::ops::Range<usize> {
        self.value_at as usize..(self.value_at + self.len) as usize
    }
}

/// The mutable state, behind the partition's `RefCell`; never borrowed
/// across an await.
pub(crate) struct State<F> {
    pub(crate) index: Index,
    /// Values recently read from the segment files.
    pub(crate) cache: ReadCache,
    pub(crate) segments: BTreeMap<u64, F>,
    /// Sizes of the sealed segments (every one but the active).
    pub(crate) sealed: BTreeMap<u64, u64>,
    /// A new segment is being made.
    pub(crate) rolling: bool,
    /// A compaction or hint writing is running (one at a time).
    pub(crate) maintaining: bool,
    /// Sealed segments that have a valid hint file.
    pub(crate) hinted: BTreeSet<u64>,
    /// The segment records are appended to.
    pub(crate) active: u64,
    /// Bytes of the active segment already in its file.
    pub(crate) written: u64,
    /// Encoded records after `written`, not yet in the file.
    pub(crate) pending: Vec<u8>,
    /// The sequence number the next record gets.
    pub(crate) next_seq: u64,
    /// Every record up to this one is on stable storage.
    pub(crate) synced_seq: u64,
    /// Flushes (each one write and one `fdatasync`) made since opening.
    pub(crate) syncs: u64,
    /// Records appended since opening.
    pub(crate) appended: u64,
    /// A flush is writing and syncing now.
    pub(crate) flushing: bool,
    /// Bumped when a flush ends, so waiters notice.
    pub(crate) flush_gen: u64,
    /// Tasks waiting for a flush to end.
    pub(crate) waiters: Vec<Waker>,
    /// The failure that stopped the partition, if one did.
    pub(crate) poisoned: Option<IoError>,
}

impl<F> State<F> {
    /// Appends the record of `ops` to the log's tail and applies it to the
    /// index; returns its sequence number.
    pub(crate) fn append(&mut self, ops: &[Op]) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.appended += 1;
        let base = self.written + self.pending.len() as u64;
        let start = self.pending.len();
        let values = record::encode(seq, ops, &mut self.pending);
        let record_len = (self.pending.len() - start) as u32;
        for (op, value) in ops.iter().zip(values) {
            match value {
                Some(v) => {
                    let loc = Loc {
                        segment: self.active,
                        record: base,
                        record_len,
                        value_at: (v.start - start) as u32,
                        len: v.len() as u32,
                    };
                    if let Some(old) = self.index.insert(op.key().to_vec(), loc) {
                        self.cache.forget(&old);
                    }
                }
                None => {
                    if let Some(old) = self.index.remove(op.key()) {
                        self.cache.forget(&old);
                    }
                }
            }
        }
        seq
    }

    /// Where to read the value at `loc` from: the tail or the read cache
    /// (copied now), or its segment's file.
    pub(crate) fn source(&mut self, loc: Loc) -> Source<F>
    where
        F: Clone,
    {
        if loc.segment == self.active && loc.record >= self.written {
            let at = (loc.record - self.written) as usize;
            let v = loc.value();
            return Source::Ready(self.pending[at + v.start..at + v.end].to_vec());
        }
        if let Some(value) = self.cache.get(&loc) {
            return Source::Ready(value);
        }
        Source::File(self.segments[&loc.segment].clone(), loc)
    }

    /// Bytes in all segment files, the tail included.
    pub(crate) fn log_bytes(&self) -> u64 {
        self.sealed.values().sum::<u64>() + self.written + self.pending.len() as u64
    }

    /// Log bytes per live byte (1.0 for an empty store).
    pub(crate) fn amplification(&self) -> f64 {
        let live = self.index.total_live();
        if live == 0 {
            return 1.0;
        }
        self.log_bytes() as f64 / live as f64
    }

    /// Wakes every task waiting for a flush.
    pub(crate) fn flush_ended(&mut self) {
        self.flushing = false;
        self.flush_gen += 1;
        self.waiters.drain(..).for_each(Waker::wake);
    }
}

/// A value to read: already in hand, or in a file.
pub(crate) enum Source<F> {
    /// Copied from the unsynced tail or the read cache.
    Ready(Vec<u8>),
    /// In a segment file.
    File(F, Loc),
}

impl<F: FileIo> Source<F> {
    /// The value's bytes.
    pub(crate) async fn read(self) -> Result<Vec<u8>, KvError> {
        match self {
            Source::Ready(v) => Ok(v),
            Source::File(file, loc) => read_value(&file, loc).await,
        }
    }
}

/// Reads the record at `loc` from `file`, checks its CRC, and returns the
/// value: a damaged record is [`KvError::Corrupt`] naming its offset.
pub(crate) async fn read_value<F: FileIo>(file: &F, loc: Loc) -> Result<Vec<u8>, KvError> {
    let bytes = file
        .read_exact_at(loc.record_len as usize, loc.record)
        .await?;
    let corrupt = |reason| KvError::Corrupt {
        segment: file.path().to_path_buf(),
        offset: loc.record,
        reason,
    };
    match record::decode(&bytes) {
        Ok(d) if d.len == bytes.len() && loc.value().end <= bytes.len() => {
            Ok(bytes[loc.value()].to_vec())
        }
        Ok(_) => Err(corrupt(
            "the record does not hold the value the index points at",
        )),
        Err(_) => Err(corrupt("checksum mismatch on read")),
    }
}
