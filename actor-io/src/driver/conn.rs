//! Accepting and connecting: `accept`/`connect` on the ring, or their
//! non-blocking syscalls on readiness.

use std::io;
use std::net::SocketAddr;
use std::os::fd::{FromRawFd, OwnedFd};

use actor_core::io_driver::Direction;
use io_uring::{opcode, types};

use super::addr::RawAddr;
use super::socket::{Socket, cvt};
use super::{close_orphan, ring};

impl Socket {
    /// Accepts one connection: the new socket (set up for this shard) and
    /// the peer's address. An accept whose future was dropped after the
    /// kernel completed it closes the fd it produced.
    pub(crate) async fn accept(&self) -> io::Result<(Socket, SocketAddr)> {
        let (fd, addr) = if self.use_ring(opcode::Accept::CODE) {
            let mut raw = Box::new(RawAddr::empty());
            let sqe =
                opcode::Accept::new(types::Fd(self.raw()), raw.as_mut_ptr(), &raw mut raw.len)
                    .flags(libc::SOCK_CLOEXEC)
                    .build();
            // SAFETY: the address and its length live in the boxed
            // `RawAddr`, owned by the resources with a clone of the fd.
            let (res, (raw, _fd)) =
                unsafe { ring(sqe, (raw, self.shared_fd()), Some(close_orphan)) }.await;
            // SAFETY: a fresh fd from the kernel that nobody else owns.
            let fd = unsafe { OwnedFd::from_raw_fd(res? as i32) };
            (fd, raw.to_std())
        } else {
            let listener = self.raw();
            let flags = libc::SOCK_CLOEXEC
                | if self.is_uring() {
                    0
                } else {
                    libc::SOCK_NONBLOCK
                };
            if self.is_uring() {
                // Sockets are blocking under io_uring; this path calls
                // accept4 itself, which must not block the shard. A
                // listener only accepts, so it stays non-blocking.
                self.set_nonblocking(true)?;
            }
            let mut raw = RawAddr::empty();
            let fd = self
                .with_ready(Direction::Read, || {
                    raw.len = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
                    // SAFETY: the kernel writes at most `raw.len` bytes of
                    // address into the live storage.
                    cvt(unsafe { libc::accept4(listener, raw.as_mut_ptr(), &mut raw.len, flags) })
                })
                .await?;
            // SAFETY: a fresh fd from the kernel that nobody else owns.
            (unsafe { OwnedFd::from_raw_fd(fd) }, raw.to_std())
        };
        Ok((Socket::adopt(fd)?, addr?))
    }

    /// Connects this (fresh) socket to `addr`. Dropping the future closes
    /// the socket once the kernel has let go of it.
    pub(crate) async fn connect(&self, addr: SocketAddr) -> io::Result<()> {
        if self.use_ring(opcode::Connect::CODE) {
            let raw = Box::new(RawAddr::from_std(addr));
            let sqe = opcode::Connect::new(types::Fd(self.raw()), raw.as_ptr(), raw.len).build();
            // SAFETY: the address lives in the boxed `RawAddr`, owned by the
            // resources with a clone of the fd.
            let (res, _) = unsafe { ring(sqe, (raw, self.shared_fd()), None) }.await;
            return res.map(drop);
        }
        // A non-blocking connect, finished on writability. Under io_uring
        // (an opcode missing) the socket is blocking otherwise, so the
        // switch is temporary.
        if self.is_uring() {
            self.set_nonblocking(true)?;
        }
        let outcome = self.connect_nonblocking(addr).await;
        if self.is_uring() {
            self.set_nonblocking(false)?;
        }
        outcome
    }

    async fn connect_nonblocking(&self, addr: SocketAddr) -> io::Result<()> {
        let raw = RawAddr::from_std(addr);
        // SAFETY: `raw` holds a valid address of `raw.len` bytes.
        match cvt(unsafe { libc::connect(self.raw(), raw.as_ptr(), raw.len) }) {
            Ok(_) => return Ok(()),
            Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
            Err(e) => return Err(e),
        }
        loop {
            self.ready(Direction::Write).await?;
            match self.get_opt_int(libc::SOL_SOCKET, libc::SO_ERROR)? {
                0 => {}
                errno => return Err(io::Error::from_raw_os_error(errno)),
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
