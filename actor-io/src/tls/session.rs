//! A TLS session: rustls' state machine driven over a shard's TCP stream
//! with owned buffers.

use std::io::{self, Read, Write};

use rustls::Connection;

use super::TlsError;
use crate::net::TcpStream;

/// Ciphertext read from the transport at a time (one full TLS record plus
/// its header fits).
const RECORD_READ: usize = 17 * 1024;

/// A TLS session over a TCP stream, with the same owned-buffer `read` and
/// `write_all` as a plain connection. Users see it as a
/// [`Stream`](crate::net::Stream).
pub(crate) struct TlsSession {
    io: TcpStream,
    conn: Connection,
    /// Ciphertext received but not yet taken by rustls.
    pending: Vec<u8>,
    /// The receive buffer, kept between reads.
    scratch: Vec<u8>,
}

impl std::fmt::Debug for TlsSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsSession")
            .field("handshaking", &self.conn.is_handshaking())
            .field("pending", &self.pending.len())
            .finish_non_exhaustive()
    }
}

impl TlsSession {
    /// Runs the handshake of `conn` over `io`.
    pub(crate) async fn handshake(io: TcpStream, conn: Connection) -> Result<Self, TlsError> {
        let mut s = TlsSession {
            io,
            conn,
            pending: Vec::new(),
            scratch: Vec::new(),
        };
        while s.conn.is_handshaking() {
            s.flush().await?;
            if s.conn.is_handshaking() && s.conn.wants_read() && !s.receive().await? {
                return Err(TlsError::Closed);
            }
        }
        s.flush().await?;
        Ok(s)
    }

    /// Sends whatever rustls has queued.
    async fn flush(&mut self) -> io::Result<()> {
        while self.conn.wants_write() {
            let mut out = Vec::new();
            while self.conn.wants_write() {
                self.conn.write_tls(&mut out)?;
            }
            let (res, _) = self.io.write_all(out).await;
            res?;
        }
        Ok(())
    }

    /// Feeds ciphertext to rustls: what is pending, or one transport read.
    /// `Ok(false)` at end of stream. A protocol error sends its alert first.
    async fn receive(&mut self) -> Result<bool, TlsError> {
        if self.pending.is_empty() {
            let mut buf = std::mem::take(&mut self.scratch);
            buf.reserve(RECORD_READ);
            let (res, mut buf) = self.io.read(buf).await;
            let n = res?;
            if n == 0 {
                self.scratch = buf;
                return Ok(false);
            }
            buf.truncate(n);
            self.pending = buf;
        }
        let mut slice = &self.pending[..];
        let taken = self.conn.read_tls(&mut slice)?;
        let rest = slice.len();
        self.pending.drain(..taken);
        debug_assert_eq!(self.pending.len(), rest);
        if let Err(e) = self.conn.process_new_packets() {
            // The alert is queued; send it, then report the cause.
            let _ = self.flush().await;
            return Err(TlsError::Protocol(e));
        }
        Ok(true)
    }

    /// Reads plaintext into `buf`, replacing its contents, up to its
    /// capacity (as [`TcpStream::read`]). `Ok(0)` means the peer closed the
    /// session cleanly (`close_notify`); a transport closed without it is
    /// `UnexpectedEof`, since that may be a truncation attack.
    pub(crate) async fn read(&mut self, buf: Vec<u8>) -> (io::Result<usize>, Vec<u8>) {
        self.read_inner(buf, false).await
    }

    /// Whether a read could make progress without waiting on the transport:
    /// rustls holds decrypted plaintext, ciphertext is pending, the peer has
    /// closed the session, or the session has failed (the read reports it).
    /// A connection that waits for its transport to be readable checks this
    /// first, since bytes already taken from the socket do not wake it.
    pub(crate) fn has_buffered_input(&mut self) -> bool {
        if !self.pending.is_empty() {
            return true;
        }
        match self.conn.process_new_packets() {
            Ok(state) => state.plaintext_bytes_to_read() > 0 || state.peer_has_closed(),
            Err(_) => true,
        }
    }

    /// Like [`read`](Self::read), but waits on the transport at most once:
    /// when that read brings no complete record, the result is an error of
    /// kind [`WouldBlock`](io::ErrorKind::WouldBlock) and the caller waits for
    /// readiness again (under its own deadline, since a peer can send a
    /// record byte by byte).
    pub(crate) async fn read_some(&mut self, buf: Vec<u8>) -> (io::Result<usize>, Vec<u8>) {
        self.read_inner(buf, true).await
    }

    /// Reads plaintext; with `once`, stops with `WouldBlock` after one
    /// transport read that completed no record.
    async fn read_inner(&mut self, mut buf: Vec<u8>, once: bool) -> (io::Result<usize>, Vec<u8>) {
        buf.clear();
        if buf.capacity() == 0 {
            return (Ok(0), buf);
        }
        buf.resize(buf.capacity(), 0);
        let mut received = false;
        loop {
            match self.conn.reader().read(&mut buf) {
                Ok(n) => {
                    buf.truncate(n);
                    return (Ok(n), buf);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock && once && received => {
                    buf.clear();
                    return (Err(e), buf);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => {
                    buf.clear();
                    return (Err(e), buf);
                }
            }
            if let Err(e) = self.flush().await {
                buf.clear();
                return (Err(e), buf);
            }
            received = true;
            match self.receive().await {
                Ok(true) => {}
                Ok(false) => {
                    buf.clear();
                    let eof = io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "peer closed the connection without close_notify",
                    );
                    return (Err(eof), buf);
                }
                Err(e) => {
                    buf.clear();
                    let e = match e {
                        TlsError::Io(e) => e,
                        e => io::Error::new(io::ErrorKind::InvalidData, e),
                    };
                    return (Err(e), buf);
                }
            }
        }
    }

    /// Encrypts and sends all of `buf`.
    pub(crate) async fn write_all(&mut self, buf: Vec<u8>) -> (io::Result<()>, Vec<u8>) {
        let mut at = 0;
        while at < buf.len() {
            match self.conn.writer().write(&buf[at..]) {
                Ok(n) => at += n,
                Err(e) => return (Err(e), buf),
            }
            if let Err(e) = self.flush().await {
                return (Err(e), buf);
            }
        }
        (Ok(()), buf)
    }

    /// Sends `close_notify`: the peer's reads end with `Ok(0)`.
    pub(crate) async fn close(&mut self) -> io::Result<()> {
        self.conn.send_close_notify();
        self.flush().await
    }

    /// The protocol chosen through ALPN, if any.
    pub(crate) fn alpn_protocol(&self) -> Option<&[u8]> {
        self.conn.alpn_protocol()
    }

    /// The TCP stream underneath.
    pub(crate) fn tcp(&self) -> &TcpStream {
        &self.io
    }
}
