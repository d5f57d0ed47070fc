//! The connection actor: reads requests, answers each batch with one write,
//! and enforces the header and idle timeouts.
//!
//! While idle the connection holds no buffer: it waits for readiness under
//! a timeout (never a read, whose cancellation could lose bytes), then reads
//! into a buffer from the shard's pool and hands it back once the bytes are
//! consumed. A batch is written before the next read, so a client that does
//! not read its responses stops the connection from reading more requests.

use std::future::{Future, poll_fn};
use std::io;
use std::pin::pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};

use actor_core::{Actor, BoxError, Context};

use super::batch::answer;
use super::counters::{Event, bump, bump_status};
use super::routes::plain;
use super::settings::Settings;
use super::signal::{Either, StopOnDrop, StopSignal, race};
use crate::codec::ReadBuf;
use crate::http::{RequestDecoder, ResponseContext, StatusCode};
use crate::net::{Stream, TcpStream};
use crate::pool::{self, give_read_buf, take_read_buf};
use crate::timeout;

/// How long a closing connection keeps draining what the client still
/// sends, so that closing with unread input does not reset the connection
/// before the client has read the last response.
const LINGER: Duration = Duration::from_secs(2);
/// The most bytes drained while lingering.
const LINGER_BYTES: usize = 256 * 1024;

/// One accepted connection, on the shard of the listener that accepted it.
/// Its work runs as a task of the shard; stopping the actor ends it (an idle
/// connection closes at once, a busy one gets the header timeout to finish
/// its batch).
#[derive(Debug)]
pub(crate) struct Connection {
    stream: Option<TcpStream>,
    settings: Arc<Settings>,
    stop: StopSignal,
    _stopped: StopOnDrop,
}

impl Connection {
    pub(crate) fn new(stream: TcpStream, settings: Arc<Settings>) -> Self {
        let stop = StopSignal::default();
        Connection {
            stream: Some(stream),
            settings,
            _stopped: stop.guard(),
            stop,
        }
    }
}

impl Actor for Connection {
    type Msg = ();

    fn name() -> &'static str {
        "http::Connection"
    }

    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        let stream = self.stream.take().ok_or("connection started twice")?;
        let settings = self.settings.clone();
        let stop = self.stop.clone();
        let me = ctx.myself().clone();
        ctx.spawn_task(async move {
            let grace = async {
                stop.wait().await;
                actor_core::time::sleep(settings.header_timeout).await;
            };
            let _ = race(run(stream, &settings, &stop), grace).await;
            me.stop();
        });
        Ok(())
    }

    async fn handle(&mut self, _: (), _: &mut Context<Self>) {}
}

/// Serves `stream`, over TLS when the server has an acceptor.
async fn run(stream: TcpStream, settings: &Settings, stop: &StopSignal) {
    let _ = stream.set_nodelay(true);
    match &settings.tls {
        None => serve(Stream::from(stream), settings, stop).await,
        Some(acceptor) => {
            // The first byte and the handshake share one deadline.
            let deadline = Instant::now() + settings.header_timeout;
            match race(
                timeout(settings.header_timeout, first_byte(&stream)),
                stop.wait(),
            )
            .await
            {
                Either::Left(Ok(Ok(Some(TLS_HANDSHAKE)))) => {}
                Either::Left(Ok(Ok(Some(_)))) => return refuse_plaintext(stream, settings).await,
                Either::Left(Err(_)) => return bump(Event::Timeout),
                // End of stream, a failed connection, or the server stops.
                Either::Left(Ok(_)) | Either::Right(()) => return,
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let handshake = race(timeout(left, acceptor.accept(stream)), stop.wait());
            match handshake.await {
                Either::Left(Ok(Ok(tls))) => serve(tls, settings, stop).await,
                Either::Left(Ok(Err(e))) => tracing::debug!(error = %e, "tls handshake failed"),
                Either::Left(Err(_)) => bump(Event::Timeout),
                Either::Right(()) => {}
            }
        }
    }
}

/// The type of the record every TLS connection starts with: a handshake.
const TLS_HANDSHAKE: u8 = 0x16;

/// The first byte the client sent, left in the socket; `None` at end of
/// stream.
async fn first_byte(stream: &TcpStream) -> io::Result<Option<u8>> {
    loop {
        stream.readable().await?;
        let mut byte = [0u8; 1];
        match stream.peek_now(&mut byte) {
            Ok(0) => return Ok(None),
            Ok(_) => return Ok(Some(byte[0])),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                ) => {}
            Err(e) => return Err(e),
        }
    }
}

/// Answers a client that speaks plain HTTP on a TLS port with a plain 400,
/// then closes.
async fn refuse_plaintext(stream: TcpStream, settings: &Settings) {
    let mut stream = Stream::from(stream);
    bump(Event::BadRequest);
    let mut out = pool::take_large();
    let response = plain(StatusCode::BAD_REQUEST, "this port speaks HTTPS\n");
    if response
        .encode(ResponseContext::closing(), &mut out)
        .is_ok()
    {
        bump_status(400);
        let _ = timeout(settings.idle_timeout, stream.write_all(out)).await;
    }
    linger(&mut stream).await;
}

/// Why the serving loop ended.
enum End {
    /// The peer went away or the connection failed: just close.
    Gone,
    /// The server closes: drain what the peer still sends, then close.
    Close,
}

/// Runs `fut` until `deadline`: `None` when the deadline came first, else
/// its output and whether it had to wait. The future is polled once before
/// a timer is armed, so work that completes at once (a write the kernel
/// takes whole) costs no timer.
async fn within<F: Future>(deadline: Instant, fut: F) -> Option<(F::Output, bool)> {
    let mut fut = pin!(fut);
    if let Poll::Ready(out) = poll_fn(|cx| Poll::Ready(fut.as_mut().poll(cx))).await {
        return Some((out, false));
    }
    match race(fut, actor_core::time::sleep_until(deadline)).await {
        Either::Left(out) => Some((out, true)),
        Either::Right(()) => None,
    }
}

/// A connection's deadline, its timer armed lazily: the shard's timer wheel
/// sees a new timer only when the deadline moves earlier than the armed one,
/// or when the armed one fires before the deadline (it moved later since),
/// rather than once per request.
#[derive(Default)]
struct LazyDeadline {
    armed: Option<actor_core::time::Sleep>,
}

impl LazyDeadline {
    /// Resolves once `deadline` has passed. Dropping the future keeps the
    /// armed timer for the next call.
    async fn until(&mut self, deadline: Instant) {
        loop {
            if self.armed.as_ref().is_none_or(|t| t.deadline() > deadline) {
                self.armed = Some(actor_core::time::sleep_until(deadline));
            }
            if let Some(timer) = self.armed.as_mut() {
                timer.await;
            }
            self.armed = None;
            if Instant::now() >= deadline {
                return;
            }
        }
    }
}

/// The serving loop over any transport.
async fn serve(mut io: Stream, settings: &Settings, stop: &StopSignal) {
    let mut decoder = RequestDecoder::new(settings.limits);
    let mut input: Option<ReadBuf> = None;
    // When the first byte of the request not yet complete arrived.
    let mut started: Option<Instant> = None;
    // Whether to read before waiting for readiness, where the read never
    // waits (epoll): at first and after every batch (a loaded server
    // usually finds the next request there); after a `WouldBlock`, wait.
    let mut read_first = io.eager_read();
    // When the connection last had input (its idle timeout runs from there).
    let mut active = Instant::now();
    let mut timer = LazyDeadline::default();
    let end = loop {
        if !read_first {
            let deadline = match started {
                Some(t) => t + settings.header_timeout,
                None => active + settings.idle_timeout,
            };
            let waited = race(race(io.readable(), timer.until(deadline)), stop.wait());
            match waited.await {
                Either::Left(Either::Left(Ok(()))) => {}
                Either::Left(Either::Left(Err(_))) | Either::Right(()) => break End::Gone,
                Either::Left(Either::Right(())) => {
                    bump(Event::Timeout);
                    let mut out = pool::take_large();
                    let response = plain(StatusCode::REQUEST_TIMEOUT, "request timeout\n");
                    if response
                        .encode(ResponseContext::closing(), &mut out)
                        .is_ok()
                    {
                        bump_status(408);
                        let _ = timeout(settings.idle_timeout, io.write_all(out)).await;
                    }
                    break End::Close;
                }
            }
        }
        let received = input.get_or_insert_with(take_read_buf);
        match io.read_now_into(received).await {
            Ok(n) if n > 0 => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                if received.is_empty()
                    && let Some(buf) = input.take()
                {
                    give_read_buf(buf);
                }
                read_first = false;
                continue;
            }
            // The end of the stream, or a failed connection.
            _ => break End::Gone,
        }
        read_first = io.eager_read();
        let now = Instant::now();
        active = now;
        started.get_or_insert(now);

        let mut out = pool::take_large();
        let outcome = answer(received, &mut decoder, settings, &mut out).await;
        let consumed = received.is_empty();
        if consumed && let Some(buf) = input.take() {
            give_read_buf(buf);
        }
        if !out.is_empty() {
            match within(now + settings.idle_timeout, io.write_all(out)).await {
                Some(((Ok(()), out), waited)) => {
                    pool::give(out);
                    if waited {
                        // A slow reader: idle time starts once it took all.
                        active = Instant::now();
                    }
                }
                _ => break End::Gone,
            }
        } else {
            pool::give(out);
        }
        if outcome.close {
            break End::Close;
        }
        if consumed && decoder.is_idle() {
            started = None;
        } else if outcome.requests > 0 {
            // The rest of the buffer is the start of the next request.
            started = Some(now);
        }
    };
    if let Some(buf) = input.take() {
        give_read_buf(buf);
    }
    if let End::Close = end {
        linger(&mut io).await;
    }
}

/// Half-closes, then reads and drops what the peer still sends until it
/// closes too, for a bounded time and amount.
async fn linger(io: &mut Stream) {
    let _ = io.close().await;
    let deadline = Instant::now() + LINGER;
    let mut drained = 0;
    while drained < LINGER_BYTES {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || !matches!(timeout(left, io.readable()).await, Ok(Ok(()))) {
            return;
        }
        let (res, buf) = io.read_now(pool::take_large()).await;
        pool::give(buf);
        match res {
            Ok(0) => return,
            Ok(n) => drained += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(_) => return,
        }
    }
}
