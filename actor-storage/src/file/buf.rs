//! [`AlignedBuf`]: an owned, aligned byte buffer that file operations take
//! and hand back.
//!
//! Its memory is always initialised (fresh buffers are zeroed), so every
//! byte up to the capacity may be read; `len` marks how many are valid.
//! Buffers come from the calling thread's [pool](super::pool) and return
//! to it when dropped, so a shard that does O_DIRECT I/O reuses a few
//! aligned allocations instead of allocating per operation.

use std::alloc::{Layout, alloc_zeroed, dealloc};
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;

use super::pool;

/// An owned byte buffer whose memory starts at a multiple of its
/// alignment: what `O_DIRECT` needs. Dereferences to its valid bytes.
pub struct AlignedBuf {
    ptr: NonNull<u8>,
    cap: usize,
    len: usize,
    align: usize,
}

// SAFETY: the buffer owns its allocation outright (no aliasing handle
// exists), like a `Vec<u8>`; moving it to another thread moves the
// ownership.
unsafe impl Send for AlignedBuf {}
// SAFETY: shared references only read the bytes, as with `Vec<u8>`.
unsafe impl Sync for AlignedBuf {}

impl std::fmt::Debug for AlignedBuf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlignedBuf")
            .field("len", &self.len)
            .field("capacity", &self.cap)
            .field("align", &self.align)
            .finish()
    }
}

/// The layout of a buffer: at least one byte, `align` a power of two.
fn layout(cap: usize, align: usize) -> Layout {
    Layout::from_size_align(cap.max(1), align).expect("a power-of-two alignment and a sane size")
}

impl AlignedBuf {
    /// An empty buffer with room for `capacity` bytes, aligned to `align`
    /// (rounded up to a power of two, at least 1). Taken from the calling
    /// thread's pool when one of that size is free.
    pub fn new(capacity: usize, align: usize) -> Self {
        let align = align.max(1).next_power_of_two();
        let cap = pool::size_class(capacity, align);
        if let Some(buf) = pool::take(cap, align) {
            return buf;
        }
        Self::allocate(cap, align)
    }

    /// A buffer holding a copy of `bytes`, aligned to `align`.
    pub fn from_slice(bytes: &[u8], align: usize) -> Self {
        let mut buf = Self::new(bytes.len(), align);
        buf.extend_from_slice(bytes);
        buf
    }

    pub(super) fn allocate(cap: usize, align: usize) -> Self {
        let layout = layout(cap, align);
        // SAFETY: `layout` has a non-zero size.
        let raw = unsafe { alloc_zeroed(layout) };
        let Some(ptr) = NonNull::new(raw) else {
            std::alloc::handle_alloc_error(layout)
        };
        AlignedBuf {
            ptr,
            cap,
            len: 0,
            align,
        }
    }

    /// Valid bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// `true` when no byte is valid.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Room in bytes: a read fills up to this many.
    pub fn capacity(&self) -> usize {
        self.cap
    }

    /// The alignment of the memory's start.
    pub fn align(&self) -> usize {
        self.align
    }

    /// Forgets every byte (keeps the memory).
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// Sets the number of valid bytes to `len`, growing the buffer when
    /// `len` exceeds its capacity. Bytes past the old length keep what the
    /// memory held (zeroes, for memory never written).
    pub fn set_len(&mut self, len: usize) {
        self.reserve_total(len);
        self.len = len;
    }

    /// Appends `bytes`, growing the buffer when needed.
    pub fn extend_from_slice(&mut self, bytes: &[u8]) {
        let start = self.len;
        self.set_len(start + bytes.len());
        self[start..].copy_from_slice(bytes);
    }

    /// The whole capacity, valid or not, for filling in place; follow with
    /// [`set_len`](Self::set_len).
    pub fn as_mut_capacity(&mut self) -> &mut [u8] {
        // SAFETY: the allocation holds `cap` initialised bytes (zeroed at
        // allocation, only ever overwritten since) and `&mut self` is
        // exclusive.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.cap) }
    }

    /// Makes room for `total` bytes in all, keeping the valid ones.
    fn reserve_total(&mut self, total: usize) {
        if total <= self.cap {
            return;
        }
        let mut bigger = AlignedBuf::new(total.max(self.cap * 2), self.align);
        bigger.as_mut_capacity()[..self.len].copy_from_slice(self);
        bigger.len = self.len;
        *self = bigger;
    }

    /// The start of the memory, for the kernel to read from.
    pub(crate) fn as_ptr(&self) -> *const u8 {
        self.ptr.as_ptr()
    }

    /// The start of the memory, for the kernel to write into.
    pub(crate) fn as_mut_ptr(&mut self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    /// Frees the memory without going through the pool.
    pub(super) fn free(self) {
        let this = std::mem::ManuallyDrop::new(self);
        // SAFETY: allocated in `allocate` with this very layout, and
        // `ManuallyDrop` keeps `Drop` from freeing it again.
        unsafe { dealloc(this.ptr.as_ptr(), layout(this.cap, this.align)) };
    }

    /// Resets the length, for reuse from the pool.
    pub(super) fn reset(&mut self) {
        self.len = 0;
    }
}

impl Drop for AlignedBuf {
    fn drop(&mut self) {
        let this = AlignedBuf {
            ptr: self.ptr,
            cap: self.cap,
            len: 0,
            align: self.align,
        };
        // `this` now owns the memory; the pool keeps it or frees it, and
        // nothing reads `self` after `drop`.
        pool::give(this);
    }
}

impl Deref for AlignedBuf {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        // SAFETY: the first `len <= cap` bytes are initialised and owned.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl DerefMut for AlignedBuf {
    fn deref_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in `deref`, and `&mut self` is exclusive.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl Clone for AlignedBuf {
    fn clone(&self) -> Self {
        AlignedBuf::from_slice(self, self.align)
    }
}

impl PartialEq for AlignedBuf {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for AlignedBuf {}

#[cfg(test)]
mod tests {
    use super::AlignedBuf;
    use proptest::prelude::*;

    #[test]
    fn memory_is_aligned_and_zeroed() {
        for align in [1, 512, 4096] {
            let mut fresh = AlignedBuf::allocate(100, align);
            assert_eq!(fresh.as_ptr() as usize % align, 0);
            assert!(fresh.as_mut_capacity().iter().all(|&x| x == 0));
            let pooled = AlignedBuf::new(100, align);
            assert_eq!(pooled.as_ptr() as usize % align, 0);
            assert!(pooled.capacity() >= 100);
            assert!(pooled.is_empty());
        }
    }

    proptest! {
        #[test]
        fn appends_keep_every_byte_and_the_alignment(
            chunks in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..3000), 0..8),
            align in prop::sample::select(vec![1usize, 8, 512, 4096]),
        ) {
            let mut b = AlignedBuf::new(16, align);
            let mut model = Vec::new();
            for c in &chunks {
                b.extend_from_slice(c);
                model.extend_from_slice(c);
                prop_assert_eq!(b.as_ptr() as usize % align, 0);
            }
            prop_assert_eq!(&b[..], &model[..]);
            let copy = b.clone();
            prop_assert_eq!(&copy[..], &model[..]);
            b.set_len(model.len() / 2);
            prop_assert_eq!(&b[..], &model[..model.len() / 2]);
        }
    }
}
