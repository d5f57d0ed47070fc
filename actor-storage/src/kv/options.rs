//! [`KvOptions`] and [`Durability`]: what is on disk when.

use std::time::Duration;

/// When a write is on stable storage, chosen per write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// The reply comes after the write's record and every record before it
    /// are written and `fdatasync`ed: it survives a crash or power loss.
    /// Writes that arrive while a sync is in flight share the next one
    /// (group commit).
    #[default]
    Durable,
    /// The reply comes once the record is in the partition's log buffer,
    /// visible to reads; it reaches stable storage with the next sync, at
    /// most [`KvOptions::buffer_bytes`] of log or
    /// [`KvOptions::buffer_interval`] later. A crash may lose buffered
    /// writes from that window, never earlier ones, and never part of a
    /// batch.
    Buffered,
}

/// How a key-value store is laid out and flushed.
#[derive(Debug, Clone)]
pub struct KvOptions {
    /// A segment file is closed and a new one started once it holds this
    /// many bytes. Default 64 MiB.
    pub segment_bytes: u64,
    /// Buffered writes are synced once this many bytes are waiting.
    /// Default 1 MiB.
    pub buffer_bytes: usize,
    /// Buffered writes are synced at most this long after they were made
    /// (by the partition actor's timer). Default 100 ms.
    pub buffer_interval: Duration,
    /// Compaction starts when the log holds more than this many bytes per
    /// live byte (see [`KvStats::space_amplification`]); the partition
    /// actor checks at each buffer interval. Default 2.0; values below
    /// [`MIN_COMPACT_ABOVE`](Self::MIN_COMPACT_ABOVE) count as it, so a
    /// log that is all live is never rewritten over and over.
    ///
    /// [`KvStats::space_amplification`]: super::KvStats::space_amplification
    pub compact_above: f64,
    /// Bytes of values read from segment files that the partition keeps
    /// in memory (each value counted with about 100 bytes of overhead), so
    /// hot keys are served without a file read; 0 turns the cache off.
    /// Entries never go stale: a put, delete or compaction gives a key a
    /// new place in the log, and the cache is keyed by that place.
    /// Default 128 MiB.
    pub cache_bytes: usize,
}

impl KvOptions {
    /// The lowest [`compact_above`](Self::compact_above) in effect.
    pub const MIN_COMPACT_ABOVE: f64 = 1.1;

    /// The compaction threshold in effect.
    pub(crate) fn compaction_threshold(&self) -> f64 {
        self.compact_above.max(Self::MIN_COMPACT_ABOVE)
    }
}

impl Default for KvOptions {
    fn default() -> Self {
        KvOptions {
            segment_bytes: 64 << 20,
            buffer_bytes: 1 << 20,
            buffer_interval: Duration::from_millis(100),
            compact_above: 2.0,
            cache_bytes: 128 << 20,
        }
    }
}
