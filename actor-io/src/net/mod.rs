//! TCP and UDP sockets owned by a shard, over owned buffers.

mod counters;
mod listener;
mod stream;
mod udp;

pub use counters::ConnectionCounts;
pub use listener::{TcpListener, bind_reuseport, spawn_listener_per_shard, spawn_listeners};
pub use stream::TcpStream;
pub use udp::UdpSocket;
