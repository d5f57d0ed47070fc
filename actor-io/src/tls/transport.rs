//! What TLS runs over: a byte stream with owned-buffer reads and writes.

use std::future::Future;
use std::io;

/// A byte stream with completion-style, owned-buffer operations: a buffer is
/// handed to the operation and comes back with its result, so the kernel may
/// use it while the operation is in flight.
pub trait Transport {
    /// Reads into `buf`, replacing its contents: up to `buf.capacity()`
    /// bytes, after which `buf.len()` is the count read. `Ok(0)` is end of
    /// stream (or a buffer without capacity).
    fn read(&mut self, buf: Vec<u8>) -> impl Future<Output = (io::Result<usize>, Vec<u8>)>;

    /// Writes all of `buf`.
    fn write_all(&mut self, buf: Vec<u8>) -> impl Future<Output = (io::Result<()>, Vec<u8>)>;
}

impl Transport for crate::net::TcpStream {
    async fn read(&mut self, buf: Vec<u8>) -> (io::Result<usize>, Vec<u8>) {
        crate::net::TcpStream::read(self, buf).await
    }

    async fn write_all(&mut self, buf: Vec<u8>) -> (io::Result<()>, Vec<u8>) {
        crate::net::TcpStream::write_all(self, buf).await
    }
}
