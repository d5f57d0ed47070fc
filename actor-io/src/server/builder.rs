//! [`HttpServer`]: the builder, and the [`ServerHandle`] a started server
//! answers to.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actor_core::{ActorRef, Handle};

use super::listener::Listener;
use super::routes::Routes;
use super::settings::Settings;
use crate::http::Limits;
use crate::net::spawn_listeners;
use crate::tls::TlsAcceptor;

/// An HTTP/1.1 server: routes, limits, timeouts and optional TLS, started
/// as one listener actor per I/O shard on a shared port (every shard unless
/// the runtime's roles dedicate some to I/O; see
/// [`spawn_listeners`](crate::net::spawn_listeners)).
///
/// ```
/// use std::io::{Read, Write};
/// use actor_io::http::{Request, Response, StatusCode};
/// use actor_io::server::{HttpServer, Routes};
///
/// let rt = actor_core::Runtime::builder().shards(1).build()?;
/// let routes = Routes::new().get("/hi", |_: &Request| Response::new(StatusCode::OK).with_body("hello"));
/// let server = HttpServer::new(routes).start(rt.handle(), "127.0.0.1:0".parse()?)?;
///
/// let mut client = std::net::TcpStream::connect(server.local_addr())?;
/// client.write_all(b"GET /hi HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")?;
/// let mut answer = String::new();
/// client.read_to_string(&mut answer)?;
/// assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"));
/// assert!(answer.ends_with("\r\n\r\nhello"));
///
/// server.stop();
/// rt.shutdown()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct HttpServer {
    settings: Settings,
}

impl HttpServer {
    /// The default [`header_timeout`](Self::header_timeout).
    pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
    /// The default [`idle_timeout`](Self::idle_timeout).
    pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
    /// The default [`handler_timeout`](Self::handler_timeout).
    pub const DEFAULT_HANDLER_TIMEOUT: Duration = Duration::from_secs(30);

    /// A server for `routes`, with default limits and timeouts, no TLS.
    pub fn new(routes: Routes) -> Self {
        HttpServer {
            settings: Settings {
                routes,
                limits: Limits::default(),
                header_timeout: Self::DEFAULT_HEADER_TIMEOUT,
                idle_timeout: Self::DEFAULT_IDLE_TIMEOUT,
                handler_timeout: Self::DEFAULT_HANDLER_TIMEOUT,
                tls: None,
            },
        }
    }

    /// Size limits for requests (over them: 431, 413, 400).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.settings.limits = limits;
        self
    }

    /// How long a request may take to arrive, from its first byte until its
    /// head and body are complete (and how long a TLS handshake may take).
    /// Past it the client gets 408 and the connection closes: slow clients
    /// cannot hold a connection with a trickle of bytes.
    pub fn header_timeout(mut self, timeout: Duration) -> Self {
        self.settings.header_timeout = timeout;
        self
    }

    /// How long a connection may wait for its next request (its first one
    /// included); past it, 408 and close. Also bounds each write, so a client
    /// that stops reading is dropped.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.settings.idle_timeout = timeout;
        self
    }

    /// How long the asynchronous handlers (actors, futures) answering one
    /// batch of pipelined requests may take; those still running then are
    /// answered with 503.
    pub fn handler_timeout(mut self, timeout: Duration) -> Self {
        self.settings.handler_timeout = timeout;
        self
    }

    /// Serves HTTPS: every connection starts with a TLS handshake.
    pub fn tls(mut self, acceptor: TlsAcceptor) -> Self {
        self.settings.tls = Some(acceptor);
        self
    }

    /// Binds `addr` on each shard of the runtime's I/O role (`SO_REUSEPORT`;
    /// port 0 picks one port for all): the dedicated I/O shards
    /// ([`ShardRoles`](actor_core::config::ShardRoles)), or every compute
    /// shard when none is dedicated. Starts one listener actor on each; an
    /// accepted connection becomes a connection actor on the shard that
    /// accepted it.
    ///
    /// # Errors
    ///
    /// Binding failed, or the runtime refused the listeners (shutting down).
    pub fn start(self, handle: &Handle, addr: SocketAddr) -> io::Result<ServerHandle> {
        let settings = Arc::new(self.settings);
        let (addr, listeners) = spawn_listeners(handle, addr, move |listener| {
            Listener::new(listener, settings.clone())
        })?;
        Ok(ServerHandle { addr, listeners })
    }
}

/// A running server. [`stop`](Self::stop) (or dropping the handle) stops
/// its listeners, which closes the listening sockets; open connections
/// close once idle, and a request in progress gets the header timeout to
/// be answered.
#[derive(Debug)]
pub struct ServerHandle {
    addr: SocketAddr,
    listeners: Vec<ActorRef<Listener>>,
}

impl ServerHandle {
    /// The address the server listens on (the port picked, for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting and closes the connections as described on the type.
    /// Returns at once.
    pub fn stop(&self) {
        for listener in &self.listeners {
            listener.stop();
        }
    }

    /// Whether every listener has stopped.
    pub fn is_stopped(&self) -> bool {
        self.listeners.iter().all(|l| !l.is_alive())
    }

    /// Stops the server and waits, on a plain thread, until every listener
    /// has stopped or `timeout` passes; says whether they all stopped. On a
    /// shard thread it does not wait.
    pub fn stop_and_wait(&self, timeout: Duration) -> bool {
        self.stop();
        let deadline = Instant::now() + timeout;
        self.listeners.iter().all(|l| {
            let left = deadline.saturating_duration_since(Instant::now());
            !l.is_alive() || l.wait_stopped_blocking(left).is_ok()
        })
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.stop();
    }
}
