//! The decoder and encoder traits.

use super::ReadBuf;

/// Turns bytes from a [`ReadBuf`] into items.
///
/// `decode` consumes the bytes of one complete item and returns it, or
/// returns `Ok(None)` when the buffer does not yet hold a complete item (it
/// may still consume bytes it has fully processed, such as the part of a
/// streamed body seen so far). After an error the stream should be
/// considered unusable.
pub trait Decoder {
    /// What one complete decode produces.
    type Item;
    /// Why the input was rejected.
    type Error;

    /// Decodes the next item, if the buffer holds all of it.
    ///
    /// # Errors
    ///
    /// When the bytes cannot be a valid item.
    fn decode(&mut self, buf: &mut ReadBuf) -> Result<Option<Self::Item>, Self::Error>;

    /// Decodes after the peer has closed its side: no more bytes will come.
    /// The default is [`decode`](Self::decode); decoders whose items may end
    /// with the stream (an HTTP response read until close) override it.
    ///
    /// # Errors
    ///
    /// As [`decode`](Self::decode).
    fn decode_eof(&mut self, buf: &mut ReadBuf) -> Result<Option<Self::Item>, Self::Error> {
        self.decode(buf)
    }

    /// Iterates over every complete item in the buffer, in order; stops at
    /// the first `Ok(None)` or after the first error.
    fn decode_iter<'a>(&'a mut self, buf: &'a mut ReadBuf) -> DecodeIter<'a, Self>
    where
        Self: Sized,
    {
        DecodeIter {
            decoder: self,
            buf,
            done: false,
        }
    }
}

/// Writes items as bytes at the end of an output buffer.
pub trait Encoder<Item> {
    /// Why an item could not be encoded.
    type Error;

    /// Appends the encoding of `item` to `dst`. On error `dst` may hold a
    /// partial encoding; callers that keep going should truncate it.
    ///
    /// # Errors
    ///
    /// When `item` cannot be represented on the wire.
    fn encode(&mut self, item: Item, dst: &mut Vec<u8>) -> Result<(), Self::Error>;
}

/// Iterator returned by [`Decoder::decode_iter`].
#[derive(Debug)]
pub struct DecodeIter<'a, D> {
    decoder: &'a mut D,
    buf: &'a mut ReadBuf,
    done: bool,
}

impl<D: Decoder> Iterator for DecodeIter<'_, D> {
    type Item = Result<D::Item, D::Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.decoder.decode(self.buf) {
            Ok(Some(item)) => Some(Ok(item)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}
