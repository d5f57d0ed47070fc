//! The shard's pool of byte buffers: every buffer the crate takes for a
//! moment and gives back (header lists, receive buffers, response batches,
//! TLS reads) comes from here, so a shard that serves a steady load
//! allocates nothing for them.
//!
//! A shard is one thread, so the pool is a thread-local: no lock, no
//! atomics. Buffers come in two sizes: small ones for header lists, large
//! ones for reads and writes. A buffer that grew far beyond its size is
//! freed rather than kept, and so is one given back to a full pool.

use std::cell::RefCell;

use crate::codec::ReadBuf;

/// The room of a small buffer (a list of header fields).
pub(crate) const SMALL: usize = 128;
/// The room of a large buffer: what one read asks for.
pub(crate) const LARGE: usize = 16 * 1024;
/// Small buffers that grew beyond this are freed.
const SMALL_MAX: usize = 1024;
/// Large buffers that grew beyond this are freed.
const LARGE_MAX: usize = 64 * 1024;
/// Buffers kept per shard, of each size.
const KEPT: usize = 128;

/// The two stocks.
struct Pool {
    small: Vec<Vec<u8>>,
    large: Vec<Vec<u8>>,
}

thread_local! {
    static POOL: RefCell<Pool> = const {
        RefCell::new(Pool {
            small: Vec::new(),
            large: Vec::new(),
        })
    };
}

/// An empty small buffer (at least [`SMALL`] bytes of room).
pub(crate) fn take_small() -> Vec<u8> {
    take(|p| &mut p.small).unwrap_or_else(|| Vec::with_capacity(SMALL))
}

/// An empty large buffer (at least [`LARGE`] bytes of room).
pub(crate) fn take_large() -> Vec<u8> {
    take(|p| &mut p.large).unwrap_or_else(|| Vec::with_capacity(LARGE))
}

/// An empty receive buffer over a large buffer.
pub(crate) fn take_read_buf() -> ReadBuf {
    ReadBuf::from_vec(take_large())
}

/// Gives `buf` back: kept, emptied, when its size fits a stock with room;
/// freed otherwise.
pub(crate) fn give(mut buf: Vec<u8>) {
    let capacity = buf.capacity();
    let stock: fn(&mut Pool) -> &mut Vec<Vec<u8>> = if (LARGE..=LARGE_MAX).contains(&capacity) {
        |p| &mut p.large
    } else if (SMALL..=SMALL_MAX).contains(&capacity) {
        |p| &mut p.small
    } else {
        return;
    };
    buf.clear();
    // During thread exit the pool may be gone: the buffer is then freed.
    let _ = POOL.try_with(|p| {
        if let Ok(mut p) = p.try_borrow_mut() {
            let stock = stock(&mut p);
            if stock.len() < KEPT {
                stock.push(buf);
            }
        }
    });
}

/// Gives a receive buffer's allocation back.
pub(crate) fn give_read_buf(buf: ReadBuf) {
    give(buf.into_vec());
}

fn take(stock: fn(&mut Pool) -> &mut Vec<Vec<u8>>) -> Option<Vec<u8>> {
    POOL.try_with(|p| {
        p.try_borrow_mut()
            .ok()
            .and_then(|mut p| stock(&mut p).pop())
    })
    .ok()
    .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_given_buffer_comes_back_empty_to_its_own_size() {
        let mut small = take_small();
        assert!(small.is_empty() && small.capacity() >= SMALL);
        small.extend_from_slice(b"some bytes");
        let at = small.as_ptr();
        give(small);
        let large = take_large();
        assert!(
            large.capacity() >= LARGE,
            "a small buffer is not handed out as large"
        );
        let again = take_small();
        assert!(again.is_empty());
        assert_eq!(again.as_ptr(), at, "the same allocation");
        let at = large.as_ptr();
        give(large);
        let read_buf = take_read_buf();
        assert!(read_buf.is_empty());
        give_read_buf(read_buf);
        let again = take_large();
        assert_eq!(again.as_ptr(), at);
    }

    #[test]
    fn odd_sizes_are_freed_not_kept() {
        give(Vec::with_capacity(1 << 20));
        give(Vec::with_capacity(4 * 1024));
        give(Vec::new());
        let small = take_small();
        let large = take_large();
        assert!((SMALL..=SMALL_MAX).contains(&small.capacity()));
        assert!((LARGE..=LARGE_MAX).contains(&large.capacity()));
    }
}
