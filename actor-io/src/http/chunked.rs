//! The streaming decoder for `Transfer-Encoding: chunked`.

use super::{HttpError, Limits};

/// Decodes a chunked body as its bytes arrive.
///
/// Feed it the unconsumed input with [`decode`](Self::decode); it appends
/// the data it finds to `out`, says how many input bytes it used, and
/// whether the body (with its trailer section) is complete. A chunk-size
/// line or trailer line that is not yet complete is left unconsumed.
/// Chunk extensions are ignored and trailer fields are skipped.
///
/// ```
/// use actor_io::http::{ChunkedDecoder, Limits};
/// let mut d = ChunkedDecoder::new(&Limits::default());
/// let mut body = Vec::new();
/// let input = b"5;ext=1\r\nhello\r\n0\r\nTrailer: x\r\n\r\n";
/// let (used, done) = d.decode(&input[..10], &mut body).unwrap();
/// assert_eq!((used, done, &body[..]), (10, false, &b"h"[..]));
/// let (used, done) = d.decode(&input[10..], &mut body).unwrap();
/// assert_eq!((used, done, &body[..]), (input.len() - 10, true, &b"hello"[..]));
/// ```
#[derive(Debug, Clone)]
pub struct ChunkedDecoder {
    state: State,
    body_len: u64,
    trailer_len: usize,
    limits: Limits,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Size,
    Data(u64),
    DataEnd,
    Trailer,
    Done,
}

impl ChunkedDecoder {
    /// A decoder at the start of a chunked body.
    pub fn new(limits: &Limits) -> Self {
        Self {
            state: State::Size,
            body_len: 0,
            trailer_len: 0,
            limits: *limits,
        }
    }

    /// Whether the last chunk and the trailer section have been read.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Decodes as much of `input` as possible; returns the bytes consumed
    /// and whether the body is complete. Data goes to the end of `out`.
    ///
    /// # Errors
    ///
    /// A malformed chunk size or line ending, a chunk-size line or trailer
    /// section over the limits, or a body over `max_body_bytes`.
    pub fn decode(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(usize, bool), HttpError> {
        let mut pos = 0;
        loop {
            let rest = input.get(pos..).unwrap_or(&[]);
            match self.state {
                State::Done => return Ok((pos, true)),
                State::Size => {
                    let max = self.limits.max_chunk_line;
                    let Some(line) = take_line(rest, max, HttpError::ChunkLineTooLong)? else {
                        return Ok((pos, false));
                    };
                    let line = rest.get(..line.len() + 2).unwrap_or(&[]);
                    pos += line.len();
                    let size = parse_chunk_line(line)?;
                    if size == 0 {
                        self.state = State::Trailer;
                        continue;
                    }
                    let total = self.body_len.checked_add(size);
                    match total {
                        Some(t) if t <= self.limits.max_body_bytes => self.body_len = t,
                        _ => {
                            return Err(HttpError::BodyTooLarge {
                                declared: None,
                                max: self.limits.max_body_bytes,
                            });
                        }
                    }
                    self.state = State::Data(size);
                }
                State::Data(remaining) => {
                    if rest.is_empty() {
                        return Ok((pos, false));
                    }
                    let n = usize::try_from(remaining)
                        .unwrap_or(usize::MAX)
                        .min(rest.len());
                    out.extend_from_slice(rest.get(..n).unwrap_or(&[]));
                    pos += n;
                    let left = remaining - n as u64;
                    self.state = if left == 0 {
                        State::DataEnd
                    } else {
                        State::Data(left)
                    };
                }
                State::DataEnd => match rest {
                    [b'\r', b'\n', ..] => {
                        pos += 2;
                        self.state = State::Size;
                    }
                    [] | [b'\r'] => return Ok((pos, false)),
                    _ => return Err(HttpError::InvalidChunk),
                },
                State::Trailer => {
                    let room = self.limits.max_head_bytes.saturating_sub(self.trailer_len);
                    let too_large = HttpError::HeadTooLarge {
                        max: self.limits.max_head_bytes,
                    };
                    let Some(line) = take_line(rest, room, too_large)? else {
                        return Ok((pos, false));
                    };
                    pos += line.len() + 2;
                    self.trailer_len += line.len() + 2;
                    if line.is_empty() {
                        self.state = State::Done;
                    } else if line.contains(&0) {
                        return Err(HttpError::InvalidHeaderValue);
                    }
                }
            }
        }
    }
}

/// The next CRLF-terminated line (without its CRLF), `None` while it is
/// incomplete, `too_long` once more than `max` bytes precede its end.
fn take_line(input: &[u8], max: usize, too_long: HttpError) -> Result<Option<&[u8]>, HttpError> {
    let window = input.get(..max.saturating_add(2)).unwrap_or(input);
    match window.iter().position(|&b| b == b'\n') {
        Some(lf) => {
            let line = window.get(..lf).unwrap_or(&[]);
            let Some((b'\r', line)) = line.split_last() else {
                return Err(HttpError::InvalidLineEnding);
            };
            if line.contains(&b'\r') {
                return Err(HttpError::InvalidLineEnding);
            }
            if line.len() > max {
                return Err(too_long);
            }
            Ok(Some(line))
        }
        None => {
            let body = window.strip_suffix(b"\r").unwrap_or(window);
            if body.contains(&b'\r') {
                Err(HttpError::InvalidLineEnding)
            } else if window.len() >= max.saturating_add(2) {
                Err(too_long)
            } else {
                Ok(None)
            }
        }
    }
}

/// `chunk-size [ BWS ";" chunk-ext ] CRLF`, `line` ending in its CRLF:
/// 1*HEXDIG (at most 16 digits), no sign, prefix or separator; extensions
/// are ignored. httparse parses it, after a check that the size is not
/// empty (which httparse reads as 0).
fn parse_chunk_line(line: &[u8]) -> Result<u64, HttpError> {
    if !line.first().is_some_and(u8::is_ascii_hexdigit) {
        return Err(HttpError::InvalidChunkSize);
    }
    match httparse::parse_chunk_size(line) {
        Ok(httparse::Status::Complete((used, size))) if used == line.len() => Ok(size),
        _ => Err(HttpError::InvalidChunkSize),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(input: &[u8]) -> Result<(Vec<u8>, usize, bool), HttpError> {
        let mut d = ChunkedDecoder::new(&Limits::default());
        let mut out = Vec::new();
        let (n, done) = d.decode(input, &mut out)?;
        Ok((out, n, done))
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_chunk_line(b"ff\r\n"), Ok(255));
        assert_eq!(parse_chunk_line(b"0010 ; a=b\r\n"), Ok(16));
        assert_eq!(parse_chunk_line(b"FFFFFFFFFFFFFFFF\r\n"), Ok(u64::MAX));
        for bad in [
            &b"0x10"[..],
            b"+5",
            b"-5",
            b"_",
            b"1_0",
            b"",
            b" 5",
            b"5 5",
            b"10000000000000000",
            b"5;a\r",
        ] {
            let line = [bad, b"\r\n"].concat();
            assert_eq!(
                parse_chunk_line(&line),
                Err(HttpError::InvalidChunkSize),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn whole_body() {
        let (out, n, done) = decode_all(b"3\r\nabc\r\n0\r\n\r\nNEXT").unwrap();
        assert_eq!((&out[..], n, done), (&b"abc"[..], 13, true));
    }

    #[test]
    fn errors() {
        assert_eq!(decode_all(b"3\nabc"), Err(HttpError::InvalidLineEnding));
        assert_eq!(decode_all(b"3\r\nabcX"), Err(HttpError::InvalidChunk));
        assert_eq!(decode_all(b"3\r\r\n"), Err(HttpError::InvalidLineEnding));
        let long = [b'0'; 2000];
        assert_eq!(decode_all(&long), Err(HttpError::ChunkLineTooLong));
        let big = b"FFFFFFFFFFFFFFFF\r\n";
        assert!(matches!(
            decode_all(big),
            Err(HttpError::BodyTooLarge { .. })
        ));
    }
}
