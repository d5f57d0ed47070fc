//! Bounded waiting: every blocking call of the campaign goes through one of
//! these, so a hang becomes a reported violation instead of a stuck test.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::mpsc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, JoinHandle, Thread};
use std::time::{Duration, Instant};

/// Unparks the thread that polls the future.
struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls `fut` on this plain thread until it is ready or `deadline` passes
/// (`None`, and the future is dropped). Uses no runtime, so it cannot itself
/// hang on a runtime that stopped serving.
pub fn block_on_until<F: Future>(fut: F, deadline: Instant) -> Option<F::Output> {
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut fut = pin!(fut);
    loop {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return Some(out);
        }
        let now = Instant::now();
        if now >= deadline {
            return None;
        }
        thread::park_timeout(deadline - now);
    }
}

/// Runs `f` on a new thread and waits at most `limit` for its result.
/// `None` on timeout: the thread is left behind (it is reported as a
/// violation by the caller, never joined).
pub fn on_thread<T: Send + 'static>(
    name: &str,
    limit: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    let (tx, rx) = mpsc::channel();
    let handle = thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            let _ = tx.send(f());
        })
        .expect("spawn a helper thread");
    match rx.recv_timeout(limit) {
        Ok(v) => {
            let _ = handle.join();
            Some(v)
        }
        Err(_) => None,
    }
}

/// Joins `handle` if it finishes by `deadline` (with the thread's own
/// result, `Err` if it panicked); hands the handle back otherwise.
pub fn join_until<T>(
    handle: JoinHandle<T>,
    deadline: Instant,
) -> Result<thread::Result<T>, JoinHandle<T>> {
    while !handle.is_finished() {
        if Instant::now() >= deadline {
            return Err(handle);
        }
        thread::sleep(Duration::from_millis(1));
    }
    Ok(handle.join())
}

/// Entries in a `/proc/self` directory (`task` for threads, `fd` for file
/// descriptors); `None` where `/proc` is not available.
pub fn proc_count(dir: &str) -> Option<usize> {
    std::fs::read_dir(format!("/proc/self/{dir}"))
        .ok()
        .map(Iterator::count)
}

/// Keeps quiet the panics whose message starts with `mark` (the ones the
/// tests inject), and prints every other one as usual. Installed once per
/// test binary.
pub fn quiet_panics_marked(mark: &'static str) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let text = info
                .payload()
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| info.payload().downcast_ref::<&str>().copied())
                .unwrap_or("");
            if !text.starts_with(mark) {
                default(info);
            }
        }));
    });
}
