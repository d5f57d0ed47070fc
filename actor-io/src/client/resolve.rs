//! Host names to socket addresses, without blocking the shard.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};

use actor_core::Handle;

/// The addresses of `host` (bare: no IPv6 brackets) at `port`.
///
/// IP literals and `localhost` are answered at once. Other names go to the
/// system resolver (`getaddrinfo`, which blocks) on the runtime's blocking
/// pool; the waiting task is woken when the answer is there, and the
/// caller's connect timeout bounds the wait (dropping the future abandons
/// the answer, not the lookup).
pub(crate) async fn resolve(host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    if host.eq_ignore_ascii_case("localhost") {
        return Ok(vec![
            SocketAddr::new(Ipv4Addr::LOCALHOST.into(), port),
            SocketAddr::new(Ipv6Addr::LOCALHOST.into(), port),
        ]);
    }
    let handle = Handle::current()
        .ok_or_else(|| io::Error::other("name resolution needs a runtime thread"))?;
    let name = host.to_string();
    let lookup = handle.spawn_blocking(move || {
        (name.as_str(), port)
            .to_socket_addrs()
            .map(Iterator::collect::<Vec<_>>)
    });
    let addrs = lookup.await.map_err(io::Error::other)??;
    if addrs.is_empty() {
        return Err(io::Error::new(io::ErrorKind::NotFound, "no addresses"));
    }
    Ok(addrs)
}
