//! The floor of single-connection latency on this host: a server that spins
//! on a non-blocking `read` and answers each request with fixed bytes, the
//! least any server can do per request. Measured with the same clients as
//! the servers, it shows how much of their latency is the client's own.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpListener;

const RESPONSE: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello, World!";

/// Starts the spinning server on a thread; it serves `connections`
/// connections, one after another, then ends. Returns its port.
pub(crate) fn spinning_server(connections: usize) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind the floor server");
    let port = listener.local_addr().expect("local address").port();
    std::thread::spawn(move || {
        for _ in 0..connections {
            let Ok((mut conn, _)) = listener.accept() else {
                return;
            };
            conn.set_nodelay(true).expect("nodelay");
            conn.set_nonblocking(true).expect("non-blocking mode");
            let mut buf = [0u8; 4096];
            let mut pending = Vec::new();
            loop {
                match conn.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        pending.extend_from_slice(&buf[..n]);
                        // One answer per complete request head (the clients
                        // send GETs without bodies).
                        while let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                            pending.drain(..end + 4);
                            if conn.write_all(RESPONSE).is_err() {
                                break;
                            }
                        }
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => std::hint::spin_loop(),
                    Err(_) => break,
                }
            }
        }
    });
    port
}
