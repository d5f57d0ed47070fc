//! Group commit: writing the log's tail and syncing it.
//!
//! The first task that needs its record durable while no flush runs leads
//! one: it takes the whole tail, writes it, `fdatasync`s, and wakes every
//! waiter. Records appended during that flush wait for the next one, which
//! the first of their tasks to wake leads: every write that arrives while a
//! flush is in flight joins the next `fdatasync`.
//!
//! A failed write or sync poisons the partition (see
//! [`KvError::Poisoned`]): after an `fsync` error the kernel may have
//! dropped the dirty pages, so nothing after it is assumed durable, and a
//! retried sync proves nothing.

use std::future::poll_fn;
use std::task::Poll;

use super::KvError;
use super::recover::segment_path;
use super::shard::KvShard;
use crate::file::{FileIo, OpenOptions, Storage};

/// Poisons the partition if a flush is dropped half-way (its task was
/// cancelled): whether its bytes reached the file is unknown.
struct Abandoned<'a, S: Storage> {
    shard: &'a KvShard<S>,
    armed: bool,
}

impl<S: Storage> Drop for Abandoned<'_, S> {
    fn drop(&mut self) {
        if self.armed {
            let mut st = self.shard.state();
            if st.poisoned.is_none() {
                let e = std::io::Error::other("a flush was cancelled half-way");
                st.poisoned = Some(crate::IoError::new(
                    crate::FileOp::Write,
                    &self.shard.inner.dir,
                    None,
                    e,
                ));
            }
            st.flush_ended();
        }
    }
}

/// Ends a roll, however its future ends.
struct Rolling<'a, S: Storage> {
    shard: &'a KvShard<S>,
}

impl<S: Storage> Drop for Rolling<'_, S> {
    fn drop(&mut self) {
        self.shard.state().rolling = false;
    }
}

impl<S: Storage> KvShard<S> {
    /// Waits until record `seq` is on stable storage, leading flushes as
    /// needed.
    pub(crate) async fn wait_durable(&self, seq: u64) -> Result<(), KvError> {
        loop {
            let generation = {
                let st = self.state();
                if let Some(e) = &st.poisoned {
                    return Err(KvError::Poisoned(e.duplicate()));
                }
                if st.synced_seq >= seq {
                    return Ok(());
                }
                if !st.flushing {
                    None
                } else {
                    Some(st.flush_gen)
                }
            };
            match generation {
                None => self.flush_once().await,
                Some(g) => self.flush_to_end(g).await,
            }
        }
    }

    /// Waits until the flush running in generation `g` ends.
    async fn flush_to_end(&self, g: u64) {
        poll_fn(|cx| {
            let mut st = self.state();
            if st.flush_gen != g {
                return Poll::Ready(());
            }
            st.waiters.push(cx.waker().clone());
            Poll::Pending
        })
        .await;
    }

    /// Writes and syncs the whole tail, then rolls to a new segment when
    /// the active one is full. The caller checked that no flush runs.
    pub(crate) async fn flush_once(&self) {
        let (file, offset, bytes, upto) = {
            let mut st = self.state();
            st.flushing = true;
            let file = st.segments[&st.active].clone();
            let mut bytes = file.buffer(st.pending.len());
            bytes.extend_from_slice(&st.pending);
            (file, st.written, bytes, st.next_seq - 1)
        };
        let mut guard = Abandoned {
            shard: self,
            armed: true,
        };
        let n = bytes.len();
        // One linked write + fdatasync on io_uring shards.
        let result = if n > 0 {
            file.write_durable_at(bytes, offset).await.0
        } else {
            file.sync_data().await
        };
        guard.armed = false;
        let roll = {
            let mut st = self.state();
            match result {
                Ok(()) => {
                    st.syncs += 1;
                    st.pending.drain(..n);
                    st.written += n as u64;
                    st.synced_seq = st.synced_seq.max(upto);
                }
                Err(e) => {
                    st.poisoned.get_or_insert(e);
                }
            }
            st.flush_ended();
            st.poisoned.is_none() && st.written >= self.inner.options.segment_bytes
        };
        if roll {
            self.roll().await;
        }
    }

    /// Starts a new segment: creates its file, makes the entry durable,
    /// and switches appends to it once the old tail is empty.
    async fn roll(&self) {
        let next = {
            let mut st = self.state();
            if st.rolling {
                return;
            }
            st.rolling = true;
            st.active + 1
        };
        // One roll at a time: a second could reopen the new segment while
        // the first has already switched appends to it.
        let _rolling = Rolling { shard: self };
        let path = segment_path(&self.inner.dir, next);
        // No truncation: a segment not switched to yet is empty (an
        // earlier attempt may have made it), one switched to is never
        // opened here again.
        let opened = self
            .inner
            .storage
            .open(&path, &OpenOptions::new().create(true))
            .await;
        let made = match opened {
            Ok(f) => self
                .inner
                .storage
                .sync_dir(&self.inner.dir)
                .await
                .map(|()| f),
            Err(e) => Err(e),
        };
        let mut st = self.state();
        match made {
            Ok(file) if st.pending.is_empty() && st.active + 1 == next && !st.flushing => {
                st.segments.insert(next, file);
                let (old, size) = (st.active, st.written);
                st.sealed.insert(old, size);
                st.active = next;
                st.written = 0;
            }
            // Records arrived meanwhile: they belong to the old segment;
            // the next flush rolls again.
            Ok(_) => {}
            Err(e) => {
                st.poisoned.get_or_insert(e);
            }
        }
    }

    /// Flushes the tail when it holds at least `bytes` and no flush runs.
    pub(crate) async fn flush_if_over(&self, bytes: usize) -> Result<(), KvError> {
        let due = {
            let st = self.state();
            if let Some(e) = &st.poisoned {
                return Err(KvError::Poisoned(e.duplicate()));
            }
            !st.flushing && st.pending.len() >= bytes.max(1)
        };
        if due {
            self.flush_once().await;
        }
        Ok(())
    }
}
