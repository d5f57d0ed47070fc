//! The typed errors of HTTP parsing, each with the status code to answer.

use ::http::StatusCode;

/// Why an HTTP message was rejected.
///
/// On the server side each variant maps to the status code to send
/// ([`status`](Self::status)) and says whether the connection must be closed
/// afterwards ([`must_close`](Self::must_close)). Today every parse error
/// closes: once framing is in doubt the rest of the byte stream cannot be
/// trusted (it may be a smuggled request), so the connection is answered
/// once and closed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HttpError {
    /// More header fields than [`Limits::max_headers`](super::Limits::max_headers). 431.
    #[error("too many header fields")]
    TooManyHeaders,
    /// The head (or trailer section) is larger than
    /// [`Limits::max_head_bytes`](super::Limits::max_head_bytes). 431.
    #[error("message head larger than {max} bytes")]
    HeadTooLarge {
        /// The limit.
        max: usize,
    },
    /// The body is larger than [`Limits::max_body_bytes`](super::Limits::max_body_bytes). 413.
    #[error("body larger than {max} bytes")]
    BodyTooLarge {
        /// The declared `Content-Length`, when the body was refused up front.
        declared: Option<u64>,
        /// The limit.
        max: u64,
    },
    /// The method is not a token. 400.
    #[error("invalid method")]
    InvalidMethod,
    /// The request target is malformed or in a form the method does not allow. 400.
    #[error("invalid request target")]
    InvalidTarget,
    /// The version is not of the form `HTTP/<digit>.<digit>`. 400.
    #[error("malformed HTTP version")]
    InvalidVersion,
    /// A well-formed version whose major version is not 1 (`HTTP/2.0`);
    /// a later HTTP/1 minor version is served as HTTP/1.1. 505.
    #[error("HTTP version not supported")]
    UnsupportedVersion,
    /// A header name that is not a token, or whitespace before the colon,
    /// or a folded (obs-fold) line. 400.
    #[error("invalid header name")]
    InvalidHeaderName,
    /// A header value holding CR, LF, NUL or another control byte. 400.
    #[error("invalid header value")]
    InvalidHeaderValue,
    /// A bare CR or bare LF where CRLF is required. 400.
    #[error("bare CR or LF where CRLF is required")]
    InvalidLineEnding,
    /// An HTTP/1.1 request without exactly one `Host` header, or a `Host`
    /// value that is not `host[:port]` (whitespace, user information). 400.
    #[error("missing, repeated or malformed Host header")]
    InvalidHost,
    /// A `Content-Length` that is not one plain decimal number, or more than
    /// one `Content-Length` field. 400.
    #[error("invalid Content-Length")]
    InvalidContentLength,
    /// Both `Content-Length` and `Transfer-Encoding` (request smuggling). 400.
    #[error("both Content-Length and Transfer-Encoding")]
    ContentLengthWithTransferEncoding,
    /// A malformed `Transfer-Encoding`: empty, `chunked` not last or repeated,
    /// or sent in an HTTP/1.0 request. 400.
    #[error("invalid Transfer-Encoding")]
    InvalidTransferEncoding,
    /// A well-formed transfer coding other than a lone `chunked` (such as
    /// `gzip, chunked` or `identity`); this server decodes only `chunked`. 501.
    #[error("unsupported transfer coding")]
    UnsupportedTransferEncoding,
    /// A chunk size that is not hexadecimal digits, or that overflows. 400.
    #[error("invalid chunk size")]
    InvalidChunkSize,
    /// A chunk-size line (with its extensions) longer than
    /// [`Limits::max_chunk_line`](super::Limits::max_chunk_line). 400.
    #[error("chunk-size line too long")]
    ChunkLineTooLong,
    /// Chunk data not followed by CRLF. 400.
    #[error("malformed chunk")]
    InvalidChunk,
    /// A response status line that is not `HTTP/x.y NNN reason` (client side). 400.
    #[error("invalid status line")]
    InvalidStatus,
    /// The peer closed the connection in the middle of a message. 400.
    #[error("connection closed before the message was complete")]
    IncompleteMessage,
}

impl HttpError {
    /// The status code a server answers this error with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::TooManyHeaders | Self::HeadTooLarge { .. } => {
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
            }
            Self::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedVersion => StatusCode::HTTP_VERSION_NOT_SUPPORTED,
            Self::UnsupportedTransferEncoding => StatusCode::NOT_IMPLEMENTED,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// Whether the connection must be closed after answering. Always `true`
    /// today: see the type's documentation.
    pub fn must_close(&self) -> bool {
        true
    }
}

/// Why a message could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// A header name that is not a token.
    #[error("invalid header name")]
    InvalidHeaderName,
    /// A header value holding CR, LF or NUL (header injection).
    #[error("invalid header value")]
    InvalidHeaderValue,
    /// A method that is not a token.
    #[error("invalid method")]
    InvalidMethod,
    /// A request target that is empty or holds whitespace or control bytes,
    /// or (converting to an `http::Request`) is not a URI.
    #[error("invalid request target")]
    InvalidTarget,
    /// A status code outside 100..=999.
    #[error("invalid status code")]
    InvalidStatus,
    /// A field the encoder writes itself (`Content-Length`,
    /// `Transfer-Encoding`, `Connection`, `Date`) given in a
    /// [`HeaderBlock`](super::HeaderBlock).
    #[error("header field written by the encoder")]
    ReservedHeader,
}
