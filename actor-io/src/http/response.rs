//! Response encoding: status line, `Date`, framing headers, body.

use super::date::date_line;
use super::request::{write_content_length, write_decimal, write_headers_skipping};
use ::http::{Method, StatusCode, Version};

use super::{EncodeError, Headers, HttpError, Request, reason_phrase};

/// The interim response to send when [`Incoming::Continue`](super::Incoming::Continue) is decoded.
pub const CONTINUE: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\n";

/// Headers the encoder writes itself; such fields in [`Response::headers`]
/// are skipped.
pub(crate) const OWNED: [&str; 4] = ["content-length", "transfer-encoding", "connection", "date"];

/// An HTTP response: what a handler returns on the server, what the
/// [`ResponseDecoder`](super::ResponseDecoder) produces on the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: StatusCode,
    /// The version read from the status line (client side); encoding
    /// always writes HTTP/1.1.
    pub version: Version,
    /// Header fields, in order.
    pub headers: Headers,
    /// The body.
    pub body: Vec<u8>,
    /// Frame the body with `Transfer-Encoding: chunked`, in chunks of at most
    /// [`Response::CHUNK`] bytes, instead of `Content-Length` (HTTP/1.1
    /// clients only: an HTTP/1.0 client gets `Content-Length`). On the client
    /// side, whether the response arrived chunked.
    pub chunked: bool,
}

/// How to frame a response for the request it answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseContext {
    /// Keep the connection open after this response; when `false` the
    /// encoder writes `Connection: close` and the caller closes after writing.
    pub keep_alive: bool,
    /// The request's version: an HTTP/1.0 client that keeps the connection
    /// gets `Connection: keep-alive`, and never a chunked body.
    pub version: Version,
    /// The request was `HEAD`: write the headers of the body, not the body.
    pub head_request: bool,
}

impl Default for ResponseContext {
    /// HTTP/1.1, keep-alive, not `HEAD`.
    fn default() -> Self {
        Self {
            keep_alive: true,
            version: Version::HTTP_11,
            head_request: false,
        }
    }
}

impl ResponseContext {
    /// The context for answering `request`.
    pub fn for_request(request: &Request) -> Self {
        Self::with_keep_alive(request, request.keep_alive())
    }

    /// The context for `request` when whether it keeps the connection open
    /// is already known.
    pub(crate) fn with_keep_alive(request: &Request, keep_alive: bool) -> Self {
        Self {
            keep_alive,
            version: request.version,
            head_request: request.method == Method::HEAD,
        }
    }

    /// The context for an error response: the connection closes.
    pub fn closing() -> Self {
        Self {
            keep_alive: false,
            ..Self::default()
        }
    }
}

impl Response {
    /// A response with no headers and an empty body. A status from a
    /// number: `StatusCode::from_u16(n)?`.
    pub fn new(status: StatusCode) -> Self {
        Self {
            status,
            version: Version::HTTP_11,
            headers: Headers::new(),
            body: Vec::new(),
            chunked: false,
        }
    }

    /// The largest chunk a [`chunked`](Response::with_chunked_framing)
    /// response is cut into.
    pub const CHUNK: usize = 16 * 1024;

    /// Frames the body with `Transfer-Encoding: chunked` (builder style).
    pub fn with_chunked_framing(mut self) -> Self {
        self.chunked = true;
        self
    }

    /// Adds a header (builder style).
    pub fn with_header(mut self, name: impl AsRef<str>, value: impl AsRef<[u8]>) -> Self {
        self.headers.append(name, value);
        self
    }

    /// Sets the body (builder style).
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// The response a server sends for a parse error: its status, a short
    /// plain-text body. Encode it with [`ResponseContext::closing`] when
    /// [`HttpError::must_close`] says so.
    pub fn for_error(error: &HttpError) -> Self {
        Self::new(error.status())
            .with_header("Content-Type", "text/plain; charset=utf-8")
            .with_body(format!("{error}\n"))
    }

    /// Appends the response to `dst`: status line, `Date`, the headers,
    /// `Content-Length` or, for a [`chunked`](Response::chunked) response to
    /// an HTTP/1.1 request, `Transfer-Encoding: chunked` (neither for 1xx,
    /// 204 and 304), `Connection` as the context requires, then the body
    /// (not for `HEAD`).
    ///
    /// ```
    /// use actor_io::http::{Response, ResponseContext, StatusCode};
    /// let mut out = Vec::new();
    /// Response::new(StatusCode::OK).with_body("hi").encode(ResponseContext::default(), &mut out).unwrap();
    /// assert!(out.starts_with(b"HTTP/1.1 200 OK\r\nDate: "));
    /// assert!(out.ends_with(b"\r\nContent-Length: 2\r\n\r\nhi"));
    /// ```
    ///
    /// # Errors
    ///
    /// An invalid header name or value (CR, LF or NUL: header injection);
    /// `dst` is then left as it was.
    pub fn encode(&self, ctx: ResponseContext, dst: &mut Vec<u8>) -> Result<(), EncodeError> {
        let start = dst.len();
        dst.reserve(128 + self.body.len());
        if let Err(e) = self.write_head(ctx, dst) {
            dst.truncate(start);
            return Err(e);
        }
        let chunked = self.chunked && ctx.version == Version::HTTP_11;
        match (has_body(self.status), chunked) {
            (false, _) => {}
            (true, true) => dst.extend_from_slice(b"Transfer-Encoding: chunked\r\n"),
            (true, false) => write_content_length(self.body.len(), dst),
        }
        dst.extend_from_slice(b"\r\n");
        if !has_body(self.status) || ctx.head_request {
            return Ok(());
        }
        if chunked {
            for piece in self.body.chunks(Self::CHUNK) {
                write_chunk_size(piece.len(), dst);
                dst.extend_from_slice(piece);
                dst.extend_from_slice(b"\r\n");
            }
            dst.extend_from_slice(b"0\r\n\r\n");
        } else {
            dst.extend_from_slice(&self.body);
        }
        Ok(())
    }

    /// Status line, `Date`, user headers and `Connection`, without the
    /// final blank line.
    fn write_head(&self, ctx: ResponseContext, dst: &mut Vec<u8>) -> Result<(), EncodeError> {
        write_status_and_date(self.status, dst);
        write_headers_skipping(&self.headers, &OWNED, dst)?;
        write_connection(ctx, dst);
        Ok(())
    }
}

/// Writes the status line and the `Date` field.
pub(crate) fn write_status_and_date(status: StatusCode, dst: &mut Vec<u8>) {
    match status.as_u16() {
        200 => dst.extend_from_slice(b"HTTP/1.1 200 OK\r\n"),
        status => {
            dst.extend_from_slice(b"HTTP/1.1 ");
            write_decimal(u64::from(status), dst);
            dst.push(b' ');
            dst.extend_from_slice(reason_phrase(status).as_bytes());
            dst.extend_from_slice(b"\r\n");
        }
    }
    dst.extend_from_slice(&date_line());
}

/// Writes the `Connection` field the context needs, if any.
pub(crate) fn write_connection(ctx: ResponseContext, dst: &mut Vec<u8>) {
    if !ctx.keep_alive {
        dst.extend_from_slice(b"Connection: close\r\n");
    } else if ctx.version == Version::HTTP_10 {
        dst.extend_from_slice(b"Connection: keep-alive\r\n");
    }
}

/// Writes a chunk-size line: the length in hex, then CRLF.
fn write_chunk_size(n: usize, dst: &mut Vec<u8>) {
    let mut digits = [0u8; 16];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        digits[at] = b"0123456789ABCDEF"[n & 0xF];
        n >>= 4;
        if n == 0 {
            break;
        }
    }
    dst.extend_from_slice(&digits[at..]);
    dst.extend_from_slice(b"\r\n");
}

/// Whether a response with this status carries a body (and so a length).
pub(crate) fn has_body(status: StatusCode) -> bool {
    !(status.is_informational()
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED)
}

/// Writes a response whose body is produced in pieces.
///
/// For an HTTP/1.1 client the body is chunked; an HTTP/1.0 client does not
/// know chunked encoding, so it gets the raw bytes and the connection closes
/// at the end (`Connection: close` is written and [`keep_alive`](Self::keep_alive)
/// turns `false`).
///
/// ```
/// use actor_io::http::{ChunkedWriter, Response, ResponseContext, StatusCode};
/// let mut out = Vec::new();
/// let w = ChunkedWriter::start(&Response::new(StatusCode::OK), ResponseContext::default(), &mut out).unwrap();
/// w.chunk(b"hello", &mut out);
/// w.finish(&mut out);
/// assert!(out.ends_with(b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ChunkedWriter {
    chunked: bool,
    keep_alive: bool,
    head_request: bool,
}

impl ChunkedWriter {
    /// Writes `head`'s status line and headers (its body is ignored) and
    /// `Transfer-Encoding: chunked`.
    ///
    /// # Errors
    ///
    /// As [`Response::encode`].
    pub fn start(
        head: &Response,
        ctx: ResponseContext,
        dst: &mut Vec<u8>,
    ) -> Result<Self, EncodeError> {
        let chunked = ctx.version == Version::HTTP_11;
        let ctx = ResponseContext {
            keep_alive: ctx.keep_alive && chunked,
            ..ctx
        };
        let start = dst.len();
        if let Err(e) = head.write_head(ctx, dst) {
            dst.truncate(start);
            return Err(e);
        }
        if chunked {
            dst.extend_from_slice(b"Transfer-Encoding: chunked\r\n");
        }
        dst.extend_from_slice(b"\r\n");
        Ok(Self {
            chunked,
            keep_alive: ctx.keep_alive,
            head_request: ctx.head_request,
        })
    }

    /// Whether the connection stays open after the last chunk.
    pub fn keep_alive(&self) -> bool {
        self.keep_alive
    }

    /// Writes one chunk (nothing for empty data: an empty chunk would end the body).
    pub fn chunk(&self, data: &[u8], dst: &mut Vec<u8>) {
        if data.is_empty() || self.head_request {
            return;
        }
        if self.chunked {
            write_chunk_size(data.len(), dst);
            dst.extend_from_slice(data);
            dst.extend_from_slice(b"\r\n");
        } else {
            dst.extend_from_slice(data);
        }
    }

    /// Ends the body.
    pub fn finish(self, dst: &mut Vec<u8>) {
        if self.chunked && !self.head_request {
            dst.extend_from_slice(b"0\r\n\r\n");
        }
    }
}
