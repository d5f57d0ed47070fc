//! A partition's in-memory state: the ordered index, the open segments,
//! and the log's tail that is not yet in its file.

use std::collections::{BTreeMap, BTreeSet};
use std::task::Waker;

use super::KvError;
use super::index::Index;
use super::record::{self, Op};
use crate::IoError;
use crate::file::FileIo;

/// Where a value lives: its segment, offset and length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Loc {
    pub(crate) segment: u64,
    pub(crate) offset: u64,
    pub(crate) len: u32,
}

/// The mutable state, behind the partition's `RefCell`; never borrowed
/// across an await.
pub(crate) struct State<F> {
    pub(crate) index: Index,
    pub(crate) segments: BTreeMap<u64, F>,
    /// Sizes of the sealed segments (every one but the active).
    pub(crate) sealed: BTreeMap<u64, u64>,
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
        let base = self.written + self.pending.len() as u64;
        let start = self.pending.len();
        let values = record::encode(seq, ops, &mut self.pending);
        for (op, value) in ops.iter().zip(values) {
            match value {
                Some(v) => {
                    let loc = Loc {
                        segment: self.active,
                        offset: base + (v.start - start) as u64,
                        len: v.len() as u32,
                    };
                    self.index.insert(op.key().to_vec(), loc);
                }
                None => {
                    self.index.remove(op.key());
                }
            }
        }
        seq
    }

    /// Where to read the value at `loc` from: the tail (copied now) or
    /// its segment's file.
    pub(crate) fn source(&self, loc: Loc) -> Source<F>
    where
        F: Clone,
    {
        if loc.segment == self.active && loc.offset >= self.written {
            let at = (loc.offset - self.written) as usize;
            return Source::Tail(self.pending[at..at + loc.len as usize].to_vec());
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
    /// Copied from the unsynced tail.
    Tail(Vec<u8>),
    /// In a segment file.
    File(F, Loc),
}

impl<F: FileIo> Source<F> {
    /// The value's bytes.
    pub(crate) async fn read(self) -> Result<Vec<u8>, KvError> {
        match self {
            Source::Tail(v) => Ok(v),
            Source::File(file, loc) => Ok(file
                .read_exact_at(loc.len as usize, loc.offset)
                .await?
                .to_vec()),
        }
    }
}
