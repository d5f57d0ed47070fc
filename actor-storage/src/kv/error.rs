//! [`KvError`]: what a key-value operation can fail with.

use std::path::PathBuf;

use crate::IoError;
use crate::codec::CodecError;

/// A key-value operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KvError {
    /// A file operation failed; it names the operation, file and offset.
    #[error(transparent)]
    Io(#[from] IoError),
    /// A record in the middle of the log is corrupt: the store refuses to
    /// open rather than skip it.
    #[error("corrupt record in {segment:?} at offset {offset}: {reason}")]
    Corrupt {
        /// The segment file.
        segment: PathBuf,
        /// Where the corrupt record starts.
        offset: u64,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An earlier write or sync failed, so what is durable is unknown; the
    /// store takes no more operations until it is reopened (which recovers
    /// from the files). The failure that started it.
    #[error("the store stopped after a failed write or sync; reopen it to recover: {0}")]
    Poisoned(IoError),
    /// A value did not encode or decode.
    #[error(transparent)]
    Codec(#[from] CodecError),
    /// A key or value is larger than a record can hold.
    #[error("a batch of {0} bytes is larger than a record can hold")]
    TooLarge(usize),
    /// An atomic batch names keys of more than one partition; a batch is
    /// atomic within one partition only.
    #[error("an atomic batch must keep to one partition; its keys span {0}")]
    SpansPartitions(usize),
    /// The store's directory was made for another number of partitions.
    #[error("the store in {dir:?} has {found} partitions; this runtime would make {wanted}")]
    Layout {
        /// The store's directory.
        dir: PathBuf,
        /// Partitions on disk.
        found: usize,
        /// Partitions this runtime has (one per storage shard).
        wanted: usize,
    },
    /// The partition that owns the key is gone (its actor stopped).
    #[error("the store's partition is not running: {0}")]
    Unavailable(String),
}
