//! What TLS runs over: a byte stream with owned-buffer reads and writes.

use std::future::Future;
use std::io;

/// A byte stream with completion-style, owned-buffer operations: a buffer is
/// handed to the operation and comes back with its result, so the kernel may
/// use it while the operation is in flight.
pub trait Transport {
    /// Reads into `buf`'s spare room up to its length (`buf.len()` bytes,
    /// overwriting them): `Ok(0)` is end of stream.
    fn read(&mut self, buf: Vec<u8>) -> impl Future<Output = (io::Result<usize>, Vec<u8>)>;

    /// Writes all of `buf`.
    fn write_all(&mut self, buf: Vec<u8>) -> impl Future<Output = (io::Result<()>, Vec<u8>)>;
}
