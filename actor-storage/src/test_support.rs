//! Helpers for the crate's unit tests.

/// Polls a future whose every step completes at once: off any runtime the
/// file layer runs its syscalls inline.
pub(crate) fn poll_plain<F: std::future::Future>(fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
    }
}
