//! Helpers for the HTTP server tests: a blocking client on a plain thread.
#![allow(dead_code, unreachable_pub, missing_docs)]

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use actor_io::codec::{Decoder, ReadBuf};
use actor_io::http::{Response, ResponseDecoder};

/// A blocking HTTP/1.1 client over one connection.
pub struct Client {
    pub stream: TcpStream,
    buf: ReadBuf,
    decoder: ResponseDecoder,
}

impl Client {
    pub fn connect(addr: SocketAddr) -> Client {
        let stream = TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        Client {
            stream,
            buf: ReadBuf::new(),
            decoder: ResponseDecoder::default(),
        }
    }

    pub fn send(&mut self, raw: &[u8]) {
        self.stream.write_all(raw).expect("send");
    }

    /// Reads bytes into the buffer; false at end of stream or reset.
    fn fill(&mut self) -> bool {
        let mut chunk = [0u8; 16 * 1024];
        let mut res = self.stream.read(&mut chunk);
        while matches!(&res, Err(e) if e.kind() == ErrorKind::Interrupted) {
            res = self.stream.read(&mut chunk);
        }
        match res {
            Ok(0) => false,
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                true
            }
            Err(e) if e.kind() == ErrorKind::ConnectionReset => false,
            Err(e) => panic!("read failed: {e}"),
        }
    }

    /// The next response; panics if the connection ends first.
    pub fn response(&mut self) -> Response {
        loop {
            if let Some(r) = self.decoder.decode(&mut self.buf).expect("valid response") {
                return r;
            }
            if !self.fill() {
                if let Some(r) = self.decoder.decode_eof(&mut self.buf).expect("valid") {
                    return r;
                }
                panic!("connection closed before a response");
            }
        }
    }

    /// Sends `raw` and reads one response.
    pub fn exchange(&mut self, raw: &[u8]) -> Response {
        self.send(raw);
        self.response()
    }

    /// Whether the server closes the connection (nothing more arrives).
    pub fn is_closed(&mut self) -> bool {
        let before = self.buf.len();
        while self.fill() {}
        self.buf.len() == before
    }

    /// Every byte until the server closes.
    pub fn read_to_close(&mut self) -> Vec<u8> {
        while self.fill() {}
        self.buf.take(usize::MAX)
    }
}

pub fn get(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: t\r\n\r\n").into_bytes()
}

pub fn body_text(r: &Response) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

pub fn header<'a>(r: &'a Response, name: &str) -> Option<&'a str> {
    r.headers
        .get(name)
        .and_then(|v| std::str::from_utf8(v).ok())
}
