//! Waiting for an fd to become readable or writable.

use std::future::Future;
use std::io;
use std::marker::PhantomData;
use std::os::fd::RawFd;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use io_uring::{opcode, types};

use super::completion::{Completion, submit};
use super::with_reactor;
use crate::reactor::Reactor;
use crate::reactor::epoll::{READABLE, WRITABLE};

/// A direction of readiness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Readable, or closed/failed (a read would not block).
    Read,
    /// Writable, or closed/failed (a write would not block).
    Write,
}

impl Direction {
    fn bit(self) -> u8 {
        match self {
            Direction::Read => READABLE,
            Direction::Write => WRITABLE,
        }
    }

    fn poll_mask(self) -> u32 {
        match self {
            Direction::Read => libc::POLLIN as u32,
            Direction::Write => libc::POLLOUT as u32,
        }
    }
}

/// An fd's readiness source on the calling shard.
///
/// Under epoll the fd is registered (edge-triggered, both directions) for
/// the registration's life; under io_uring each wait is a one-shot
/// `POLL_ADD` on the ring. The fd must stay open until the registration is
/// dropped: drop the registration first, then close the fd. The fd should
/// be non-blocking for syscalls made after a wait.
#[derive(Debug)]
pub struct Registration {
    fd: RawFd,
    /// The epoll key; `None` under io_uring.
    key: Option<usize>,
    _not_send: PhantomData<Rc<()>>,
}

impl Registration {
    /// Registers `fd` with the calling shard's reactor.
    ///
    /// Fails with an `io::Error` wrapping [`NotOnShard`](super::NotOnShard) off a shard, or
    /// with epoll's error.
    pub fn new(fd: RawFd) -> io::Result<Self> {
        let key = with_reactor(|_, reactor| match reactor {
            Reactor::Epoll(d) => d.register(fd).map(Some),
            Reactor::Uring(_) => Ok(None),
        })??;
        Ok(Registration {
            fd,
            key,
            _not_send: PhantomData,
        })
    }

    /// The registered fd.
    pub fn fd(&self) -> RawFd {
        self.fd
    }

    /// Waits until the fd is ready in `direction`. Under epoll this returns
    /// at once while the direction's readiness is still set (it is cleared
    /// by [`clear_ready`](Self::clear_ready)).
    pub fn ready(&self, direction: Direction) -> Ready<'_> {
        Ready {
            registration: self,
            direction,
            poll: None,
        }
    }

    /// Forgets `direction`'s readiness: call it when a syscall answered
    /// `WouldBlock`, before waiting again. A no-op under io_uring.
    pub fn clear_ready(&self, direction: Direction) {
        if let Some(key) = self.key {
            let _ = with_reactor(|_, reactor| {
                if let Reactor::Epoll(d) = reactor {
                    d.clear_ready(key, direction.bit());
                }
            });
        }
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        if let Some(key) = self.key {
            let wakers = with_reactor(|_, reactor| match reactor {
                Reactor::Epoll(d) => d.deregister(key, self.fd),
                Reactor::Uring(_) => None,
            });
            drop(wakers);
        }
    }
}

/// The future of [`Registration::ready`].
#[must_use = "futures do nothing unless awaited"]
pub struct Ready<'a> {
    registration: &'a Registration,
    direction: Direction,
    poll: Option<Completion<()>>,
}

impl std::fmt::Debug for Ready<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ready")
            .field("fd", &self.registration.fd)
            .field("direction", &self.direction)
            .finish()
    }
}

impl Future for Ready<'_> {
    type Output = io::Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Some(key) = this.registration.key {
            let bit = this.direction.bit();
            return match with_reactor(|_, reactor| match reactor {
                Reactor::Epoll(d) => d.poll_ready(key, bit, cx.waker()),
                Reactor::Uring(_) => Poll::Ready(Err(io::Error::other("driver changed"))),
            }) {
                Ok(p) => p,
                Err(e) => Poll::Ready(Err(e.into())),
            };
        }
        if this.poll.is_none() {
            let sqe =
                opcode::PollAdd::new(types::Fd(this.registration.fd), this.direction.poll_mask())
                    .build();
            // SAFETY: POLL_ADD points at no memory; the fd stays open while
            // the registration lives, which outlives this future, and a
            // dropped future cancels the poll.
            match unsafe { submit(sqe, (), None) } {
                Ok(c) => this.poll = Some(c),
                Err(e) => return Poll::Ready(Err(e.error)),
            }
        }
        let completion = this.poll.as_mut().expect("just set");
        match Pin::new(completion).poll(cx) {
            Poll::Ready((res, ())) => {
                this.poll = None;
                if res < 0 {
                    Poll::Ready(Err(io::Error::from_raw_os_error(-res)))
                } else {
                    Poll::Ready(Ok(()))
                }
            }
            Poll::Pending => Poll::Pending,
        }
    }
}
