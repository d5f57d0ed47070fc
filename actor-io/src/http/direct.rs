//! Responses written straight into the connection's output: the header
//! fields checked and encoded once, the body borrowed, nothing built or
//! dropped per response.

use ::http::StatusCode;

use super::request::{write_content_length, write_headers_skipping};
use super::response::{OWNED, has_body, write_connection, write_status_and_date};
use super::{EncodeError, Headers, ResponseContext};

/// Header fields checked and encoded once, then copied as they are into
/// every response a [`ResponseWriter`] sends.
///
/// ```
/// use actor_io::http::{EncodeError, HeaderBlock};
/// let block = HeaderBlock::new([("Content-Type", "text/plain"), ("Server", "pinion")]).unwrap();
/// assert_eq!(block.as_bytes(), b"Content-Type: text/plain\r\nServer: pinion\r\n");
/// assert_eq!(HeaderBlock::new([("X", "a\r\nb")]), Err(EncodeError::InvalidHeaderValue));
/// assert_eq!(HeaderBlock::new([("Content-Length", "3")]), Err(EncodeError::ReservedHeader));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderBlock {
    bytes: Vec<u8>,
}

impl HeaderBlock {
    /// Encodes `fields`, in order.
    ///
    /// # Errors
    ///
    /// [`EncodeError::InvalidHeaderName`] for a name that is not a token,
    /// [`EncodeError::InvalidHeaderValue`] for a value holding CR, LF or
    /// another control byte, [`EncodeError::ReservedHeader`] for a field
    /// the encoder writes itself (`Content-Length`, `Transfer-Encoding`,
    /// `Connection`, `Date`).
    pub fn new<'a>(
        fields: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, EncodeError> {
        let mut headers = Headers::new();
        for (name, value) in fields {
            if OWNED.iter().any(|owned| owned.eq_ignore_ascii_case(name)) {
                return Err(EncodeError::ReservedHeader);
            }
            headers.append(name, value);
        }
        let mut bytes = Vec::new();
        write_headers_skipping(&headers, &[], &mut bytes)?;
        Ok(Self { bytes })
    }

    /// The encoded fields, each ending in CRLF.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// Writes the answer to one request straight into an output buffer: the
/// status line, `Date`, a [`HeaderBlock`], the framing and `Connection`
/// fields the [`ResponseContext`] calls for, then the body (not for `HEAD`,
/// 1xx, 204 or 304). A server hands one to each
/// [`Routes::get_direct`](crate::server::Routes::get_direct) handler.
///
/// ```
/// use actor_io::http::{HeaderBlock, ResponseContext, ResponseWriter, StatusCode};
/// let block = HeaderBlock::new([("Content-Type", "text/plain")]).unwrap();
/// let mut out = Vec::new();
/// let written = ResponseWriter::new(&mut out, ResponseContext::default())
///     .send(StatusCode::OK, &block, b"hi");
/// assert_eq!(written.status(), StatusCode::OK);
/// assert!(out.starts_with(b"HTTP/1.1 200 OK\r\nDate: "));
/// assert!(out.ends_with(b"\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi"));
/// ```
#[derive(Debug)]
pub struct ResponseWriter<'a> {
    out: &'a mut Vec<u8>,
    ctx: ResponseContext,
}

/// What [`ResponseWriter::send`] returns: a direct handler's proof that it
/// answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "a direct handler returns it"]
pub struct Written {
    status: StatusCode,
}

impl Written {
    /// The status sent.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl<'a> ResponseWriter<'a> {
    /// A writer appending to `out`, framing for `ctx`.
    pub fn new(out: &'a mut Vec<u8>, ctx: ResponseContext) -> Self {
        Self { out, ctx }
    }

    /// How the response is framed: keep-alive, version, `HEAD`.
    pub fn context(&self) -> ResponseContext {
        self.ctx
    }

    /// Appends the response with `Content-Length` framing.
    pub fn send(self, status: StatusCode, headers: &HeaderBlock, body: &[u8]) -> Written {
        let out = self.out;
        let with_body = has_body(status);
        out.reserve(160 + headers.bytes.len() + body.len());
        write_status_and_date(status, out);
        out.extend_from_slice(&headers.bytes);
        write_connection(self.ctx, out);
        if with_body {
            write_content_length(body.len(), out);
        }
        out.extend_from_slice(b"\r\n");
        if with_body && !self.ctx.head_request {
            out.extend_from_slice(body);
        }
        Written { status }
    }
}

#[cfg(test)]
mod tests {
    use ::http::{Method, Version};

    use super::{HeaderBlock, ResponseWriter};
    use crate::http::{EncodeError, Request, Response, ResponseContext, StatusCode};

    fn block() -> HeaderBlock {
        HeaderBlock::new([("Content-Type", "text/plain"), ("Server", "pinion")]).unwrap()
    }

    fn contexts() -> Vec<ResponseContext> {
        let mut all = Vec::new();
        for version in [Version::HTTP_10, Version::HTTP_11] {
            for keep_alive in [true, false] {
                for head_request in [true, false] {
                    all.push(ResponseContext {
                        keep_alive,
                        version,
                        head_request,
                    });
                }
            }
        }
        all
    }

    #[test]
    fn writes_what_the_response_encoder_writes() {
        for ctx in contexts() {
            for status in [200, 404, 204, 304, 101, 500] {
                let status = StatusCode::from_u16(status).unwrap();
                let mut direct = Vec::new();
                let written =
                    ResponseWriter::new(&mut direct, ctx).send(status, &block(), b"Hello");
                assert_eq!(written.status(), status);
                let mut encoded = Vec::new();
                Response::new(status)
                    .with_header("Content-Type", "text/plain")
                    .with_header("Server", "pinion")
                    .with_body("Hello")
                    .encode(ctx, &mut encoded)
                    .unwrap();
                // The `Date` line may differ if the second turned between.
                let cut = |v: &[u8]| {
                    let s = String::from_utf8(v.to_vec()).unwrap();
                    s.lines()
                        .filter(|l| !l.starts_with("Date: "))
                        .collect::<Vec<_>>()
                        .join("\n")
                };
                assert_eq!(cut(&direct), cut(&encoded), "{status} {ctx:?}");
            }
        }
    }

    #[test]
    fn appends_after_what_is_there() {
        let mut out = b"before".to_vec();
        let ctx = ResponseContext::for_request(&Request::new(Method::GET, "/"));
        let _ = ResponseWriter::new(&mut out, ctx).send(StatusCode::OK, &block(), b"x");
        assert!(out.starts_with(b"beforeHTTP/1.1 200 OK\r\n"));
        assert!(out.ends_with(b"\r\n\r\nx"));
    }

    #[test]
    fn refuses_bad_and_reserved_fields() {
        assert_eq!(
            HeaderBlock::new([("Bad Name", "v")]),
            Err(EncodeError::InvalidHeaderName)
        );
        assert_eq!(
            HeaderBlock::new([("X", "a\nb")]),
            Err(EncodeError::InvalidHeaderValue)
        );
        for reserved in ["content-length", "Transfer-Encoding", "CONNECTION", "Date"] {
            assert_eq!(
                HeaderBlock::new([(reserved, "1")]),
                Err(EncodeError::ReservedHeader),
                "{reserved}"
            );
        }
        assert_eq!(HeaderBlock::new([]).unwrap().as_bytes(), b"");
    }
}
