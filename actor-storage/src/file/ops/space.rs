//! Space and size: `IORING_OP_FALLOCATE` on the ring or `fallocate` on the
//! blocking pool; `ftruncate` and `statx` on the blocking pool.

use io_uring::{opcode, types};

use crate::error::{FileOp, IoError};
use crate::file::exec::{blocking, cvt, ring, ring_supported};
use crate::file::{File, align};

impl File {
    /// Reserves `len` bytes from `offset` (`fallocate` mode 0): later
    /// writes there cannot fail for lack of space, and the file grows to
    /// cover the range. ENOSPC comes back as an error naming the range's
    /// start.
    pub async fn allocate(&self, offset: u64, len: u64) -> Result<(), IoError> {
        let res = if ring_supported(opcode::Fallocate::CODE) {
            let sqe = opcode::Fallocate::new(types::Fd(self.inner.fd()), len)
                .offset(offset)
                .build();
            // SAFETY: no memory is referenced; the resources keep the file open.
            unsafe { ring(sqe, self.inner.clone()) }.await.0.map(drop)
        } else {
            let inner = self.inner.clone();
            blocking(move || {
                // SAFETY: a plain syscall on an fd kept open by `inner`.
                let rc = unsafe { libc::fallocate(inner.fd(), 0, offset as i64, len as i64) };
                cvt(rc as isize).map(drop)
            })
            .await
            .and_then(|r| r)
        };
        res.map_err(|e| self.error(FileOp::Fallocate, Some(offset), e))
    }

    /// Deallocates `len` bytes from `offset` (`fallocate` with
    /// `PUNCH_HOLE | KEEP_SIZE`): they read back as zeroes and, on a file
    /// system or device that supports it, free their space (a discard, on
    /// a block device). The size does not change.
    pub async fn punch_hole(&self, offset: u64, len: u64) -> Result<(), IoError> {
        let mode = libc::FALLOC_FL_PUNCH_HOLE | libc::FALLOC_FL_KEEP_SIZE;
        let res = if ring_supported(opcode::Fallocate::CODE) {
            let sqe = opcode::Fallocate::new(types::Fd(self.inner.fd()), len)
                .offset(offset)
                .mode(mode)
                .build();
            // SAFETY: no memory is referenced; the resources keep the file open.
            unsafe { ring(sqe, self.inner.clone()) }.await.0.map(drop)
        } else {
            let inner = self.inner.clone();
            blocking(move || {
                // SAFETY: a plain syscall on an fd kept open by `inner`.
                let rc = unsafe { libc::fallocate(inner.fd(), mode, offset as i64, len as i64) };
                cvt(rc as isize).map(drop)
            })
            .await
            .and_then(|r| r)
        };
        res.map_err(|e| self.error(FileOp::Fallocate, Some(offset), e))
    }

    /// Sets the file's length (`ftruncate`), cutting or zero-extending it.
    pub async fn set_len(&self, len: u64) -> Result<(), IoError> {
        let inner = self.inner.clone();
        blocking(move || inner.file.set_len(len))
            .await
            .and_then(|r| r)
            .map_err(|e| self.error(FileOp::SetLen, Some(len), e))
    }

    /// The file's size in bytes; for a block device, the device's size.
    pub async fn size(&self) -> Result<u64, IoError> {
        let inner = self.inner.clone();
        blocking(move || align::size(&inner.file))
            .await
            .and_then(|r| r)
            .map_err(|e| self.error(FileOp::Stat, None, e))
    }
}
