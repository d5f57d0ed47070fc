//! An object store: named objects with metadata (content type, user
//! metadata, size, CRC32C, ETag), streamed in and out in chunks, one file
//! per object.
//!
//! [`ObjectStore`] spreads objects over one partition per shard by the
//! name's stable hash, each a directory owned by an actor pinned to its
//! shard. A put writes a hidden upload file, then appends the metadata,
//! syncs it, renames it over the object's file and syncs the directory:
//! readers see the old object or the new one, never a mix.

mod actor;
mod error;
mod meta;
mod partition;
mod store;

#[cfg(test)]
mod decode_tests;
#[cfg(test)]
mod fault_tests;

pub use error::ObjectError;
pub use meta::ObjectMeta;
pub use store::{ObjectReader, ObjectStore, ObjectWriter};
