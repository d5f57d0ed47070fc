//! A socket owned by one shard: a shared fd (in-flight io_uring operations
//! hold a clone, so the fd outlives them) and its readiness registration.

use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::rc::Rc;

use actor_core::io_driver::{self, Direction, DriverKind, Registration};

use super::addr::RawAddr;

/// Turns a `-1` return into the thread's `errno`.
pub(crate) fn cvt(ret: libc::c_int) -> io::Result<libc::c_int> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// Same for `ssize_t` returns.
pub(crate) fn cvt_size(ret: libc::ssize_t) -> io::Result<usize> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret as usize)
    }
}

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
    fd: Rc<OwnedFd>,
    uring: bool,
}

impl Socket {
    /// Opens a socket for the calling shard's driver: blocking under
    /// io_uring (which honours `O_NONBLOCK` by failing with `EAGAIN`),
    /// non-blocking under epoll.
    pub(crate) fn new(domain: libc::c_int, ty: libc::c_int) -> io::Result<Socket> {
        let uring = io_driver::current_driver()? == DriverKind::Uring;
        let nonblock = if uring { 0 } else { libc::SOCK_NONBLOCK };
        // SAFETY: socket takes no pointers.
        let fd = cvt(unsafe { libc::socket(domain, ty | libc::SOCK_CLOEXEC | nonblock, 0) })?;
        // SAFETY: a fresh fd that nobody else owns.
        Socket::adopt(unsafe { OwnedFd::from_raw_fd(fd) })
    }

    /// Takes over `fd` for the calling shard, setting its blocking mode for
    /// the shard's driver.
    pub(crate) fn adopt(fd: OwnedFd) -> io::Result<Socket> {
        let uring = io_driver::current_driver()? == DriverKind::Uring;
        set_nonblocking(fd.as_raw_fd(), !uring)?;
        let reg = Registration::new(fd.as_raw_fd())?;
        Ok(Socket {
            reg,
            fd: Rc::new(fd),
            uring,
        })
    }

    /// A socket of the same domain as `addr`.
    pub(crate) fn for_addr(addr: &SocketAddr, ty: libc::c_int) -> io::Result<Socket> {
        let domain = if addr.is_ipv4() {
            libc::AF_INET
        } else {
            libc::AF_INET6
        };
        Socket::new(domain, ty)
    }

    pub(crate) fn raw(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// A clone of the fd's owner, to keep it open under an operation.
    pub(crate) fn shared_fd(&self) -> Rc<OwnedFd> {
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

    pub(crate) fn set_opt<T>(
        &self,
        level: libc::c_int,
        name: libc::c_int,
        value: T,
    ) -> io::Result<()> {
        // SAFETY: passes a live `T` and its exact size.
        cvt(unsafe {
            libc::setsockopt(
                self.raw(),
                level,
                name,
                (&raw const value).cast(),
                size_of::<T>() as libc::socklen_t,
            )
        })
        .map(drop)
    }

    pub(crate) fn get_opt_int(
        &self,
        level: libc::c_int,
        name: libc::c_int,
    ) -> io::Result<libc::c_int> {
        let mut value: libc::c_int = 0;
        let mut len = size_of::<libc::c_int>() as libc::socklen_t;
        // SAFETY: the kernel writes at most `len` bytes into a live int.
        cvt(unsafe {
            libc::getsockopt(self.raw(), level, name, (&raw mut value).cast(), &mut len)
        })?;
        Ok(value)
    }

    pub(crate) fn bind(&self, addr: SocketAddr) -> io::Result<()> {
        let raw = RawAddr::from_std(addr);
        // SAFETY: `raw` holds a valid address of `raw.len` bytes.
        cvt(unsafe { libc::bind(self.raw(), raw.as_ptr(), raw.len) }).map(drop)
    }

    pub(crate) fn local_addr(&self) -> io::Result<SocketAddr> {
        let mut raw = RawAddr::empty();
        // SAFETY: the kernel writes at most `raw.len` bytes into the storage.
        cvt(unsafe { libc::getsockname(self.raw(), raw.as_mut_ptr(), &mut raw.len) })?;
        raw.to_std()
    }

    pub(crate) fn peer_addr(&self) -> io::Result<SocketAddr> {
        let mut raw = RawAddr::empty();
        // SAFETY: as in `local_addr`.
        cvt(unsafe { libc::getpeername(self.raw(), raw.as_mut_ptr(), &mut raw.len) })?;
        raw.to_std()
    }

    /// Sets or clears `O_NONBLOCK`.
    pub(crate) fn set_nonblocking(&self, on: bool) -> io::Result<()> {
        set_nonblocking(self.raw(), on)
    }
}

fn set_nonblocking(fd: RawFd, on: bool) -> io::Result<()> {
    // SAFETY: fcntl on an fd we own, no pointers.
    let flags = cvt(unsafe { libc::fcntl(fd, libc::F_GETFL) })?;
    let new = if on {
        flags | libc::O_NONBLOCK
    } else {
        flags & !libc::O_NONBLOCK
    };
    if new != flags {
        // SAFETY: as above.
        cvt(unsafe { libc::fcntl(fd, libc::F_SETFL, new) })?;
    }
    Ok(())
}
