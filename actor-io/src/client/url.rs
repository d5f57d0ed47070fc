//! `http://host:port/path?query` URLs: the small subset a client needs.

use std::fmt;

/// Why a URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UrlError {
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
    /// The path or query holds whitespace or a control byte.
    #[error("invalid path or query")]
    InvalidTarget,
}

/// A parsed `http` or `https` URL: where to connect, and the origin-form
/// target (`/path?query`) to request there. The fragment is dropped.
///
/// ```
/// use actor_io::client::Url;
///
/// let url = Url::parse("http://Example.com:8080/a/b?x=1#frag")?;
/// assert_eq!((url.host.as_str(), url.port, url.tls), ("example.com", 8080, false));
/// assert_eq!(url.target, "/a/b?x=1");
/// assert_eq!(Url::parse("https://[::1]")?.port, 443);
/// # Ok::<(), actor_io::client::UrlError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Url {
    /// Whether to speak TLS (`https`). Set it by hand to force TLS on an
    /// `http` URL's port.
    pub tls: bool,
    /// The host, lower-cased; an IPv6 literal keeps its brackets.
    pub host: String,
    /// The port (80 or 443 when the URL names none).
    pub port: u16,
    /// The origin-form request target: a path starting with `/`, with an
    /// optional `?query`.
    pub target: String,
}

impl Url {
    /// Parses `scheme://host[:port][/path][?query][#fragment]`.
    ///
    /// # Errors
    ///
    /// A [`UrlError`] saying which part is wrong.
    pub fn parse(input: &str) -> Result<Url, UrlError> {
        let (scheme, rest) = input.split_once("://").ok_or(UrlError::UnsupportedScheme)?;
        let tls = if scheme.eq_ignore_ascii_case("http") {
            false
        } else if scheme.eq_ignore_ascii_case("https") {
            true
        } else {
            return Err(UrlError::UnsupportedScheme);
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, rest) = rest.split_at(end);
        if authority.contains('@') {
            return Err(UrlError::UserInfo);
        }
        let (host, port) = split_host_port(authority)?;
        let port = match port {
            None | Some("") => {
                if tls {
                    443
                } else {
                    80
                }
            }
            Some(p) => parse_port(p)?,
        };
        let rest = rest.split('#').next().unwrap_or("");
        if rest.bytes().any(|b| b <= 0x20 || b == 0x7f) {
            return Err(UrlError::InvalidTarget);
        }
        let target = if rest.starts_with('/') {
            rest.to_string()
        } else {
            format!("/{rest}")
        };
        Ok(Url {
            tls,
            host: host.to_ascii_lowercase(),
            port,
            target,
        })
    }

    /// The host without an IPv6 literal's brackets: what to resolve, and
    /// the TLS server name.
    pub fn bare_host(&self) -> &str {
        self.host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(&self.host)
    }

    /// The value of the `Host` header: the host, with the port unless it is
    /// the scheme's default.
    pub fn host_header(&self) -> String {
        let default = if self.tls { 443 } else { 80 };
        if self.port == default {
            self.host.clone()
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.tls { "https" } else { "http" };
        write!(f, "{scheme}://{}:{}{}", self.host, self.port, self.target)
    }
}

impl std::str::FromStr for Url {
    type Err = UrlError;

    fn from_str(s: &str) -> Result<Url, UrlError> {
        Url::parse(s)
    }
}

/// Splits `host[:port]` or `[v6][:port]`, checking the host's characters.
fn split_host_port(authority: &str) -> Result<(&str, Option<&str>), UrlError> {
    if authority.is_empty() {
        return Err(UrlError::MissingHost);
    }
    if authority.starts_with('[') {
        let close = authority.find(']').ok_or(UrlError::InvalidHost)?;
        let (host, rest) = authority.split_at(close + 1);
        let inner = host.get(1..host.len() - 1).unwrap_or("");
        if inner.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(UrlError::InvalidHost);
        }
        return match rest {
            "" => Ok((host, None)),
            _ => match rest.strip_prefix(':') {
                Some(port) => Ok((host, Some(port))),
                None => Err(UrlError::InvalidHost),
            },
        };
    }
    let (host, port) = match authority.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    };
    if host.is_empty() {
        return Err(UrlError::MissingHost);
    }
    let valid = host
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
    if !valid {
        return Err(UrlError::InvalidHost);
    }
    Ok((host, port))
}

fn parse_port(p: &str) -> Result<u16, UrlError> {
    if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
        return Err(UrlError::InvalidPort);
    }
    match p.parse::<u16>() {
        Ok(0) | Err(_) => Err(UrlError::InvalidPort),
        Ok(n) => Ok(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> (bool, String, u16, String) {
        let u = Url::parse(s).unwrap();
        (u.tls, u.host, u.port, u.target)
    }

    #[test]
    fn parses_the_usual_forms() {
        assert_eq!(ok("http://a"), (false, "a".into(), 80, "/".into()));
        assert_eq!(
            ok("HTTPS://A.b:8443"),
            (true, "a.b".into(), 443 + 8000, "/".into())
        );
        assert_eq!(
            ok("http://h:1/p/q?x=y#f"),
            (false, "h".into(), 1, "/p/q?x=y".into())
        );
        assert_eq!(ok("http://h?x"), (false, "h".into(), 80, "/?x".into()));
        assert_eq!(ok("http://h#f"), (false, "h".into(), 80, "/".into()));
        assert_eq!(ok("http://h:/x"), (false, "h".into(), 80, "/x".into()));
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
        let err = |s: &str| Url::parse(s).unwrap_err();
        assert_eq!(err("ftp://h/"), UrlError::UnsupportedScheme);
        assert_eq!(err("h/x"), UrlError::UnsupportedScheme);
        assert_eq!(err("http://"), UrlError::MissingHost);
        assert_eq!(err("http://:80/"), UrlError::MissingHost);
        assert_eq!(err("http://u:p@h/"), UrlError::UserInfo);
        assert_eq!(err("http://h:0/"), UrlError::InvalidPort);
        assert_eq!(err("http://h:65536/"), UrlError::InvalidPort);
        assert_eq!(err("http://h:+1/"), UrlError::InvalidPort);
        assert_eq!(err("http://h:1:2/"), UrlError::InvalidPort);
        assert_eq!(err("http://h h/"), UrlError::InvalidHost);
        assert_eq!(err("http://[::1/"), UrlError::InvalidHost);
        assert_eq!(err("http://[zz]/"), UrlError::InvalidHost);
        assert_eq!(err("http://[::1]x/"), UrlError::InvalidHost);
        assert_eq!(err("http://h/a b"), UrlError::InvalidTarget);
        assert_eq!(err("http://h/\r\n"), UrlError::InvalidTarget);
    }

    #[test]
    fn host_header_and_bare_host() {
        let u = Url::parse("http://[::1]:8080/").unwrap();
        assert_eq!(
            (u.bare_host(), u.host_header().as_str()),
            ("::1", "[::1]:8080")
        );
        let u = Url::parse("https://h:443/").unwrap();
        assert_eq!(u.host_header(), "h");
        assert_eq!(u.to_string(), "https://h:443/");
    }

    #[test]
    fn never_panics_on_odd_input() {
        for s in [
            "",
            "://",
            "http://[",
            "http://]",
            "http://[]",
            "http://[]:",
            "http://é/",
            "http://h:99999999999/",
        ] {
            let _ = Url::parse(s);
        }
    }
}
