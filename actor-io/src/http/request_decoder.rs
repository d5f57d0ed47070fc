//! The server-side request decoder: every complete request in the buffer,
//! in order (pipelining).

use super::framing::{KnownFields, check_host, request_body};
use super::head::{find_head_end, leading_crlf, parse_request_head};
use super::request_line::LineCheck;
use ::http::Version;

use super::{BodyDecoder, BodyKind, HttpError, Limits, Request, ResponseContext};
use crate::codec::{Decoder, ReadBuf};

/// What the [`RequestDecoder`] yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// The head of a request with `Expect: 100-continue` has been read and
    /// its body has not fully arrived: send `HTTP/1.1 100 Continue\r\n\r\n`
    /// (see [`CONTINUE`](super::CONTINUE)), then keep reading. Not yielded when the
    /// client sent the body without waiting.
    Continue,
    /// A complete request, body included.
    Request(Request),
}

/// Decodes requests from a connection's receive buffer.
///
/// Each call to [`decode`](Decoder::decode) returns the next complete
/// request (or a [`Incoming::Continue`] notice), `Ok(None)` when more bytes
/// are needed. Use [`decode_iter`](Decoder::decode_iter) to take every
/// pipelined request in the buffer, then answer them all in one write.
/// After an error the decoder keeps returning it: answer with
/// [`HttpError::status`] and close.
///
/// ```
/// use actor_io::codec::{Decoder, ReadBuf};
/// use actor_io::http::{Incoming, RequestDecoder};
///
/// let mut buf = ReadBuf::new();
/// buf.extend_from_slice(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");
/// let mut dec = RequestDecoder::default();
/// let paths: Vec<String> = dec
///     .decode_iter(&mut buf)
///     .map(|r| match r.unwrap() {
///         Incoming::Request(req) => req.target,
///         Incoming::Continue => unreachable!(),
///     })
///     .collect();
/// assert_eq!(paths, ["/a", "/b"]);
/// ```
#[derive(Debug, Clone, Default)]
pub struct RequestDecoder {
    limits: Limits,
    /// Bytes of the current head already scanned for its end.
    scanned: usize,
    /// How far the current head's request line has been checked while the
    /// head is incomplete.
    line: LineCheck,
    /// A finished request whose buffers the next one reuses.
    spare: Option<Request>,
    /// The framing fields of the last request head read.
    known: KnownFields,
    state: State,
}

#[derive(Debug, Clone, Default)]
enum State {
    #[default]
    Head,
    Body {
        request: Request,
        body: BodyDecoder,
        send_continue: bool,
    },
    Failed(HttpError),
}

impl RequestDecoder {
    /// A decoder with these limits.
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            scanned: 0,
            line: LineCheck::default(),
            spare: None,
            known: KnownFields::default(),
            state: State::Head,
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Hands back a request the caller is done with: the next request
    /// decoded reuses its buffers (method, target, headers, body) instead
    /// of allocating, so a connection that recycles each request decodes
    /// small requests without allocating.
    pub fn recycle(&mut self, request: Request) {
        self.spare = Some(request);
    }

    /// How to answer `request`, the last request this decoder yielded (its
    /// field counts spare a look through the fields when it has no
    /// `Connection` field): [`ResponseContext::for_request`] in effect.
    pub(crate) fn context_for(&self, request: &Request) -> ResponseContext {
        let keep_alive = if self.known.connection == 0 {
            request.version == Version::HTTP_11
        } else {
            request.keep_alive()
        };
        ResponseContext::with_keep_alive(request, keep_alive)
    }

    /// Whether the decoder is between requests (nothing partially read).
    pub fn is_idle(&self) -> bool {
        matches!(self.state, State::Head)
    }

    fn step(&mut self, buf: &mut ReadBuf) -> Result<Option<Incoming>, HttpError> {
        loop {
            match &mut self.state {
                State::Failed(e) => return Err(e.clone()),
                State::Head => {
                    let skip = leading_crlf(buf.as_slice());
                    if skip > 0 {
                        buf.advance(skip);
                        self.scanned = 0;
                        self.line.reset();
                    }
                    let Some(end) = find_head_end(buf.as_slice(), &mut self.scanned, &self.limits)?
                    else {
                        // Refuse at once what no request line starts with.
                        self.line.check(buf.as_slice())?;
                        return Ok(None);
                    };
                    self.line.reset();
                    let head = buf.as_slice().get(..end).unwrap_or(&[]);
                    let mut request = self.spare.take().unwrap_or_default();
                    let known = parse_request_head(head, &self.limits, &mut request)?;
                    self.known = known;
                    check_host(known, request.version)?;
                    let kind =
                        request_body(&request.headers, known, request.version, &self.limits)?;
                    buf.advance(end);
                    request.body.clear();
                    if kind == BodyKind::Empty {
                        return Ok(Some(Incoming::Request(request)));
                    }
                    let send_continue = request.expects_continue();
                    self.state = State::Body {
                        request,
                        body: BodyDecoder::new(kind, &self.limits),
                        send_continue,
                    };
                }
                State::Body {
                    request,
                    body,
                    send_continue,
                } => {
                    let (used, done) = body.decode(buf.as_slice(), &mut request.body)?;
                    buf.advance(used);
                    if done {
                        let request = std::mem::take(request);
                        self.state = State::Head;
                        return Ok(Some(Incoming::Request(request)));
                    }
                    if std::mem::take(send_continue) {
                        return Ok(Some(Incoming::Continue));
                    }
                    return Ok(None);
                }
            }
        }
    }
}

impl Decoder for RequestDecoder {
    type Item = Incoming;
    type Error = HttpError;

    fn decode(&mut self, buf: &mut ReadBuf) -> Result<Option<Incoming>, HttpError> {
        self.step(buf)
            .inspect_err(|e| self.state = State::Failed(e.clone()))
    }
}
