//! A hierarchical timer wheel: six levels of 64 slots, 1 ms per tick at the
//! bottom, about 2.2 years at the top.
//!
//! An entry lives on the level of the highest bit in which its tick differs
//! from the current tick, so every entry on level `l` is due within the
//! current level-`l+1` rotation and the lowest non-empty level always holds
//! the earliest deadline. Advancing takes the earliest slot: due entries
//! fire; the rest cascade down to a lower level.
//!
//! Deadlines round *up* to the next tick and the clock rounds *down*, so an
//! entry never fires before its deadline.

use std::task::Waker;
use std::time::{Duration, Instant};

const LEVELS: usize = 6;
const SLOT_BITS: u32 = 6;
const SLOTS: usize = 1 << SLOT_BITS;
const MAX_TICK: u64 = (1 << (SLOT_BITS * LEVELS as u32)) - 1;

/// A handle to cancel or re-arm an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TimerKey {
    index: usize,
    generation: u64,
}

struct Entry {
    tick: u64,
    generation: u64,
    waker: Waker,
}

struct Level {
    occupied: u64,
    slots: [Vec<TimerKey>; SLOTS],
}

impl Default for Level {
    fn default() -> Self {
        Level {
            occupied: 0,
            slots: std::array::from_fn(|_| Vec::new()),
        }
    }
}

/// One shard's timer wheel.
pub(crate) struct Wheel {
    origin: Instant,
    elapsed: u64,
    levels: Vec<Level>,
    entries: Vec<Option<Entry>>,
    free: Vec<usize>,
    generation: u64,
    live: usize,
}

impl std::fmt::Debug for Wheel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wheel")
            .field("elapsed", &self.elapsed)
            .field("live", &self.live)
            .finish()
    }
}

impl Wheel {
    pub(crate) fn new(origin: Instant) -> Self {
        Wheel {
            origin,
            elapsed: 0,
            levels: (0..LEVELS).map(|_| Level::default()).collect(),
            entries: Vec::new(),
            free: Vec::new(),
            generation: 0,
            live: 0,
        }
    }

    /// The tick at or after `deadline` (rounded up).
    fn tick_for(&self, deadline: Instant) -> u64 {
        let d = deadline.saturating_duration_since(self.origin);
        let ms = d.as_nanos().div_ceil(1_000_000);
        u64::try_from(ms).unwrap_or(MAX_TICK).min(MAX_TICK)
    }

    /// The current tick for `now` (rounded down).
    fn tick_now(&self, now: Instant) -> u64 {
        let ms = now.saturating_duration_since(self.origin).as_millis();
        u64::try_from(ms).unwrap_or(MAX_TICK).min(MAX_TICK)
    }

    /// `true` when no slot holds anything: advancing would only move the
    /// clock, so the shard need not read the time to do it.
    pub(crate) fn is_idle(&self) -> bool {
        self.levels.iter().all(|l| l.occupied == 0)
    }

    /// Adds an entry that wakes `waker` at or after `deadline`.
    pub(crate) fn insert(&mut self, deadline: Instant, waker: Waker) -> TimerKey {
        if self.is_idle() {
            // An idle wheel is not advanced (see `is_idle`): catch up first.
            self.elapsed = self.elapsed.max(self.tick_now(Instant::now()));
        }
        let tick = self.tick_for(deadline).max(self.elapsed);
        self.generation += 1;
        let entry = Entry {
            tick,
            generation: self.generation,
            waker,
        };
        let index = match self.free.pop() {
            Some(i) => {
                self.entries[i] = Some(entry);
                i
            }
            None => {
                self.entries.push(Some(entry));
                self.entries.len() - 1
            }
        };
        self.live += 1;
        let key = TimerKey {
            index,
            generation: self.generation,
        };
        self.place(key, tick);
        key
    }

    /// Replaces the waker of a live entry; `false` if it already fired.
    pub(crate) fn update_waker(&mut self, key: TimerKey, waker: &Waker) -> bool {
        match self.entry_mut(key) {
            Some(e) => {
                if !e.waker.will_wake(waker) {
                    e.waker = waker.clone();
                }
                true
            }
            None => false,
        }
    }

    /// Removes an entry; stale keys are ignored.
    pub(crate) fn cancel(&mut self, key: TimerKey) {
        if self.entry_mut(key).is_some() {
            self.entries[key.index] = None;
            self.free.push(key.index);
            self.live -= 1;
        }
    }

    fn entry_mut(&mut self, key: TimerKey) -> Option<&mut Entry> {
        self.entries
            .get_mut(key.index)
            .and_then(Option::as_mut)
            .filter(|e| e.generation == key.generation)
    }

    fn level_for(&self, tick: u64) -> usize {
        let masked = (self.elapsed ^ tick) | (SLOTS as u64 - 1);
        let significant = 63 - masked.leading_zeros();
        (significant / SLOT_BITS) as usize
    }

    fn place(&mut self, key: TimerKey, tick: u64) {
        let level = self.level_for(tick);
        let slot = ((tick >> (SLOT_BITS * level as u32)) as usize) & (SLOTS - 1);
        let lvl = &mut self.levels[level];
        lvl.slots[slot].push(key);
        lvl.occupied |= 1 << slot;
    }

    /// The earliest non-empty slot: (level, slot, the tick it starts at).
    fn next_slot(&self) -> Option<(usize, usize, u64)> {
        for (level, lvl) in self.levels.iter().enumerate() {
            if lvl.occupied == 0 {
                continue;
            }
            let shift = SLOT_BITS * level as u32;
            let pos = ((self.elapsed >> shift) as usize) & (SLOTS - 1);
            let ahead = lvl.occupied >> pos;
            // Entries of a level are never behind the current position.
            let slot = if ahead != 0 {
                pos + ahead.trailing_zeros() as usize
            } else {
                lvl.occupied.trailing_zeros() as usize
            };
            let rotation = shift + SLOT_BITS;
            let base = if rotation >= 64 {
                0
            } else {
                self.elapsed & !((1u64 << rotation) - 1)
            };
            let start = base + ((slot as u64) << shift);
            return Some((level, slot, start.max(self.elapsed)));
        }
        None
    }

    /// How long until the earliest entry is due, from `now`; `None` if empty.
    pub(crate) fn next_timeout(&self, now: Instant) -> Option<Duration> {
        let (_, _, tick) = self.next_slot()?;
        let at = self.origin + Duration::from_millis(tick);
        Some(at.saturating_duration_since(now))
    }

    /// Advances to `now`, collecting the wakers of every entry now due.
    pub(crate) fn advance(&mut self, now: Instant, fired: &mut Vec<Waker>) {
        let target = self.tick_now(now);
        while let Some((level, slot, start)) = self.next_slot() {
            if start > target {
                break;
            }
            self.elapsed = start;
            let lvl = &mut self.levels[level];
            lvl.occupied &= !(1 << slot);
            let keys = std::mem::take(&mut lvl.slots[slot]);
            for key in keys {
                let Some(e) = self.entry_mut(key) else {
                    continue;
                };
                let tick = e.tick;
                if tick <= self.elapsed {
                    let e = self.entries[key.index].take().map(|e| e.waker);
                    self.free.push(key.index);
                    self.live -= 1;
                    fired.extend(e);
                } else {
                    self.place(key, tick);
                }
            }
        }
        self.elapsed = self.elapsed.max(target);
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Wake;

    struct Count(AtomicUsize, usize, Arc<std::sync::Mutex<Vec<usize>>>);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
            self.2.lock().unwrap().push(self.1);
        }
    }

    #[test]
    fn entries_fire_in_deadline_order_and_never_early() {
        let origin = Instant::now();
        let mut wheel = Wheel::new(origin);
        let order = Arc::new(std::sync::Mutex::new(Vec::new()));
        let deadlines: Vec<u64> = vec![5, 1, 70, 4000, 64, 63, 300_000, 2, 4097];
        for (i, ms) in deadlines.iter().enumerate() {
            let w = Arc::new(Count(AtomicUsize::new(0), i, order.clone()));
            wheel.insert(origin + Duration::from_millis(*ms), Waker::from(w));
        }
        let mut fired = Vec::new();
        let mut last = 0;
        for step in [0u64, 1, 3, 5, 63, 64, 65, 100, 4000, 4096, 4098, 300_000] {
            wheel.advance(origin + Duration::from_millis(step), &mut fired);
            fired.drain(..).for_each(Waker::wake);
            let seen = order.lock().unwrap().clone();
            for &i in &seen[last..] {
                assert!(deadlines[i] <= step, "entry {i} fired early at {step}");
            }
            last = seen.len();
        }
        let seen = order.lock().unwrap().clone();
        let mut sorted = seen.clone();
        sorted.sort_by_key(|&i| deadlines[i]);
        assert_eq!(seen, sorted);
        assert_eq!(seen.len(), deadlines.len());
        assert_eq!(wheel.live, 0);
    }

    #[test]
    fn cancelled_entries_never_fire_and_next_timeout_tracks_earliest() {
        let origin = Instant::now();
        let mut wheel = Wheel::new(origin);
        let order = Arc::new(std::sync::Mutex::new(Vec::new()));
        let w = Arc::new(Count(AtomicUsize::new(0), 0, order.clone()));
        let k = wheel.insert(origin + Duration::from_millis(10), Waker::from(w.clone()));
        wheel.insert(origin + Duration::from_millis(500), Waker::from(w.clone()));
        assert_eq!(wheel.next_timeout(origin), Some(Duration::from_millis(10)));
        wheel.cancel(k);
        let mut fired = Vec::new();
        wheel.advance(origin + Duration::from_millis(100), &mut fired);
        assert!(fired.is_empty());
        assert!(
            wheel
                .next_timeout(origin + Duration::from_millis(100))
                .is_some()
        );
        wheel.advance(origin + Duration::from_millis(500), &mut fired);
        assert_eq!(fired.len(), 1);
    }
}
