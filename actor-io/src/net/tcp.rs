//! `TcpStream`: a connection owned by one shard.

use std::io;
use std::net::{Shutdown, SocketAddr};

use actor_core::io_driver::Direction;

use super::counters::{Event, bump};
use crate::buf::{IoBuf, IoBufMut};
use crate::driver::socket::Socket;

/// A TCP connection on the shard that made it. `!Send`: it lives and dies
/// with its shard, usually inside a connection actor.
///
/// Reads and writes take owned buffers and hand them back with the result.
/// An idle connection need not hold a receive buffer: await
/// [`readable`](Self::readable), then read into a freshly taken buffer.
#[derive(Debug)]
pub struct TcpStream {
    socket: Socket,
}

impl TcpStream {
    pub(crate) fn from_socket(socket: Socket) -> TcpStream {
        bump(Event::Opened);
        TcpStream { socket }
    }

    /// Connects to `addr` from the calling shard. Dropping the future
    /// cancels the attempt and closes the socket.
    pub async fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
        let socket = Socket::for_addr(&addr, socket2::Type::STREAM)?;
        socket.connect(addr).await?;
        Ok(TcpStream::from_socket(socket))
    }

    /// Reads into `buf` from its start, up to its room (a `Vec`'s capacity;
    /// the `Vec` then holds exactly the bytes read). `Ok(0)` is end of
    /// stream.
    pub async fn read<B: IoBufMut>(&self, buf: B) -> (io::Result<usize>, B) {
        self.socket.recv(buf).await
    }

    /// Writes some of `buf` (its initialised bytes); says how many.
    pub async fn write<B: IoBuf>(&self, buf: B) -> (io::Result<usize>, B) {
        self.socket.send_from(buf, 0).await
    }

    /// Writes all of `buf`. It completes only once the kernel has taken
    /// every byte, so a peer that does not read stalls the writer: that is
    /// the back-pressure.
    pub async fn write_all<B: IoBuf>(&self, buf: B) -> (io::Result<()>, B) {
        self.socket.send_all(buf).await
    }

    /// Writes all of `buf[from..]` (its initialised bytes), completing once
    /// the kernel took every one.
    pub(crate) async fn write_all_from<B: IoBuf>(
        &self,
        buf: B,
        from: usize,
    ) -> (io::Result<()>, B) {
        self.socket.send_all_from(buf, from).await
    }

    /// Waits until a read would find data (or end of stream), holding no
    /// buffer meanwhile.
    pub async fn readable(&self) -> io::Result<()> {
        if self.socket.is_uring() {
            // A poll operation: it completes only on fresh readiness.
            return self.socket.ready(Direction::Read).await;
        }
        // Under epoll readiness is remembered until a syscall says
        // `WouldBlock`, so a read that took everything leaves the socket
        // "ready"; peek to know, and wait only when nothing is there.
        self.socket
            .with_ready(Direction::Read, || {
                let mut byte = 0u8;
                // SAFETY: one writable byte, alive across the call.
                let n = unsafe { self.socket.recv_raw(&raw mut byte, 1, libc::MSG_PEEK) };
                match n {
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => Err(e),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
                    // Data, end of stream, or an error the next read reports.
                    _ => Ok(()),
                }
            })
            .await
    }

    /// Reads what is already there into `buf`'s spare room, without
    /// waiting: a plain non-blocking `recv` under either driver (no ring
    /// operation, so nothing is left in flight). `WouldBlock` when nothing
    /// is there, and then under epoll the readiness is forgotten, so that
    /// [`wait_readable`](Self::wait_readable) waits for the next edge.
    pub(crate) fn try_read_now(&self, buf: &mut Vec<u8>) -> io::Result<usize> {
        let room = buf.spare_capacity_mut();
        // SAFETY: `room` is `room.len()` writable bytes owned by `buf`,
        // alive across the call.
        let n = unsafe {
            self.socket
                .recv_raw(room.as_mut_ptr().cast(), room.len(), 0)
        };
        match n {
            Ok(n) => {
                // SAFETY: the kernel initialised the first `n` bytes of the
                // spare room, right after the `Vec`'s length.
                unsafe { buf.set_len(buf.len() + n) };
                Ok(n)
            }
            Err(e) => {
                if e.kind() == io::ErrorKind::WouldBlock {
                    self.socket.clear_ready(Direction::Read);
                }
                Err(e)
            }
        }
    }

    /// Copies what is already there into `buf` without taking it from the
    /// socket and without waiting (a `MSG_PEEK` `recv`): `Ok(0)` at end of
    /// stream, `WouldBlock` when nothing is there.
    pub(crate) fn peek_now(&self, buf: &mut [u8]) -> io::Result<usize> {
        // SAFETY: `buf` is `buf.len()` writable bytes, alive across the call.
        unsafe {
            self.socket
                .recv_raw(buf.as_mut_ptr(), buf.len(), libc::MSG_PEEK)
        }
    }

    /// One non-blocking `send` of `buf` now, no ring operation and no wait:
    /// how many bytes the kernel took, or `WouldBlock` when none fit (under
    /// epoll the write readiness is then forgotten).
    pub(crate) fn try_write_now(&self, buf: &[u8]) -> io::Result<usize> {
        let res = self.socket.send_now(buf);
        if let Err(e) = &res
            && e.kind() == io::ErrorKind::WouldBlock
        {
            self.socket.clear_ready(Direction::Write);
        }
        res
    }

    /// Whether the stream's operations go through io_uring.
    pub(crate) fn is_uring(&self) -> bool {
        self.socket.is_uring()
    }

    /// Waits for read readiness without a syscall of its own: under epoll
    /// it returns at once unless a read said `WouldBlock` since the last
    /// edge; under io_uring it is a poll operation. Holds no buffer.
    pub(crate) async fn wait_readable(&self) -> io::Result<()> {
        self.socket.ready(Direction::Read).await
    }

    /// Shuts down one or both halves.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.socket.sock().shutdown(how)
    }

    /// Sets `TCP_NODELAY` (no Nagle batching).
    pub fn set_nodelay(&self, on: bool) -> io::Result<()> {
        self.socket.sock().set_tcp_nodelay(on)
    }

    /// Whether `TCP_NODELAY` is set.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.socket.sock().tcp_nodelay()
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.socket.peer_addr()
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    /// Whether the connection is no longer fit to carry a new request: the
    /// peer closed it, reset it, or sent bytes nobody asked for. Checked
    /// without waiting (a peek), for idle keep-alive connections.
    pub(crate) fn is_stale(&self) -> bool {
        let mut byte = 0u8;
        match self.peek_now(std::slice::from_mut(&mut byte)) {
            Err(e) => !matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
            ),
            // Bytes nobody asked for, or the end of the stream.
            Ok(_) => true,
        }
    }

    /// Closes the connection now. Dropping the stream does the same; an
    /// operation still in the kernel keeps the fd open until it completes.
    pub fn close(self) {}
}

impl Drop for TcpStream {
    fn drop(&mut self) {
        bump(Event::Closed);
    }
}
