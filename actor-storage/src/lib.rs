//! Pinion storage: file I/O on each shard's reactor, and stores that run as
//! actors pinned to shards.
//!
//! - [`file`](mod@file): read, write, vectored I/O, `fsync`/`fdatasync`, `fallocate`
//!   and a write followed by `fdatasync`, on owned [`AlignedBuf`]s, with
//!   `O_DIRECT` where the file system allows it. io_uring shards submit to
//!   their own ring; epoll shards run the same calls on the blocking pool.
//!   Errors are [`IoError`]s naming the operation, the file and the offset.
//! - [`kv`]: a log-structured key-value store ([`KvStore`](kv::KvStore)):
//!   CRC-checked records in segment files (the log is the write-ahead
//!   log), an ordered in-memory index, a bounded read cache, point reads
//!   one or many at a time, durable writes with group commit or
//!   buffered ones with a stated bound, recovery that cuts a torn tail and
//!   reports corruption with its offset, background compaction and hint
//!   files.
//! - [`block`]: fixed-size, optionally checksummed blocks on a file or
//!   block device ([`BlockStore`](block::BlockStore)).
//! - [`object`]: objects with metadata, streamed in chunks and replaced
//!   atomically ([`ObjectStore`](object::ObjectStore)).
//! - [`codec`]: how serde values become bytes (postcard by default).
//! - A fault-injecting layer ([`FaultyDisk`]) behind the same traits, for
//!   tests.
//!
//! Each store runs one partition per storage shard ([`storage_shards`]:
//! the shards the runtime's roles dedicate to storage, or every shard when
//! none is dedicated), each owned by an actor pinned to its shard, with
//! keys routed by `actor_core`'s partitioners.
//!
//! ```
//! use actor_storage::{AlignedBuf, OpenOptions};
//!
//! let dir = tempfile::tempdir()?;
//! let rt = actor_core::Runtime::builder().shards(1).build()?;
//! let back = rt.block_on(async {
//!     let file = OpenOptions::new().create(true).open(dir.path().join("f")).await?;
//!     let (written, _buf) = file.write_durable_at(AlignedBuf::from_slice(b"durable", 1), 0).await;
//!     written?;
//!     let (read, buf) = file.read_at(AlignedBuf::new(64, 1), 0).await;
//!     read?;
//!     Ok::<_, actor_storage::IoError>(buf)
//! })?;
//! assert_eq!(&back[..], b"durable");
//! rt.shutdown()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod block;
pub mod codec;
pub mod file;
pub mod kv;
pub mod object;

mod error;
mod join;
mod layout;
mod placement;
#[cfg(test)]
mod test_support;

pub use error::{BufResult, FileOp, IoError};
pub use file::{
    AlignedBuf, Disk, Fault, FaultPlan, FaultyDisk, File, FileIo, OpenOptions, Storage,
};
pub use placement::storage_shards;
