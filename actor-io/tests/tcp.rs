//! TCP end to end on loopback, under whichever driver PINION_DRIVER picks.

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::time::Duration;

use actor_core::{Actor, Context, Runtime};
use actor_io::net::{
    ConnectionCounts, TcpListener, TcpStream, spawn_listener_per_shard, spawn_listeners,
};
use common::{on_shard, rt2, wanted_driver};

/// A connection actor: echoes until end of stream, holding no buffer while
/// idle.
struct Echo(Option<TcpStream>);

impl Actor for Echo {
    type Msg = ();

    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), actor_core::BoxError> {
        let stream = self.0.take().expect("a stream");
        let me = ctx.myself().clone();
        ctx.spawn_task(async move {
            loop {
                if stream.readable().await.is_err() {
                    break;
                }
                let (n, buf) = stream.read(Vec::with_capacity(4096)).await;
                match n {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        if stream.write_all(buf).await.0.is_err() {
                            break;
                        }
                    }
                }
            }
            drop(stream);
            me.stop();
        });
        Ok(())
    }

    async fn handle(&mut self, _: (), _: &mut Context<Self>) {}
}

/// A listener actor: each `Accept` message waits a little for one
/// connection, hands it to a new `Echo` actor on this shard, and asks for
/// the next. The wait is bounded so a stop request gets its turn (an
/// accept cut short by the timeout is cancelled).
struct Listener(Option<TcpListener>);

struct Accept;

impl Actor for Listener {
    type Msg = Accept;

    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), actor_core::BoxError> {
        ctx.myself().try_tell(Accept).map_err(|_| "mailbox")?;
        Ok(())
    }

    async fn handle(&mut self, _: Accept, ctx: &mut Context<Self>) {
        let Some(listener) = &self.0 else { return };
        let accepted = actor_io::timeout(Duration::from_millis(50), listener.accept()).await;
        if let Ok(Ok((stream, _))) = accepted {
            ctx.spawn(Echo(Some(stream)));
        }
        let _ = ctx.myself().try_tell(Accept);
    }
}

fn echo_server(rt: &Runtime) -> SocketAddr {
    let (addr, _) = spawn_listener_per_shard(rt.handle(), "127.0.0.1:0".parse().unwrap(), |l| {
        Listener(Some(l.expect("listener adopted")))
    })
    .expect("listeners");
    addr
}

fn echo_once(addr: SocketAddr, payload: &[u8]) -> Vec<u8> {
    let mut c = std::net::TcpStream::connect(addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    c.write_all(payload).unwrap();
    c.shutdown(Shutdown::Write).unwrap();
    let mut back = Vec::new();
    c.read_to_end(&mut back).unwrap();
    back
}

#[test]
fn runtime_runs_the_driver_asked_for() {
    let rt = rt2();
    if let Some(want) = wanted_driver() {
        assert_eq!(rt.driver(), want);
    }
    let seen = on_shard(&rt, 1, || async { actor_core::io_driver::current_driver() });
    assert_eq!(seen, Ok(rt.driver()));
    assert_eq!(rt.shard_drivers(), [rt.driver(), rt.driver()]);
    // The deny-ops run really takes the per-operation fallback.
    let accept = io_uring::opcode::Accept::CODE;
    let ring_accepts = on_shard(&rt, 0, move || async move {
        actor_core::io_driver::opcode_supported(accept)
    });
    if common::opcodes_denied() || rt.driver() == actor_core::DriverKind::Epoll {
        assert!(!ring_accepts);
    }
    rt.shutdown().unwrap();
}

/// Listeners go to the I/O role's shards by default: the dedicated one when
/// the roles name it, every shard when they name none.
#[test]
fn listeners_follow_the_io_role() {
    use actor_core::config::ShardRoles;
    let make = |l: std::io::Result<TcpListener>| Listener(Some(l.expect("listener adopted")));
    let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let rt = Runtime::builder()
        .shards(3)
        .roles(ShardRoles::none().with_io(1))
        .build()
        .unwrap();
    let (addr, listeners) = spawn_listeners(rt.handle(), any, make).unwrap();
    assert_eq!(listeners.len(), 1);
    assert_eq!(listeners[0].shard(), 1, "on the I/O shard");
    assert_eq!(echo_once(addr, b"role"), b"role");
    rt.shutdown().unwrap();

    let rt = rt2();
    let (_, listeners) = spawn_listeners(rt.handle(), any, make).unwrap();
    let shards: Vec<_> = listeners.iter().map(|l| l.shard()).collect();
    assert_eq!(
        shards,
        [0, 1],
        "no dedicated I/O shard: every shard listens"
    );
    rt.shutdown().unwrap();
}

/// The opcode-denial test switch belongs to its runtime: a second runtime
/// in the same process still sees what its kernel supports.
#[test]
fn denied_opcodes_stay_with_their_runtime() {
    use actor_core::io_driver::opcode_supported;
    let accept = io_uring::opcode::Accept::CODE;
    let denied = Runtime::builder()
        .shards(1)
        .deny_all_uring_opcodes()
        .build()
        .unwrap();
    let plain = Runtime::builder().shards(1).build().unwrap();
    assert!(!on_shard(&denied, 0, move || async move {
        opcode_supported(accept)
    }));
    let supported = on_shard(&plain, 0, move || async move { opcode_supported(accept) });
    if plain.driver() == actor_core::DriverKind::Epoll {
        assert!(!supported, "epoll takes no opcode");
    } else {
        assert!(
            supported,
            "the other runtime's switch does not leak into this one"
        );
    }
    assert!(!opcode_supported(accept), "off a shard");
    denied.shutdown().unwrap();
    plain.shutdown().unwrap();
}

#[test]
fn echo_from_actors_on_every_shard() {
    let rt = rt2();
    let addr = echo_server(&rt);
    let payload: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    assert_eq!(echo_once(addr, &payload), payload);
    rt.shutdown().unwrap();
}

#[test]
fn many_concurrent_connections_from_threads_and_shards() {
    let rt = rt2();
    let addr = echo_server(&rt);
    let threads: Vec<_> = (0..24)
        .map(|i| {
            std::thread::spawn(move || {
                let payload = vec![i as u8; 20_000 + i];
                assert_eq!(echo_once(addr, &payload), payload);
            })
        })
        .collect();
    // Meanwhile shard 1 opens 32 client streams at once, then uses each.
    let echoed = on_shard(&rt, 1, move || async move {
        let mut streams = Vec::new();
        for _ in 0..32 {
            let s = TcpStream::connect(addr).await.expect("connect");
            s.set_nodelay(true).unwrap();
            assert!(s.nodelay().unwrap());
            assert_eq!(s.peer_addr().unwrap(), addr);
            streams.push(s);
        }
        let mut ok = 0;
        for (i, s) in streams.iter().enumerate() {
            let msg = format!("hello {i}").into_bytes();
            let (res, msg) = s.write_all(msg).await;
            res.unwrap();
            let mut got = Vec::new();
            while got.len() < msg.len() {
                let (n, buf) = s.read(Vec::with_capacity(64)).await;
                assert!(n.unwrap() > 0, "early end of stream");
                got.extend_from_slice(&buf);
            }
            ok += usize::from(got == msg);
        }
        ok
    });
    assert_eq!(echoed, 32);
    for t in threads {
        t.join().unwrap();
    }
    let accepted: u64 = (0..2)
        .map(|s| ConnectionCounts::of_shard(rt.handle(), s).accepted)
        .sum();
    assert_eq!(accepted, 24 + 32);
    // Shard 1's 32 client streams are closed now; the server side closes
    // each as its peer goes away.
    assert!(common::eventually(Duration::from_secs(10), || {
        (0..2).all(|s| ConnectionCounts::of_shard(rt.handle(), s).open() == 0)
    }));
    let m = rt.metrics();
    let opened = actor_core::CounterKey {
        family: "tcp",
        kind: "opened",
        shard: Some(1),
    };
    assert!(m.counters.iter().any(|(k, v)| *k == opened && *v >= 32));
    rt.shutdown().unwrap();
}

#[test]
fn a_peer_that_never_reads_stalls_write_all() {
    let rt = rt2();
    let peer = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = peer.local_addr().unwrap();
    let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
    let reader = std::thread::spawn(move || {
        let (mut s, _) = peer.accept().unwrap();
        go_rx.recv().unwrap();
        let mut sink = Vec::new();
        s.read_to_end(&mut sink).unwrap();
        sink.len()
    });
    let stalled = on_shard(&rt, 0, move || async move {
        let s = TcpStream::connect(addr).await.unwrap();
        // 64 MiB cannot fit in loopback's socket buffers: with nobody
        // reading, the write cannot complete.
        let big = vec![7u8; 64 << 20];
        let r = actor_io::timeout(Duration::from_millis(300), s.write_all(big)).await;
        let timed_out = r.is_err_and(|e| e.kind() == std::io::ErrorKind::TimedOut);
        drop(s);
        timed_out
    });
    assert!(stalled, "write_all completed although the peer never read");
    go_tx.send(()).unwrap();
    let got = reader.join().unwrap();
    assert!(got > 0);
    rt.shutdown().unwrap();
}

#[test]
fn write_all_completes_once_the_peer_reads() {
    let rt = rt2();
    let peer = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = peer.local_addr().unwrap();
    let rx = common::start_on_shard(&rt, 0, move || async move {
        let s = TcpStream::connect(addr).await.unwrap();
        let (res, buf) = s.write_all(vec![1u8; 16 << 20]).await;
        (res.is_ok(), buf.len())
    });
    let (mut s, _) = peer.accept().unwrap();
    // Not done while nobody reads (checked with a timeout, not a timing).
    assert!(rx.recv_timeout(Duration::from_millis(200)).is_err());
    let mut sink = vec![0u8; 1 << 20];
    let mut total = 0;
    while total < 16 << 20 {
        let n = s.read(&mut sink).unwrap();
        assert!(n > 0);
        total += n;
    }
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(30)).unwrap(),
        (true, 16 << 20)
    );
    rt.shutdown().unwrap();
}

#[test]
fn a_read_times_out_and_the_stream_stays_usable() {
    let rt = rt2();
    let peer = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = peer.local_addr().unwrap();
    let rx = common::start_on_shard(&rt, 1, move || async move {
        let s = TcpStream::connect(addr).await.unwrap();
        let first =
            actor_io::timeout(Duration::from_millis(50), s.read(Vec::with_capacity(16))).await;
        let timed_out = first.is_err_and(|e| e.kind() == std::io::ErrorKind::TimedOut);
        let (n, buf) = s.read(Vec::with_capacity(16)).await;
        s.shutdown(Shutdown::Both).unwrap();
        (timed_out, n.unwrap(), buf)
    });
    let (mut s, _) = peer.accept().unwrap();
    std::thread::sleep(Duration::from_millis(150));
    s.write_all(b"late").unwrap();
    let (timed_out, n, buf) = rx.recv_timeout(Duration::from_secs(30)).unwrap();
    assert!(timed_out);
    assert_eq!((n, buf.as_slice()), (4, &b"late"[..]));
    rt.shutdown().unwrap();
}

#[test]
fn connect_to_a_closed_port_fails() {
    let rt = rt2();
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let err = on_shard(&rt, 0, move || async move {
        TcpStream::connect(addr).await.err().map(|e| e.kind())
    });
    assert_eq!(err, Some(std::io::ErrorKind::ConnectionRefused));
    rt.shutdown().unwrap();
}
