//! Idle keep-alive connections of one client on one shard.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::destination::Destination;
use crate::net::Stream;

/// Where a pooled connection goes: host, port, and whether it speaks TLS.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    host: String,
    port: u16,
    tls: bool,
}

impl Key {
    pub(crate) fn of(url: &Destination) -> Key {
        Key {
            host: url.host.clone(),
            port: url.port,
            tls: url.tls,
        }
    }
}

#[derive(Debug)]
struct Idle {
    conn: Stream,
    since: Instant,
}

/// Idle connections by destination, newest last. Shard-local: a connection
/// belongs to the shard whose reactor drives it.
#[derive(Debug)]
pub(crate) struct Pool {
    idle: HashMap<Key, Vec<Idle>>,
    max_idle_per_host: usize,
    idle_timeout: Duration,
}

impl Pool {
    pub(crate) fn new(max_idle_per_host: usize, idle_timeout: Duration) -> Pool {
        Pool {
            idle: HashMap::new(),
            max_idle_per_host,
            idle_timeout,
        }
    }

    /// The most recently used live connection to `key`, if any; expired
    /// ones are closed on the way.
    pub(crate) fn take(&mut self, key: &Key) -> Option<Stream> {
        self.expire(Instant::now());
        let list = self.idle.get_mut(key)?;
        let found = list.pop().map(|i| i.conn);
        if list.is_empty() {
            self.idle.remove(key);
        }
        found
    }

    /// Returns a connection for reuse; past the per-host cap the oldest
    /// idle one is closed.
    pub(crate) fn put(&mut self, key: Key, conn: Stream) {
        let now = Instant::now();
        self.expire(now);
        if self.max_idle_per_host == 0 {
            return;
        }
        let list = self.idle.entry(key).or_default();
        if list.len() >= self.max_idle_per_host {
            list.remove(0);
        }
        list.push(Idle { conn, since: now });
    }

    /// Closes connections idle longer than the idle timeout.
    fn expire(&mut self, now: Instant) {
        let limit = self.idle_timeout;
        self.idle.retain(|_, list| {
            list.retain(|i| now.saturating_duration_since(i.since) < limit);
            !list.is_empty()
        });
    }

    /// Idle connections held now (expired ones not counted).
    pub(crate) fn idle_count(&mut self) -> usize {
        self.expire(Instant::now());
        self.idle.values().map(Vec::len).sum()
    }

    /// Closes every idle connection.
    pub(crate) fn clear(&mut self) {
        self.idle.clear();
    }
}
