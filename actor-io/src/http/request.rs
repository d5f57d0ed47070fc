//! The owned request and its encoding (the client side writes requests).

use ::http::{Method, Version};

use super::headers::{is_safe_value, is_token};
use super::{EncodeError, Headers};

/// An owned HTTP request: what the server decoder produces, and what the
/// client encodes. The method and version are the `http` crate's types; the
/// target is kept as it came (the decoder reuses its buffer from request to
/// request), and [`uri`](Self::uri) parses it into an [`http::Uri`](::http::Uri)
/// on demand. [`into_http`](Self::into_http) and `From<http::Request<B>>`
/// convert to and from [`http::Request`](::http::Request).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Request {
    /// The method (methods are case-sensitive).
    pub method: Method,
    /// The request target as sent: usually a path with an optional query.
    pub target: String,
    /// The protocol version: HTTP/1.0 or HTTP/1.1.
    pub version: Version,
    /// Header fields in arrival order.
    pub headers: Headers,
    /// The body, de-chunked.
    pub body: Vec<u8>,
}

impl Request {
    /// A request with no headers and no body, in HTTP/1.1.
    pub fn new(method: Method, target: impl Into<String>) -> Self {
        Self {
            method,
            target: target.into(),
            version: Version::HTTP_11,
            headers: Headers::new(),
            body: Vec::new(),
        }
    }

    /// Adds a header field (builder style).
    pub fn with_header(mut self, name: impl AsRef<str>, value: impl AsRef<[u8]>) -> Self {
        self.headers.append(name, value);
        self
    }

    /// Sets the body (builder style).
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// The path part of the target (before any `?`). For an absolute-form
    /// target (`http://host/path`, RFC 9112 §3.2.2) it is the path after
    /// the authority, `/` when there is none; routes match on it.
    ///
    /// ```
    /// use actor_io::http::{Method, Request};
    /// assert_eq!(Request::new(Method::GET, "/a/b?x=1").path(), "/a/b");
    /// assert_eq!(Request::new(Method::GET, "http://h:8080/a?x=1").path(), "/a");
    /// assert_eq!(Request::new(Method::GET, "http://h?x=1").path(), "/");
    /// ```
    pub fn path(&self) -> &str {
        let origin = self.origin_form();
        let path = match origin.bytes().position(|b| b == b'?') {
            Some(at) => origin.get(..at).unwrap_or(""),
            None => origin,
        };
        if path.is_empty() && origin.len() != self.target.len() {
            "/"
        } else {
            path
        }
    }

    /// The query part of the target (after the first `?`), if any.
    pub fn query(&self) -> Option<&str> {
        self.origin_form().split_once('?').map(|(_, q)| q)
    }

    /// The host the request is for: the authority of an absolute-form
    /// target, which wins over the `Host` field (RFC 9112 §3.2.2), else the
    /// `Host` field's value.
    ///
    /// ```
    /// use actor_io::http::{Method, Request};
    /// let r = Request::new(Method::GET, "http://a.example/x").with_header("Host", "b.example");
    /// assert_eq!(r.host(), Some("a.example"));
    /// let r = Request::new(Method::GET, "/x").with_header("Host", "b.example");
    /// assert_eq!(r.host(), Some("b.example"));
    /// ```
    pub fn host(&self) -> Option<&str> {
        match self.authority() {
            Some(authority) => Some(authority),
            None => self
                .headers
                .get("host")
                .and_then(|v| std::str::from_utf8(v).ok()),
        }
    }

    /// The authority of an absolute-form target (`scheme://authority...`).
    fn authority(&self) -> Option<&str> {
        if self.target.starts_with('/') {
            return None;
        }
        let (_, rest) = self.target.split_once("://")?;
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        rest.get(..end)
    }

    /// The target from its path on: the target itself in origin form, what
    /// follows the authority in absolute form.
    fn origin_form(&self) -> &str {
        match self.authority() {
            Some(authority) => {
                let (_, rest) = self.target.split_once("://").unwrap_or(("", ""));
                rest.get(authority.len()..).unwrap_or("")
            }
            None => &self.target,
        }
    }

    /// Whether the connection may serve another request after this one:
    /// HTTP/1.1 unless `Connection: close`; HTTP/1.0 only with
    /// `Connection: keep-alive`.
    pub fn keep_alive(&self) -> bool {
        if self.headers.has_token("connection", "close") {
            return false;
        }
        if self.version == Version::HTTP_10 {
            self.headers.has_token("connection", "keep-alive")
        } else {
            true
        }
    }

    /// Whether the client waits for `100 Continue` before sending the body
    /// (`Expect: 100-continue` in an HTTP/1.1 request; HTTP/1.0 requests'
    /// expectations are ignored, as RFC 9110 §10.1.1 requires).
    pub fn expects_continue(&self) -> bool {
        self.version == Version::HTTP_11 && self.headers.has_token("expect", "100-continue")
    }

    /// Appends the request to `dst`: request line, headers, a
    /// `Content-Length` when there is a body (or the method usually has
    /// one), then the body. `Content-Length` and `Transfer-Encoding` fields
    /// in [`headers`](Self::headers) are skipped: the encoder owns framing.
    ///
    /// ```
    /// use actor_io::http::{Method, Request};
    /// let mut out = Vec::new();
    /// Request::new(Method::POST, "/echo")
    ///     .with_header("Host", "example.com")
    ///     .with_body("hi")
    ///     .encode(&mut out)
    ///     .unwrap();
    /// assert_eq!(out, b"POST /echo HTTP/1.1\r\nHost: example.com\r\nContent-Length: 2\r\n\r\nhi");
    /// ```
    ///
    /// # Errors
    ///
    /// An invalid method, target, header name or value; `dst` is then left
    /// as it was.
    pub fn encode(&self, dst: &mut Vec<u8>) -> Result<(), EncodeError> {
        if !is_token(self.method.as_str().as_bytes()) {
            return Err(EncodeError::InvalidMethod);
        }
        let target_ok =
            !self.target.is_empty() && self.target.bytes().all(|b| b > 0x20 && b != 0x7f);
        if !target_ok {
            return Err(EncodeError::InvalidTarget);
        }
        let start = dst.len();
        dst.reserve(64 + self.body.len());
        dst.extend_from_slice(self.method.as_str().as_bytes());
        dst.push(b' ');
        dst.extend_from_slice(self.target.as_bytes());
        dst.push(b' ');
        dst.extend_from_slice(if self.version == Version::HTTP_10 {
            b"HTTP/1.0"
        } else {
            b"HTTP/1.1"
        });
        dst.extend_from_slice(b"\r\n");
        if let Err(e) = write_headers(&self.headers, dst) {
            dst.truncate(start);
            return Err(e);
        }
        let body_expected = matches!(self.method, Method::POST | Method::PUT | Method::PATCH);
        if !self.body.is_empty() || body_expected {
            write_content_length(self.body.len(), dst);
        }
        dst.extend_from_slice(b"\r\n");
        dst.extend_from_slice(&self.body);
        Ok(())
    }
}

/// Writes every field except those the encoder owns (`Content-Length`,
/// `Transfer-Encoding`, `Connection`, `Date` are skipped by the caller's
/// choice through `skip`).
pub(crate) fn write_headers_skipping(
    headers: &Headers,
    skip: &[&str],
    dst: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    for (name, value) in headers.iter() {
        // Most fields differ from every skipped name in length alone.
        if skip
            .iter()
            .any(|s| s.len() == name.len() && s.eq_ignore_ascii_case(name))
        {
            continue;
        }
        if !is_token(name.as_bytes()) {
            return Err(EncodeError::InvalidHeaderName);
        }
        if !is_safe_value(value) {
            return Err(EncodeError::InvalidHeaderValue);
        }
        // One growth check per field rather than one per piece.
        dst.reserve(name.len() + value.len() + 4);
        dst.extend_from_slice(name.as_bytes());
        dst.extend_from_slice(b": ");
        dst.extend_from_slice(value);
        dst.extend_from_slice(b"\r\n");
    }
    Ok(())
}

fn write_headers(headers: &Headers, dst: &mut Vec<u8>) -> Result<(), EncodeError> {
    write_headers_skipping(headers, &["content-length", "transfer-encoding"], dst)
}

/// Writes `Content-Length: n\r\n`.
pub(crate) fn write_content_length(n: usize, dst: &mut Vec<u8>) {
    dst.extend_from_slice(b"Content-Length: ");
    write_decimal(n as u64, dst);
    dst.extend_from_slice(b"\r\n");
}

/// Writes `n` in decimal without allocating.
pub(crate) fn write_decimal(mut n: u64, dst: &mut Vec<u8>) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        if let Some(d) = digits.get_mut(i) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    dst.extend_from_slice(digits.get(i..).unwrap_or(&[]));
}
