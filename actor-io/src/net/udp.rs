//! `UdpSocket`: datagrams on one shard, with IPv4 multicast membership.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};

use socket2::{SockAddr, Type};

use crate::buf::{IoBuf, IoBufMut};
use crate::driver::socket::Socket;

/// A UDP socket on the shard that made it (`!Send`).
#[derive(Debug)]
pub struct UdpSocket {
    socket: Socket,
}

impl UdpSocket {
    /// Binds to `addr` on the calling shard.
    pub fn bind(addr: SocketAddr) -> io::Result<UdpSocket> {
        let socket = Socket::for_addr(&addr, Type::DGRAM)?;
        socket.sock().bind(&SockAddr::from(addr))?;
        Ok(UdpSocket { socket })
    }

    /// The bound address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    /// Sends `buf`'s initialised bytes as one datagram to `target`.
    pub async fn send_to<B: IoBuf>(&self, buf: B, target: SocketAddr) -> (io::Result<usize>, B) {
        self.socket.send_to(buf, target).await
    }

    /// Receives one datagram into `buf` (from its start, up to its room)
    /// and says how long it was and who sent it.
    pub async fn recv_from<B: IoBufMut>(&self, buf: B) -> (io::Result<(usize, SocketAddr)>, B) {
        self.socket.recv_from(buf).await
    }

    /// Joins the IPv4 multicast group `group` on the interface with address
    /// `interface` (`Ipv4Addr::UNSPECIFIED` lets the kernel choose).
    pub fn join_multicast_v4(&self, group: Ipv4Addr, interface: Ipv4Addr) -> io::Result<()> {
        self.socket.sock().join_multicast_v4(&group, &interface)
    }

    /// Leaves a group joined with [`join_multicast_v4`](Self::join_multicast_v4).
    /// Leaving a group this socket never joined fails with
    /// `EADDRNOTAVAIL` (kind [`AddrNotAvailable`](io::ErrorKind::AddrNotAvailable)).
    pub fn leave_multicast_v4(&self, group: Ipv4Addr, interface: Ipv4Addr) -> io::Result<()> {
        self.socket.sock().leave_multicast_v4(&group, &interface)
    }

    /// Whether this socket receives its own multicast datagrams (on by
    /// default).
    pub fn set_multicast_loop_v4(&self, on: bool) -> io::Result<()> {
        self.socket.sock().set_multicast_loop_v4(on)
    }

    /// The interface outgoing multicast datagrams leave through.
    pub fn set_multicast_if_v4(&self, interface: Ipv4Addr) -> io::Result<()> {
        self.socket.sock().set_multicast_if_v4(&interface)
    }
}
