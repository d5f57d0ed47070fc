//! Timers: a per-shard timer wheel, [`sleep`], and [`timeout`].
//!
//! On a shard, timers live in that shard's wheel and cost no syscall. Off a
//! shard (inside [`Runtime::block_on`](crate::Runtime::block_on), or in
//! `ask_timeout` from a plain thread), the deadline is handed to a shard's
//! wheel through its inbox. With no runtime at all, a short-lived helper
//! thread sleeps instead.

mod sleep;
pub(crate) mod wheel;

pub(crate) use sleep::sleep_via;
pub use sleep::{Elapsed, Sleep, Timeout, sleep, sleep_until, timeout};
