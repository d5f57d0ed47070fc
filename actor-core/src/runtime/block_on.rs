//! Running futures to completion on the calling thread by parking it.

use std::cell::RefCell;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::Thread;
use std::time::Instant;

use crate::shard::shared::ShardShared;

thread_local! {
    /// The shard whose wheel serves timers inside `Runtime::block_on`.
    static FALLBACK_SHARD: RefCell<Option<Arc<ShardShared>>> = const { RefCell::new(None) };
}

thread_local! {
    /// The runtime whose `block_on` runs on this thread.
    static BLOCK_ON_RUNTIME: RefCell<Option<crate::Handle>> = const { RefCell::new(None) };
}

/// The handle of the runtime whose `block_on` runs on this thread.
pub(crate) fn current_handle() -> Option<crate::Handle> {
    BLOCK_ON_RUNTIME.with(|h| h.borrow().clone())
}

/// Makes `handle` current for the duration of `f`.
pub(crate) fn with_handle<R>(handle: crate::Handle, f: impl FnOnce() -> R) -> R {
    let prev = BLOCK_ON_RUNTIME.with(|h| h.borrow_mut().replace(handle));
    let out = f();
    BLOCK_ON_RUNTIME.with(|h| *h.borrow_mut() = prev);
    out
}

/// The timer shard of the `block_on` running on this thread, if any.
pub(crate) fn current_fallback_shard() -> Option<Arc<ShardShared>> {
    FALLBACK_SHARD.with(|s| s.borrow().clone())
}

/// Sets the timer shard for the duration of `f`.
pub(crate) fn with_fallback_shard<R>(shard: Arc<ShardShared>, f: impl FnOnce() -> R) -> R {
    let prev = FALLBACK_SHARD.with(|s| s.borrow_mut().replace(shard));
    let out = f();
    FALLBACK_SHARD.with(|s| *s.borrow_mut() = prev);
    out
}

struct ThreadWaker(Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls `fut` on this thread, parking between polls.
pub(crate) fn block_on_thread<F: Future>(fut: F) -> F::Output {
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut fut = pin!(fut);
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::park();
    }
}

/// Like [`block_on_thread`], giving up (and dropping `fut`) at `deadline`.
pub(crate) fn block_on_thread_until<F: Future>(fut: F, deadline: Instant) -> Option<F::Output> {
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut fut = pin!(fut);
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return Some(v);
        }
        let now = Instant::now();
        if now >= deadline {
            return None;
        }
        std::thread::park_timeout(deadline - now);
    }
}
