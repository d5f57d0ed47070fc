//! The client side: decoding responses (requests are encoded by
//! [`Request::encode`](super::Request::encode)).

use std::collections::VecDeque;

use ::http::{Method, StatusCode};

use super::framing::response_body;
use super::head::{find_head_end, leading_crlf, parse_response_head};
use super::{BodyDecoder, BodyKind, HttpError, Limits, Response};
use crate::codec::{Decoder, ReadBuf};

/// Decodes responses from a client connection's receive buffer.
///
/// Interim 1xx responses are skipped (except `101 Switching Protocols`,
/// which is final: the bytes after it belong to the new protocol). A body
/// is framed by `Content-Length`, chunked encoding, or the end of the
/// connection: call [`decode_eof`](Decoder::decode_eof) once the peer has
/// closed. Responses to `HEAD` have no body: tell the decoder about each
/// request sent with [`push_request`](Self::push_request), in order.
///
/// ```
/// use actor_io::codec::{Decoder, ReadBuf};
/// use actor_io::http::ResponseDecoder;
///
/// let mut buf = ReadBuf::new();
/// buf.extend_from_slice(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
/// let resp = ResponseDecoder::default().decode(&mut buf).unwrap().unwrap();
/// assert_eq!((resp.status.as_u16(), &resp.body[..]), (200, &b"ok"[..]));
/// ```
#[derive(Debug, Clone, Default)]
pub struct ResponseDecoder {
    limits: Limits,
    /// Bytes of the current head already scanned for its end.
    scanned: usize,
    head_requests: VecDeque<bool>,
    state: State,
}

#[derive(Debug, Clone, Default)]
enum State {
    #[default]
    Head,
    Body {
        response: Response,
        body: BodyDecoder,
    },
    Failed(HttpError),
}

impl ResponseDecoder {
    /// A decoder with these limits.
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    /// Records that a request with `method` was sent; responses are matched
    /// to requests in order. Responses with no recorded request are taken to
    /// answer a method other than `HEAD`.
    pub fn push_request(&mut self, method: &Method) {
        self.head_requests.push_back(method == Method::HEAD);
    }

    fn step(&mut self, buf: &mut ReadBuf, eof: bool) -> Result<Option<Response>, HttpError> {
        loop {
            match &mut self.state {
                State::Failed(e) => return Err(e.clone()),
                State::Head => {
                    let skip = leading_crlf(buf.as_slice());
                    if skip > 0 {
                        buf.advance(skip);
                        self.scanned = 0;
                    }
                    let Some(end) = find_head_end(buf.as_slice(), &mut self.scanned, &self.limits)?
                    else {
                        if eof && !buf.is_empty() {
                            return Err(HttpError::IncompleteMessage);
                        }
                        return Ok(None);
                    };
                    let head = buf.as_slice().get(..end).unwrap_or(&[]);
                    let head = parse_response_head(head, &self.limits)?;
                    buf.advance(end);
                    let interim = head.status.is_informational()
                        && head.status != StatusCode::SWITCHING_PROTOCOLS;
                    if interim {
                        continue;
                    }
                    let head_request = self.head_requests.pop_front().unwrap_or(false);
                    let kind = response_body(
                        head.status.as_u16(),
                        &head.headers,
                        head_request,
                        &self.limits,
                    )?;
                    let response = Response {
                        status: head.status,
                        version: head.version,
                        headers: head.headers,
                        body: Vec::new(),
                        chunked: kind == BodyKind::Chunked,
                    };
                    if kind == BodyKind::Empty {
                        return Ok(Some(response));
                    }
                    self.state = State::Body {
                        response,
                        body: BodyDecoder::new(kind, &self.limits),
                    };
                }
                State::Body { response, body } => {
                    let (used, mut done) = body.decode(buf.as_slice(), &mut response.body)?;
                    buf.advance(used);
                    if !done && eof {
                        body.finish()?;
                        done = true;
                    }
                    if !done {
                        return Ok(None);
                    }
                    let response = std::mem::replace(response, Response::new(StatusCode::OK));
                    self.state = State::Head;
                    return Ok(Some(response));
                }
            }
        }
    }
}

impl Decoder for ResponseDecoder {
    type Item = Response;
    type Error = HttpError;

    fn decode(&mut self, buf: &mut ReadBuf) -> Result<Option<Response>, HttpError> {
        self.step(buf, false)
            .inspect_err(|e| self.state = State::Failed(e.clone()))
    }

    fn decode_eof(&mut self, buf: &mut ReadBuf) -> Result<Option<Response>, HttpError> {
        self.step(buf, true)
            .inspect_err(|e| self.state = State::Failed(e.clone()))
    }
}
