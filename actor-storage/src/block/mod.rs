//! A block store: fixed-size blocks at block addresses, on a file or a raw
//! block device.
//!
//! [`BlockFile`] is one file's blocks, owned by one shard; [`BlockStore`]
//! stripes addresses over one `BlockFile` per shard (address `a` lives in
//! partition `a % partitions`, at `a / partitions` there), each behind an
//! actor pinned to its shard.

mod actor;
mod device;
mod error;
mod options;
mod slot;
mod store;

pub use device::BlockFile;
pub use error::BlockError;
pub use options::BlockOptions;
pub use store::BlockStore;
