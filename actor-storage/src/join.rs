//! Awaiting many futures at once on one task, so their I/O is in flight
//! together (on io_uring, submitted in one kernel entry).

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::Poll;

/// Runs every future to completion, polling them together; the outputs
/// come back in order.
pub(crate) async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut running: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = running.iter().map(|_| None).collect();
    poll_fn(|cx| {
        let mut pending = false;
        for (fut, out) in running.iter_mut().zip(outputs.iter_mut()) {
            if out.is_none() {
                match fut.as_mut().poll(cx) {
                    Poll::Ready(v) => *out = Some(v),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    outputs
        .into_iter()
        .map(|o| o.expect("every future finished"))
        .collect()
}

/// Operations a partition keeps in flight at once when it has many to do
/// (a scan's or a `get_many`'s file reads, a compaction chunk's).
pub(crate) const WAVE: usize = 64;

/// Runs `futures` [`WAVE`] at a time, each wave polled together; the
/// outputs come back in order.
pub(crate) async fn join_in_waves<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut outputs = Vec::with_capacity(futures.len());
    let mut rest = futures.into_iter();
    loop {
        let wave: Vec<F> = rest.by_ref().take(WAVE).collect();
        if wave.is_empty() {
            return outputs;
        }
        outputs.extend(join_all(wave).await);
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::future::Future;
    use std::task::{Context, Poll, Waker};

    use super::{WAVE, join_in_waves};

    /// Pending once (waking itself), then ready.
    async fn yield_once() {
        let mut yielded = false;
        std::future::poll_fn(|cx| {
            if yielded {
                return Poll::Ready(());
            }
            yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        })
        .await;
    }

    #[test]
    fn waves_keep_order_and_bound_what_is_in_flight() {
        let (running, most) = (Cell::new(0usize), Cell::new(0usize));
        let futures: Vec<_> = (0..3 * WAVE + 5)
            .map(|i| {
                let (running, most) = (&running, &most);
                async move {
                    running.set(running.get() + 1);
                    most.set(most.get().max(running.get()));
                    yield_once().await;
                    running.set(running.get() - 1);
                    i
                }
            })
            .collect();
        let mut all = std::pin::pin!(join_in_waves(futures));
        let mut cx = Context::from_waker(Waker::noop());
        let out = loop {
            if let Poll::Ready(out) = all.as_mut().poll(&mut cx) {
                break out;
            }
        };
        assert_eq!(out, (0..3 * WAVE + 5).collect::<Vec<_>>());
        assert_eq!(most.get(), WAVE);
    }
}
