//! Where a request goes, read from an [`http::Uri`](::http::Uri): the
//! scheme says whether to speak TLS, the authority where to connect, the
//! path and query what to ask for there.

use ::http::Uri;

/// Why a URI cannot be requested.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UrlError {
    /// The text is not a URI (`http::Uri` refused it).
    #[error("not a URI")]
    Malformed,
    /// The scheme is missing or is neither `http` nor `https`.
    #[error("unsupported scheme (want http:// or https://)")]
    UnsupportedScheme,
    /// The authority holds user information (`user@host`), which is not supported.
    #[error("user information in URLs is not supported")]
    UserInfo,
    /// The host is empty.
    #[error("missing host")]
    MissingHost,
    /// The host holds a character a host name or IP literal cannot.
    #[error("invalid host")]
    InvalidHost,
    /// The port is not a decimal number in 1..=65535.
    #[error("invalid port")]
    InvalidPort,
}

/// Where to connect, and the origin-form target to request there.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Destination {
    /// Whether to speak TLS (`https`).
    pub(crate) tls: bool,
    /// The host, lower-cased; an IPv6 literal keeps its brackets.
    pub(crate) host: String,
    /// The port (80 or 443 when the URI names none).
    pub(crate) port: u16,
    /// The origin-form request target: a path starting with `/`, with an
    /// optional `?query`.
    pub(crate) target: String,
}

impl Destination {
    /// Parses `text` as a URI, then reads it as [`of`](Self::of) does.
    pub(crate) fn parse(text: &str) -> Result<Destination, UrlError> {
        let uri = Uri::try_from(text).map_err(|_| UrlError::Malformed)?;
        Destination::of(&uri)
    }

    /// Reads `http[s]://host[:port][/path][?query]` from `uri`.
    pub(crate) fn of(uri: &Uri) -> Result<Destination, UrlError> {
        let tls = match uri.scheme_str() {
            Some(s) if s.eq_ignore_ascii_case("http") => false,
            Some(s) if s.eq_ignore_ascii_case("https") => true,
            _ => return Err(UrlError::UnsupportedScheme),
        };
        let authority = uri.authority().ok_or(UrlError::MissingHost)?;
        if authority.as_str().contains('@') {
            return Err(UrlError::UserInfo);
        }
        let host = authority.host();
        check_host(host)?;
        // What follows the host: nothing, or `:port` (an empty port is the
        // default one).
        let after = authority.as_str().get(host.len()..).unwrap_or("");
        let port = match after.strip_prefix(':') {
            None if after.is_empty() => None,
            None => return Err(UrlError::InvalidHost),
            Some("") => None,
            Some(p) if p.bytes().all(|b| b.is_ascii_digit()) => match p.parse::<u16>() {
                Ok(0) | Err(_) => return Err(UrlError::InvalidPort),
                Ok(n) => Some(n),
            },
            Some(_) => return Err(UrlError::InvalidPort),
        };
        let port = port.unwrap_or(if tls { 443 } else { 80 });
        let target = uri.path_and_query().map_or("/", |p| p.as_str()).to_string();
        let target = if target.starts_with('/') {
            target
        } else {
            format!("/{target}")
        };
        Ok(Destination {
            tls,
            host: host.to_ascii_lowercase(),
            port,
            target,
        })
    }

    /// The host without an IPv6 literal's brackets: what to resolve, and
    /// the TLS server name.
    pub(crate) fn bare_host(&self) -> &str {
        self.host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(&self.host)
    }

    /// The value of the `Host` header: the host, with the port unless it is
    /// the scheme's default.
    pub(crate) fn host_header(&self) -> String {
        let default = if self.tls { 443 } else { 80 };
        if self.port == default {
            self.host.clone()
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// A host name of letters, digits, `-`, `.` and `_`, or a bracketed IPv6
/// literal.
fn check_host(host: &str) -> Result<(), UrlError> {
    if host.is_empty() {
        return Err(UrlError::MissingHost);
    }
    if let Some(inner) = host.strip_prefix('[') {
        let literal = inner.strip_suffix(']').ok_or(UrlError::InvalidHost)?;
        return match literal.parse::<std::net::Ipv6Addr>() {
            Ok(_) => Ok(()),
            Err(_) => Err(UrlError::InvalidHost),
        };
    }
    let valid = host
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
    if valid {
        Ok(())
    } else {
        Err(UrlError::InvalidHost)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> (bool, String, u16, String) {
        let d = Destination::parse(s).unwrap();
        (d.tls, d.host, d.port, d.target)
    }

    #[test]
    fn reads_the_usual_forms() {
        assert_eq!(ok("http://a"), (false, "a".into(), 80, "/".into()));
        assert_eq!(
            ok("HTTPS://A.b:8443"),
            (true, "a.b".into(), 8443, "/".into())
        );
        assert_eq!(
            ok("http://h:1/p/q?x=y"),
            (false, "h".into(), 1, "/p/q?x=y".into())
        );
        assert_eq!(ok("http://h?x"), (false, "h".into(), 80, "/?x".into()));
        assert_eq!(
            ok("http://127.0.0.1:9/"),
            (false, "127.0.0.1".into(), 9, "/".into())
        );
        assert_eq!(
            ok("http://[::1]:9/x"),
            (false, "[::1]".into(), 9, "/x".into())
        );
    }

    #[test]
    fn refuses_bad_input() {
        let err = |s: &str| Destination::parse(s).unwrap_err();
        assert_eq!(err("ftp://h/"), UrlError::UnsupportedScheme);
        assert_eq!(err("/just/a/path"), UrlError::UnsupportedScheme);
        assert_eq!(err("http://u:p@h/"), UrlError::UserInfo);
        assert_eq!(err("http://h:0/"), UrlError::InvalidPort);
        assert_eq!(err("http://h:65536/"), UrlError::InvalidPort);
        assert_eq!(err("http://h!/"), UrlError::InvalidHost);
        assert_eq!(err("http://[zz]/"), UrlError::InvalidHost);
        for malformed in [
            "http://h h/",
            "http://h/a b",
            "http://h/\r\n",
            "",
            "http://[::1/",
        ] {
            assert_eq!(err(malformed), UrlError::Malformed, "{malformed:?}");
        }
    }

    #[test]
    fn host_header_and_bare_host() {
        let d = Destination::parse("http://[::1]:8080/").unwrap();
        assert_eq!(
            (d.bare_host(), d.host_header().as_str()),
            ("::1", "[::1]:8080")
        );
        assert_eq!(
            Destination::parse("https://h:443/").unwrap().host_header(),
            "h"
        );
    }
}
