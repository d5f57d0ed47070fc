//! [`BlockError`]: what a block operation can fail with.

use crate::IoError;

/// A block operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BlockError {
    /// A file operation failed; it names the operation, file and offset.
    #[error(transparent)]
    Io(#[from] IoError),
    /// The block's checksum does not match its contents: the block is
    /// corrupt (or was torn by a crash mid-write).
    #[error("block {addr} (file offset {offset}) fails its checksum")]
    Checksum {
        /// The block's address.
        addr: u64,
        /// Where its slot starts in the file.
        offset: u64,
    },
    /// The address is past the end of the store.
    #[error("block {addr} is past the end ({blocks} blocks)")]
    OutOfRange {
        /// The address asked for.
        addr: u64,
        /// Blocks the store has.
        blocks: u64,
    },
    /// The data is not exactly one block.
    #[error("a block holds {expected} bytes, not {got}")]
    Size {
        /// The block's payload size.
        expected: usize,
        /// The size given.
        got: usize,
    },
    /// The options are not usable on this file.
    #[error("invalid block options: {0}")]
    Options(String),
    /// The partition that owns the block is gone (its actor stopped).
    #[error("the block store's partition is not running: {0}")]
    Unavailable(String),
}
