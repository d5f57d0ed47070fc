//! The [`Sleep`] and [`Timeout`] futures.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crate::shard::local;
use crate::shard::shared::{Remote, ShardShared};
use crate::time::wheel::TimerKey;

enum Registration {
    None,
    Local(TimerKey),
    Remote,
}

/// Completes at or after its deadline. Made by [`sleep`] and [`sleep_until`].
#[must_use = "futures do nothing unless awaited"]
pub struct Sleep {
    deadline: Instant,
    fallback: Option<Arc<ShardShared>>,
    registration: Registration,
}

impl std::fmt::Debug for Sleep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline)
            .finish()
    }
}

/// Sleeps for `duration`.
pub fn sleep(duration: Duration) -> Sleep {
    sleep_until(Instant::now() + duration)
}

/// Sleeps until `deadline`.
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        deadline,
        fallback: None,
        registration: Registration::None,
    }
}

/// A sleep that, off a shard, uses `shard`'s wheel.
pub(crate) fn sleep_via(deadline: Instant, shard: Arc<ShardShared>) -> Sleep {
    Sleep {
        deadline,
        fallback: Some(shard),
        registration: Registration::None,
    }
}

impl Sleep {
    /// The deadline.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.deadline {
            if let Registration::Local(key) = self.registration {
                local::with_current(|l| {
                    if let Some(l) = l {
                        l.wheel.borrow_mut().cancel(key);
                    }
                });
            }
            self.registration = Registration::None;
            return Poll::Ready(());
        }
        let this = &mut *self;
        match this.registration {
            Registration::Local(key) => {
                let live = local::with_current(|l| {
                    l.is_some_and(|l| l.wheel.borrow_mut().update_waker(key, cx.waker()))
                });
                if !live {
                    this.registration = Registration::None;
                    cx.waker().wake_by_ref();
                }
            }
            Registration::Remote => {}
            Registration::None => {
                let deadline = this.deadline;
                let placed = local::with_current(|l| {
                    l.map(|l| l.wheel.borrow_mut().insert(deadline, cx.waker().clone()))
                });
                this.registration = match placed {
                    Some(key) => Registration::Local(key),
                    None if crate::shard::block_on::register_thread_timer(deadline, cx.waker()) => {
                        Registration::Remote
                    }
                    None => {
                        let shard = this
                            .fallback
                            .clone()
                            .or_else(crate::shard::block_on::current_fallback_shard);
                        let refused = match shard {
                            Some(shard) => shard
                                .push_remote(Remote::Timer(deadline, cx.waker().clone()))
                                .is_err(),
                            None => true,
                        };
                        if refused {
                            let waker = cx.waker().clone();
                            std::thread::spawn(move || {
                                let now = Instant::now();
                                std::thread::sleep(deadline.saturating_duration_since(now));
                                waker.wake();
                            });
                        }
                        Registration::Remote
                    }
                };
            }
        }
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Registration::Local(key) = self.registration {
            local::with_current(|l| {
                if let Some(l) = l
                    && let Ok(mut wheel) = l.wheel.try_borrow_mut()
                {
                    wheel.cancel(key);
                }
            });
        }
    }
}

/// The deadline passed before the future finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("deadline elapsed")]
pub struct Elapsed;

/// Runs a future with a deadline. Made by [`timeout`].
#[must_use = "futures do nothing unless awaited"]
#[derive(Debug)]
pub struct Timeout<F> {
    future: Pin<Box<F>>,
    sleep: Sleep,
}

/// Resolves to `Ok(output)` if `future` finishes within `duration`, else
/// `Err(Elapsed)` (and `future` is dropped).
pub fn timeout<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    Timeout {
        future: Box::pin(future),
        sleep: sleep(duration),
    }
}

impl<F> Timeout<F> {
    pub(crate) fn with_sleep(future: F, sleep: Sleep) -> Self {
        Timeout {
            future: Box::pin(future),
            sleep,
        }
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Poll::Ready(v) = self.future.as_mut().poll(cx) {
            return Poll::Ready(Ok(v));
        }
        match Pin::new(&mut self.sleep).poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(Elapsed)),
            Poll::Pending => Poll::Pending,
        }
    }
}
