//! Host names to socket addresses, without blocking the shard.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::sync::mpsc;
use std::time::Duration;

/// The addresses of `host` (bare: no IPv6 brackets) at `port`.
///
/// IP literals and `localhost` are answered at once. Other names go to the
/// system resolver on a thread of their own, since `getaddrinfo` blocks and
/// a shard must not; the shard polls for the answer with short sleeps, and
/// the caller's connect timeout bounds the wait.
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
    let (tx, rx) = mpsc::channel();
    let name = host.to_string();
    std::thread::Builder::new()
        .name("pinion-resolve".into())
        .spawn(move || {
            let found = (name.as_str(), port)
                .to_socket_addrs()
                .map(Iterator::collect::<Vec<_>>);
            let _ = tx.send(found);
        })?;
    let mut pause = Duration::from_millis(1);
    loop {
        match rx.try_recv() {
            Ok(found) => {
                let addrs = found?;
                if addrs.is_empty() {
                    return Err(io::Error::new(io::ErrorKind::NotFound, "no addresses"));
                }
                return Ok(addrs);
            }
            Err(mpsc::TryRecvError::Empty) => {
                actor_core::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_millis(20));
            }
            Err(mpsc::TryRecvError::Disconnected) => {
                return Err(io::Error::other("resolver thread failed"));
            }
        }
    }
}
