//! [`BlockFile`]: fixed-size blocks at block addresses in one file or block
//! device, owned by one shard.

use std::path::Path;

use super::slot::{self, HEADER};
use super::{BlockError, BlockOptions};
use crate::file::{Disk, FileIo, OpenOptions, Storage};
use crate::join::join_all;

/// Fixed-size blocks addressed `0..blocks` in one file or block device,
/// each at `address * slot_size`, read and written whole with `O_DIRECT`
/// (sector-aligned buffers from the shard's pool), each optionally
/// checked by a CRC32C.
///
/// A write is on stable storage after [`flush`](Self::flush) (or when it
/// was made with [`write_durable`](Self::write_durable)). A crash during a
/// write may tear the block; with checksums the torn block then reads as
/// [`BlockError::Checksum`], never as silently mixed data.
#[derive(Debug)]
pub struct BlockFile<S: Storage = Disk> {
    file: S::File,
    options: BlockOptions,
}

impl BlockFile {
    /// Opens (or creates) the block file at `path` on the real disk.
    pub async fn open(path: impl AsRef<Path>, options: BlockOptions) -> Result<Self, BlockError> {
        Self::open_on(Disk, path, options).await
    }
}

impl<S: Storage> BlockFile<S> {
    /// Opens (or creates) the block file at `path` on `storage`, growing a
    /// file to hold `options.blocks`.
    pub async fn open_on(
        storage: S,
        path: impl AsRef<Path>,
        options: BlockOptions,
    ) -> Result<Self, BlockError> {
        let file = storage
            .open(
                path.as_ref(),
                &OpenOptions::new().create(true).direct(options.direct),
            )
            .await?;
        let align = file.alignment();
        let min = if options.checksums { HEADER + 1 } else { 1 };
        if options.slot_size < min || !options.slot_size.is_multiple_of(align) {
            return Err(BlockError::Options(format!(
                "slot size {} must be a multiple of the file's alignment {align}",
                options.slot_size
            )));
        }
        let want = options.blocks * options.slot_size as u64;
        if file.size().await? < want {
            // A new (or grown) file: its length and its directory entry
            // must survive a crash, or flushed blocks could vanish with them.
            file.set_len(want).await?;
            file.sync_all().await?;
            if let Some(dir) = path.as_ref().parent().filter(|d| !d.as_os_str().is_empty()) {
                storage.sync_dir(dir).await?;
            }
        }
        Ok(BlockFile { file, options })
    }

    /// Bytes of data in a block.
    pub fn block_size(&self) -> usize {
        self.options.slot_size - if self.options.checksums { HEADER } else { 0 }
    }

    /// Blocks in the store.
    pub fn blocks(&self) -> u64 {
        self.options.blocks
    }

    fn offset(&self, addr: u64) -> Result<u64, BlockError> {
        if addr >= self.options.blocks {
            return Err(BlockError::OutOfRange {
                addr,
                blocks: self.options.blocks,
            });
        }
        Ok(addr * self.options.slot_size as u64)
    }

    /// Reads block `addr`; a block never written reads as zeroes.
    pub async fn read(&self, addr: u64) -> Result<Vec<u8>, BlockError> {
        let offset = self.offset(addr)?;
        let slot = self
            .file
            .read_exact_at(self.options.slot_size, offset)
            .await?;
        if !self.options.checksums {
            return Ok(slot.to_vec());
        }
        slot::open(&slot, addr, offset)?;
        Ok(slot[HEADER..].to_vec())
    }

    /// Reads every block of `addrs`, all in flight together; one result
    /// per address, in order.
    pub async fn read_many(&self, addrs: &[u64]) -> Vec<Result<Vec<u8>, BlockError>> {
        join_all(addrs.iter().map(|&a| self.read(a)).collect()).await
    }

    /// The slot to write for `data` at `addr`.
    fn slot(&self, addr: u64, data: &[u8]) -> Result<(u64, crate::AlignedBuf), BlockError> {
        let offset = self.offset(addr)?;
        if data.len() != self.block_size() {
            return Err(BlockError::Size {
                expected: self.block_size(),
                got: data.len(),
            });
        }
        let mut buf = self.file.buffer(self.options.slot_size);
        buf.set_len(self.options.slot_size);
        if self.options.checksums {
            slot::seal(&mut buf, addr, data);
        } else {
            buf.copy_from_slice(data);
        }
        Ok((offset, buf))
    }

    /// Writes block `addr`; it is on stable storage after the next
    /// [`flush`](Self::flush).
    pub async fn write(&self, addr: u64, data: &[u8]) -> Result<(), BlockError> {
        let (offset, buf) = self.slot(addr, data)?;
        self.file.write_all_at(buf, offset).await.0?;
        Ok(())
    }

    /// Writes block `addr` and `fdatasync`s (one linked submission on
    /// io_uring): on stable storage when this returns.
    pub async fn write_durable(&self, addr: u64, data: &[u8]) -> Result<(), BlockError> {
        let (offset, buf) = self.slot(addr, data)?;
        self.file.write_durable_at(buf, offset).await.0?;
        Ok(())
    }

    /// Makes every write so far durable (`fdatasync`).
    pub async fn flush(&self) -> Result<(), BlockError> {
        Ok(self.file.sync_data().await?)
    }

    /// Discards `count` blocks from `addr`: they read as zeroes afterwards
    /// and the file system (or device) may free their space. Durable after
    /// the next [`flush`](Self::flush).
    pub async fn trim(&self, addr: u64, count: u64) -> Result<(), BlockError> {
        if count == 0 {
            return Ok(());
        }
        let offset = self.offset(addr)?;
        self.offset(addr + count - 1)?;
        let len = count * self.options.slot_size as u64;
        Ok(self.file.punch_hole(offset, len).await?)
    }
}
