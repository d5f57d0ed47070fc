//! A socket owned by one shard: a shared socket (in-flight io_uring
//! operations hold a clone, so the fd outlives them) and its readiness
//! registration. Setting it up (creating, options, binding, listening,
//! addresses) goes through `socket2`; the operations stay on the ring or
//! the readiness path.

use std::io;
use std::mem::MaybeUninit;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, RawFd};
use std::rc::Rc;

use actor_core::io_driver::{self, Direction, DriverKind, Registration};
use socket2::{Domain, SockAddr, Type};

/// A completion's result as an `io::Result`.
pub(crate) fn from_res(res: i32) -> io::Result<u32> {
    if res < 0 {
        Err(io::Error::from_raw_os_error(-res))
    } else {
        Ok(res as u32)
    }
}

/// A socket on the calling shard.
#[derive(Debug)]
pub(crate) struct Socket {
    // Dropped before `fd`: epoll must see the fd still open.
    reg: Registration,
    fd: Rc<socket2::Socket>,
    uring: bool,
}

impl Socket {
    /// Opens a socket of `addr`'s family for the calling shard's driver:
    /// blocking under io_uring (which honours `O_NONBLOCK` by failing with
    /// `EAGAIN`), non-blocking under epoll. `socket2` opens it close-on-exec.
    pub(crate) fn for_addr(addr: &SocketAddr, ty: Type) -> io::Result<Socket> {
        // Off a shard this fails before a socket is made.
        io_driver::current_driver()?;
        Socket::adopt(socket2::Socket::new(Domain::for_address(*addr), ty, None)?)
    }

    /// Takes over `socket` for the calling shard, setting its blocking mode
    /// for the shard's driver.
    pub(crate) fn adopt(socket: socket2::Socket) -> io::Result<Socket> {
        let uring = io_driver::current_driver()? == DriverKind::Uring;
        socket.set_nonblocking(!uring)?;
        let reg = Registration::new(socket.as_raw_fd())?;
        Ok(Socket {
            reg,
            fd: Rc::new(socket),
            uring,
        })
    }

    pub(crate) fn raw(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// The socket's options, addresses and plain calls.
    pub(crate) fn sock(&self) -> &socket2::Socket {
        &self.fd
    }

    /// A clone of the socket's owner, to keep it open under an operation.
    pub(crate) fn shared_fd(&self) -> Rc<socket2::Socket> {
        self.fd.clone()
    }

    /// `true` when `opcode` goes through the ring on this socket's shard.
    pub(crate) fn use_ring(&self, opcode: u8) -> bool {
        self.uring && io_driver::opcode_supported(opcode)
    }

    pub(crate) fn is_uring(&self) -> bool {
        self.uring
    }

    /// Runs `f` until it does not answer `WouldBlock`, waiting for
    /// readiness in `direction` in between (the readiness path: epoll, or a
    /// ring without the operation's opcode).
    pub(crate) async fn with_ready<R>(
        &self,
        direction: Direction,
        mut f: impl FnMut() -> io::Result<R>,
    ) -> io::Result<R> {
        loop {
            match f() {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.reg.clear_ready(direction);
                    self.reg.ready(direction).await?;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                other => return other,
            }
        }
    }

    /// Forgets readiness in `direction` (after a `WouldBlock`).
    pub(crate) fn clear_ready(&self, direction: Direction) {
        self.reg.clear_ready(direction);
    }

    /// Waits until the socket is ready in `direction`, holding no buffer.
    pub(crate) async fn ready(&self, direction: Direction) -> io::Result<()> {
        self.reg.ready(direction).await
    }

    pub(crate) fn local_addr(&self) -> io::Result<SocketAddr> {
        to_std(&self.fd.local_addr()?)
    }

    pub(crate) fn peer_addr(&self) -> io::Result<SocketAddr> {
        to_std(&self.fd.peer_addr()?)
    }

    /// One non-blocking `recv` with `flags` into `len` bytes at `ptr`.
    ///
    /// # Safety
    ///
    /// `ptr` must point to `len` writable bytes that stay valid for the call.
    pub(crate) unsafe fn recv_raw(
        &self,
        ptr: *mut u8,
        len: usize,
        flags: libc::c_int,
    ) -> io::Result<usize> {
        // SAFETY: the caller guarantees `len` writable bytes at `ptr`;
        // `MaybeUninit<u8>` has the layout of `u8`.
        let room = unsafe { std::slice::from_raw_parts_mut(ptr.cast::<MaybeUninit<u8>>(), len) };
        self.fd.recv_with_flags(room, flags | libc::MSG_DONTWAIT)
    }

    /// One non-blocking `send` of `buf` (no `SIGPIPE` from a closed peer).
    pub(crate) fn send_now(&self, buf: &[u8]) -> io::Result<usize> {
        self.fd
            .send_with_flags(buf, libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL)
    }
}

/// A `socket2` address as a std one; an address of another family is an
/// `InvalidData` error.
pub(crate) fn to_std(addr: &SockAddr) -> io::Result<SocketAddr> {
    addr.as_socket().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("unexpected address family {}", addr.family()),
        )
    })
}
