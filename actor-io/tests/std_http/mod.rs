//! A small blocking HTTP/1.1 server on std threads for the client tests:
//! a route function picks each answer, and the server counts the
//! connections it accepted and saw closed.
#![allow(dead_code, unreachable_pub, missing_docs)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What the test server does with one request.
pub enum Reply {
    /// Writes these bytes and waits for the next request.
    Send(&'static [u8]),
    /// Writes these bytes and closes the connection.
    SendClose(&'static [u8]),
    /// Never answers; reads until the client closes.
    Hang,
    /// Closes the connection without answering.
    Drop,
}

pub struct Server {
    pub addr: SocketAddr,
    pub accepted: Arc<AtomicUsize>,
    pub closed: Arc<AtomicUsize>,
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

/// Starts a server whose answer to each request is `route(method, path,
/// n)`, `n` counting the requests before it on the same connection.
pub fn serve(route: fn(&str, &str, usize) -> Reply) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let closed = Arc::new(AtomicUsize::new(0));
    let (a, c) = (accepted.clone(), closed.clone());
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { return };
            a.fetch_add(1, Ordering::SeqCst);
            let c = c.clone();
            std::thread::spawn(move || {
                connection(conn, route);
                c.fetch_add(1, Ordering::SeqCst);
            });
        }
    });
    Server {
        addr,
        accepted,
        closed,
    }
}

/// Serves requests on one connection until either side closes.
fn connection(mut conn: TcpStream, route: fn(&str, &str, usize) -> Reply) {
    let mut pending = Vec::new();
    let mut buf = [0u8; 4096];
    for n in 0.. {
        let head_end = loop {
            if let Some(i) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            match conn.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => pending.extend_from_slice(&buf[..n]),
            }
        };
        let head = String::from_utf8_lossy(&pending[..head_end]).to_string();
        let body_len = head
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length:")
                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
            })
            .unwrap_or(0);
        while pending.len() < head_end + body_len {
            match conn.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => pending.extend_from_slice(&buf[..n]),
            }
        }
        pending.drain(..head_end + body_len);
        let mut words = head.split(' ');
        let (method, path) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
        match route(method, path, n) {
            Reply::Send(bytes) => {
                if conn.write_all(bytes).is_err() {
                    return;
                }
            }
            Reply::SendClose(bytes) => {
                let _ = conn.write_all(bytes);
                return;
            }
            Reply::Drop => return,
            Reply::Hang => {
                while matches!(conn.read(&mut buf), Ok(n) if n > 0) {}
                return;
            }
        }
    }
}
