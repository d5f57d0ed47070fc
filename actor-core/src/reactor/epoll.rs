//! The epoll driver, through mio: the fallback when io_uring is refused, and
//! a first-class path tested on every CI run.
//!
//! Sockets register once (edge-triggered, readable and writable); an event
//! sets readiness bits and wakes the task waiting on that direction. A task
//! clears a direction's bit when its syscall answers `WouldBlock`, then
//! waits for the next edge. Events are routed only on the shard thread,
//! between task polls, so no edge can slip in between a `WouldBlock` and
//! the clearing of the bit.

use std::io;
use std::os::fd::RawFd;
use std::task::{Poll as TaskPoll, Waker};
use std::time::Duration;

use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};

use super::EventFd;
use super::ops::Reaped;

const WAKE: Token = Token(usize::MAX);

/// Readiness bit for reading (or an error/hang-up).
pub(crate) const READABLE: u8 = 1;
/// Readiness bit for writing (or an error/hang-up).
pub(crate) const WRITABLE: u8 = 2;

#[derive(Default)]
struct Entry {
    generation: u32,
    live: bool,
    ready: u8,
    reader: Option<Waker>,
    writer: Option<Waker>,
}

/// A shard's epoll instance.
pub(crate) struct EpollDriver {
    poll: Poll,
    events: Events,
    entries: Vec<Entry>,
    free: Vec<usize>,
    live: usize,
}

impl std::fmt::Debug for EpollDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EpollDriver")
            .field("registrations", &self.live)
            .finish()
    }
}

fn token(index: usize, generation: u32) -> Token {
    Token((generation as usize) << 32 | index)
}

fn split(token: Token) -> (usize, u32) {
    (token.0 & 0xFFFF_FFFF, (token.0 >> 32) as u32)
}

impl EpollDriver {
    pub(crate) fn new(eventfd: &EventFd) -> io::Result<Self> {
        let poll = Poll::new()?;
        poll.registry()
            .register(&mut SourceFd(&eventfd.raw()), WAKE, Interest::READABLE)?;
        Ok(EpollDriver {
            poll,
            events: Events::with_capacity(256),
            entries: Vec::new(),
            free: Vec::new(),
            live: 0,
        })
    }

    /// `true` when some fd is registered.
    pub(crate) fn has_io(&self) -> bool {
        self.live > 0
    }

    /// Registers `fd` for both directions; returns its key.
    pub(crate) fn register(&mut self, fd: RawFd) -> io::Result<usize> {
        let index = match self.free.pop() {
            Some(i) => i,
            None => {
                self.entries.push(Entry::default());
                self.entries.len() - 1
            }
        };
        let entry = &mut self.entries[index];
        let tok = token(index, entry.generation);
        let interest = Interest::READABLE | Interest::WRITABLE;
        if let Err(e) = self
            .poll
            .registry()
            .register(&mut SourceFd(&fd), tok, interest)
        {
            self.free.push(index);
            return Err(e);
        }
        *entry = Entry {
            generation: entry.generation,
            live: true,
            ..Entry::default()
        };
        self.live += 1;
        Ok(tok.0)
    }

    /// Removes a registration. The fd must still be open.
    pub(crate) fn deregister(&mut self, key: usize, fd: RawFd) -> Option<[Option<Waker>; 2]> {
        let (index, generation) = split(Token(key));
        let entry = self.entries.get_mut(index)?;
        if !entry.live || entry.generation != generation {
            return None;
        }
        let _ = self.poll.registry().deregister(&mut SourceFd(&fd));
        let wakers = [entry.reader.take(), entry.writer.take()];
        entry.live = false;
        entry.generation = entry.generation.wrapping_add(1);
        self.free.push(index);
        self.live -= 1;
        Some(wakers)
    }

    fn entry(&mut self, key: usize) -> Option<&mut Entry> {
        let (index, generation) = split(Token(key));
        self.entries
            .get_mut(index)
            .filter(|e| e.live && e.generation == generation)
    }

    /// Ready if the direction's bit is set, otherwise stores the waker.
    pub(crate) fn poll_ready(
        &mut self,
        key: usize,
        direction: u8,
        waker: &Waker,
    ) -> TaskPoll<io::Result<()>> {
        let Some(entry) = self.entry(key) else {
            return TaskPoll::Ready(Err(io::Error::other("registration is gone")));
        };
        if entry.ready & direction != 0 {
            return TaskPoll::Ready(Ok(()));
        }
        let slot = if direction == READABLE {
            &mut entry.reader
        } else {
            &mut entry.writer
        };
        match slot {
            Some(w) if w.will_wake(waker) => {}
            _ => *slot = Some(waker.clone()),
        }
        TaskPoll::Pending
    }

    /// Clears a direction's bit after its syscall answered `WouldBlock`.
    pub(crate) fn clear_ready(&mut self, key: usize, direction: u8) {
        if let Some(entry) = self.entry(key) {
            entry.ready &= !direction;
        }
    }

    /// Without blocking: routes the events that are pending (one syscall).
    pub(crate) fn poll_io(&mut self, eventfd: &EventFd, reaped: &mut Reaped) -> io::Result<()> {
        self.wait(eventfd, Some(Duration::ZERO), reaped).map(drop)
    }

    /// Parks until an event or `timeout`. Returns `true` when woken
    /// through the eventfd.
    pub(crate) fn park(
        &mut self,
        eventfd: &EventFd,
        timeout: Option<Duration>,
        reaped: &mut Reaped,
    ) -> io::Result<bool> {
        self.wait(eventfd, timeout, reaped)
    }

    fn wait(
        &mut self,
        eventfd: &EventFd,
        timeout: Option<Duration>,
        reaped: &mut Reaped,
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
                continue;
            }
            let (index, generation) = split(event.token());
            let Some(entry) = self
                .entries
                .get_mut(index)
                .filter(|e| e.live && e.generation == generation)
            else {
                continue;
            };
            let failed = event.is_error();
            if event.is_readable() || event.is_read_closed() || failed {
                entry.ready |= READABLE;
                reaped.wakers.extend(entry.reader.take());
            }
            if event.is_writable() || event.is_write_closed() || failed {
                entry.ready |= WRITABLE;
                reaped.wakers.extend(entry.writer.take());
            }
        }
        if woken {
            // Edge-triggered: reset the counter so the next write fires again.
            eventfd.drain();
        }
        Ok(woken)
    }
}
