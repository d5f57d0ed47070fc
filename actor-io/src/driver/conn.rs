//! Accepting and connecting: `accept`/`connect` on the ring, or their
//! non-blocking calls (through `socket2`) on readiness.

use std::io;
use std::net::SocketAddr;
use std::os::fd::{FromRawFd, OwnedFd};

use actor_core::io_driver::Direction;
use io_uring::{opcode, types};
use socket2::SockAddr;

use super::addr::AddrBuf;
use super::socket::{Socket, to_std};
use super::{close_orphan, ring};

impl Socket {
    /// Accepts one connection: the new socket (set up for this shard) and
    /// the peer's address. An accept whose future was dropped after the
    /// kernel completed it closes the fd it produced.
    pub(crate) async fn accept(&self) -> io::Result<(Socket, SocketAddr)> {
        if self.use_ring(opcode::Accept::CODE) {
            let mut raw = Box::new(AddrBuf::new());
            let sqe =
                opcode::Accept::new(types::Fd(self.raw()), raw.as_mut_ptr(), &raw mut raw.len)
                    .flags(libc::SOCK_CLOEXEC)
                    .build();
            // SAFETY: the address and its length live in the boxed
            // `AddrBuf`, owned by the resources with a clone of the socket.
            let (res, (raw, _fd)) =
                unsafe { ring(sqe, (raw, self.shared_fd()), Some(close_orphan)) }.await;
            // SAFETY: a fresh fd from the kernel that nobody else owns.
            let fd = unsafe { OwnedFd::from_raw_fd(res? as i32) };
            let socket = Socket::adopt(socket2::Socket::from(fd))?;
            return Ok((socket, raw.into_std()?));
        }
        if self.is_uring() {
            // Sockets are blocking under io_uring; this path accepts
            // itself, which must not block the shard. A listener only
            // accepts, so it stays non-blocking.
            self.sock().set_nonblocking(true)?;
        }
        // `socket2` accepts with `accept4(SOCK_CLOEXEC)`.
        let (socket, peer) = self
            .with_ready(Direction::Read, || self.sock().accept())
            .await?;
        Ok((Socket::adopt(socket)?, to_std(&peer)?))
    }

    /// Connects this (fresh) socket to `addr`. Dropping the future closes
    /// the socket once the kernel has let go of it.
    pub(crate) async fn connect(&self, addr: SocketAddr) -> io::Result<()> {
        if self.use_ring(opcode::Connect::CODE) {
            let raw = Box::new(SockAddr::from(addr));
            let sqe =
                opcode::Connect::new(types::Fd(self.raw()), raw.as_ptr().cast(), raw.len()).build();
            // SAFETY: the address lives in the boxed `SockAddr`, owned by
            // the resources with a clone of the socket.
            let (res, _) = unsafe { ring(sqe, (raw, self.shared_fd()), None) }.await;
            return res.map(drop);
        }
        // A non-blocking connect, finished on writability. Under io_uring
        // (an opcode missing) the socket is blocking otherwise, so the
        // switch is temporary.
        if self.is_uring() {
            self.sock().set_nonblocking(true)?;
        }
        let outcome = self.connect_nonblocking(addr).await;
        if self.is_uring() {
            self.sock().set_nonblocking(false)?;
        }
        outcome
    }

    async fn connect_nonblocking(&self, addr: SocketAddr) -> io::Result<()> {
        match self.sock().connect(&SockAddr::from(addr)) {
            Ok(()) => return Ok(()),
            Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
            Err(e) => return Err(e),
        }
        loop {
            self.ready(Direction::Write).await?;
            if let Some(e) = self.sock().take_error()? {
                return Err(e);
            }
            // Writable with no error: connected, unless the edge was stale.
            match self.peer_addr() {
                Ok(_) => return Ok(()),
                Err(e) if e.raw_os_error() == Some(libc::ENOTCONN) => {
                    self.clear_ready(Direction::Write);
                }
                Err(e) => return Err(e),
            }
        }
    }
}
