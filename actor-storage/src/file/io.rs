//! The file layer as traits, so a store runs on real files ([`Disk`]) or on
//! a fault-injecting layer ([`FaultyDisk`](super::FaultyDisk)) unchanged.

use std::path::{Path, PathBuf};

use super::exec::blocking;
use super::{AlignedBuf, File, OpenOptions};
use crate::error::{BufResult, FileOp, IoError};

/// Operations on one open file. Every method hands its buffers back and
/// names the operation, file and offset in its error.
#[allow(async_fn_in_trait)] // file futures are shard-local and never need `Send`
pub trait FileIo: Clone + 'static {
    /// The path the file was opened at.
    fn path(&self) -> &Path;

    /// The alignment buffers, offsets and lengths need (1 when buffered).
    fn alignment(&self) -> usize;

    /// Reads into `buf` from `offset` up to its capacity; `buf.len()` is
    /// then the count read.
    async fn read_at(&self, buf: AlignedBuf, offset: u64) -> BufResult<usize, AlignedBuf>;

    /// Reads into `bufs` in order from `offset` in one operation.
    async fn readv_at(
        &self,
        bufs: Vec<AlignedBuf>,
        offset: u64,
    ) -> BufResult<usize, Vec<AlignedBuf>>;

    /// Writes `buf`'s valid bytes at `offset` once; the count may be short.
    async fn write_at(&self, buf: AlignedBuf, offset: u64) -> BufResult<usize, AlignedBuf>;

    /// Writes `bufs` in order at `offset` once; the count may be short.
    async fn writev_at(
        &self,
        bufs: Vec<AlignedBuf>,
        offset: u64,
    ) -> BufResult<usize, Vec<AlignedBuf>>;

    /// `fsync`.
    async fn sync_all(&self) -> Result<(), IoError>;

    /// `fdatasync`.
    async fn sync_data(&self) -> Result<(), IoError>;

    /// All of `buf` at `offset`, then `fdatasync`.
    async fn write_durable_at(&self, buf: AlignedBuf, offset: u64) -> BufResult<(), AlignedBuf>;

    /// Reserves `len` bytes from `offset`.
    async fn allocate(&self, offset: u64, len: u64) -> Result<(), IoError>;

    /// Deallocates `len` bytes from `offset`; they read back as zeroes.
    async fn punch_hole(&self, offset: u64, len: u64) -> Result<(), IoError>;

    /// Sets the length.
    async fn set_len(&self, len: u64) -> Result<(), IoError>;

    /// The size in bytes.
    async fn size(&self) -> Result<u64, IoError>;

    /// An empty buffer of at least `capacity` bytes aligned for this file.
    fn buffer(&self, capacity: usize) -> AlignedBuf {
        AlignedBuf::new(capacity, self.alignment().max(super::align::MIN_ALIGN))
    }

    /// Writes all of `buf` at `offset`, continuing after short writes (the
    /// rest from a copy); a write that takes nothing is a `WriteZero` error.
    async fn write_all_at(&self, buf: AlignedBuf, offset: u64) -> BufResult<(), AlignedBuf> {
        let (res, buf) = self.write_at(buf, offset).await;
        let mut done = match res {
            Ok(n) if n == buf.len() => return (Ok(()), buf),
            Ok(n) => n,
            Err(e) => return (Err(e), buf),
        };
        while done < buf.len() {
            let rest = AlignedBuf::from_slice(&buf[done..], buf.align());
            let at = offset + done as u64;
            match self.write_at(rest, at).await.0 {
                Ok(0) => {
                    let e = std::io::ErrorKind::WriteZero.into();
                    return (
                        Err(IoError::new(FileOp::Write, self.path(), Some(at), e)),
                        buf,
                    );
                }
                Ok(n) => done += n,
                Err(e) => return (Err(e), buf),
            }
        }
        (Ok(()), buf)
    }

    /// Reads exactly `len` bytes at `offset`; a file that ends first is an
    /// `UnexpectedEof` error naming where.
    async fn read_exact_at(&self, len: usize, offset: u64) -> Result<AlignedBuf, IoError> {
        let mut out = self.buffer(len);
        while out.len() < len {
            let at = offset + out.len() as u64;
            let (res, chunk) = self.read_at(self.buffer(len - out.len()), at).await;
            if res? == 0 {
                let e = std::io::ErrorKind::UnexpectedEof.into();
                return Err(IoError::new(FileOp::Read, self.path(), Some(at), e));
            }
            out.extend_from_slice(&chunk[..chunk.len().min(len - out.len())]);
        }
        Ok(out)
    }
}

/// A place files live: opens them and changes directories. `Send + Sync`
/// so a store's factory can carry it to the shard that owns the store.
#[allow(async_fn_in_trait)] // file futures are shard-local and never need `Send`
pub trait Storage: Clone + Send + Sync + 'static {
    /// The files it opens.
    type File: FileIo;

    /// Opens `path` with `options`.
    async fn open(&self, path: &Path, options: &OpenOptions) -> Result<Self::File, IoError>;

    /// Removes the file at `path`.
    async fn remove(&self, path: &Path) -> Result<(), IoError>;

    /// Renames `from` to `to`, replacing `to`.
    async fn rename(&self, from: &Path, to: &Path) -> Result<(), IoError>;

    /// Makes the directory's entries (creations, renames, removals)
    /// durable: `fsync` on the directory.
    async fn sync_dir(&self, dir: &Path) -> Result<(), IoError>;

    /// Creates `dir` and its parents when missing, durably: the new
    /// directory's entry in its parent is synced.
    async fn create_dir_all(&self, dir: &Path) -> Result<(), IoError>;

    /// The paths of the entries of `dir`, sorted.
    async fn list(&self, dir: &Path) -> Result<Vec<PathBuf>, IoError>;
}

/// The real file system, with every call that may wait on the disk run on
/// the blocking pool (or the ring, for file I/O).
#[derive(Debug, Clone, Copy, Default)]
pub struct Disk;

/// Runs a blocking file-system call for `op` on `path`.
async fn on_pool<R: Send + 'static>(
    op: FileOp,
    path: &Path,
    f: impl FnOnce() -> std::io::Result<R> + Send + 'static,
) -> Result<R, IoError> {
    blocking(f)
        .await
        .and_then(|r| r)
        .map_err(|e| IoError::new(op, path, None, e))
}

impl Storage for Disk {
    type File = File;

    async fn open(&self, path: &Path, options: &OpenOptions) -> Result<File, IoError> {
        options.open(path).await
    }

    async fn remove(&self, path: &Path) -> Result<(), IoError> {
        let p = path.to_path_buf();
        on_pool(FileOp::Remove, path, move || std::fs::remove_file(p)).await
    }

    async fn rename(&self, from: &Path, to: &Path) -> Result<(), IoError> {
        let (f, t) = (from.to_path_buf(), to.to_path_buf());
        on_pool(FileOp::Rename, from, move || std::fs::rename(f, t)).await
    }

    async fn sync_dir(&self, dir: &Path) -> Result<(), IoError> {
        let d = dir.to_path_buf();
        on_pool(FileOp::Directory, dir, move || {
            std::fs::File::open(d)?.sync_all()
        })
        .await
    }

    async fn create_dir_all(&self, dir: &Path) -> Result<(), IoError> {
        let d = dir.to_path_buf();
        on_pool(FileOp::Directory, dir, move || {
            if d.is_dir() {
                return Ok(());
            }
            std::fs::create_dir_all(&d)?;
            // Make the new entry durable in its parent.
            match d.parent().filter(|p| !p.as_os_str().is_empty()) {
                Some(parent) => std::fs::File::open(parent)?.sync_all(),
                None => Ok(()),
            }
        })
        .await
    }

    async fn list(&self, dir: &Path) -> Result<Vec<PathBuf>, IoError> {
        let d = dir.to_path_buf();
        on_pool(FileOp::Directory, dir, move || {
            let mut out = std::fs::read_dir(d)?
                .map(|e| e.map(|e| e.path()))
                .collect::<std::io::Result<Vec<_>>>()?;
            out.sort();
            Ok(out)
        })
        .await
    }
}

impl FileIo for File {
    fn path(&self) -> &Path {
        File::path(self)
    }

    fn alignment(&self) -> usize {
        File::alignment(self)
    }

    async fn read_at(&self, buf: AlignedBuf, offset: u64) -> BufResult<usize, AlignedBuf> {
        File::read_at(self, buf, offset).await
    }

    async fn readv_at(
        &self,
        bufs: Vec<AlignedBuf>,
        offset: u64,
    ) -> BufResult<usize, Vec<AlignedBuf>> {
        File::readv_at(self, bufs, offset).await
    }

    async fn write_at(&self, buf: AlignedBuf, offset: u64) -> BufResult<usize, AlignedBuf> {
        File::write_at(self, buf, offset).await
    }

    async fn writev_at(
        &self,
        bufs: Vec<AlignedBuf>,
        offset: u64,
    ) -> BufResult<usize, Vec<AlignedBuf>> {
        File::writev_at(self, bufs, offset).await
    }

    async fn sync_all(&self) -> Result<(), IoError> {
        File::sync_all(self).await
    }

    async fn sync_data(&self) -> Result<(), IoError> {
        File::sync_data(self).await
    }

    async fn write_durable_at(&self, buf: AlignedBuf, offset: u64) -> BufResult<(), AlignedBuf> {
        File::write_durable_at(self, buf, offset).await
    }

    async fn allocate(&self, offset: u64, len: u64) -> Result<(), IoError> {
        File::allocate(self, offset, len).await
    }

    async fn punch_hole(&self, offset: u64, len: u64) -> Result<(), IoError> {
        File::punch_hole(self, offset, len).await
    }

    async fn set_len(&self, len: u64) -> Result<(), IoError> {
        File::set_len(self, len).await
    }

    async fn size(&self) -> Result<u64, IoError> {
        File::size(self).await
    }
}
