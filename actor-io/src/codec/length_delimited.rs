//! Frames prefixed by their length as a big-endian `u32`.

use super::{Decoder, Encoder, ReadBuf};

/// Why a frame was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// The frame's length is above the codec's maximum (on decode: as declared
    /// by the prefix, before any of its payload was read).
    #[error("frame of {declared} bytes exceeds the maximum of {max}")]
    FrameTooLarge {
        /// The length the prefix declared (or the payload had, on encode).
        declared: u64,
        /// The codec's maximum frame size.
        max: u32,
    },
}

/// The length-prefixed frame codec: each frame is a `u32` big-endian length
/// followed by that many payload bytes.
///
/// Decoding yields each payload as a `Vec<u8>` allocated only once all of
/// its bytes have arrived; a prefix announcing more than the maximum is an
/// error as soon as the four prefix bytes are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LengthDelimited {
    max_frame: u32,
}

impl LengthDelimited {
    /// The size of the length prefix.
    pub const PREFIX_LEN: usize = 4;
    /// The default maximum frame size: 8 MiB.
    pub const DEFAULT_MAX_FRAME: u32 = 8 * 1024 * 1024;

    /// A codec that accepts payloads of at most `max_frame` bytes.
    pub fn new(max_frame: u32) -> Self {
        Self { max_frame }
    }

    /// The largest payload this codec accepts.
    pub fn max_frame(&self) -> u32 {
        self.max_frame
    }

    /// The declared length of the frame at the front of `bytes`, once its
    /// prefix has arrived.
    ///
    /// # Errors
    ///
    /// [`FrameError::FrameTooLarge`] when the prefix declares more than the maximum.
    pub fn peek_len(&self, bytes: &[u8]) -> Result<Option<usize>, FrameError> {
        let Some(prefix) = bytes.first_chunk::<4>() else {
            return Ok(None);
        };
        let declared = u32::from_be_bytes(*prefix);
        if declared > self.max_frame {
            return Err(FrameError::FrameTooLarge {
                declared: u64::from(declared),
                max: self.max_frame,
            });
        }
        Ok(usize::try_from(declared).ok())
    }
}

impl Default for LengthDelimited {
    fn default() -> Self {
        Self::new(Self::DEFAULT_MAX_FRAME)
    }
}

impl Decoder for LengthDelimited {
    type Item = Vec<u8>;
    type Error = FrameError;

    fn decode(&mut self, buf: &mut ReadBuf) -> Result<Option<Vec<u8>>, FrameError> {
        let Some(len) = self.peek_len(buf.as_slice())? else {
            return Ok(None);
        };
        let Some(payload) = buf
            .as_slice()
            .get(Self::PREFIX_LEN..)
            .and_then(|rest| rest.get(..len))
        else {
            return Ok(None);
        };
        let frame = payload.to_vec();
        buf.advance(Self::PREFIX_LEN + len);
        Ok(Some(frame))
    }
}

impl Encoder<&[u8]> for LengthDelimited {
    type Error = FrameError;

    fn encode(&mut self, payload: &[u8], dst: &mut Vec<u8>) -> Result<(), FrameError> {
        let len = u32::try_from(payload.len())
            .ok()
            .filter(|&n| n <= self.max_frame)
            .ok_or(FrameError::FrameTooLarge {
                declared: payload.len() as u64,
                max: self.max_frame,
            })?;
        dst.reserve(Self::PREFIX_LEN + payload.len());
        dst.extend_from_slice(&len.to_be_bytes());
        dst.extend_from_slice(payload);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_prefix_is_typed_error() {
        let mut c = LengthDelimited::new(16);
        let mut b = ReadBuf::new();
        b.extend_from_slice(&17u32.to_be_bytes());
        assert_eq!(
            c.decode(&mut b),
            Err(FrameError::FrameTooLarge {
                declared: 17,
                max: 16
            })
        );
        let mut out = Vec::new();
        assert!(c.encode(&[0u8; 17][..], &mut out).is_err());
    }

    #[test]
    fn declared_length_is_not_reserved() {
        let mut c = LengthDelimited::new(u32::MAX);
        let mut b = ReadBuf::new();
        b.extend_from_slice(&u32::MAX.to_be_bytes());
        b.extend_from_slice(b"abc");
        for _ in 0..3 {
            assert_eq!(c.decode(&mut b), Ok(None));
        }
        assert!(b.capacity() < 1024, "capacity {}", b.capacity());
    }

    #[test]
    fn empty_frame() {
        let mut c = LengthDelimited::default();
        let mut b = ReadBuf::new();
        b.extend_from_slice(&[0, 0, 0, 0]);
        assert_eq!(c.decode(&mut b), Ok(Some(Vec::new())));
        assert!(b.is_empty());
    }
}
