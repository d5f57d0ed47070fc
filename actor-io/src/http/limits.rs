//! Size limits applied while parsing.

/// Size limits for parsing HTTP messages; exceeding one is a typed
/// [`HttpError`](super::HttpError) with the matching status code.
///
/// ```
/// let mut limits = actor_io::http::Limits::default();
/// limits.max_body_bytes = 64 * 1024;
/// assert_eq!(limits.max_headers, 64);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Most header fields in one head (431 above). Values above
    /// [`Limits::HEADER_SLOTS`] act as `HEADER_SLOTS`: the parser's header
    /// array lives on the stack.
    pub max_headers: usize,
    /// Most bytes in a head, request line and final CRLF included; also the
    /// most bytes in a chunked body's trailer section (431 above).
    pub max_head_bytes: usize,
    /// Most body bytes (413 above); a declared `Content-Length` above it is
    /// refused before any of the body is read.
    pub max_body_bytes: u64,
    /// Most bytes in a chunk-size line, extensions included, CRLF excluded
    /// (400 above).
    pub max_chunk_line: usize,
}

impl Limits {
    /// Size of the parser's stack array of headers.
    pub const HEADER_SLOTS: usize = 128;

    /// `max_headers`, capped at [`Self::HEADER_SLOTS`].
    pub(crate) fn header_slots(&self) -> usize {
        self.max_headers.min(Self::HEADER_SLOTS)
    }
}

impl Default for Limits {
    /// 64 headers, 16 KiB of head, 8 MiB of body, 1 KiB chunk-size lines.
    fn default() -> Self {
        Self {
            max_headers: 64,
            max_head_bytes: 16 * 1024,
            max_body_bytes: 8 * 1024 * 1024,
            max_chunk_line: 1024,
        }
    }
}
