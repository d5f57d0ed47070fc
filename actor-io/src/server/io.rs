//! What a connection runs over (plain TCP or TLS over TCP), and the
//! per-shard pool its buffers come from while it has work.

use std::cell::RefCell;
use std::io;
use std::net::Shutdown;

use crate::codec::ReadBuf;
use crate::net::TcpStream;
use crate::tls::TlsStream;

/// Bytes asked of one read.
pub(crate) const READ_SIZE: usize = 16 * 1024;
/// Buffers kept per shard, of each kind.
const POOLED: usize = 128;
/// Buffers that grew beyond this are freed rather than pooled.
const POOL_MAX_CAPACITY: usize = 64 * 1024;

/// A connection's byte stream as the server drives it: wait for input
/// holding no buffer, read what is there, write all of a response batch.
pub(crate) trait ServerIo {
    /// Whether [`read`](Self::read) never waits (it answers `WouldBlock`
    /// when nothing is there), so it may be tried before
    /// [`readable`](Self::readable).
    const READ_NOW: bool;

    /// Whether [`read`](Self::read) may be tried before
    /// [`readable`](Self::readable): under epoll, where waiting on a socket
    /// whose readiness is remembered costs a syscall anyway; not under
    /// io_uring, where the wait is a poll operation submitted with the
    /// shard's other operations, cheaper than a read that mostly finds
    /// nothing.
    fn eager_read(&self) -> bool;

    /// Waits until a read is likely to make progress (data, end of stream,
    /// error); the read may still answer `WouldBlock`.
    async fn readable(&mut self) -> io::Result<()>;

    /// Reads into `buf` (up to its capacity). An error of kind
    /// [`WouldBlock`](io::ErrorKind::WouldBlock) means nothing usable came
    /// yet: wait for readiness again.
    async fn read(&mut self, buf: Vec<u8>) -> (io::Result<usize>, Vec<u8>);

    /// Reads up to [`READ_SIZE`] bytes onto the end of `dst`, as
    /// [`read`](Self::read) does.
    async fn read_into(&mut self, dst: &mut ReadBuf) -> io::Result<usize> {
        let (res, buf) = self.read(take_vec()).await;
        if let Ok(n) = res {
            dst.extend_from_slice(buf.get(..n).unwrap_or(&[]));
        }
        give_vec(buf);
        res
    }

    /// Writes all of `buf`; completes when the kernel has taken every byte.
    async fn write_all(&mut self, buf: Vec<u8>) -> (io::Result<()>, Vec<u8>);

    /// Ends the sending side: TLS `close_notify`, then a TCP half-close.
    async fn close(&mut self);
}

impl ServerIo for TcpStream {
    const READ_NOW: bool = true;

    fn eager_read(&self) -> bool {
        !self.is_uring()
    }

    async fn readable(&mut self) -> io::Result<()> {
        self.wait_readable().await
    }

    async fn read(&mut self, mut buf: Vec<u8>) -> (io::Result<usize>, Vec<u8>) {
        // Under both drivers a plain non-blocking `recv`: the bytes are
        // there (the wait said so, or the read is eager), and a syscall made
        // now costs less than a ring operation's round trip through the
        // next submission, its completion and a wake-up of this task.
        buf.clear();
        let res = self.try_read_now(&mut buf);
        (res, buf)
    }

    async fn read_into(&mut self, dst: &mut ReadBuf) -> io::Result<usize> {
        // Straight into the receive buffer: no staging buffer, no copy.
        self.try_read_now(dst.spare_for_append(READ_SIZE, READ_SIZE / 4))
    }

    async fn write_all(&mut self, buf: Vec<u8>) -> (io::Result<()>, Vec<u8>) {
        // A batch of responses usually fits the socket's send buffer: one
        // non-blocking `send` now; what it leaves goes through the driver.
        let sent = match self.try_write_now(&buf) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => 0,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => 0,
            Err(e) => return (Err(e), buf),
        };
        if sent == buf.len() {
            return (Ok(()), buf);
        }
        self.write_all_from(buf, sent).await
    }

    async fn close(&mut self) {
        let _ = self.shutdown(Shutdown::Write);
    }
}

impl ServerIo for TlsStream<TcpStream> {
    const READ_NOW: bool = false;

    fn eager_read(&self) -> bool {
        false
    }

    async fn readable(&mut self) -> io::Result<()> {
        // Records rustls already holds do not make the socket readable.
        if self.has_buffered_input() {
            return Ok(());
        }
        self.get_ref().readable().await
    }

    async fn read(&mut self, buf: Vec<u8>) -> (io::Result<usize>, Vec<u8>) {
        self.read_some(buf).await
    }

    async fn write_all(&mut self, buf: Vec<u8>) -> (io::Result<()>, Vec<u8>) {
        TlsStream::write_all(self, buf).await
    }

    async fn close(&mut self) {
        let _ = TlsStream::close(self).await;
        let _ = self.get_ref().shutdown(Shutdown::Write);
    }
}

thread_local! {
    static VECS: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
    static READ_BUFS: RefCell<Vec<ReadBuf>> = const { RefCell::new(Vec::new()) };
}

/// An empty buffer with room for at least [`READ_SIZE`] bytes, from this
/// shard's pool when it has one.
pub(crate) fn take_vec() -> Vec<u8> {
    VECS.with(|p| p.borrow_mut().pop())
        .unwrap_or_else(|| Vec::with_capacity(READ_SIZE))
}

/// Gives a buffer back to this shard's pool.
pub(crate) fn give_vec(mut buf: Vec<u8>) {
    if buf.capacity() < READ_SIZE || buf.capacity() > POOL_MAX_CAPACITY {
        return;
    }
    buf.clear();
    VECS.with(|p| {
        let mut p = p.borrow_mut();
        if p.len() < POOLED {
            p.push(buf);
        }
    });
}

/// An empty receive buffer, from this shard's pool when it has one.
pub(crate) fn take_read_buf() -> ReadBuf {
    READ_BUFS
        .with(|p| p.borrow_mut().pop())
        .unwrap_or_else(|| ReadBuf::with_capacity(READ_SIZE))
}

/// Gives a receive buffer back to this shard's pool.
pub(crate) fn give_read_buf(mut buf: ReadBuf) {
    if buf.capacity() > POOL_MAX_CAPACITY {
        return;
    }
    buf.clear();
    READ_BUFS.with(|p| {
        let mut p = p.borrow_mut();
        if p.len() < POOLED {
            p.push(buf);
        }
    });
}
