//! This crate's messages and the `http` crate's: the target as an
//! [`http::Uri`](::http::Uri), and conversions between [`Request`] /
//! [`Response`] and [`http::Request`](::http::Request) /
//! [`http::Response`](::http::Response), so handlers and middleware written
//! for the `http` types fit. The server's own path never converts.

use ::http::header::{HeaderMap, HeaderName, HeaderValue};
use ::http::uri::{InvalidUri, Uri};

use super::{EncodeError, Headers, Request, Response};

impl Request {
    /// The request target as an [`http::Uri`](::http::Uri), parsed now.
    ///
    /// ```
    /// use actor_io::http::{Method, Request};
    /// let uri = Request::new(Method::GET, "/a?b=1").uri()?;
    /// assert_eq!((uri.path(), uri.query()), ("/a", Some("b=1")));
    /// # Ok::<(), actor_io::http::InvalidUri>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A target `http::Uri` does not accept.
    pub fn uri(&self) -> Result<Uri, InvalidUri> {
        Uri::try_from(self.target.as_str())
    }

    /// The same request as an [`http::Request`](::http::Request).
    ///
    /// ```
    /// use actor_io::http::{Method, Request};
    /// let r = Request::new(Method::PUT, "/k").with_header("X-A", "b").with_body("v");
    /// let r = r.into_http()?;
    /// assert_eq!((r.method(), r.uri().path(), &r.body()[..]), (&Method::PUT, "/k", &b"v"[..]));
    /// assert_eq!(r.headers()["x-a"], "b");
    /// # Ok::<(), actor_io::http::EncodeError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`EncodeError::InvalidTarget`] for a target that is not a URI, or an
    /// invalid header name or value.
    pub fn into_http(self) -> Result<::http::Request<Vec<u8>>, EncodeError> {
        let uri = self.uri().map_err(|_| EncodeError::InvalidTarget)?;
        let mut out = ::http::Request::new(self.body);
        *out.method_mut() = self.method;
        *out.uri_mut() = uri;
        *out.version_mut() = self.version;
        *out.headers_mut() = self.headers.to_header_map()?;
        Ok(out)
    }
}

impl<B: Into<Vec<u8>>> From<::http::Request<B>> for Request {
    /// Takes an `http::Request`'s parts; the URI becomes the target as
    /// written.
    fn from(request: ::http::Request<B>) -> Self {
        let (parts, body) = request.into_parts();
        Request {
            method: parts.method,
            target: parts.uri.to_string(),
            version: parts.version,
            headers: Headers::from(&parts.headers),
            body: body.into(),
        }
    }
}

impl Response {
    /// The same response as an [`http::Response`](::http::Response) (a
    /// chunked framing choice is not carried over).
    ///
    /// # Errors
    ///
    /// An invalid header name or value.
    pub fn into_http(self) -> Result<::http::Response<Vec<u8>>, EncodeError> {
        let mut out = ::http::Response::new(self.body);
        *out.status_mut() = self.status;
        *out.version_mut() = self.version;
        *out.headers_mut() = self.headers.to_header_map()?;
        Ok(out)
    }
}

impl<B: Into<Vec<u8>>> From<::http::Response<B>> for Response {
    /// Takes an `http::Response`'s parts.
    ///
    /// ```
    /// use actor_io::http::{Response, StatusCode};
    /// let r = Response::from(http::Response::builder().status(201).header("X", "y").body("ok").unwrap());
    /// assert_eq!((r.status, r.headers.get("x"), &r.body[..]), (StatusCode::CREATED, Some(&b"y"[..]), &b"ok"[..]));
    /// ```
    fn from(response: ::http::Response<B>) -> Self {
        let (parts, body) = response.into_parts();
        let mut out = Response::new(parts.status);
        out.version = parts.version;
        out.headers = Headers::from(&parts.headers);
        out.body = body.into();
        out
    }
}

impl Headers {
    /// The fields as an [`http::HeaderMap`](::http::HeaderMap), in order.
    ///
    /// # Errors
    ///
    /// A name that is not a token, or a value holding CR, LF or NUL.
    pub fn to_header_map(&self) -> Result<HeaderMap, EncodeError> {
        let mut map = HeaderMap::with_capacity(self.len());
        for (name, value) in self.iter() {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| EncodeError::InvalidHeaderName)?;
            let value =
                HeaderValue::from_bytes(value).map_err(|_| EncodeError::InvalidHeaderValue)?;
            map.append(name, value);
        }
        Ok(map)
    }
}

impl From<&HeaderMap> for Headers {
    /// Every field of `map`, in its order.
    fn from(map: &HeaderMap) -> Self {
        let mut headers = Headers::with_capacity(map.len());
        for (name, value) in map {
            headers.append(name, value);
        }
        headers
    }
}
