//! Streaming body decoding for every kind of framing.

use super::{BodyKind, ChunkedDecoder, HttpError, Limits};

/// Decodes one message body as its bytes arrive, whatever its framing.
///
/// Like [`ChunkedDecoder`], it consumes what it can, appends body bytes to
/// `out` and never reserves a declared length ahead of the bytes.
#[derive(Debug, Clone)]
pub struct BodyDecoder {
    inner: Inner,
    max_body: u64,
}

#[derive(Debug, Clone)]
enum Inner {
    Length(u64),
    Chunked(ChunkedDecoder),
    UntilClose { seen: u64, closed: bool },
}

impl BodyDecoder {
    /// A decoder for a body framed as `kind`.
    pub fn new(kind: BodyKind, limits: &Limits) -> Self {
        let inner = match kind {
            BodyKind::Empty => Inner::Length(0),
            BodyKind::Length(n) => Inner::Length(n),
            BodyKind::Chunked => Inner::Chunked(ChunkedDecoder::new(limits)),
            BodyKind::UntilClose => Inner::UntilClose {
                seen: 0,
                closed: false,
            },
        };
        Self {
            inner,
            max_body: limits.max_body_bytes,
        }
    }

    /// Whether the whole body has been read.
    pub fn is_done(&self) -> bool {
        match &self.inner {
            Inner::Length(n) => *n == 0,
            Inner::Chunked(c) => c.is_done(),
            Inner::UntilClose { closed, .. } => *closed,
        }
    }

    /// Decodes from `input`; returns the bytes consumed and whether the body
    /// is complete.
    ///
    /// # Errors
    ///
    /// As [`ChunkedDecoder::decode`]; a read-until-close body over the
    /// limit is [`HttpError::BodyTooLarge`].
    pub fn decode(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(usize, bool), HttpError> {
        match &mut self.inner {
            Inner::Length(remaining) => {
                let n = usize::try_from(*remaining)
                    .unwrap_or(usize::MAX)
                    .min(input.len());
                out.extend_from_slice(input.get(..n).unwrap_or(&[]));
                *remaining -= n as u64;
                Ok((n, *remaining == 0))
            }
            Inner::Chunked(c) => c.decode(input, out),
            Inner::UntilClose { seen, closed } => {
                let total = *seen + input.len() as u64;
                if total > self.max_body {
                    return Err(HttpError::BodyTooLarge {
                        declared: None,
                        max: self.max_body,
                    });
                }
                *seen = total;
                out.extend_from_slice(input);
                Ok((input.len(), *closed))
            }
        }
    }

    /// Tells the decoder the peer has closed: a read-until-close body is
    /// then complete.
    ///
    /// # Errors
    ///
    /// [`HttpError::IncompleteMessage`] when a length-delimited or chunked
    /// body is still unfinished.
    pub fn finish(&mut self) -> Result<(), HttpError> {
        if let Inner::UntilClose { closed, .. } = &mut self.inner {
            *closed = true;
        }
        if self.is_done() {
            Ok(())
        } else {
            Err(HttpError::IncompleteMessage)
        }
    }
}
