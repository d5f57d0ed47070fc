//! Message framing from the head: how long the body is (RFC 9112 §6).

use super::headers::{is_token, trim_ows};
use ::http::Version;

use super::{Headers, HttpError, Limits};

/// How a message's body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// No body at all.
    Empty,
    /// Exactly this many bytes (`Content-Length`).
    Length(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked,
    /// Everything until the peer closes (responses only).
    UntilClose,
}

/// How often each field that framing and connection handling look at occurs
/// in a request head, counted in the one pass that copies the head, so that
/// a request without them needs no further look through its fields.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct KnownFields {
    pub(crate) host: u8,
    pub(crate) content_length: u8,
    pub(crate) transfer_encoding: u8,
    pub(crate) connection: u8,
}

/// The fields [`KnownFields`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Host,
    Connection,
    ContentLength,
    TransferEncoding,
}

impl KnownFields {
    /// Counts a field named `name` (saturating); says which it was.
    pub(crate) fn note(&mut self, name: &str) -> Option<Field> {
        let (slot, field) = match name.len() {
            4 if name.eq_ignore_ascii_case("host") => (&mut self.host, Field::Host),
            10 if name.eq_ignore_ascii_case("connection") => {
                (&mut self.connection, Field::Connection)
            }
            14 if name.eq_ignore_ascii_case("content-length") => {
                (&mut self.content_length, Field::ContentLength)
            }
            17 if name.eq_ignore_ascii_case("transfer-encoding") => {
                (&mut self.transfer_encoding, Field::TransferEncoding)
            }
            _ => return None,
        };
        *slot = slot.saturating_add(1);
        Some(field)
    }
}

/// The body framing of a request whose fields are `headers`, counted in
/// `known`.
///
/// - `Transfer-Encoding` with `Content-Length` is refused (smuggling), as is
///   `Transfer-Encoding` in an HTTP/1.0 request (RFC 9112 §6.1).
/// - `Transfer-Encoding` must end in `chunked`; `chunked` alone is the only
///   coding decoded, any other well-formed coding is 501.
/// - `Content-Length` must appear once and be plain decimal digits; a
///   repeated field is refused even when the values agree.
/// - A declared length above the limit is 413 before any body is read.
pub(crate) fn request_body(
    headers: &Headers,
    known: KnownFields,
    version: Version,
    limits: &Limits,
) -> Result<BodyKind, HttpError> {
    if known.transfer_encoding == 0 && known.content_length == 0 {
        return Ok(BodyKind::Empty);
    }
    let has_te = headers.contains("transfer-encoding");
    let has_cl = headers.contains("content-length");
    if has_te && has_cl {
        return Err(HttpError::ContentLengthWithTransferEncoding);
    }
    if has_te {
        if version == Version::HTTP_10 {
            return Err(HttpError::InvalidTransferEncoding);
        }
        return match transfer_coding(headers)? {
            Coding::Chunked => Ok(BodyKind::Chunked),
            Coding::Other => Err(HttpError::UnsupportedTransferEncoding),
        };
    }
    match content_length(headers)? {
        None | Some(0) => Ok(BodyKind::Empty),
        Some(n) if n > limits.max_body_bytes => Err(HttpError::BodyTooLarge {
            declared: Some(n),
            max: limits.max_body_bytes,
        }),
        Some(n) => Ok(BodyKind::Length(n)),
    }
}

/// The body framing of a response to a request whose method was `HEAD`
/// when `head_request` is set.
pub(crate) fn response_body(
    status: u16,
    headers: &Headers,
    head_request: bool,
    limits: &Limits,
) -> Result<BodyKind, HttpError> {
    if head_request || (100..200).contains(&status) || status == 204 || status == 304 {
        return Ok(BodyKind::Empty);
    }
    let has_te = headers.contains("transfer-encoding");
    if has_te && headers.contains("content-length") {
        return Err(HttpError::ContentLengthWithTransferEncoding);
    }
    if has_te {
        return Ok(match transfer_coding(headers)? {
            Coding::Chunked => BodyKind::Chunked,
            Coding::Other => BodyKind::UntilClose,
        });
    }
    match content_length(headers)? {
        None => Ok(BodyKind::UntilClose),
        Some(0) => Ok(BodyKind::Empty),
        Some(n) if n > limits.max_body_bytes => Err(HttpError::BodyTooLarge {
            declared: Some(n),
            max: limits.max_body_bytes,
        }),
        Some(n) => Ok(BodyKind::Length(n)),
    }
}

enum Coding {
    /// Exactly `chunked`.
    Chunked,
    /// Well-formed, but not `chunked` alone.
    Other,
}

fn transfer_coding(headers: &Headers) -> Result<Coding, HttpError> {
    let mut codings = Vec::new();
    for value in headers.get_all("transfer-encoding") {
        for element in value.split(|&b| b == b',') {
            let element = trim_ows(element);
            if element.is_empty() {
                continue;
            }
            let name = trim_ows(element.split(|&b| b == b';').next().unwrap_or(&[]));
            if !is_token(name) {
                return Err(HttpError::InvalidTransferEncoding);
            }
            codings.push(name);
        }
    }
    let Some((last, before)) = codings.split_last() else {
        return Err(HttpError::InvalidTransferEncoding);
    };
    let is_chunked = |c: &&[u8]| c.eq_ignore_ascii_case(b"chunked");
    if before.iter().any(is_chunked) {
        return Err(HttpError::InvalidTransferEncoding);
    }
    if !is_chunked(last) {
        return Ok(Coding::Other);
    }
    if before.is_empty() {
        Ok(Coding::Chunked)
    } else {
        Ok(Coding::Other)
    }
}

/// The single `Content-Length`, strictly parsed.
fn content_length(headers: &Headers) -> Result<Option<u64>, HttpError> {
    let mut values = headers.get_all("content-length");
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(HttpError::InvalidContentLength);
    }
    parse_decimal(trim_ows(value))
        .map(Some)
        .ok_or(HttpError::InvalidContentLength)
}

/// `1*DIGIT` without sign, spaces or overflow.
fn parse_decimal(s: &[u8]) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    s.iter().try_fold(0u64, |acc, &b| {
        if !b.is_ascii_digit() {
            return None;
        }
        acc.checked_mul(10)?.checked_add(u64::from(b - b'0'))
    })
}

/// HTTP/1.1 requests need exactly one `Host` (RFC 9112 §3.2).
pub(crate) fn check_host(known: KnownFields, version: Version) -> Result<(), HttpError> {
    match (version, known.host) {
        (_, 0) if version == Version::HTTP_10 => Ok(()),
        (_, 1) => Ok(()),
        _ => Err(HttpError::InvalidHost),
    }
}
