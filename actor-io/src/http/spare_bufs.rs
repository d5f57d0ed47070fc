//! A per-thread stock of small byte buffers for [`Headers`](super::Headers):
//! a response built and dropped on a shard takes its header buffer from
//! here and gives it back, instead of allocating and freeing it each time.

use std::cell::RefCell;

/// Buffers kept per thread.
const KEPT: usize = 64;
/// Smallest capacity worth keeping: every buffer handed out has this much.
pub(crate) const MIN_CAPACITY: usize = 128;
/// Buffers that grew beyond this are freed, not kept.
const MAX_CAPACITY: usize = 1024;

thread_local! {
    static SPARE: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

/// An empty buffer with at least [`MIN_CAPACITY`] bytes of room, from this
/// thread's stock when it has one.
pub(crate) fn take() -> Vec<u8> {
    SPARE
        .try_with(|s| s.try_borrow_mut().ok().and_then(|mut s| s.pop()))
        .ok()
        .flatten()
        .unwrap_or_else(|| Vec::with_capacity(MIN_CAPACITY))
}

/// Keeps `buf` for a later [`take`] when its size is worth it and the stock
/// has room; frees it otherwise.
pub(crate) fn give(mut buf: Vec<u8>) {
    if !(MIN_CAPACITY..=MAX_CAPACITY).contains(&buf.capacity()) {
        return;
    }
    buf.clear();
    // During thread exit the stock may be gone: the buffer is then freed.
    let _ = SPARE.try_with(|s| {
        if let Ok(mut s) = s.try_borrow_mut()
            && s.len() < KEPT
        {
            s.push(buf);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::{MIN_CAPACITY, give, take};

    #[test]
    fn a_given_buffer_comes_back_empty_and_odd_sizes_are_not_kept() {
        let mut buf = take();
        assert!(buf.is_empty() && buf.capacity() >= MIN_CAPACITY);
        buf.extend_from_slice(b"some bytes");
        let at = buf.as_ptr();
        give(buf);
        let again = take();
        assert!(again.is_empty());
        assert_eq!(again.as_ptr(), at, "the same allocation");
        give(Vec::with_capacity(1 << 20));
        give(Vec::new());
        let next = take();
        assert!(next.capacity() >= MIN_CAPACITY && next.capacity() < 1 << 20);
    }
}
