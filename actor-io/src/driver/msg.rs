//! Datagrams: `sendmsg`/`recvmsg` on the ring, or non-blocking
//! `sendto`/`recvfrom` (through `socket2`) on readiness.

use std::io;
use std::mem::{MaybeUninit, zeroed};
use std::net::SocketAddr;

use actor_core::io_driver::Direction;
use io_uring::{opcode, types};
use socket2::SockAddr;

use super::addr::AddrBuf;
use super::ring;
use super::socket::{Socket, to_std};
use crate::buf::{IoBuf, IoBufMut};

/// A `msghdr` with its one `iovec` and its address, boxed together so the
/// pointers between them stay valid while the kernel holds them.
struct MsgState<A> {
    hdr: libc::msghdr,
    iov: libc::iovec,
    addr: A,
}

impl<A> MsgState<A> {
    fn new(ptr: *mut u8, len: usize, addr: A) -> Box<MsgState<A>> {
        Box::new(MsgState {
            // SAFETY: msghdr is plain data; all-zero is a valid empty header.
            hdr: unsafe { zeroed() },
            iov: libc::iovec {
                iov_base: ptr.cast(),
                iov_len: len,
            },
            addr,
        })
    }

    /// Points the header at the iovec and at `name` (`len` bytes).
    fn link(&mut self, name: *mut libc::sockaddr, len: libc::socklen_t) {
        self.hdr.msg_iov = &raw mut self.iov;
        self.hdr.msg_iovlen = 1;
        self.hdr.msg_name = name.cast();
        self.hdr.msg_namelen = len;
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
        let addr = SockAddr::from(target);
        if self.use_ring(opcode::SendMsg::CODE) {
            let mut state = MsgState::new(ptr, len, addr);
            let (name, name_len) = (state.addr.as_ptr().cast_mut().cast(), state.addr.len());
            state.link(name, name_len);
            let sqe = opcode::SendMsg::new(types::Fd(self.raw()), &raw const state.hdr)
                .flags(libc::MSG_NOSIGNAL as u32)
                .build();
            let resources = (buf, state, self.shared_fd());
            // SAFETY: the header, iovec and address live in the boxed
            // state; the iovec points into `buf`'s heap memory; all are
            // owned by the resources with a clone of the socket.
            let completion = unsafe { ring(sqe, resources, None) };
            let (res, (buf, _state, _fd)) = completion.await;
            (res.map(|n| n as usize), buf)
        } else {
            // SAFETY: `ptr` has `len` readable bytes, alive while `buf` is.
            let bytes = unsafe { std::slice::from_raw_parts(ptr.cast_const(), len) };
            let flags = libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL;
            let res = self
                .with_ready(Direction::Write, || {
                    self.sock().send_to_with_flags(bytes, &addr, flags)
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
            let mut state = MsgState::new(ptr, len, AddrBuf::new());
            let (name, name_len) = (state.addr.as_mut_ptr(), state.addr.len);
            state.link(name, name_len);
            let sqe = opcode::RecvMsg::new(types::Fd(self.raw()), &raw mut state.hdr).build();
            // SAFETY: as in `send_to`.
            let (res, (b, state, _fd)) =
                unsafe { ring(sqe, (buf, state, self.shared_fd()), None) }.await;
            buf = b;
            res.and_then(|n| {
                let MsgState { hdr, mut addr, .. } = *state;
                addr.len = hdr.msg_namelen;
                addr.into_std().map(|a| (n as usize, a))
            })
        } else {
            // SAFETY: `ptr` has `len` writable bytes, alive while `buf` is;
            // `MaybeUninit<u8>` has the layout of `u8`.
            let room =
                unsafe { std::slice::from_raw_parts_mut(ptr.cast::<MaybeUninit<u8>>(), len) };
            let res = self
                .with_ready(Direction::Read, || {
                    self.sock().recv_from_with_flags(room, libc::MSG_DONTWAIT)
                })
                .await;
            res.and_then(|(n, from)| to_std(&from).map(|a| (n, a)))
        };
        if let Ok((n, _)) = result {
            // SAFETY: the kernel initialised the first `n` bytes.
            unsafe { buf.set_init(n) };
        }
        (result, buf)
    }
}
