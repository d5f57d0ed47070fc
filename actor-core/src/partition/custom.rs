//! Placement by a user closure.

use std::fmt;

use super::Partitioner;

/// Wraps a closure `Fn(&K, usize) -> usize` as a [`Partitioner`].
///
/// The closure gets the key and the partition count. Its result is reduced
/// modulo the count, so a closure may return a raw hash or an out-of-range
/// index and still land in `0..partitions`; with 0 partitions the result is 0
/// and the closure is not called.
///
/// For anything with state or a name of its own, implement [`Partitioner`]
/// on your own type instead; see the [module docs](super).
///
/// ```
/// use actor_core::partition::{Custom, Partitioner};
///
/// // Even keys to partition 0, odd keys spread over the rest.
/// let p = Custom::new(|key: &u64, n| if key % 2 == 0 { 0 } else { 1 + (*key as usize) % (n - 1) });
/// assert_eq!(p.partition(&4, 4), 0);
/// assert_eq!(p.partition(&5, 4), 3);
/// ```
#[derive(Clone, Copy)]
pub struct Custom<F> {
    f: F,
}

impl<F> Custom<F> {
    /// Wraps `f`. The bound here lets the compiler infer the closure's
    /// argument types from `key`'s annotation alone.
    pub const fn new<K: ?Sized>(f: F) -> Self
    where
        F: Fn(&K, usize) -> usize + Send + Sync,
    {
        Self { f }
    }
}

impl<F> fmt::Debug for Custom<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Custom").finish_non_exhaustive()
    }
}

impl<K, F> Partitioner<K> for Custom<F>
where
    K: ?Sized,
    F: Fn(&K, usize) -> usize + Send + Sync,
{
    fn partition(&self, key: &K, partitions: usize) -> usize {
        if partitions == 0 {
            return 0;
        }
        (self.f)(key, partitions) % partitions
    }
}
