//! The ordered index of live keys, and how many bytes of each segment are
//! still live (what compaction and the space-amplification figure read).

use std::collections::BTreeMap;
use std::ops::{Bound, RangeBounds};

use super::record;
use super::state::Loc;

/// Bytes a live value costs in the log besides its key and value: its op
/// header (9) and a record's header and op count (20), so that a log of
/// single puts, all live, has a space amplification of 1.
const OP_OVERHEAD: u64 = 9 + record::HEADER as u64 + 4;

/// Live keys in order, with each one's value location.
#[derive(Debug, Default)]
pub(crate) struct Index {
    map: BTreeMap<Vec<u8>, Loc>,
    /// Live bytes (keys, values and op headers) per segment.
    live: BTreeMap<u64, u64>,
}

fn weight(key: &[u8], loc: &Loc) -> u64 {
    key.len() as u64 + u64::from(loc.len) + OP_OVERHEAD
}

impl Index {
    /// Points `key` at `loc`; returns where it pointed before.
    pub(crate) fn insert(&mut self, key: Vec<u8>, loc: Loc) -> Option<Loc> {
        *self.live.entry(loc.segment).or_default() += weight(&key, &loc);
        let old = self.map.get(&key).copied();
        if let Some(old) = old {
            self.forget(&key, old);
        }
        self.map.insert(key, loc);
        old
    }

    /// Removes `key`; returns where it pointed.
    pub(crate) fn remove(&mut self, key: &[u8]) -> Option<Loc> {
        let old = self.map.remove(key);
        if let Some(old) = old {
            self.forget(key, old);
        }
        old
    }

    fn forget(&mut self, key: &[u8], old: Loc) {
        if let Some(live) = self.live.get_mut(&old.segment) {
            *live = live.saturating_sub(weight(key, &old));
        }
    }

    /// Where `key`'s value is.
    pub(crate) fn get(&self, key: &[u8]) -> Option<Loc> {
        self.map.get(key).copied()
    }

    /// Live keys.
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    /// Entries in `range`, in key order. A range that holds no key (its
    /// start after its end, or one key excluded at both ends) is empty:
    /// `BTreeMap::range` would panic on it, and the bounds come from users.
    pub(crate) fn range<R: RangeBounds<Vec<u8>>>(
        &self,
        range: R,
    ) -> impl Iterator<Item = (&Vec<u8>, &Loc)> {
        let holds_keys = match (range.start_bound(), range.end_bound()) {
            (Bound::Excluded(s), Bound::Excluded(e)) => s < e,
            (Bound::Included(s) | Bound::Excluded(s), Bound::Included(e) | Bound::Excluded(e)) => {
                s <= e
            }
            _ => true,
        };
        holds_keys
            .then(|| self.map.range(range))
            .into_iter()
            .flatten()
    }

    /// Entries whose value lives in `segment`.
    pub(crate) fn in_segment(&self, segment: u64) -> Vec<(Vec<u8>, Loc)> {
        self.map
            .iter()
            .filter(|(_, l)| l.segment == segment)
            .map(|(k, l)| (k.clone(), *l))
            .collect()
    }

    /// Live bytes in all segments.
    pub(crate) fn total_live(&self) -> u64 {
        self.live.values().sum()
    }

    /// Drops the bookkeeping of a removed segment.
    pub(crate) fn drop_segment(&mut self, segment: u64) {
        self.live.remove(&segment);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(segment: u64, len: u32) -> Loc {
        Loc {
            segment,
            record: 0,
            record_len: len + 30,
            value_at: 25,
            len,
        }
    }

    #[test]
    fn a_range_that_holds_no_key_is_empty_not_a_panic() {
        let mut i = Index::default();
        for k in [b"a", b"b", b"c"] {
            i.insert(k.to_vec(), loc(1, 1));
        }
        let keys = |r: (Bound<Vec<u8>>, Bound<Vec<u8>>)| -> Vec<Vec<u8>> {
            i.range(r).map(|(k, _)| k.clone()).collect()
        };
        let (a, b, c) = (b"a".to_vec(), b"b".to_vec(), b"c".to_vec());
        assert!(keys((Bound::Included(c.clone()), Bound::Included(a.clone()))).is_empty());
        assert!(keys((Bound::Excluded(b.clone()), Bound::Excluded(b.clone()))).is_empty());
        assert!(keys((Bound::Included(b.clone()), Bound::Excluded(b.clone()))).is_empty());
        assert_eq!(
            keys((Bound::Included(b.clone()), Bound::Included(b.clone()))),
            std::slice::from_ref(&b)
        );
        assert_eq!(keys((Bound::Excluded(a), Bound::Unbounded)), [b, c]);
    }

    #[test]
    fn live_bytes_follow_overwrites_and_removals() {
        let mut i = Index::default();
        i.insert(b"k".to_vec(), loc(1, 10));
        assert_eq!(i.total_live(), 1 + 10 + OP_OVERHEAD);
        i.insert(b"k".to_vec(), loc(2, 5));
        assert_eq!(i.live, [(1, 0), (2, 1 + 5 + OP_OVERHEAD)].into());
        i.insert(b"j".to_vec(), loc(2, 0));
        i.remove(b"k");
        assert_eq!(i.live[&2], 1 + OP_OVERHEAD);
        i.drop_segment(1);
        assert_eq!(i.live.len(), 1);
        assert_eq!(i.len(), 1);
        assert_eq!(i.in_segment(2), vec![(b"j".to_vec(), loc(2, 0))]);
        assert_eq!(i.total_live(), 1 + OP_OVERHEAD);
    }
}
