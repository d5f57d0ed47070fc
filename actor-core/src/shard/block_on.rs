//! Running futures to completion on the calling thread by parking it
//! (`Runtime::block_on`, the `_blocking` calls of plain threads), with its
//! own list of sleeps and, inside `Runtime::block_on`, a shard whose wheel
//! serves other timers.

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

/// The timer shard of the `block_on` running on this thread, if any.
pub(crate) fn current_fallback_shard() -> Option<Arc<ShardShared>> {
    FALLBACK_SHARD.with(|s| s.borrow().clone())
}

/// Sets the timer shard for the duration of `f` (restored on unwind too).
pub(crate) fn with_fallback_shard<R>(shard: Arc<ShardShared>, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Arc<ShardShared>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let prev = self.0.take();
            FALLBACK_SHARD.with(|s| *s.borrow_mut() = prev);
        }
    }
    let _restore = Restore(FALLBACK_SHARD.with(|s| s.borrow_mut().replace(shard)));
    f()
}

thread_local! {
    /// Sleeps polled by the `block_on` running on this thread: it parks no
    /// longer than the earliest deadline and wakes them itself, so a timeout
    /// awaited from a plain thread never waits on a shard (which may be the
    /// very one that is blocked). `None` outside `block_on`.
    static THREAD_TIMERS: RefCell<Option<Vec<(Instant, Waker)>>> = const { RefCell::new(None) };
}

/// Hands a sleep's deadline to the `block_on` running on this thread;
/// `false` when none runs here.
pub(crate) fn register_thread_timer(deadline: Instant, waker: &Waker) -> bool {
    THREAD_TIMERS.with(|t| match t.borrow_mut().as_mut() {
        Some(timers) => {
            timers.push((deadline, waker.clone()));
            true
        }
        None => false,
    })
}

/// Wakes the sleeps due by `now`. Returns whether any was, and the earliest
/// deadline still ahead.
fn fire_thread_timers(now: Instant) -> (bool, Option<Instant>) {
    let mut due = Vec::new();
    let next = THREAD_TIMERS.with(|t| {
        let mut t = t.borrow_mut();
        let timers = t.as_mut()?;
        timers.retain(|(deadline, waker)| {
            let keep = *deadline > now;
            if !keep {
                due.push(waker.clone());
            }
            keep
        });
        timers.iter().map(|(d, _)| *d).min()
    });
    let fired = !due.is_empty();
    // Woken outside the borrow: a waker may poll and register anew.
    due.into_iter().for_each(Waker::wake);
    (fired, next)
}

/// Gives this thread a fresh timer list for one `block_on`, and puts the
/// previous one back when dropped (also on a panic).
struct ThreadTimers(Option<Vec<(Instant, Waker)>>);

impl ThreadTimers {
    fn install() -> Self {
        ThreadTimers(THREAD_TIMERS.with(|t| t.borrow_mut().replace(Vec::new())))
    }
}

impl Drop for ThreadTimers {
    fn drop(&mut self) {
        let prev = self.0.take();
        THREAD_TIMERS.with(|t| *t.borrow_mut() = prev);
    }
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
    run_on_thread(fut, None).expect("without a deadline it returns only when ready")
}

/// Like [`block_on_thread`], giving up (and dropping `fut`) at `deadline`.
pub(crate) fn block_on_thread_until<F: Future>(fut: F, deadline: Instant) -> Option<F::Output> {
    run_on_thread(fut, Some(deadline))
}

fn run_on_thread<F: Future>(fut: F, until: Option<Instant>) -> Option<F::Output> {
    let _timers = ThreadTimers::install();
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut fut = pin!(fut);
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return Some(v);
        }
        let now = Instant::now();
        if until.is_some_and(|u| now >= u) {
            return None;
        }
        let (fired, next) = fire_thread_timers(now);
        if fired {
            continue;
        }
        match next.into_iter().chain(until).min() {
            Some(wake_at) => std::thread::park_timeout(wake_at.saturating_duration_since(now)),
            None => std::thread::park(),
        }
    }
}
