//! HTTP/1.1 as a protocol, without I/O: parsing, body framing, limits and
//! encoding over byte buffers. [`server`](crate::server) and
//! [`client`](crate::client) drive it over connections. A connection actor
//! appends received bytes to a
//! [`ReadBuf`](crate::codec::ReadBuf), takes every complete request from a
//! [`RequestDecoder`], and encodes all the answers into one output buffer.
//!
//! ```
//! use actor_io::codec::{Decoder, ReadBuf};
//! use actor_io::http::{Incoming, RequestDecoder, Response, ResponseContext, StatusCode, CONTINUE};
//!
//! let mut input = ReadBuf::new();
//! input.extend_from_slice(b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
//! let mut decoder = RequestDecoder::default();
//! let mut output = Vec::new();
//! let mut close = false;
//! for item in decoder.decode_iter(&mut input) {
//!     match item {
//!         Ok(Incoming::Continue) => output.extend_from_slice(CONTINUE),
//!         Ok(Incoming::Request(req)) => {
//!             let ctx = ResponseContext::for_request(&req);
//!             close |= !ctx.keep_alive;
//!             Response::new(StatusCode::OK).with_body(req.target).encode(ctx, &mut output).unwrap();
//!         }
//!         Err(e) => {
//!             Response::for_error(&e).encode(ResponseContext::closing(), &mut output).unwrap();
//!             close = true;
//!         }
//!     }
//!     if close {
//!         break;
//!     }
//! }
//! // One write of `output` answers both requests; then the connection closes.
//! assert_eq!(output.windows(15).filter(|w| w == b"HTTP/1.1 200 OK").count(), 2);
//! assert!(close);
//! ```
//!
//! Decisions where the RFCs leave a choice:
//!
//! - Every parse error closes the connection ([`HttpError::must_close`]).
//! - A later HTTP/1 minor version (`HTTP/1.2`) is served as HTTP/1.1, the
//!   highest this crate speaks (RFC 9110 §6.2); another major version
//!   (`HTTP/2.0`) is 505; a malformed one is 400.
//! - Bytes that cannot start a request line (a TLS ClientHello sent to a
//!   plain port) are refused with 400 as soon as they arrive, not when the
//!   head would have been complete.
//! - `Transfer-Encoding` whose codings are well formed but not a lone
//!   `chunked` (`gzip, chunked`, `identity`) is 501; a malformed one, or
//!   `chunked` not last, is 400.
//! - A repeated `Content-Length` is 400 even when the values agree.
//! - Expectations other than `100-continue` are ignored.

mod body;
mod chunked;
mod date;
mod direct;
mod error;
mod framing;
mod head;
mod headers;
mod host;
mod interop;
mod limits;
mod request;
mod request_decoder;
mod request_line;
mod response;
mod response_decoder;
mod router;
mod status;

pub use body::BodyDecoder;
pub use chunked::ChunkedDecoder;
pub use date::{DATE_LEN, http_date, imf_fixdate};
pub use direct::{HeaderBlock, ResponseWriter, Written};
pub use error::{EncodeError, HttpError};
pub use framing::BodyKind;
pub use headers::Headers;
pub use limits::Limits;
pub use request::Request;
pub use request_decoder::{Incoming, RequestDecoder};
pub use response::{CONTINUE, ChunkedWriter, Response, ResponseContext};
pub use response_decoder::ResponseDecoder;
pub use router::{Route, Router};
pub use status::reason_phrase;

pub use ::http::uri::InvalidUri;
pub use ::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri, Version};
