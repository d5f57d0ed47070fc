//! The partition's read cache: values by their place in the log, bounded
//! in bytes, evicted by CLOCK (second chance).
//!
//! Entries are keyed by where the value lives (segment, record offset and
//! the value's place in it), never by the user's key. A put, a delete or a
//! compaction's copy gives the key a new place, so the index can never
//! lead a read to an entry of an older value: staleness is ruled out by
//! construction, and dropping the old place's entry (what
//! [`ReadCache::forget`] does) only frees its bytes sooner. Segment ids
//! are never reused while a partition is open, and the cache starts empty
//! on every open, so recovery cannot meet an entry from before it.

use std::collections::{HashMap, VecDeque};

use super::state::Loc;

/// Bytes an entry costs besides its value: the map's slot, the clock's
/// slot and the allocation's header, rounded up.
pub(crate) const ENTRY_OVERHEAD: usize = 96;

/// A value's identity in the log.
type Place = (u64, u64, u32);

fn place(loc: &Loc) -> Place {
    (loc.segment, loc.record, loc.value_at)
}

struct Entry {
    value: Box<[u8]>,
    /// Read since the clock hand last passed it.
    referenced: bool,
}

/// Hit and miss counts of a read cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct CacheCounts {
    pub(crate) hits: u64,
    pub(crate) misses: u64,
}

/// Values recently read from segment files, at most `capacity` bytes
/// (values plus [`ENTRY_OVERHEAD`] each).
pub(crate) struct ReadCache {
    capacity: usize,
    used: usize,
    map: HashMap<Place, Entry>,
    /// The clock: places in insertion order; ones already forgotten are
    /// skipped when the hand reaches them.
    clock: VecDeque<Place>,
    counts: CacheCounts,
}

impl ReadCache {
    /// An empty cache of `capacity` bytes (0 turns it off).
    pub(crate) fn new(capacity: usize) -> Self {
        ReadCache {
            capacity,
            used: 0,
            map: HashMap::new(),
            clock: VecDeque::new(),
            counts: CacheCounts::default(),
        }
    }

    /// A copy of the value at `loc`, when cached.
    pub(crate) fn get(&mut self, loc: &Loc) -> Option<Vec<u8>> {
        if self.capacity == 0 {
            return None;
        }
        match self.map.get_mut(&place(loc)) {
            Some(e) => {
                e.referenced = true;
                self.counts.hits += 1;
                Some(e.value.to_vec())
            }
            None => {
                self.counts.misses += 1;
                None
            }
        }
    }

    /// Caches `value` as the value at `loc`, evicting others to make room;
    /// a value larger than the whole cache is not kept.
    pub(crate) fn insert(&mut self, loc: &Loc, value: &[u8]) {
        let cost = value.len() + ENTRY_OVERHEAD;
        if cost > self.capacity || self.map.contains_key(&place(loc)) {
            return;
        }
        while self.used + cost > self.capacity {
            self.evict_one();
        }
        self.used += cost;
        self.clock.push_back(place(loc));
        let entry = Entry {
            value: value.into(),
            referenced: false,
        };
        self.map.insert(place(loc), entry);
    }

    /// Drops the entry of `loc` (its key now lives elsewhere, or is gone).
    pub(crate) fn forget(&mut self, loc: &Loc) {
        if let Some(e) = self.map.remove(&place(loc)) {
            self.used -= e.value.len() + ENTRY_OVERHEAD;
        }
        // Its clock slot goes when the hand reaches it; keep the clock from
        // growing past the entries it can still point at.
        if self.clock.len() > 2 * self.map.len() + 64 {
            let map = &self.map;
            self.clock.retain(|p| map.contains_key(p));
        }
    }

    /// Evicts one entry, giving referenced ones a second chance.
    fn evict_one(&mut self) {
        while let Some(p) = self.clock.pop_front() {
            let Some(e) = self.map.get_mut(&p) else {
                continue;
            };
            if e.referenced {
                e.referenced = false;
                self.clock.push_back(p);
                continue;
            }
            let e = self.map.remove(&p).expect("looked up above");
            self.used -= e.value.len() + ENTRY_OVERHEAD;
            return;
        }
    }

    /// Bytes in use (values plus overhead).
    pub(crate) fn used(&self) -> usize {
        self.used
    }

    /// Entries cached.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    /// Hits and misses since the partition opened.
    pub(crate) fn counts(&self) -> CacheCounts {
        self.counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(segment: u64, record: u64) -> Loc {
        Loc {
            segment,
            record,
            record_len: 40,
            value_at: 20,
            len: 10,
        }
    }

    #[test]
    fn stays_within_its_bytes() {
        let mut c = ReadCache::new(10 * (100 + ENTRY_OVERHEAD));
        for i in 0..100 {
            c.insert(&loc(1, i), &[i as u8; 100]);
            assert!(c.used() <= 10 * (100 + ENTRY_OVERHEAD));
        }
        assert_eq!(c.len(), 10);
        assert_eq!(c.get(&loc(1, 99)), Some(vec![99; 100]));
        assert_eq!(c.get(&loc(1, 0)), None);
        assert_eq!(c.counts(), CacheCounts { hits: 1, misses: 1 });
    }

    #[test]
    fn a_referenced_entry_gets_a_second_chance() {
        let mut c = ReadCache::new(2 * (1 + ENTRY_OVERHEAD));
        c.insert(&loc(1, 0), b"a");
        c.insert(&loc(1, 1), b"b");
        assert!(c.get(&loc(1, 0)).is_some());
        c.insert(&loc(1, 2), b"c");
        assert_eq!(c.get(&loc(1, 0)), Some(b"a".to_vec()), "kept: it was read");
        assert_eq!(c.get(&loc(1, 1)), None, "evicted: never read");
    }

    #[test]
    fn forgetting_frees_bytes_and_the_clock_stays_bounded() {
        let mut c = ReadCache::new(1 << 20);
        for i in 0..10_000 {
            c.insert(&loc(1, i), b"v");
            c.forget(&loc(1, i));
        }
        assert_eq!((c.len(), c.used()), (0, 0));
        assert!(c.clock.len() <= 64, "{}", c.clock.len());
        assert_eq!(c.get(&loc(1, 5)), None);
    }

    #[test]
    fn zero_capacity_or_an_oversized_value_caches_nothing() {
        let mut off = ReadCache::new(0);
        off.insert(&loc(1, 0), b"v");
        assert_eq!(off.get(&loc(1, 0)), None);
        let mut small = ReadCache::new(ENTRY_OVERHEAD + 4);
        small.insert(&loc(1, 0), b"12345");
        assert_eq!(small.len(), 0);
        small.insert(&loc(1, 0), b"1234");
        assert_eq!(small.get(&loc(1, 0)), Some(b"1234".to_vec()));
    }
}
