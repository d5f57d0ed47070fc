//! Request and response heads: finding the end of the head, checking line
//! endings, and parsing with httparse into a stack array of headers.

use super::framing::{Field, KnownFields};
use super::headers::is_tchar;
use super::host::is_valid_host;
use std::mem::MaybeUninit;

use ::http::{Method, StatusCode, Version};

use super::{Headers, HttpError, Limits, Request};

/// Where the head ends in `buf`, or `Ok(None)` while it is incomplete.
///
/// `scanned` is how many bytes earlier calls have already examined; it is
/// updated so that a head trickling in byte by byte is scanned once, not
/// once per byte. The head is checked for bare CR / bare LF as it arrives,
/// so that a request using bare LF line endings is refused rather than
/// waited for.
pub(crate) fn find_head_end(
    buf: &[u8],
    scanned: &mut usize,
    limits: &Limits,
) -> Result<Option<usize>, HttpError> {
    let window = buf.get(..limits.max_head_bytes).unwrap_or(buf);
    // Earlier calls stop where no CR was left pending: resuming there, the
    // bytes before are known good, and a line starts there when they end
    // in CRLF.
    let mut pos = (*scanned).min(window.len());
    let mut line_start = if pos >= 2 && window.get(pos - 2..pos) == Some(b"\r\n") {
        pos
    } else {
        usize::MAX
    };
    loop {
        let rest = window.get(pos..).unwrap_or(&[]);
        let Some(i) = memchr::memchr2(b'\r', b'\n', rest).map(|i| pos + i) else {
            pos = window.len();
            break;
        };
        // Every LF must follow a CR, and every CR precede an LF.
        match (window.get(i), window.get(i + 1)) {
            (Some(b'\r'), Some(b'\n')) => {}
            (Some(b'\r'), None) => {
                // The LF may still come: look at this CR again next time.
                pos = i;
                break;
            }
            _ => return Err(HttpError::InvalidLineEnding),
        }
        if i == line_start {
            *scanned = 0;
            return Ok(Some(i + 2));
        }
        pos = i + 2;
        line_start = pos;
    }
    if buf.len() >= limits.max_head_bytes {
        return Err(HttpError::HeadTooLarge {
            max: limits.max_head_bytes,
        });
    }
    *scanned = pos;
    Ok(None)
}

/// Number of leading empty lines (CRLF pairs) to skip before a message.
pub(crate) fn leading_crlf(buf: &[u8]) -> usize {
    buf.chunks_exact(2).take_while(|c| *c == b"\r\n").count() * 2
}

/// Parses a complete request head (`head` ends with the blank line) into
/// `into`, reusing its buffers; its body is left alone. Returns the counts
/// of the fields framing looks at.
pub(crate) fn parse_request_head(
    head: &[u8],
    limits: &Limits,
    into: &mut Request,
) -> Result<KnownFields, HttpError> {
    let mut slots = [const { MaybeUninit::<httparse::Header<'_>>::uninit() }; Limits::HEADER_SLOTS];
    let slots = slots.get_mut(..limits.header_slots()).unwrap_or(&mut []);
    let mut req = httparse::Request::new(&mut []);
    match req.parse_with_uninit_headers(head, slots) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => return Err(HttpError::InvalidLineEnding),
        Err(httparse::Error::Version) => {
            return match later_minor_version(head) {
                // HTTP/1.x with x above 1 is served as HTTP/1.1 (RFC 9110
                // §6.2, RFC 9112 §2.3); httparse knows only 1.0 and 1.1, so
                // it parses a copy that says 1.1. A rare request: the copy
                // costs nothing on the usual path.
                Some(at) => {
                    let mut patched = head.to_vec();
                    if let Some(minor) = patched.get_mut(at) {
                        *minor = b'1';
                    }
                    parse_request_head(&patched, limits, into)
                }
                None => Err(request_version_error(head)),
            };
        }
        Err(e) => return Err(map_request_error(e, head)),
    }
    let (Some(method), Some(target), Some(minor)) = (req.method, req.path, req.version) else {
        return Err(HttpError::InvalidLineEnding);
    };
    check_target(method, target)?;
    into.version = match minor {
        0 => Version::HTTP_10,
        _ => Version::HTTP_11,
    };
    into.method = Method::from_bytes(method.as_bytes()).map_err(|_| HttpError::InvalidMethod)?;
    into.target.clear();
    into.target.push_str(target);
    into.headers.clear();
    fill_headers(req.headers, &mut into.headers, true)
}

/// A parsed response head.
pub(crate) struct ResponseHead {
    pub(crate) status: StatusCode,
    pub(crate) version: Version,
    pub(crate) headers: Headers,
}

/// Parses a complete response head.
pub(crate) fn parse_response_head(head: &[u8], limits: &Limits) -> Result<ResponseHead, HttpError> {
    let mut slots = [httparse::EMPTY_HEADER; Limits::HEADER_SLOTS];
    let slots = slots.get_mut(..limits.header_slots()).unwrap_or(&mut []);
    let mut resp = httparse::Response::new(slots);
    match resp.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => return Err(HttpError::InvalidLineEnding),
        Err(httparse::Error::Version) => {
            let first = head.split(|&b| b == b' ').next().unwrap_or(&[]);
            return Err(version_error(first));
        }
        Err(httparse::Error::TooManyHeaders) => return Err(HttpError::TooManyHeaders),
        Err(httparse::Error::HeaderName) => return Err(HttpError::InvalidHeaderName),
        Err(httparse::Error::HeaderValue) => return Err(HttpError::InvalidHeaderValue),
        Err(_) => return Err(HttpError::InvalidStatus),
    }
    let (Some(status), Some(minor)) = (resp.code, resp.version) else {
        return Err(HttpError::InvalidStatus);
    };
    let version = match minor {
        0 => Version::HTTP_10,
        _ => Version::HTTP_11,
    };
    let status = StatusCode::from_u16(status).map_err(|_| HttpError::InvalidStatus)?;
    Ok(ResponseHead {
        status,
        version,
        headers: own_headers(resp.headers)?,
    })
}

fn own_headers(parsed: &[httparse::Header<'_>]) -> Result<Headers, HttpError> {
    let mut headers = Headers::with_capacity(parsed.len());
    fill_headers(parsed, &mut headers, false)?;
    Ok(headers)
}

/// Copies `parsed` into `headers`, counting the fields framing looks at;
/// in a request (`request`), a `Host` value must be a valid host.
fn fill_headers(
    parsed: &[httparse::Header<'_>],
    headers: &mut Headers,
    request: bool,
) -> Result<KnownFields, HttpError> {
    let mut known = KnownFields::default();
    for h in parsed {
        if h.value.iter().any(|&b| b == 0 || b == b'\r' || b == b'\n') {
            return Err(HttpError::InvalidHeaderValue);
        }
        if known.note(h.name) == Some(Field::Host) && request && !is_valid_host(h.value) {
            return Err(HttpError::InvalidHost);
        }
        headers.append(h.name, h.value);
    }
    Ok(known)
}

fn map_request_error(e: httparse::Error, head: &[u8]) -> HttpError {
    match e {
        httparse::Error::TooManyHeaders => HttpError::TooManyHeaders,
        httparse::Error::HeaderName => HttpError::InvalidHeaderName,
        httparse::Error::HeaderValue => HttpError::InvalidHeaderValue,
        httparse::Error::Version => request_version_error(head),
        httparse::Error::NewLine => HttpError::InvalidLineEnding,
        httparse::Error::Token | httparse::Error::Status => {
            let method = head.split(|&b| b == b' ').next().unwrap_or(&[]);
            if method.is_empty() || !method.iter().all(|&b| is_tchar(b)) {
                HttpError::InvalidMethod
            } else {
                HttpError::InvalidTarget
            }
        }
    }
}

/// Where the minor digit of a request line's `HTTP/1.x` version is, when
/// `x` is above 1 (a later HTTP/1 minor version).
fn later_minor_version(head: &[u8]) -> Option<usize> {
    let line = head.split(|&b| b == b'\r').next().unwrap_or(&[]);
    let mut words = line.split(|&b| b == b' ');
    match (words.next(), words.next(), words.next(), words.next()) {
        (Some(_), Some(_), Some([b'H', b'T', b'T', b'P', b'/', b'1', b'.', b'2'..=b'9']), None) => {
            Some(line.len() - 1)
        }
        _ => None,
    }
}

/// The version error of a request line: it must be three words.
fn request_version_error(head: &[u8]) -> HttpError {
    let line = head.split(|&b| b == b'\r').next().unwrap_or(&[]);
    let mut words = line.split(|&b| b == b' ');
    match (words.next(), words.next(), words.next(), words.next()) {
        (Some(_), Some(_), Some(version), None) => version_error(version),
        _ => HttpError::InvalidTarget,
    }
}

/// 505 for a well-formed `HTTP/d.d` whose major version is not 1; 400
/// otherwise.
fn version_error(word: &[u8]) -> HttpError {
    match word {
        [b'H', b'T', b'T', b'P', b'/', major, b'.', minor]
            if major.is_ascii_digit() && minor.is_ascii_digit() =>
        {
            HttpError::UnsupportedVersion
        }
        _ => HttpError::InvalidVersion,
    }
}

/// Origin-form (`/path`), asterisk-form (`*`, OPTIONS only), authority-form
/// (CONNECT only) or absolute-form (`scheme://...`).
fn check_target(method: &str, target: &str) -> Result<(), HttpError> {
    let ok = if method == "CONNECT" {
        !target.is_empty() && !target.starts_with('/') && !target.contains('/')
    } else if target == "*" {
        method == "OPTIONS"
    } else if target.starts_with('/') {
        true
    } else {
        match target.split_once("://") {
            Some((scheme, rest)) => {
                scheme
                    .bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_alphabetic())
                    && scheme
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
                    && !rest.is_empty()
                    // An absolute-form target names its host (RFC 9110 §4.2.1).
                    && !rest.starts_with(['/', '?', '#'])
            }
            None => false,
        }
    };
    if ok {
        Ok(())
    } else {
        Err(HttpError::InvalidTarget)
    }
}
