//! TCP and UDP sockets owned by a shard, over owned buffers, and the
//! [`Stream`] a connection is read and written through, plain or TLS.

mod counters;
mod listener;
mod stream;
mod tcp;
mod udp;

pub use counters::ConnectionCounts;
pub use listener::{TcpListener, bind_reuseport, spawn_listener_per_shard, spawn_listeners};
pub use stream::Stream;
pub use tcp::TcpStream;
pub use udp::UdpSocket;
