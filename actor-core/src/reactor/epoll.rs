//! The epoll driver, through mio: the fallback when io_uring is refused, and
//! a first-class path tested on every CI run.

use std::io;
use std::time::Duration;

use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};

use super::EventFd;

const WAKE: Token = Token(usize::MAX);

/// A shard's epoll instance.
#[derive(Debug)]
pub(crate) struct EpollDriver {
    poll: Poll,
    events: Events,
}

impl EpollDriver {
    pub(crate) fn new(eventfd: &EventFd) -> io::Result<Self> {
        let poll = Poll::new()?;
        poll.registry()
            .register(&mut SourceFd(&eventfd.raw()), WAKE, Interest::READABLE)?;
        Ok(EpollDriver {
            poll,
            events: Events::with_capacity(256),
        })
    }

    /// Parks until the eventfd fires or `timeout` passes. Returns `true` when
    /// woken through the eventfd.
    pub(crate) fn park(
        &mut self,
        eventfd: &EventFd,
        timeout: Option<Duration>,
    ) -> io::Result<bool> {
        match self.poll.poll(&mut self.events, timeout) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(false),
            Err(e) => return Err(e),
        }
        let mut woken = false;
        for event in self.events.iter() {
            if event.token() == WAKE {
                woken = true;
            }
        }
        if woken {
            // Edge-triggered: reset the counter so the next write fires again.
            eventfd.drain();
        }
        Ok(woken)
    }
}
