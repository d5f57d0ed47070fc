//! [`BlockOptions`]: the shape of a block store.

/// How a block store is laid out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockOptions {
    /// Bytes each block takes on disk (its slot): a multiple of the
    /// file's `O_DIRECT` alignment. With checksums on, 8 of them hold the
    /// checksum and [`BlockFile::block_size`](super::BlockFile::block_size)
    /// is 8 less. Default 4096.
    pub slot_size: usize,
    /// Blocks in the store. A file is grown (sparsely) to hold them; a
    /// block device must be large enough. Default 1024.
    pub blocks: u64,
    /// A CRC32C per block, checked on every read. Default on.
    pub checksums: bool,
    /// Bypass the page cache (`O_DIRECT`), falling back to buffered I/O
    /// where the file system refuses it. Default on.
    pub direct: bool,
}

impl Default for BlockOptions {
    fn default() -> Self {
        BlockOptions {
            slot_size: 4096,
            blocks: 1024,
            checksums: true,
            direct: true,
        }
    }
}
