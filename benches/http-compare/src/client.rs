//! A single-connection client: sequential GETs over one keep-alive
//! connection, timing each round trip.
//!
//! Two ways to wait for a response: a blocking read, where the client's own
//! wake-up from sleep is part of every sample (on this VM a blocked thread
//! takes ~30 µs to run again, whatever the server does), and a busy-polling
//! read on a non-blocking socket, which leaves the server's share of the
//! round trip: the way latency tools such as sockperf's `--busy-poll`
//! measure.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Instant;

const REQUEST: &[u8] = b"GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

/// How the client waits for each response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wait {
    /// A blocking read: the thread sleeps until bytes arrive.
    Block,
    /// A non-blocking read retried until bytes arrive.
    BusyPoll,
}

/// `(p50, p99)` in microseconds over `n` requests, after 1000 unmeasured ones.
pub(crate) fn latency(port: u16, n: usize, wait: Wait) -> (f64, f64) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_nodelay(true).expect("nodelay");
    s.set_nonblocking(wait == Wait::BusyPoll)
        .expect("non-blocking mode");
    let mut buf = vec![0u8; 4096];
    let mut samples = Vec::with_capacity(n);
    for i in 0..n + 1000 {
        let t = Instant::now();
        s.write_all(REQUEST).expect("write");
        read_response(&mut s, &mut buf);
        if i >= 1000 {
            samples.push(t.elapsed().as_nanos() as f64 / 1e3);
        }
    }
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q) as usize];
    (at(0.5), at(0.99))
}

/// Reads one response with a `Content-Length` body.
fn read_response(s: &mut TcpStream, buf: &mut [u8]) {
    let mut have = 0;
    loop {
        let n = match s.read(&mut buf[have..]) {
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                std::hint::spin_loop();
                continue;
            }
            Err(e) => panic!("read: {e}"),
        };
        assert!(n > 0, "server closed the connection");
        have += n;
        let text = &buf[..have];
        if let Some(end) = find(text, b"\r\n\r\n") {
            let head = std::str::from_utf8(&text[..end]).expect("utf-8 head");
            let len: usize = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().ok())?
                })
                .expect("content-length");
            if have >= end + 4 + len {
                assert_eq!(have, end + 4 + len, "one response at a time");
                return;
            }
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
