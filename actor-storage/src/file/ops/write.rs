//! Positional writes: `IORING_OP_WRITE`/`WRITEV` on the ring, or
//! `pwrite`/`pwritev` on the blocking pool.

use io_uring::{opcode, types};

use crate::error::{BufResult, FileOp};
use crate::file::exec::{blocking, cvt, ring, ring_supported};
use crate::file::{AlignedBuf, File};

impl File {
    /// Writes `buf`'s valid bytes at `offset` in one operation, and hands
    /// it back with the count written (possibly short).
    pub async fn write_at(&self, buf: AlignedBuf, offset: u64) -> BufResult<usize, AlignedBuf> {
        let len = buf.len().min(1 << 30);
        if let Err(e) = self.check_aligned(FileOp::Write, offset, len, buf.as_ptr()) {
            return (Err(e), buf);
        }
        let (res, buf) = if ring_supported(opcode::Write::CODE) {
            let sqe = opcode::Write::new(types::Fd(self.inner.fd()), buf.as_ptr(), len as u32)
                .offset(offset)
                .build();
            // SAFETY: the pointer is into `buf`'s heap memory (`len` valid
            // bytes), owned by the resources with a clone of the file.
            let (res, (buf, _file)) = unsafe { ring(sqe, (buf, self.inner.clone())) }.await;
            (res.map(|n| n as usize), buf)
        } else {
            let inner = self.inner.clone();
            let job = move || {
                // SAFETY: `buf` has `len` readable bytes, alive across the call.
                let r = cvt(unsafe {
                    libc::pwrite(inner.fd(), buf.as_ptr().cast(), len, offset as i64)
                });
                (r, buf)
            };
            match blocking(job).await {
                Ok(out) => out,
                Err(e) => {
                    return (
                        Err(self.error(FileOp::Write, Some(offset), e)),
                        AlignedBuf::new(0, 1),
                    );
                }
            }
        };
        (
            res.map_err(|e| self.error(FileOp::Write, Some(offset), e)),
            buf,
        )
    }

    /// Writes every valid byte of `bufs`, in order, at `offset` in one
    /// operation; the count written may be short.
    pub async fn writev_at(
        &self,
        bufs: Vec<AlignedBuf>,
        offset: u64,
    ) -> BufResult<usize, Vec<AlignedBuf>> {
        let mut pos = offset;
        for b in &bufs {
            if let Err(e) = self.check_aligned(FileOp::Writev, pos, b.len(), b.as_ptr()) {
                return (Err(e), bufs);
            }
            pos += b.len() as u64;
        }
        let (res, bufs) = if ring_supported(opcode::Writev::CODE) {
            let iovecs: Vec<libc::iovec> = bufs.iter().map(iovec).collect();
            let sqe = opcode::Writev::new(
                types::Fd(self.inner.fd()),
                iovecs.as_ptr(),
                iovecs.len() as u32,
            )
            .offset(offset)
            .build();
            // SAFETY: the iovec array and the buffers it points into are
            // heap memory owned by the resources, with a clone of the file.
            let (res, (bufs, _iov, _file)) =
                unsafe { ring(sqe, (bufs, iovecs, self.inner.clone())) }.await;
            (res.map(|n| n as usize), bufs)
        } else {
            let inner = self.inner.clone();
            let job = move || {
                let iovecs: Vec<libc::iovec> = bufs.iter().map(iovec).collect();
                // SAFETY: every iovec points into a live buffer of its length.
                let r = cvt(unsafe {
                    libc::pwritev(
                        inner.fd(),
                        iovecs.as_ptr(),
                        iovecs.len() as i32,
                        offset as i64,
                    )
                });
                (r, bufs)
            };
            match blocking(job).await {
                Ok(out) => out,
                Err(e) => return (Err(self.error(FileOp::Writev, Some(offset), e)), Vec::new()),
            }
        };
        (
            res.map_err(|e| self.error(FileOp::Writev, Some(offset), e)),
            bufs,
        )
    }
}

/// An iovec over a buffer's valid bytes.
fn iovec(b: &AlignedBuf) -> libc::iovec {
    libc::iovec {
        iov_base: b.as_ptr().cast_mut().cast(),
        iov_len: b.len(),
    }
}
