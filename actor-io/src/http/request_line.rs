//! An early look at a request line that has not fully arrived: bytes that
//! cannot start an HTTP/1 request line (a TLS ClientHello sent to a plain
//! port, binary junk) are refused at once instead of being waited on until
//! a timeout.
//!
//! The check is weaker than the full parse, never stronger: every prefix of
//! a request line httparse accepts passes it, and what it refuses gets the
//! same status code the full parse would give.

use super::HttpError;
use super::headers::is_tchar;

/// How far the request line at the start of the buffer has been checked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct LineCheck {
    /// Bytes checked so far.
    pos: usize,
    /// The part `pos` is in.
    part: Part,
    /// Bytes of the current part seen.
    len: usize,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Part {
    #[default]
    Method,
    Target,
    Version,
    /// The line ended (a CR): the full parse takes it from here.
    Done,
}

impl LineCheck {
    /// Forgets the progress: the buffer's start moved to a new message.
    pub(crate) fn reset(&mut self) {
        *self = LineCheck::default();
    }

    /// Checks the bytes of `head` (the unconsumed input, starting at the
    /// request line) not checked yet.
    ///
    /// # Errors
    ///
    /// [`HttpError::InvalidMethod`], [`InvalidTarget`](HttpError::InvalidTarget)
    /// or [`InvalidVersion`](HttpError::InvalidVersion) when no request line
    /// can start with these bytes.
    pub(crate) fn check(&mut self, head: &[u8]) -> Result<(), HttpError> {
        while self.part != Part::Done {
            let Some(&b) = head.get(self.pos) else {
                return Ok(());
            };
            self.step(b)?;
            self.pos += 1;
        }
        Ok(())
    }

    fn step(&mut self, b: u8) -> Result<(), HttpError> {
        if b == b'\r' {
            // Line endings are the head scanner's and the parser's to judge.
            self.part = Part::Done;
            return Ok(());
        }
        match self.part {
            Part::Method if b == b' ' && self.len > 0 => self.next(Part::Target),
            Part::Method if is_tchar(b) => self.len += 1,
            Part::Method => return Err(HttpError::InvalidMethod),
            Part::Target if b == b' ' && self.len > 0 => self.next(Part::Version),
            Part::Target if b > b' ' && b != 0x7f => self.len += 1,
            Part::Target => return Err(HttpError::InvalidTarget),
            Part::Version => {
                let fits = match self.len {
                    0..=4 => b"HTTP/".get(self.len) == Some(&b),
                    5 | 7 => b.is_ascii_digit(),
                    6 => b == b'.',
                    _ => false,
                };
                if !fits {
                    return Err(HttpError::InvalidVersion);
                }
                self.len += 1;
            }
            Part::Done => {}
        }
        Ok(())
    }

    fn next(&mut self, part: Part) {
        self.part = part;
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(bytes: &[u8]) -> Result<(), HttpError> {
        LineCheck::default().check(bytes)
    }

    #[test]
    fn every_prefix_of_a_good_line_passes() {
        let line = b"OPTIONS http://h:1/a?b=%20 HTTP/1.9\r\nHost: x\r\n";
        for end in 0..=line.len() {
            assert_eq!(check(&line[..end]), Ok(()), "{end}");
        }
        // Checked piece by piece, the same.
        let mut c = LineCheck::default();
        for end in 0..=line.len() {
            assert_eq!(c.check(&line[..end]), Ok(()), "{end}");
        }
    }

    #[test]
    fn bytes_that_start_no_request_line_are_refused() {
        let hello = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc];
        assert_eq!(check(&hello), Err(HttpError::InvalidMethod));
        assert_eq!(check(b"GE/T"), Err(HttpError::InvalidMethod));
        assert_eq!(check(b" /"), Err(HttpError::InvalidMethod));
        assert_eq!(check(b"GET  /"), Err(HttpError::InvalidTarget));
        assert_eq!(check(b"GET /a\x01"), Err(HttpError::InvalidTarget));
        assert_eq!(check(b"GET / http"), Err(HttpError::InvalidVersion));
        assert_eq!(check(b"GET / HTTP/1.12"), Err(HttpError::InvalidVersion));
        assert_eq!(check(b"GET / HTTP/x"), Err(HttpError::InvalidVersion));
    }

    #[test]
    fn the_rest_of_the_head_is_left_to_the_parser() {
        assert_eq!(check(b"GET / HTTP/1.1\r\n\x16\x03"), Ok(()));
        assert_eq!(check(b"GET /\r\n"), Ok(()));
    }
}
