//! [`ObjectError`]: what an object operation can fail with.

use std::path::PathBuf;

use crate::IoError;

/// An object operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ObjectError {
    /// A file operation failed; it names the operation, file and offset.
    #[error(transparent)]
    Io(#[from] IoError),
    /// No object has this name.
    #[error("no object named {0:?}")]
    NotFound(String),
    /// The name is empty or too long once encoded as a file name.
    #[error("invalid object name {0:?}: names are 1 to 80 bytes")]
    Name(String),
    /// An object file's metadata is damaged, or its data does not match
    /// its checksum.
    #[error("object file {path:?} is corrupt: {reason}")]
    Corrupt {
        /// The object's file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The upload or read handle is not open (finished, aborted, or its
    /// partition restarted).
    #[error("no open upload or read with id {0}")]
    Stale(u64),
    /// The store's directory was made for another number of partitions.
    #[error("the store in {dir:?} has {found} partitions; this runtime would make {wanted}")]
    Layout {
        /// The store's directory.
        dir: PathBuf,
        /// Partitions on disk.
        found: String,
        /// Partitions this runtime has (one per shard).
        wanted: String,
    },
    /// The partition that owns the object is gone (its actor stopped).
    #[error("the object store's partition is not running: {0}")]
    Unavailable(String),
}
