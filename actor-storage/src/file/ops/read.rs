//! Positional reads: `IORING_OP_READ`/`READV` on the ring, or
//! `pread`/`preadv` on the blocking pool.

use io_uring::{opcode, types};

use crate::error::{BufResult, FileOp};
use crate::file::exec::{blocking, cvt, ring, ring_supported};
use crate::file::{AlignedBuf, File};

impl File {
    /// Reads into `buf` from `offset`, up to its capacity, and hands it
    /// back with its length set to the bytes read (fewer at the end of the
    /// file, 0 past it).
    pub async fn read_at(&self, mut buf: AlignedBuf, offset: u64) -> BufResult<usize, AlignedBuf> {
        let len = buf.capacity().min(1 << 30);
        if let Err(e) = self.check_aligned(FileOp::Read, offset, len, buf.as_ptr()) {
            return (Err(e), buf);
        }
        let res = if ring_supported(opcode::Read::CODE) {
            let sqe = opcode::Read::new(types::Fd(self.inner.fd()), buf.as_mut_ptr(), len as u32)
                .offset(offset)
                .build();
            // SAFETY: the pointer is into `buf`'s heap memory (`len` bytes of
            // room), owned by the resources with a clone of the file.
            let (res, (b, _file)) = unsafe { ring(sqe, (buf, self.inner.clone())) }.await;
            buf = b;
            res.map(|n| n as usize)
        } else {
            let inner = self.inner.clone();
            let job = move || {
                let ptr = buf.as_mut_ptr();
                // SAFETY: `ptr` has `len` writable bytes, alive across the call.
                let r = cvt(unsafe { libc::pread(inner.fd(), ptr.cast(), len, offset as i64) });
                (r, buf)
            };
            match blocking(job).await {
                Ok((r, b)) => {
                    buf = b;
                    r
                }
                Err(e) => {
                    return (
                        Err(self.error(FileOp::Read, Some(offset), e)),
                        AlignedBuf::new(0, 1),
                    );
                }
            }
        };
        match res {
            Ok(n) => {
                buf.set_len(n);
                (Ok(n), buf)
            }
            Err(e) => (Err(self.error(FileOp::Read, Some(offset), e)), buf),
        }
    }

    /// Reads into `bufs` in order from `offset`, each up to its capacity,
    /// in one operation; each buffer's length is set to what it got.
    pub async fn readv_at(
        &self,
        mut bufs: Vec<AlignedBuf>,
        offset: u64,
    ) -> BufResult<usize, Vec<AlignedBuf>> {
        let mut pos = offset;
        for b in &bufs {
            if let Err(e) = self.check_aligned(FileOp::Readv, pos, b.capacity(), b.as_ptr()) {
                return (Err(e), bufs);
            }
            pos += b.capacity() as u64;
        }
        let res = if ring_supported(opcode::Readv::CODE) {
            let iovecs: Vec<libc::iovec> = bufs.iter_mut().map(iovec_mut).collect();
            let sqe = opcode::Readv::new(
                types::Fd(self.inner.fd()),
                iovecs.as_ptr(),
                iovecs.len() as u32,
            )
            .offset(offset)
            .build();
            // SAFETY: the iovec array and every buffer it points into are
            // heap memory owned by the resources, with a clone of the file.
            let (res, (b, _iov, _file)) =
                unsafe { ring(sqe, (bufs, iovecs, self.inner.clone())) }.await;
            bufs = b;
            res.map(|n| n as usize)
        } else {
            let inner = self.inner.clone();
            let job = move || {
                let iovecs: Vec<libc::iovec> = bufs.iter_mut().map(iovec_mut).collect();
                // SAFETY: every iovec points into a live buffer of its length.
                let r = cvt(unsafe {
                    libc::preadv(
                        inner.fd(),
                        iovecs.as_ptr(),
                        iovecs.len() as i32,
                        offset as i64,
                    )
                });
                (r, bufs)
            };
            match blocking(job).await {
                Ok((r, b)) => {
                    bufs = b;
                    r
                }
                Err(e) => return (Err(self.error(FileOp::Readv, Some(offset), e)), Vec::new()),
            }
        };
        match res {
            Ok(n) => {
                let mut left = n;
                for b in &mut bufs {
                    let got = left.min(b.capacity());
                    b.set_len(got);
                    left -= got;
                }
                (Ok(n), bufs)
            }
            Err(e) => (Err(self.error(FileOp::Readv, Some(offset), e)), bufs),
        }
    }
}

/// An iovec over a buffer's whole capacity.
fn iovec_mut(b: &mut AlignedBuf) -> libc::iovec {
    libc::iovec {
        iov_base: b.as_mut_ptr().cast(),
        iov_len: b.capacity(),
    }
}
