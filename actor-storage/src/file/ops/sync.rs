//! Flushing to stable storage: `IORING_OP_FSYNC` (with `DATASYNC` for
//! `fdatasync`) on the ring, or `fsync`/`fdatasync` on the blocking pool;
//! and a write followed by `fdatasync`.

use actor_core::io_driver::submit_linked;
use io_uring::{opcode, types};

use crate::error::{BufResult, FileOp, IoError};
use crate::file::exec::{blocking, cvt, ring, ring_supported};
use crate::file::{AlignedBuf, File, FileIo};

impl File {
    /// `fsync`: the file's data and metadata reach stable storage. An
    /// error means the data may be lost; the caller must not assume the
    /// writes before it are durable, and a retry does not make them so.
    pub async fn sync_all(&self) -> Result<(), IoError> {
        self.sync(false).await
    }

    /// `fdatasync`: the file's data, and the metadata needed to read it
    /// back (its size), reach stable storage. Errors as [`sync_all`](Self::sync_all).
    pub async fn sync_data(&self) -> Result<(), IoError> {
        self.sync(true).await
    }

    async fn sync(&self, data_only: bool) -> Result<(), IoError> {
        let op = if data_only {
            FileOp::Fdatasync
        } else {
            FileOp::Fsync
        };
        let res = if ring_supported(opcode::Fsync::CODE) {
            let flags = if data_only {
                types::FsyncFlags::DATASYNC
            } else {
                types::FsyncFlags::empty()
            };
            let sqe = opcode::Fsync::new(types::Fd(self.inner.fd()))
                .flags(flags)
                .build();
            // SAFETY: no memory is referenced; the resources keep the file open.
            unsafe { ring(sqe, self.inner.clone()) }.await.0.map(drop)
        } else {
            let inner = self.inner.clone();
            blocking(move || {
                // SAFETY: a plain syscall on an fd kept open by `inner`.
                let rc = unsafe {
                    if data_only {
                        libc::fdatasync(inner.fd())
                    } else {
                        libc::fsync(inner.fd())
                    }
                };
                cvt(rc as isize).map(drop)
            })
            .await
            .and_then(|r| r)
        };
        res.map_err(|e| self.error(op, None, e))
    }

    /// Writes all of `buf` at `offset`, then `fdatasync`: the bytes are on
    /// stable storage when this returns `Ok`. On the ring both go to the
    /// kernel in one linked submission (the sync starts once the write has
    /// completed whole); on the blocking pool both calls run in one job.
    pub async fn write_durable_at(
        &self,
        buf: AlignedBuf,
        offset: u64,
    ) -> BufResult<(), AlignedBuf> {
        if ring_supported(opcode::Write::CODE) && ring_supported(opcode::Fsync::CODE) {
            return self.write_durable_linked(buf, offset).await;
        }
        if let Err(e) = self.check_aligned(FileOp::Write, offset, buf.len(), buf.as_ptr()) {
            return (Err(e), buf);
        }
        let inner = self.inner.clone();
        let job = move || (write_then_sync(inner.fd(), &buf, offset), buf);
        match blocking(job).await {
            Ok((Ok(()), buf)) => (Ok(()), buf),
            Ok((Err((op, at, e)), buf)) => {
                let at = (op == FileOp::Write).then_some(at);
                (Err(self.error(op, at, e)), buf)
            }
            Err(e) => (
                Err(self.error(FileOp::Write, Some(offset), e)),
                AlignedBuf::new(0, 1),
            ),
        }
    }
}

impl File {
    /// `write_durable_at` on the ring: a write linked to an `fdatasync`.
    async fn write_durable_linked(
        &self,
        buf: AlignedBuf,
        offset: u64,
    ) -> BufResult<(), AlignedBuf> {
        let len = buf.len().min(1 << 30);
        if let Err(e) = self.check_aligned(FileOp::Write, offset, len, buf.as_ptr()) {
            return (Err(e), buf);
        }
        let fd = types::Fd(self.inner.fd());
        let write = opcode::Write::new(fd, buf.as_ptr(), len as u32)
            .offset(offset)
            .build();
        let sync = opcode::Fsync::new(fd)
            .flags(types::FsyncFlags::DATASYNC)
            .build();
        let resources = (buf, self.inner.clone());
        // SAFETY: the write points into `buf`'s heap memory, owned by its
        // resources with a clone of the file; the sync points at nothing
        // and its resources keep the file open.
        let linked = unsafe { submit_linked(write, resources, sync, self.inner.clone()) };
        let (written, synced) = match linked {
            Ok(ops) => ops,
            Err(e) => {
                return (
                    Err(self.error(FileOp::Write, Some(offset), e.error)),
                    e.resources.0.0,
                );
            }
        };
        let (wres, (buf, _file)) = written.await;
        let (sres, _file) = synced.await;
        if wres < 0 {
            let e = std::io::Error::from_raw_os_error(-wres);
            return (Err(self.error(FileOp::Write, Some(offset), e)), buf);
        }
        if (wres as usize) < buf.len() {
            // A short write broke the chain (the sync was cancelled): write
            // the rest, then sync, one after the other.
            let rest = AlignedBuf::from_slice(&buf[wres as usize..], buf.align());
            let at = offset + wres as u64;
            if let Err(e) = FileIo::write_all_at(self, rest, at).await.0 {
                return (Err(e), buf);
            }
            return (self.sync_data().await, buf);
        }
        if sres < 0 {
            let e = std::io::Error::from_raw_os_error(-sres);
            return (Err(self.error(FileOp::Fdatasync, None, e)), buf);
        }
        (Ok(()), buf)
    }
}

/// What failed inside the blocking job: the operation, where, and why.
type Failed = (FileOp, u64, std::io::Error);

/// `pwrite` of all of `buf` at `offset`, then `fdatasync`, on this thread.
fn write_then_sync(fd: i32, buf: &[u8], offset: u64) -> Result<(), Failed> {
    let mut done = 0;
    while done < buf.len() {
        let rest = &buf[done..];
        let at = offset + done as u64;
        // SAFETY: `rest` is live and readable for its length.
        match cvt(unsafe { libc::pwrite(fd, rest.as_ptr().cast(), rest.len(), at as i64) }) {
            Ok(0) => return Err((FileOp::Write, at, std::io::ErrorKind::WriteZero.into())),
            Ok(n) => done += n,
            Err(e) => return Err((FileOp::Write, at, e)),
        }
    }
    // SAFETY: a plain syscall on an fd the caller keeps open.
    cvt(unsafe { libc::fdatasync(fd) } as isize)
        .map(drop)
        .map_err(|e| (FileOp::Fdatasync, offset, e))
}
