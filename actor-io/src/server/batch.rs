//! One turn of a connection: every request in the receive buffer decoded,
//! dispatched, and answered in order into one output buffer.

use std::future::poll_fn;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::task::Poll;

use super::counters::{Event, bump, bump_status};
use super::routes::{Handler, ResponseFuture, plain};
use super::settings::Settings;
use crate::codec::{Decoder, ReadBuf};
use crate::http::{
    CONTINUE, HttpError, Incoming, Request, RequestDecoder, Response, ResponseContext,
    ResponseWriter, Route, StatusCode,
};

/// What a turn produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Outcome {
    /// Complete requests answered.
    pub(crate) requests: usize,
    /// Close the connection once the output is written.
    pub(crate) close: bool,
}

/// A place in the output, in request order.
enum Slot {
    /// Bytes to write as they are (`100 Continue`).
    Raw(&'static [u8]),
    /// A response a direct handler wrote while an earlier one was pending.
    Written(Vec<u8>),
    /// A response to encode.
    Ready(Response, ResponseContext),
    /// A handler's future still running.
    Pending(ResponseFuture, ResponseContext),
}

/// Decodes every complete request in `input`, runs their handlers (futures
/// concurrently), and encodes the answers, in request order, into `out`.
/// Stops at a request after which the connection closes, or at a parse
/// error (answered with its status).
pub(crate) async fn answer(
    input: &mut ReadBuf,
    decoder: &mut RequestDecoder,
    settings: &Settings,
    out: &mut Vec<u8>,
) -> Outcome {
    // Answers are encoded at once while no handler before them is still
    // running; from the first future on they wait in `slots`, in order.
    let mut slots: Vec<Slot> = Vec::new();
    let mut outcome = Outcome {
        requests: 0,
        close: false,
    };
    loop {
        let slot = match decoder.decode(input) {
            Ok(None) => break,
            Ok(Some(Incoming::Continue)) => Some(Slot::Raw(CONTINUE)),
            Ok(Some(Incoming::Request(request))) => {
                bump(Event::Request);
                outcome.requests += 1;
                let ctx = decoder.context_for(&request);
                outcome.close |= !ctx.keep_alive;
                if slots.is_empty() {
                    dispatch(request, ctx, settings, decoder, out)
                } else {
                    // Behind a pending answer: a direct handler writes aside.
                    let mut aside = Vec::new();
                    match dispatch(request, ctx, settings, decoder, &mut aside) {
                        Some(slot) => Some(slot),
                        None => Some(Slot::Written(aside)),
                    }
                }
            }
            Err(e) => {
                outcome.close = true;
                Some(refuse(&e))
            }
        };
        match slot {
            // Written straight into `out`.
            None => {}
            Some(slot) if slots.is_empty() => match slot {
                Slot::Raw(bytes) => out.extend_from_slice(bytes),
                Slot::Written(bytes) => out.extend_from_slice(&bytes),
                Slot::Ready(response, ctx) => encode(&response, ctx, out),
                pending @ Slot::Pending(..) => slots.push(pending),
            },
            Some(slot) => slots.push(slot),
        }
        if outcome.close {
            break;
        }
    }
    if slots.iter().any(|s| matches!(s, Slot::Pending(..))) {
        let all = poll_fn(|cx| {
            let mut waiting = false;
            for slot in slots.iter_mut() {
                if let Slot::Pending(fut, ctx) = slot {
                    match fut.as_mut().poll(cx) {
                        Poll::Ready(response) => *slot = Slot::Ready(response, *ctx),
                        Poll::Pending => waiting = true,
                    }
                }
            }
            if waiting {
                Poll::Pending
            } else {
                Poll::Ready(())
            }
        });
        // Handlers that overrun the deadline are dropped (an ask is
        // abandoned) and answered with 503.
        let _ = actor_core::time::timeout(settings.handler_timeout, all).await;
    }
    for slot in slots {
        match slot {
            Slot::Raw(bytes) => out.extend_from_slice(bytes),
            Slot::Written(bytes) => out.extend_from_slice(&bytes),
            Slot::Ready(response, ctx) => encode(&response, ctx, out),
            Slot::Pending(_, ctx) => encode(
                &plain(StatusCode::SERVICE_UNAVAILABLE, "handler timed out\n"),
                ctx,
                out,
            ),
        }
    }
    outcome
}

/// The answer to a request that failed to parse; the connection closes.
fn refuse(e: &HttpError) -> Slot {
    bump(Event::BadRequest);
    let ctx = if e.must_close() {
        ResponseContext::closing()
    } else {
        ResponseContext::default()
    };
    Slot::Ready(Response::for_error(e), ctx)
}

/// Routes `request` to its handler; a request a handler only borrowed goes
/// back to `decoder` for reuse. `None` when a direct handler wrote its
/// answer into `out`.
fn dispatch(
    request: Request,
    ctx: ResponseContext,
    settings: &Settings,
    decoder: &mut RequestDecoder,
    out: &mut Vec<u8>,
) -> Option<Slot> {
    let slot = match settings
        .routes
        .find(request.method.as_str(), request.path())
    {
        Route::Found(Handler::Direct(f)) => {
            let start = out.len();
            let written = catch_unwind(AssertUnwindSafe(|| {
                f(&request, ResponseWriter::new(out, ctx))
            }));
            match written {
                // A `Written` from some other writer leaves `out` as it was.
                Ok(written) if out.len() > start => {
                    bump_status(written.status().as_u16());
                    decoder.recycle(request);
                    return None;
                }
                Ok(_) => Slot::Ready(
                    plain(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "handler wrote no response\n",
                    ),
                    ctx,
                ),
                Err(_) => {
                    out.truncate(start);
                    Slot::Ready(
                        plain(StatusCode::INTERNAL_SERVER_ERROR, "handler panicked\n"),
                        ctx,
                    )
                }
            }
        }
        Route::Found(Handler::Sync(f)) => {
            // A panicking handler costs its request a 500, not the connection.
            let response = catch_unwind(AssertUnwindSafe(|| f(&request)))
                .unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, "handler panicked\n"));
            Slot::Ready(response, ctx)
        }
        Route::Found(Handler::Async(f)) => {
            return Some(match catch_unwind(AssertUnwindSafe(move || f(request))) {
                Ok(fut) => Slot::Pending(fut, ctx),
                Err(_) => Slot::Ready(
                    plain(StatusCode::INTERNAL_SERVER_ERROR, "handler panicked\n"),
                    ctx,
                ),
            });
        }
        Route::MethodNotAllowed(methods) => {
            let allow = methods.join(", ");
            Slot::Ready(
                plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n")
                    .with_header("Allow", allow),
                ctx,
            )
        }
        Route::NotFound => Slot::Ready(plain(StatusCode::NOT_FOUND, "not found\n"), ctx),
    };
    decoder.recycle(request);
    Some(slot)
}

/// Encodes `response`; one the encoder refuses (a header holding CR or LF,
/// say) becomes a 500.
fn encode(response: &Response, ctx: ResponseContext, out: &mut Vec<u8>) {
    let status = if response.encode(ctx, out).is_ok() {
        response.status.as_u16()
    } else {
        let fallback = plain(StatusCode::INTERNAL_SERVER_ERROR, "invalid response\n");
        // A fixed, valid response always encodes.
        let _ = fallback.encode(ctx, out);
        500
    };
    bump_status(status);
}
