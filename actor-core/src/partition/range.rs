//! Placement by key order: partition `i` holds the keys between two
//! boundaries.

use std::borrow::Borrow;

use super::{PartitionError, Partitioner};

/// Places keys by sorted, strictly increasing boundaries.
///
/// With boundaries `b0 < b1 < … < b(m-1)` there are `m + 1` partitions:
/// partition 0 holds keys `< b0`, partition `i` holds `b(i-1) <= key < bi`,
/// and partition `m` holds keys `>= b(m-1)`. A key equal to a boundary goes
/// to the upper side. The partition is the number of boundaries `<= key`,
/// found by binary search.
///
/// [`Partitioner::partition`] is meant to be called with
/// `partitions == self.partitions()`. With fewer, the result is clamped to
/// `partitions - 1` (the last partition takes every higher key); with more,
/// the extra partitions stay empty; with 0 it is 0.
///
/// Lookups can use a borrowed form of the key: a `RangePartitioner<String>`
/// places `&str` keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangePartitioner<K> {
    boundaries: Vec<K>,
}

impl<K: Ord> RangePartitioner<K> {
    /// Builds a partitioner from boundaries that must be strictly increasing.
    ///
    /// # Errors
    ///
    /// [`PartitionError::NotStrictlyIncreasing`] with the index of the first
    /// boundary that is not greater than the one before it.
    pub fn new(boundaries: Vec<K>) -> Result<Self, PartitionError> {
        if let Some(index) = boundaries.windows(2).position(|w| w[0] >= w[1]) {
            return Err(PartitionError::NotStrictlyIncreasing { index: index + 1 });
        }
        Ok(Self { boundaries })
    }

    /// The boundaries, strictly increasing.
    #[must_use]
    pub fn boundaries(&self) -> &[K] {
        &self.boundaries
    }

    /// The partition count these boundaries define: `boundaries().len() + 1`.
    #[must_use]
    pub fn partitions(&self) -> usize {
        self.boundaries.len() + 1
    }

    /// The partition of `key` among all [`partitions`](Self::partitions).
    #[must_use]
    pub fn locate<Q>(&self, key: &Q) -> usize
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.boundaries.partition_point(|b| b.borrow() <= key)
    }
}

impl<K, Q> Partitioner<Q> for RangePartitioner<K>
where
    K: Ord + Borrow<Q> + Send + Sync,
    Q: Ord + ?Sized,
{
    fn partition(&self, key: &Q, partitions: usize) -> usize {
        self.locate(key).min(partitions.saturating_sub(1))
    }
}
