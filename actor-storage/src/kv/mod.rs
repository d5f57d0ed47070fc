//! A log-structured key-value store.
//!
//! Each partition ([`KvShard`]) appends atomic batches as CRC32C-checked
//! records to segment files; that log is the write-ahead log and the only
//! copy of the data. An ordered in-memory index maps each live key to its
//! value's place in the log, so point reads are one positional read, or
//! none while the value is still in the unsynced tail or in the
//! partition's read cache (bounded by [`KvOptions::cache_bytes`], keyed by
//! the value's place in the log so it never serves an overwritten or
//! deleted value); range and prefix scans walk the index in key order.
//! Opening replays the log.
//!
//! [`KvStore`] runs one partition per storage shard, each behind an actor that owns
//! it, and routes each key to its partition with [`Sharded`]'s partitioner.
//!
//! [`Sharded`]: actor_core::partition::Sharded

mod actor;
mod cache;
mod commit;
mod compact;
mod error;
mod hint;
mod index;
mod maintain;
mod options;
mod read;
mod record;
mod recover;
mod shard;
mod state;
mod store;

pub use actor::{KvPartition, KvRequest};
pub use compact::{CompactionReport, KvStats};
pub use error::KvError;
pub use options::{Durability, KvOptions};
pub use record::Op;
pub use recover::RecoveryReport;
pub use shard::KvShard;
pub use store::KvStore;
