//! [`CachePadded`]: keep a value on a cache line of its own.

use std::fmt;
use std::ops::{Deref, DerefMut};

/// Pads and aligns a value to the length of a cache line, so that two
/// `CachePadded` fields written by different threads never share a line
/// (no false sharing).
///
/// The alignment is 128 bytes on x86_64 (the spatial prefetcher pulls lines
/// in pairs) and aarch64 (some cores have 128-byte lines), and 64 bytes
/// elsewhere.
///
/// ```
/// use actor_core::channel::CachePadded;
///
/// let padded = CachePadded::new(7_u64);
/// assert_eq!(*padded, 7);
/// assert!(std::mem::align_of::<CachePadded<u64>>() >= 64);
/// assert_eq!(padded.into_inner(), 7);
/// ```
#[cfg_attr(any(target_arch = "x86_64", target_arch = "aarch64"), repr(align(128)))]
#[cfg_attr(
    not(any(target_arch = "x86_64", target_arch = "aarch64")),
    repr(align(64))
)]
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct CachePadded<T> {
    value: T,
}

impl<T> CachePadded<T> {
    /// Wraps `value` in its own cache line.
    pub const fn new(value: T) -> Self {
        Self { value }
    }

    /// Unwraps the value.
    pub fn into_inner(self) -> T {
        self.value
    }
}

impl<T> Deref for CachePadded<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> DerefMut for CachePadded<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

impl<T> From<T> for CachePadded<T> {
    fn from(value: T) -> Self {
        Self::new(value)
    }
}

impl<T: fmt::Debug> fmt::Debug for CachePadded<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachePadded")
            .field("value", &self.value)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::CachePadded;

    #[test]
    fn two_padded_fields_do_not_share_a_line() {
        struct Pair {
            a: CachePadded<usize>,
            b: CachePadded<usize>,
        }
        let pair = Pair {
            a: CachePadded::new(1),
            b: CachePadded::new(2),
        };
        let a = std::ptr::from_ref(&*pair.a) as usize;
        let b = std::ptr::from_ref(&*pair.b) as usize;
        assert!(a.abs_diff(b) >= std::mem::align_of::<CachePadded<usize>>());
        assert!(std::mem::align_of::<CachePadded<u8>>() >= 64);
        assert_eq!(
            std::mem::size_of::<CachePadded<u8>>(),
            std::mem::align_of::<CachePadded<u8>>()
        );
    }
}
