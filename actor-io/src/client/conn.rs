//! One request/response exchange on a connection, plain or TLS.

use std::io;

use super::ClientError;
use crate::codec::{Decoder, ReadBuf};
use crate::http::{Limits, Method, Response, ResponseDecoder, StatusCode, Version};
use crate::net::Stream;
use crate::pool;

/// How an exchange ended.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// A complete response; `reusable` when the connection may carry
    /// another request (framed body, no close, nothing left over).
    Done { response: Response, reusable: bool },
    /// The connection was dead before any byte of a response arrived: the
    /// write failed or the peer closed or reset at once. On a pooled
    /// connection an idempotent request may be retried on a fresh one.
    Stale(io::Error),
}

/// Whether `e` is what writing to or reading from a connection the peer has
/// already closed gives.
fn is_closed(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::BrokenPipe
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::UnexpectedEof
    )
}

/// Whether a response lets the connection stay open: HTTP/1.1 unless
/// `Connection: close`, HTTP/1.0 only with `Connection: keep-alive`, never
/// after a protocol switch.
pub(crate) fn response_keeps_alive(r: &Response) -> bool {
    if r.status == StatusCode::SWITCHING_PROTOCOLS || r.headers.has_token("connection", "close") {
        return false;
    }
    if r.version == Version::HTTP_10 {
        r.headers.has_token("connection", "keep-alive")
    } else {
        true
    }
}

/// Writes `request` (already encoded) and reads one response to `method`.
pub(crate) async fn exchange(
    conn: &mut Stream,
    request: Vec<u8>,
    method: &Method,
    limits: Limits,
) -> Result<Outcome, ClientError> {
    let (res, _) = conn.write_all(request).await;
    match res {
        Ok(()) => {}
        Err(e) if is_closed(&e) => return Ok(Outcome::Stale(e)),
        Err(e) => return Err(ClientError::Io(e)),
    }
    let mut decoder = ResponseDecoder::new(limits);
    decoder.push_request(method);
    // The receive buffers come from the shard's pool and go back to it.
    let mut input = pool::take_read_buf();
    let mut chunk = pool::take_large();
    let outcome = read_response(conn, &mut decoder, &mut input, &mut chunk).await;
    pool::give_read_buf(input);
    pool::give(chunk);
    outcome
}

/// Reads from `conn` into `chunk`, appending to `input`, until `decoder`
/// has one response.
async fn read_response(
    conn: &mut Stream,
    decoder: &mut ResponseDecoder,
    input: &mut ReadBuf,
    chunk: &mut Vec<u8>,
) -> Result<Outcome, ClientError> {
    let mut received = false;
    loop {
        let (res, buf) = conn.read(std::mem::take(chunk)).await;
        *chunk = buf;
        match res {
            Err(e) if !received && is_closed(&e) => return Ok(Outcome::Stale(e)),
            Err(e) => return Err(ClientError::Io(e)),
            Ok(0) => {
                return match decoder.decode_eof(input)? {
                    Some(response) => Ok(Outcome::Done {
                        response,
                        reusable: false,
                    }),
                    None if !received => Ok(Outcome::Stale(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "connection closed before a response",
                    ))),
                    None => Err(crate::http::HttpError::IncompleteMessage.into()),
                };
            }
            Ok(n) => {
                received = true;
                input.extend_from_slice(chunk.get(..n).unwrap_or(chunk));
                if let Some(response) = decoder.decode(input)? {
                    let reusable = input.is_empty() && response_keeps_alive(&response);
                    return Ok(Outcome::Done { response, reusable });
                }
                chunk.clear();
            }
        }
    }
}
