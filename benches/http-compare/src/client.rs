//! A single-connection client: sequential GETs over one keep-alive
//! connection, timing each round trip.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Instant;

const REQUEST: &[u8] = b"GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

/// `(p50, p99)` in microseconds over `n` requests, after 1000 unmeasured ones.
pub(crate) fn latency(port: u16, n: usize) -> (f64, f64) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_nodelay(true).expect("nodelay");
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
        let n = s.read(&mut buf[have..]).expect("read");
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
