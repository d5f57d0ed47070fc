//! A partition's in-memory state: the ordered index, the open segments,
//! and the log's tail that is not yet in its file.

use std::collections::BTreeMap;
use std::task::Waker;

use super::record::{self, Op};
use crate::IoError;

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
    pub(crate) index: BTreeMap<Vec<u8>, Loc>,
    pub(crate) segments: BTreeMap<u64, F>,
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

    /// The value at `loc` when it is still in the tail, not the file.
    pub(crate) fn read_tail(&self, loc: Loc) -> Option<Vec<u8>> {
        if loc.segment != self.active || loc.offset < self.written {
            return None;
        }
        let at = (loc.offset - self.written) as usize;
        Some(self.pending[at..at + loc.len as usize].to_vec())
    }

    /// Wakes every task waiting for a flush.
    pub(crate) fn flush_ended(&mut self) {
        self.flushing = false;
        self.flush_gen += 1;
        self.waiters.drain(..).for_each(Waker::wake);
    }
}
