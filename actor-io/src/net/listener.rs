//! `TcpListener`: one per shard on a shared port (`SO_REUSEPORT`).

use std::io;
use std::net::SocketAddr;

use socket2::{Domain, SockAddr, Type};

use actor_core::config::Role;
use actor_core::{Actor, ActorRef, Handle};

use super::counters::{Event, bump};
use super::tcp::TcpStream;
use crate::driver::socket::Socket;

/// Listen backlog.
const BACKLOG: i32 = 1024;

/// A TCP listener owned by the shard that made it.
///
/// It binds with `SO_REUSEADDR` and `SO_REUSEPORT`, so every shard can own a
/// listener on the same port and the kernel spreads connections over them
/// (see [`spawn_listener_per_shard`]).
#[derive(Debug)]
pub struct TcpListener {
    socket: Socket,
}

impl TcpListener {
    /// Binds and listens on `addr`, on the calling shard. Off a shard, fails
    /// with an error wrapping [`NotOnShard`](actor_core::io_driver::NotOnShard).
    pub fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
        let socket = Socket::for_addr(&addr, Type::STREAM)?;
        reuse_bind_listen(socket.sock(), addr)?;
        Ok(TcpListener { socket })
    }

    /// Takes over a listening socket made elsewhere (on any thread), for the
    /// calling shard.
    pub fn from_std(listener: std::net::TcpListener) -> io::Result<TcpListener> {
        Ok(TcpListener {
            socket: Socket::adopt(socket2::Socket::from(listener))?,
        })
    }

    /// The bound address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    /// Accepts one connection. Dropping the future cancels the accept; a
    /// connection the kernel accepted regardless is closed.
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let (socket, peer) = self.socket.accept().await?;
        bump(Event::Accepted);
        Ok((TcpStream::from_socket(socket), peer))
    }
}

/// Binds `shards` listening sockets on `addr` with `SO_REUSEPORT`, from any
/// thread. With port 0, the first socket picks the port and the others
/// share it. Hand one to each shard with [`TcpListener::from_std`].
pub fn bind_reuseport(addr: SocketAddr, shards: usize) -> io::Result<Vec<std::net::TcpListener>> {
    let mut out: Vec<std::net::TcpListener> = Vec::with_capacity(shards);
    let mut addr = addr;
    for _ in 0..shards {
        let socket = socket2::Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
        reuse_bind_listen(&socket, addr)?;
        let listener = std::net::TcpListener::from(socket);
        addr = listener.local_addr()?;
        out.push(listener);
    }
    Ok(out)
}

/// Sets `SO_REUSEADDR` and `SO_REUSEPORT`, binds `addr` and listens.
fn reuse_bind_listen(socket: &socket2::Socket, addr: SocketAddr) -> io::Result<()> {
    socket.set_reuse_address(true)?;
    socket.set_reuse_port(true)?;
    socket.bind(&SockAddr::from(addr))?;
    socket.listen(BACKLOG)
}

/// Spawns one listener actor on each shard of the runtime's I/O role
/// ([`Handle::shards_for`]`(`[`Role::Io`]`)`: the dedicated I/O shards, or
/// every compute shard when the roles dedicate none), all on `addr` (port 0
/// picks one port for all). `make` runs on each of those shards with its
/// listener (or the error adopting it) and builds the actor that accepts on
/// it. Returns the bound address and the actors. This is where listeners go
/// by default; [`spawn_listener_per_shard`] puts one on every shard.
pub fn spawn_listeners<A: Actor>(
    handle: &Handle,
    addr: SocketAddr,
    make: impl Fn(io::Result<TcpListener>) -> A + Send + Sync + Clone + 'static,
) -> io::Result<(SocketAddr, Vec<ActorRef<A>>)> {
    spawn_listeners_on(handle, &handle.shards_for(Role::Io), addr, make)
}

/// Spawns one listener actor per shard of `handle`'s runtime, whatever the
/// roles say, all on `addr` (port 0 picks one port for all). `make` runs on
/// each shard with that shard's listener (or the error adopting it) and
/// builds the actor that accepts on it. Returns the bound address and the
/// actors.
pub fn spawn_listener_per_shard<A: Actor>(
    handle: &Handle,
    addr: SocketAddr,
    make: impl Fn(io::Result<TcpListener>) -> A + Send + Sync + Clone + 'static,
) -> io::Result<(SocketAddr, Vec<ActorRef<A>>)> {
    let every: Vec<usize> = (0..handle.shards()).collect();
    spawn_listeners_on(handle, &every, addr, make)
}

fn spawn_listeners_on<A: Actor>(
    handle: &Handle,
    shards: &[usize],
    addr: SocketAddr,
    make: impl Fn(io::Result<TcpListener>) -> A + Send + Sync + Clone + 'static,
) -> io::Result<(SocketAddr, Vec<ActorRef<A>>)> {
    let listeners = bind_reuseport(addr, shards.len())?;
    let bound = listeners[0].local_addr()?;
    let mut actors = Vec::with_capacity(listeners.len());
    for (&shard, listener) in shards.iter().zip(listeners) {
        let make = make.clone();
        let actor = handle
            .spawn_on(shard, move || make(TcpListener::from_std(listener)))
            .map_err(io::Error::other)?;
        actors.push(actor);
    }
    Ok((bound, actors))
}
