//! Stream reads and writes: `recv`/`send` on the ring, or non-blocking
//! `recv`/`send` (through `socket2`) on readiness. `MSG_NOSIGNAL` keeps a closed peer from
//! raising `SIGPIPE`.

use std::io;

use actor_core::io_driver::Direction;
use io_uring::{opcode, types};

use super::ring;
use super::socket::Socket;
use crate::buf::{IoBuf, IoBufMut};

impl Socket {
    /// Reads into `buf` from its start, up to its room; hands it back.
    pub(crate) async fn recv<B: IoBufMut>(&self, mut buf: B) -> (io::Result<usize>, B) {
        let ptr = buf.stable_mut_ptr();
        let len = buf.bytes_total().min(u32::MAX as usize);
        let result = if self.use_ring(opcode::Recv::CODE) {
            let sqe = opcode::Recv::new(types::Fd(self.raw()), ptr, len as u32).build();
            // SAFETY: `ptr` points into `buf`'s heap memory, owned by the
            // resources with a clone of the fd.
            let (res, (b, _fd)) = unsafe { ring(sqe, (buf, self.shared_fd()), None) }.await;
            buf = b;
            res.map(|n| n as usize)
        } else {
            self.with_ready(Direction::Read, || {
                // SAFETY: `ptr` has `len` writable bytes, alive across the call.
                unsafe { self.recv_raw(ptr, len, 0) }
            })
            .await
        };
        if let Ok(n) = result {
            // SAFETY: the kernel initialised the first `n` bytes.
            unsafe { buf.set_init(n) };
        }
        (result, buf)
    }

    /// Writes `buf[from..bytes_init]` once; hands `buf` back.
    pub(crate) async fn send_from<B: IoBuf>(&self, buf: B, from: usize) -> (io::Result<usize>, B) {
        let init = buf.bytes_init();
        let from = from.min(init);
        // SAFETY: `from <= bytes_init`, inside the buffer.
        let ptr = unsafe { buf.stable_ptr().add(from) };
        let len = (init - from).min(u32::MAX as usize);
        if self.use_ring(opcode::Send::CODE) {
            let sqe = opcode::Send::new(types::Fd(self.raw()), ptr, len as u32)
                .flags(libc::MSG_NOSIGNAL)
                .build();
            // SAFETY: `ptr` points into `buf`'s heap memory, owned by the
            // resources with a clone of the fd.
            let (res, (buf, _fd)) = unsafe { ring(sqe, (buf, self.shared_fd()), None) }.await;
            (res.map(|n| n as usize), buf)
        } else {
            // SAFETY: `ptr` has `len` readable bytes, alive while `buf` is.
            let bytes = unsafe { std::slice::from_raw_parts(ptr, len) };
            let res = self
                .with_ready(Direction::Write, || self.send_now(bytes))
                .await;
            (res, buf)
        }
    }

    /// Writes all of `buf`, completing only once the kernel took every
    /// byte (a peer that does not read stalls it).
    pub(crate) async fn send_all<B: IoBuf>(&self, buf: B) -> (io::Result<()>, B) {
        self.send_all_from(buf, 0).await
    }

    /// Writes all of `buf[from..bytes_init]`, as [`send_all`](Self::send_all).
    pub(crate) async fn send_all_from<B: IoBuf>(
        &self,
        mut buf: B,
        from: usize,
    ) -> (io::Result<()>, B) {
        let mut done = from;
        while done < buf.bytes_init() {
            let (res, b) = self.send_from(buf, done).await;
            buf = b;
            match res {
                Ok(0) => {
                    return (
                        Err(io::Error::new(
                            io::ErrorKind::WriteZero,
                            "peer took no bytes",
                        )),
                        buf,
                    );
                }
                Ok(n) => done += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return (Err(e), buf),
            }
        }
        (Ok(()), buf)
    }
}
