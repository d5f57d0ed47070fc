//! The per-thread pool of aligned buffers. A shard is one thread, so this
//! is the shard's pool: buffers dropped on a shard go back to it and the
//! next [`AlignedBuf::new`] of that size class takes one without
//! allocating. The pool is bounded (per class and in bytes per buffer);
//! what it does not keep is freed.

use std::cell::RefCell;
use std::collections::HashMap;

use super::buf::AlignedBuf;

/// Buffers kept per (size, alignment) class.
const KEPT_PER_CLASS: usize = 32;
/// Larger buffers are freed, never kept.
const LARGEST_KEPT: usize = 1 << 20;
/// The smallest class, so that tiny buffers share one.
const SMALLEST: usize = 64;

thread_local! {
    static POOL: RefCell<HashMap<(usize, usize), Vec<AlignedBuf>>> = RefCell::new(HashMap::new());
}

/// The capacity a request for `capacity` bytes at `align` gets: a power of
/// two, at least the alignment and [`SMALLEST`].
pub(super) fn size_class(capacity: usize, align: usize) -> usize {
    capacity.max(align).max(SMALLEST).next_power_of_two()
}

/// A kept buffer of exactly this class, if any.
pub(super) fn take(cap: usize, align: usize) -> Option<AlignedBuf> {
    POOL.try_with(|p| p.borrow_mut().get_mut(&(cap, align))?.pop())
        .ok()
        .flatten()
}

/// Keeps `buf` for reuse, or frees it.
pub(super) fn give(mut buf: AlignedBuf) {
    if buf.capacity() > LARGEST_KEPT || !buf.capacity().is_power_of_two() {
        buf.free();
        return;
    }
    buf.reset();
    let mut spare = Some(buf);
    let _ = POOL.try_with(|p| {
        let Ok(mut p) = p.try_borrow_mut() else {
            return;
        };
        let class = p
            .entry((
                spare.as_ref().map_or(0, AlignedBuf::capacity),
                spare.as_ref().map_or(1, AlignedBuf::align),
            ))
            .or_default();
        if class.len() < KEPT_PER_CLASS {
            class.extend(spare.take());
        }
    });
    if let Some(buf) = spare {
        buf.free();
    }
}

/// Buffers the calling thread's pool holds.
pub fn pooled_buffers() -> usize {
    POOL.try_with(|p| p.borrow().values().map(Vec::len).sum())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_buffer_is_reused_by_the_next_of_its_class() {
        let before = pooled_buffers();
        let a = AlignedBuf::new(5000, 4096);
        let addr = a.as_ptr() as usize;
        drop(a);
        assert_eq!(pooled_buffers(), before + 1);
        let b = AlignedBuf::new(8000, 4096);
        assert_eq!(b.as_ptr() as usize, addr, "same class, same memory");
        assert!(b.is_empty(), "a reused buffer starts empty");
        assert_eq!(pooled_buffers(), before);
    }

    #[test]
    fn the_pool_is_bounded() {
        let many: Vec<_> = (0..KEPT_PER_CLASS + 10)
            .map(|_| AlignedBuf::new(128, 512))
            .collect();
        drop(many);
        let held = POOL.with(|p| p.borrow().get(&(512, 512)).map_or(0, Vec::len));
        assert_eq!(held, KEPT_PER_CLASS);
        drop(AlignedBuf::new(4 << 20, 4096));
        assert!(POOL.with(|p| p.borrow().get(&(4 << 20, 4096)).is_none()));
    }
}
