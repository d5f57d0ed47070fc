//! io_uring operations with owned resources.

use std::any::Any;
use std::future::Future;
use std::io;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use io_uring::squeue;

use super::{NotOnShard, with_reactor};
use crate::reactor::ops::Taken;
use crate::reactor::{Reactor, Reaped};

/// Called, on the shard, with the result of a completion whose
/// [`Completion`] was dropped first. An operation that yields an fd (accept,
/// say) passes a hook that closes a non-negative result; the resources are
/// dropped right after the hook.
pub type OrphanHook = fn(i32);

/// [`submit`] failed; the resources come back.
#[derive(Debug)]
pub struct SubmitError<T> {
    /// Why: an `io::Error` wrapping [`NotOnShard`] off a shard, one of kind
    /// `Unsupported` on a shard that runs epoll, or the kernel's error.
    pub error: io::Error,
    /// The resources handed to `submit`, untouched.
    pub resources: T,
}

impl<T> std::fmt::Display for SubmitError<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "io_uring submission failed: {}", self.error)
    }
}

impl<T: std::fmt::Debug> std::error::Error for SubmitError<T> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// Queues `sqe` on the calling shard's ring. The driver keeps `resources`
/// alive until the kernel completes the operation, and the returned future
/// yields the completion's result (a non-negative value or `-errno`) with
/// the resources. The entry's `user_data` is overwritten.
///
/// Only entries that complete exactly once on their own are taken: linked
/// entries, `IOSQE_CQE_SKIP_SUCCESS`, multishot forms and zero-copy sends
/// are refused with an `InvalidInput` error (see the rules in
/// `entry_rules`), and the resources come back.
///
/// # Safety
///
/// Every pointer in `sqe` must point into heap memory owned by `resources`
/// that does not move when `resources` moves (a `Vec`'s or `Box`'s
/// contents), or into memory that outlives the shard. Any fd it names must
/// stay open until the completion arrives, which is simplest when
/// `resources` holds a shared owner of it.
pub unsafe fn submit<T: 'static>(
    sqe: squeue::Entry,
    resources: T,
    on_orphan: Option<OrphanHook>,
) -> Result<Completion<T>, SubmitError<T>> {
    if let Err(error) = super::entry_rules::check(&sqe) {
        return Err(SubmitError { error, resources });
    }
    let mut held: Option<Box<dyn Any>> = Some(Box::new(resources));
    let outcome = with_reactor(|_, reactor| {
        let boxed = held.take().expect("taken once");
        match reactor {
            // SAFETY: the caller upholds `submit_op`'s contract (see above).
            Reactor::Uring(d) => unsafe { d.submit_op(sqe, boxed, on_orphan) },
            Reactor::Epoll(_) => Err((
                io::Error::new(io::ErrorKind::Unsupported, "this shard runs epoll"),
                boxed,
            )),
        }
    });
    match outcome {
        Ok(Ok(key)) => Ok(Completion {
            key,
            done: false,
            _marker: PhantomData,
        }),
        Ok(Err((error, boxed))) => Err(SubmitError {
            error,
            resources: unbox(boxed),
        }),
        Err(NotOnShard) => Err(SubmitError {
            error: NotOnShard.into(),
            resources: unbox(held.take().expect("the closure did not run")),
        }),
    }
}

/// The two operations of a chain queued by [`submit_linked`].
pub type Linked<A, B> = (Completion<A>, Completion<B>);

/// Queues `first` and then `second` on the calling shard's ring as one
/// chain: `second` starts only once `first` has completed whole (a write
/// followed by `fdatasync`, say), and completes with `-ECANCELED` when
/// `first` fails or comes up short. Both go to the kernel in the same
/// entry. Each entry has its own resources and its own [`Completion`];
/// dropping the first cancels the chain.
///
/// The entries are checked as [`submit`] checks one; the driver sets the
/// link flag itself.
///
/// # Safety
///
/// As [`submit`], for each entry and its resources.
pub unsafe fn submit_linked<A: 'static, B: 'static>(
    first: squeue::Entry,
    first_resources: A,
    second: squeue::Entry,
    second_resources: B,
) -> Result<Linked<A, B>, SubmitError<(A, B)>> {
    let checked =
        super::entry_rules::check(&first).and_then(|()| super::entry_rules::check(&second));
    if let Err(error) = checked {
        return Err(SubmitError {
            error,
            resources: (first_resources, second_resources),
        });
    }
    let mut held: Option<(Box<dyn Any>, Box<dyn Any>)> =
        Some((Box::new(first_resources), Box::new(second_resources)));
    let outcome = with_reactor(|_, reactor| {
        let (a, b) = held.take().expect("taken once");
        match reactor {
            // SAFETY: the caller upholds `submit_linked`'s contract (see above).
            Reactor::Uring(d) => unsafe { d.submit_linked((first, a), (second, b)) },
            Reactor::Epoll(_) => Err((
                io::Error::new(io::ErrorKind::Unsupported, "this shard runs epoll"),
                a,
                b,
            )),
        }
    });
    match outcome {
        Ok(Ok((k1, k2))) => Ok((Completion::new(k1), Completion::new(k2))),
        Ok(Err((error, a, b))) => Err(SubmitError {
            error,
            resources: (unbox(a), unbox(b)),
        }),
        Err(NotOnShard) => {
            let (a, b) = held.take().expect("the closure did not run");
            Err(SubmitError {
                error: NotOnShard.into(),
                resources: (unbox(a), unbox(b)),
            })
        }
    }
}

fn unbox<T: 'static>(boxed: Box<dyn Any>) -> T {
    *boxed
        .downcast::<T>()
        .expect("the driver hands back the resources it was given")
}

/// Yields `T`, is `Unpin` whatever `T` is, and is `!Send`.
type Marker<T> = PhantomData<(fn() -> T, Rc<()>)>;

/// An io_uring operation in flight: resolves to `(result, resources)`, where
/// `result` is the completion's `res` (non-negative on success, `-errno` on
/// failure). Dropping it first cancels the operation; see the module docs.
#[must_use = "dropping a Completion cancels the operation"]
pub struct Completion<T: 'static> {
    key: u64,
    done: bool,
    _marker: Marker<T>,
}

impl<T: 'static> std::fmt::Debug for Completion<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Completion")
            .field("key", &self.key)
            .field("done", &self.done)
            .finish()
    }
}

impl<T: 'static> Completion<T> {
    fn new(key: u64) -> Self {
        Completion {
            key,
            done: false,
            _marker: PhantomData,
        }
    }
}

impl<T: 'static> Future for Completion<T> {
    type Output = (i32, T);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<(i32, T)> {
        let this = self.get_mut();
        assert!(!this.done, "Completion polled after it finished");
        let taken = with_reactor(|_, reactor| match reactor {
            Reactor::Uring(d) => d.poll_op(this.key, cx.waker()),
            Reactor::Epoll(_) => Taken::Gone,
        });
        match taken {
            Ok(Taken::Ready(result, resources)) => {
                this.done = true;
                Poll::Ready((result, unbox(resources)))
            }
            Ok(Taken::Pending) => Poll::Pending,
            Ok(Taken::Gone) | Err(NotOnShard) => {
                panic!("Completion polled off the shard that submitted it")
            }
        }
    }
}

impl<T: 'static> Drop for Completion<T> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let mut reaped = Reaped::default();
        let _ = with_reactor(|_, reactor| {
            if let Reactor::Uring(d) = reactor {
                d.drop_op(self.key, &mut reaped);
            }
        });
        reaped.finish();
    }
}
