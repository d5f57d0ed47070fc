//! Partitioners: which partition owns a key.
//!
//! A [`Partitioner`] maps a key to an index in `0..partitions`; the runtime
//! uses it to route a message to the shard that owns its key. Pick one by
//! what must stay put:
//!
//! | partitioner | places by | when the count changes | stable across runs |
//! |---|---|---|---|
//! | [`HashPartitioner`] | [`stable_hash`] of the key | most keys move | yes, and across platforms |
//! | [`ConsistentHash`] | jump hash of [`stable_hash`] | growing to `n + 1` moves ~`1/(n + 1)`, all into the new partition; only the last can be removed | yes |
//! | [`Rendezvous`] | highest weight among named nodes | only the added or removed node's keys move | yes |
//! | [`RangePartitioner`] | key order against sorted boundaries | boundaries are the partitions | yes |
//! | [`RoundRobin`] | call order, ignoring the key | — | no, by design |
//! | [`Custom`] | your closure | your choice | your choice |
//!
//! Every hashing partitioner uses [`StableHasher`], a fixed function pinned
//! by golden-value tests, never `RandomState`: a key lands on the same
//! partition in every process, run and platform (the one endianness caveat is
//! in [`StableHasher`]'s docs).
//!
//! Callers pass `partitions >= 1`; every partitioner here returns 0 for
//! `partitions == 0` rather than panicking.
//!
//! # Example
//!
//! ```
//! use actor_core::partition::{
//!     ConsistentHash, HashPartitioner, Partitioner, RangePartitioner, RoundRobin,
//! };
//!
//! let shards = 8;
//!
//! // The same key lands on the same shard, in this run and every other.
//! let shard = HashPartitioner.partition("user-42", shards);
//! assert!(shard < shards);
//! assert_eq!(shard, HashPartitioner.partition("user-42", shards));
//!
//! // Growing by one shard moves a key only onto the new shard.
//! let before = ConsistentHash.partition(&1234u64, shards);
//! let after = ConsistentHash.partition(&1234u64, shards + 1);
//! assert!(after == before || after == shards);
//!
//! // Ranges: a key equal to a boundary goes to the upper partition.
//! let ranges = RangePartitioner::new(vec![10, 20]).unwrap();
//! assert_eq!(ranges.partition(&9, ranges.partitions()), 0);
//! assert_eq!(ranges.partition(&10, ranges.partitions()), 1);
//! assert_eq!(ranges.partition(&25, ranges.partitions()), 2);
//!
//! // Round robin ignores the key.
//! let rr = RoundRobin::new();
//! let picks: Vec<usize> = (0..4).map(|_| rr.partition(&(), 3)).collect();
//! assert_eq!(picks, [0, 1, 2, 0]);
//! ```
//!
//! Your own type can be a partitioner too, and partitioners work behind
//! `&`, `Box` and `Arc`, including as trait objects:
//!
//! ```
//! use actor_core::partition::Partitioner;
//!
//! /// Tenant ids below 100 share partition 0; the rest spread.
//! #[derive(Debug)]
//! struct Tenants;
//!
//! impl Partitioner<u32> for Tenants {
//!     fn partition(&self, tenant: &u32, partitions: usize) -> usize {
//!         if *tenant < 100 || partitions <= 1 {
//!             0
//!         } else {
//!             1 + *tenant as usize % (partitions - 1)
//!         }
//!     }
//! }
//!
//! let p: Box<dyn Partitioner<u32>> = Box::new(Tenants);
//! assert_eq!(p.partition(&7, 4), 0);
//! assert_eq!(p.partition(&101, 4), 3);
//! ```

mod consistent;
mod custom;
mod hash;
mod range;
mod round_robin;
mod sharded;

use std::sync::Arc;

pub use consistent::{ConsistentHash, Rendezvous};
pub use custom::Custom;
pub use hash::{BuildStableHasher, HashPartitioner, StableHasher, reduce, stable_hash};
pub use range::RangePartitioner;
pub use round_robin::RoundRobin;
pub use sharded::Sharded;

/// Maps a key to a partition index in `0..partitions`.
///
/// Callers guarantee `partitions >= 1`; implementations must return a value
/// below it, and return 0 when `partitions == 0` rather than panic.
pub trait Partitioner<K: ?Sized>: Send + Sync {
    /// The partition, in `0..partitions`, that owns `key`.
    fn partition(&self, key: &K, partitions: usize) -> usize;
}

impl<K: ?Sized, P: Partitioner<K> + ?Sized> Partitioner<K> for &P {
    fn partition(&self, key: &K, partitions: usize) -> usize {
        (**self).partition(key, partitions)
    }
}

impl<K: ?Sized, P: Partitioner<K> + ?Sized> Partitioner<K> for Box<P> {
    fn partition(&self, key: &K, partitions: usize) -> usize {
        (**self).partition(key, partitions)
    }
}

impl<K: ?Sized, P: Partitioner<K> + ?Sized> Partitioner<K> for Arc<P> {
    fn partition(&self, key: &K, partitions: usize) -> usize {
        (**self).partition(key, partitions)
    }
}

/// Why a partitioner could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PartitionError {
    /// Range boundaries must be strictly increasing; `index` is the first
    /// boundary not greater than the one before it.
    #[error("range boundary at index {index} is not greater than the boundary before it")]
    NotStrictlyIncreasing {
        /// Index of the offending boundary (always at least 1).
        index: usize,
    },
}
