//! Echo over TCP and UDP, as actors: one TCP listener actor per shard on a
//! shared port (`SO_REUSEPORT`), one actor per accepted connection, and a
//! UDP socket actor. A built-in client then sends a few messages over both
//! from plain threads, prints what came back, and the program exits.
//!
//! Run with `cargo run -p examples --example echo` (`PINION_DRIVER=epoll`
//! or `uring` picks the reactor).

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::time::Duration;

use actor_core::{Actor, BoxError, Context, Runtime};
use actor_io::net::{TcpListener, TcpStream, UdpSocket, spawn_listener_per_shard};

/// How long one accept or receive waits before the actor checks its
/// mailbox again (so that shutdown never waits on a socket).
const POLL: Duration = Duration::from_millis(50);

/// A connection actor: echoes until the peer closes, holding no buffer
/// while idle, then stops.
struct EchoConnection(Option<TcpStream>);

impl Actor for EchoConnection {
    type Msg = ();

    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        let stream = self.0.take().ok_or("no stream")?;
        let me = ctx.myself().clone();
        ctx.spawn_task(async move {
            while stream.readable().await.is_ok() {
                let (n, buf) = stream.read(Vec::with_capacity(4096)).await;
                match n {
                    Ok(0) | Err(_) => break,
                    Ok(_) if stream.write_all(buf).await.0.is_err() => break,
                    Ok(_) => {}
                }
            }
            me.stop();
        });
        Ok(())
    }

    async fn handle(&mut self, _: (), _: &mut Context<Self>) {}
}

/// Tells a listener or UDP actor to serve once more.
struct Serve;

/// A listener actor: each `Serve` waits a little for one connection, hands
/// it to a new connection actor on this shard, and asks for the next.
struct Listener(TcpListener);

impl Actor for Listener {
    type Msg = Serve;

    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        ctx.myself().try_tell(Serve).map_err(|_| "mailbox full")?;
        Ok(())
    }

    async fn handle(&mut self, _: Serve, ctx: &mut Context<Self>) {
        if let Ok(Ok((stream, peer))) = actor_io::timeout(POLL, self.0.accept()).await {
            println!("shard {}: tcp connection from {peer}", ctx.shard());
            ctx.spawn(EchoConnection(Some(stream)));
        }
        let _ = ctx.myself().try_tell(Serve);
    }
}

/// A UDP actor: each `Serve` waits a little for one datagram and sends it
/// back to its sender.
struct UdpEcho(UdpSocket);

impl Actor for UdpEcho {
    type Msg = Serve;

    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        ctx.myself().try_tell(Serve).map_err(|_| "mailbox full")?;
        Ok(())
    }

    async fn handle(&mut self, _: Serve, ctx: &mut Context<Self>) {
        let received = actor_io::timeout(POLL, self.0.recv_from(Vec::with_capacity(1500))).await;
        if let Ok((Ok((_, from)), datagram)) = received {
            let _ = self.0.send_to(datagram, from).await;
        }
        let _ = ctx.myself().try_tell(Serve);
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rt = Runtime::builder().shards(2).build()?;
    println!(
        "pinion echo: {} shards, {} driver",
        rt.shards(),
        rt.driver()
    );
    let any: SocketAddr = "127.0.0.1:0".parse()?;

    let make = |l: std::io::Result<TcpListener>| Listener(l.expect("listener adopted"));
    let (tcp_addr, _) = spawn_listener_per_shard(rt.handle(), any, make)?;
    println!("tcp echo on {tcp_addr}");

    let (tx, rx) = std::sync::mpsc::channel();
    rt.spawn_on(0, move || {
        let socket = UdpSocket::bind(any).expect("udp bind on shard 0");
        let _ = tx.send(socket.local_addr().expect("udp address"));
        UdpEcho(socket)
    })?;
    let udp_addr = rx.recv_timeout(Duration::from_secs(5))?;
    println!("udp echo on {udp_addr}");

    // The client: plain blocking sockets on this thread.
    for (i, text) in ["hello", "from", "pinion"].iter().enumerate() {
        let mut conn = std::net::TcpStream::connect(tcp_addr)?;
        conn.set_read_timeout(Some(Duration::from_secs(5)))?;
        let msg = format!("tcp message {i}: {text}");
        conn.write_all(msg.as_bytes())?;
        let mut back = vec![0u8; msg.len()];
        conn.read_exact(&mut back)?;
        println!(
            "tcp sent {msg:?}, got back {:?}",
            String::from_utf8_lossy(&back)
        );
    }

    let udp = std::net::UdpSocket::bind(any)?;
    udp.set_read_timeout(Some(Duration::from_secs(5)))?;
    for text in ["ping", "pong", "bye"] {
        udp.send_to(text.as_bytes(), udp_addr)?;
        let mut back = [0u8; 1500];
        let (n, from) = udp.recv_from(&mut back)?;
        println!(
            "udp sent {text:?}, got back {:?} from {from}",
            String::from_utf8_lossy(&back[..n])
        );
    }

    rt.shutdown()?;
    println!("done");
    Ok(())
}
