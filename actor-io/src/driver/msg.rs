//! Datagrams: `sendmsg`/`recvmsg` on the ring, or non-blocking
//! `sendto`/`recvfrom` on readiness.

use std::io;
use std::mem::zeroed;
use std::net::SocketAddr;

use actor_core::io_driver::Direction;
use io_uring::{opcode, types};

use super::addr::RawAddr;
use super::ring;
use super::socket::{Socket, cvt_size};
use crate::buf::{IoBuf, IoBufMut};

/// A `msghdr` with its one `iovec` and its address, boxed together so the
/// pointers between them stay valid while the kernel holds them.
struct MsgState {
    hdr: libc::msghdr,
    iov: libc::iovec,
    addr: RawAddr,
}

impl MsgState {
    fn new(ptr: *mut u8, len: usize, addr: RawAddr) -> Box<MsgState> {
        let mut state = Box::new(MsgState {
            // SAFETY: msghdr is plain data; all-zero is a valid empty header.
            hdr: unsafe { zeroed() },
            iov: libc::iovec {
                iov_base: ptr.cast(),
                iov_len: len,
            },
            addr,
        });
        state.hdr.msg_iov = &raw mut state.iov;
        state.hdr.msg_iovlen = 1;
        state.hdr.msg_name = state.addr.as_mut_ptr().cast();
        state.hdr.msg_namelen = state.addr.len;
        state
    }
}

impl Socket {
    /// Sends `buf` as one datagram to `target`.
    pub(crate) async fn send_to<B: IoBuf>(
        &self,
        buf: B,
        target: SocketAddr,
    ) -> (io::Result<usize>, B) {
        let ptr = buf.stable_ptr().cast_mut();
        let len = buf.bytes_init();
        let addr = RawAddr::from_std(target);
        if self.use_ring(opcode::SendMsg::CODE) {
            let state = MsgState::new(ptr, len, addr);
            let sqe = opcode::SendMsg::new(types::Fd(self.raw()), &raw const state.hdr)
                .flags(libc::MSG_NOSIGNAL as u32)
                .build();
            let resources = (buf, state, self.shared_fd());
            // SAFETY: the header, iovec and address live in the boxed
            // state; the iovec points into `buf`'s heap memory; all are
            // owned by the resources with a clone of the fd.
            let completion = unsafe { ring(sqe, resources, None) };
            let (res, (buf, _state, _fd)) = completion.await;
            (res.map(|n| n as usize), buf)
        } else {
            let fd = self.raw();
            let res = self
                .with_ready(Direction::Write, || {
                    let flags = libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL;
                    // SAFETY: `ptr` has `len` readable bytes and `addr` a
                    // valid address, both alive across the call.
                    cvt_size(unsafe {
                        libc::sendto(fd, ptr.cast(), len, flags, addr.as_ptr(), addr.len)
                    })
                })
                .await;
            (res, buf)
        }
    }

    /// Receives one datagram into `buf` and says who sent it.
    pub(crate) async fn recv_from<B: IoBufMut>(
        &self,
        mut buf: B,
    ) -> (io::Result<(usize, SocketAddr)>, B) {
        let ptr = buf.stable_mut_ptr();
        let len = buf.bytes_total();
        let result = if self.use_ring(opcode::RecvMsg::CODE) {
            let mut state = MsgState::new(ptr, len, RawAddr::empty());
            let sqe = opcode::RecvMsg::new(types::Fd(self.raw()), &raw mut state.hdr).build();
            // SAFETY: as in `send_to`.
            let (res, (b, state, _fd)) =
                unsafe { ring(sqe, (buf, state, self.shared_fd()), None) }.await;
            buf = b;
            match res {
                Ok(n) => {
                    let mut addr = RawAddr::empty();
                    addr.storage = state.addr.storage;
                    addr.len = state.hdr.msg_namelen;
                    addr.to_std().map(|a| (n as usize, a))
                }
                Err(e) => Err(e),
            }
        } else {
            let fd = self.raw();
            let mut addr = RawAddr::empty();
            let res = self
                .with_ready(Direction::Read, || {
                    addr.len = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
                    // SAFETY: `ptr` has `len` writable bytes; the kernel
                    // writes at most `addr.len` bytes of address.
                    cvt_size(unsafe {
                        libc::recvfrom(
                            fd,
                            ptr.cast(),
                            len,
                            libc::MSG_DONTWAIT,
                            addr.as_mut_ptr(),
                            &mut addr.len,
                        )
                    })
                })
                .await;
            res.and_then(|n| addr.to_std().map(|a| (n, a)))
        };
        if let Ok((n, _)) = result {
            // SAFETY: the kernel initialised the first `n` bytes.
            unsafe { buf.set_init(n) };
        }
        (result, buf)
    }
}
