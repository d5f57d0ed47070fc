//! [`HttpClient`]: requests over pooled keep-alive connections.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::conn::{Outcome, exchange};
use super::destination::Destination;
use super::pool::{Key, Pool};
use super::resolve::resolve;
use super::{ClientError, HttpClientBuilder};
use crate::http::{Method, Request, Response, Uri};
use crate::net::{Stream, TcpStream};

/// Counts kept by a client on its shard.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientStats {
    /// Connections opened (TCP connected, and TLS handshaken if any).
    pub connections_opened: u64,
    /// Requests sent on a connection taken from the pool.
    pub connections_reused: u64,
}

/// An HTTP/1.1 client for the calling shard, with a pool of keep-alive
/// connections keyed by (host, port, TLS).
///
/// It is `!Send`: its connections belong to the shard that opened them.
/// Build one per shard from a shared [`HttpClientBuilder`]; clones share
/// the pool. A connection goes back to the pool only when its response was
/// read in full, neither side asked to close, and nothing unexpected
/// followed; a connection that timed out or failed is closed. A pooled
/// connection found closed by the server before a request is replaced, and
/// an idempotent request whose pooled connection turns out dead before any
/// response byte arrives is retried on a fresh one.
#[derive(Debug, Clone)]
pub struct HttpClient {
    settings: Rc<HttpClientBuilder>,
    pool: Rc<RefCell<Pool>>,
    stats: Rc<Cell<ClientStats>>,
}

impl Default for HttpClient {
    fn default() -> Self {
        HttpClient::new()
    }
}

impl HttpClient {
    /// A client with the default settings (see [`HttpClientBuilder`]).
    pub fn new() -> HttpClient {
        HttpClientBuilder::default().build()
    }

    /// Settings to build a client from.
    pub fn builder() -> HttpClientBuilder {
        HttpClientBuilder::default()
    }

    pub(crate) fn from_builder(settings: HttpClientBuilder) -> HttpClient {
        let pool = Pool::new(settings.max_idle_per_host, settings.idle_timeout);
        HttpClient {
            settings: Rc::new(settings),
            pool: Rc::new(RefCell::new(pool)),
            stats: Rc::default(),
        }
    }

    /// `GET url`.
    pub async fn get(&self, url: &str) -> Result<Response, ClientError> {
        self.request(Request::new(Method::GET, url)).await
    }

    /// `HEAD url`: the response has the headers and no body.
    pub async fn head(&self, url: &str) -> Result<Response, ClientError> {
        self.request(Request::new(Method::HEAD, url)).await
    }

    /// `POST url` with `body`.
    pub async fn post(&self, url: &str, body: impl Into<Vec<u8>>) -> Result<Response, ClientError> {
        self.request(Request::new(Method::POST, url).with_body(body))
            .await
    }

    /// Sends `request`, whose target is an absolute URI
    /// (`http://host:port/path`); it goes out in origin form with a `Host`
    /// header added unless one is set.
    ///
    /// # Errors
    ///
    /// See [`ClientError`].
    pub async fn request(&self, request: Request) -> Result<Response, ClientError> {
        let to = Destination::parse(&request.target)?;
        self.send_to(&to, request).await
    }

    /// Sends `request` to `uri` (`http[s]://host[:port]/path?query`): its
    /// target is replaced by `uri`'s path and query, and a `Host` header is
    /// added unless one is set. An [`http::Request`](::http::Request)
    /// converts into a [`Request`] with `Request::from`.
    ///
    /// # Errors
    ///
    /// See [`ClientError`].
    pub async fn send(&self, uri: &Uri, request: Request) -> Result<Response, ClientError> {
        let to = Destination::of(uri)?;
        self.send_to(&to, request).await
    }

    async fn send_to(
        &self,
        url: &Destination,
        mut request: Request,
    ) -> Result<Response, ClientError> {
        if url.tls && self.settings.tls.is_none() {
            return Err(ClientError::TlsNotConfigured);
        }
        request.target.clone_from(&url.target);
        if !request.headers.contains("host") {
            request.headers.set("Host", url.host_header());
        }
        let mut bytes = Vec::new();
        request.encode(&mut bytes)?;
        let work = self.run(url, bytes, &request.method, request.keep_alive());
        match self.settings.request_timeout {
            Some(limit) => crate::timeout(limit, work)
                .await
                .map_err(|_| ClientError::Timeout)?,
            None => work.await,
        }
    }

    /// Takes a connection (pooled or new), runs the exchange, and pools the
    /// connection again if it may be reused.
    async fn run(
        &self,
        url: &Destination,
        bytes: Vec<u8>,
        method: &Method,
        keep_alive: bool,
    ) -> Result<Response, ClientError> {
        let key = Key::of(url);
        let retry = method.is_idempotent();
        loop {
            let pooled = self.take_live(&key);
            let reused = pooled.is_some();
            let mut conn = match pooled {
                Some(conn) => conn,
                None => self.connect(url).await?,
            };
            self.count(|s| {
                if reused {
                    s.connections_reused += 1;
                } else {
                    s.connections_opened += 1;
                }
            });
            let limits = self.settings.limits;
            match exchange(&mut conn, bytes.clone(), method, limits).await? {
                Outcome::Done { response, reusable } => {
                    if reusable && keep_alive {
                        self.pool.borrow_mut().put(key, conn);
                    }
                    return Ok(response);
                }
                Outcome::Stale(_) if reused && retry => {}
                Outcome::Stale(e) => return Err(ClientError::Io(e)),
            }
        }
    }

    /// A pooled connection that still looks open, if any.
    fn take_live(&self, key: &Key) -> Option<Stream> {
        loop {
            let conn = self.pool.borrow_mut().take(key)?;
            if !conn.is_stale() {
                return Some(conn);
            }
        }
    }

    /// Opens a connection to `url` within the connect timeout.
    async fn connect(&self, url: &Destination) -> Result<Stream, ClientError> {
        let open = async {
            let host = url.bare_host();
            let addrs = resolve(host, url.port)
                .await
                .map_err(|source| ClientError::Resolve {
                    host: host.to_string(),
                    source,
                })?;
            let mut last = None;
            let mut tcp = None;
            for addr in addrs {
                match TcpStream::connect(addr).await {
                    Ok(s) => {
                        tcp = Some(s);
                        break;
                    }
                    Err(e) => last = Some(e),
                }
            }
            let tcp = match (tcp, last) {
                (Some(tcp), _) => tcp,
                (None, Some(e)) => return Err(ClientError::Connect(e)),
                (None, None) => {
                    return Err(ClientError::Connect(std::io::ErrorKind::NotFound.into()));
                }
            };
            let _ = tcp.set_nodelay(true);
            match (&self.settings.tls, url.tls) {
                (Some(connector), true) => Ok(connector.connect(host, tcp).await?),
                (None, true) => Err(ClientError::TlsNotConfigured),
                (_, false) => Ok(Stream::from(tcp)),
            }
        };
        crate::timeout(self.settings.connect_timeout, open)
            .await
            .map_err(|_| ClientError::ConnectTimeout)?
    }

    fn count(&self, f: impl FnOnce(&mut ClientStats)) {
        let mut s = self.stats.get();
        f(&mut s);
        self.stats.set(s);
    }

    /// Connections opened and reused so far by this client (and its clones).
    pub fn stats(&self) -> ClientStats {
        self.stats.get()
    }

    /// Idle keep-alive connections in the pool now.
    pub fn idle_connections(&self) -> usize {
        self.pool.borrow_mut().idle_count()
    }

    /// Closes every idle connection.
    pub fn clear_idle(&self) {
        self.pool.borrow_mut().clear();
    }
}
