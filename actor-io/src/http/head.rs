//! Request and response heads: finding the end of the head, checking line
//! endings, and parsing with httparse into a stack array of headers.

use super::headers::is_tchar;
use super::{Headers, HttpError, Limits, Version};

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
    let from = scanned.saturating_sub(3).min(window.len());
    let fresh = window.get(from..).unwrap_or(&[]);
    let found = fresh.windows(4).position(|w| w == b"\r\n\r\n");
    // Only the head's own bytes are checked: the body may hold anything.
    let checked_end = found.map_or(window.len(), |i| from + i + 4);
    if from == 0 {
        check_line_endings(window.get(..checked_end).unwrap_or(&[]))?;
    } else {
        check_line_endings_after(window.get(from - 1..checked_end).unwrap_or(&[]))?;
    }
    match found {
        Some(_) => {
            *scanned = 0;
            Ok(Some(checked_end))
        }
        None if buf.len() >= limits.max_head_bytes => Err(HttpError::HeadTooLarge {
            max: limits.max_head_bytes,
        }),
        None => {
            *scanned = window.len();
            Ok(None)
        }
    }
}

/// [`check_line_endings`] for bytes that continue a checked prefix:
/// `bytes[0]` is the last byte already checked.
fn check_line_endings_after(bytes: &[u8]) -> Result<(), HttpError> {
    for w in bytes.windows(2) {
        match w {
            [b'\r', b'\n'] => {}
            [b'\r', _] | [_, b'\n'] => return Err(HttpError::InvalidLineEnding),
            _ => {}
        }
    }
    Ok(())
}

/// Every LF must follow a CR and every CR must precede an LF (a CR at the
/// very end may still be followed by one).
pub(crate) fn check_line_endings(bytes: &[u8]) -> Result<(), HttpError> {
    if bytes.first() == Some(&b'\n') {
        return Err(HttpError::InvalidLineEnding);
    }
    check_line_endings_after(bytes)
}

/// Number of leading empty lines (CRLF pairs) to skip before a message.
pub(crate) fn leading_crlf(buf: &[u8]) -> usize {
    buf.chunks_exact(2).take_while(|c| *c == b"\r\n").count() * 2
}

/// A parsed request head.
pub(crate) struct RequestHead {
    pub(crate) method: String,
    pub(crate) target: String,
    pub(crate) version: Version,
    pub(crate) headers: Headers,
}

/// Parses a complete request head (`head` ends with the blank line).
pub(crate) fn parse_request_head(head: &[u8], limits: &Limits) -> Result<RequestHead, HttpError> {
    let mut slots = [httparse::EMPTY_HEADER; Limits::HEADER_SLOTS];
    let slots = slots.get_mut(..limits.header_slots()).unwrap_or(&mut []);
    let mut req = httparse::Request::new(slots);
    match req.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => return Err(HttpError::InvalidLineEnding),
        Err(httparse::Error::Version) => return Err(request_version_error(head)),
        Err(e) => return Err(map_request_error(e, head)),
    }
    let (Some(method), Some(target), Some(minor)) = (req.method, req.path, req.version) else {
        return Err(HttpError::InvalidLineEnding);
    };
    let version = match minor {
        0 => Version::Http10,
        _ => Version::Http11,
    };
    check_target(method, target)?;
    Ok(RequestHead {
        method: method.to_owned(),
        target: target.to_owned(),
        version,
        headers: own_headers(req.headers)?,
    })
}

/// A parsed response head.
pub(crate) struct ResponseHead {
    pub(crate) status: u16,
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
        0 => Version::Http10,
        _ => Version::Http11,
    };
    Ok(ResponseHead {
        status,
        version,
        headers: own_headers(resp.headers)?,
    })
}

fn own_headers(parsed: &[httparse::Header<'_>]) -> Result<Headers, HttpError> {
    let mut headers = Headers::with_capacity(parsed.len());
    for h in parsed {
        if h.value.iter().any(|&b| b == 0 || b == b'\r' || b == b'\n') {
            return Err(HttpError::InvalidHeaderValue);
        }
        headers.append(h.name, h.value);
    }
    Ok(headers)
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

/// The version error of a request line: it must be three words.
fn request_version_error(head: &[u8]) -> HttpError {
    let line = head.split(|&b| b == b'\r').next().unwrap_or(&[]);
    let mut words = line.split(|&b| b == b' ');
    match (words.next(), words.next(), words.next(), words.next()) {
        (Some(_), Some(_), Some(version), None) => version_error(version),
        _ => HttpError::InvalidTarget,
    }
}

/// 505 for a well-formed `HTTP/d.d` that is not 1.0 or 1.1; 400 otherwise.
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
