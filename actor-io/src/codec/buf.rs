//! The receive buffer a decoder reads from.

use std::fmt;

/// A growable byte buffer with a consumed prefix.
///
/// Received bytes are appended at the end; decoders look at the unconsumed
/// bytes with [`as_slice`](Self::as_slice) and drop what they used with
/// [`advance`](Self::advance). The consumed prefix is reclaimed lazily: when
/// everything has been consumed, or when appending would otherwise need to
/// grow the allocation.
#[derive(Default, Clone, PartialEq, Eq)]
pub struct ReadBuf {
    buf: Vec<u8>,
    start: usize,
}

impl ReadBuf {
    /// An empty buffer that has not allocated.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty buffer with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            buf: Vec::with_capacity(capacity),
            start: 0,
        }
    }

    /// The unconsumed bytes.
    pub fn as_slice(&self) -> &[u8] {
        self.buf.get(self.start..).unwrap_or(&[])
    }

    /// A buffer over `buf`'s allocation, emptied.
    pub(crate) fn from_vec(mut buf: Vec<u8>) -> Self {
        buf.clear();
        Self { buf, start: 0 }
    }

    /// The allocation back, for reuse.
    pub(crate) fn into_vec(self) -> Vec<u8> {
        self.buf
    }

    /// Number of unconsumed bytes.
    pub fn len(&self) -> usize {
        self.buf.len() - self.start
    }

    /// Whether every byte has been consumed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes the buffer can hold without reallocating (consumed prefix included).
    pub fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// Marks the first `n` unconsumed bytes as consumed (at most all of them).
    pub fn advance(&mut self, n: usize) {
        self.start = (self.start + n.min(self.len())).min(self.buf.len());
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        }
    }

    /// Copies out the first `n` unconsumed bytes (at most all of them) and
    /// consumes them.
    pub fn take(&mut self, n: usize) -> Vec<u8> {
        let n = n.min(self.len());
        let out = self.as_slice().get(..n).unwrap_or(&[]).to_vec();
        self.advance(n);
        out
    }

    /// Drops every byte, consumed or not; keeps the allocation.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.start = 0;
    }

    /// Appends received bytes.
    pub fn extend_from_slice(&mut self, data: &[u8]) {
        self.make_room(data.len());
        self.buf.extend_from_slice(data);
    }

    /// Lets `read` fill up to `max` bytes at the end of the buffer, then keeps
    /// as many as it reports (clamped to `max`). This is the shape of a socket
    /// read: `buf.read_with(4096, |dst| socket.read(dst))`.
    ///
    /// # Errors
    ///
    /// Whatever `read` returns; the buffer is then unchanged.
    pub fn read_with<E>(
        &mut self,
        max: usize,
        read: impl FnOnce(&mut [u8]) -> Result<usize, E>,
    ) -> Result<usize, E> {
        self.make_room(max);
        let old = self.buf.len();
        self.buf.resize(old + max, 0);
        let result = read(self.buf.get_mut(old..).unwrap_or(&mut []));
        let kept = match &result {
            Ok(n) => (*n).min(max),
            Err(_) => 0,
        };
        self.buf.truncate(old + kept);
        result.map(|_| kept)
    }

    /// The underlying vector, for a reader that appends at its end (bytes
    /// already in it must stay as they are), with room for `want` more bytes
    /// when that fits without growing, else with at least `min` of room.
    pub(crate) fn spare_for_append(&mut self, want: usize, min: usize) -> &mut Vec<u8> {
        self.make_room(want);
        if self.buf.capacity() - self.buf.len() < min {
            self.buf.reserve(want);
        }
        &mut self.buf
    }

    /// Moves the unconsumed bytes to the front when appending `extra` bytes
    /// would otherwise grow the allocation.
    fn make_room(&mut self, extra: usize) {
        if self.start > 0 && self.buf.capacity() - self.buf.len() < extra {
            self.buf.drain(..self.start);
            self.start = 0;
        }
    }
}

impl fmt::Debug for ReadBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadBuf")
            .field("len", &self.len())
            .field("consumed", &self.start)
            .field("capacity", &self.capacity())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_and_compact() {
        let mut b = ReadBuf::with_capacity(8);
        b.extend_from_slice(b"abcdef");
        b.advance(4);
        assert_eq!(b.as_slice(), b"ef");
        b.extend_from_slice(b"ghij");
        assert_eq!(b.as_slice(), b"efghij");
        assert_eq!(b.capacity(), 8, "compaction avoided a reallocation");
        b.advance(100);
        assert!(b.is_empty());
    }

    #[test]
    fn read_with_keeps_what_was_read() {
        let mut b = ReadBuf::new();
        b.extend_from_slice(b"ab");
        let n = b
            .read_with(16, |dst| {
                dst[..3].copy_from_slice(b"cde");
                Ok::<_, ()>(3)
            })
            .unwrap();
        assert_eq!(n, 3);
        assert_eq!(b.as_slice(), b"abcde");
        assert!(b.read_with(16, |_| Err::<usize, _>("boom")).is_err());
        assert_eq!(b.as_slice(), b"abcde");
        assert_eq!(b.take(2), b"ab");
        assert_eq!(b.as_slice(), b"cde");
    }
}
