//! Per-shard HTTP counters, kept as the runtime's keyed counters (family
//! `http`, a kind such as `requests`, the shard) so every
//! [`Metrics`](actor_core::Metrics) snapshot and the Prometheus exporter see
//! them: `pinion_http_requests_total{shard="0"}` and so on.

use actor_core::Handle;

use crate::shard_counters::{LocalCounters, ShardCounters};

const KINDS: usize = 7;

static HTTP: ShardCounters<KINDS> = ShardCounters::new(
    "http",
    [
        "requests",
        "responses_2xx",
        "responses_3xx",
        "responses_4xx",
        "responses_5xx",
        "bad_requests",
        "timeouts",
    ],
);

/// One shard's HTTP server counts, ever.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HttpCounts {
    /// Requests decoded (and answered).
    pub requests: u64,
    /// Responses with a 2xx status.
    pub responses_2xx: u64,
    /// Responses with a 3xx status.
    pub responses_3xx: u64,
    /// Responses with a 4xx status (bad requests and timeouts included).
    pub responses_4xx: u64,
    /// Responses with a 5xx status.
    pub responses_5xx: u64,
    /// Requests refused by the parser (each closes its connection).
    pub bad_requests: u64,
    /// Connections closed by the header or idle timeout.
    pub timeouts: u64,
}

impl HttpCounts {
    /// The counts of shard `shard` of the runtime behind `handle`.
    pub fn of_shard(handle: &Handle, shard: usize) -> Self {
        let [requests, r2, r3, r4, r5, bad, timeouts] = HTTP.read(handle, shard);
        HttpCounts {
            requests,
            responses_2xx: r2,
            responses_3xx: r3,
            responses_4xx: r4,
            responses_5xx: r5,
            bad_requests: bad,
            timeouts,
        }
    }

    /// The sum over every shard of `handle`'s runtime.
    pub fn total(handle: &Handle) -> Self {
        (0..handle.shards())
            .map(|s| Self::of_shard(handle, s))
            .fold(Self::default(), |a, b| HttpCounts {
                requests: a.requests + b.requests,
                responses_2xx: a.responses_2xx + b.responses_2xx,
                responses_3xx: a.responses_3xx + b.responses_3xx,
                responses_4xx: a.responses_4xx + b.responses_4xx,
                responses_5xx: a.responses_5xx + b.responses_5xx,
                bad_requests: a.bad_requests + b.bad_requests,
                timeouts: a.timeouts + b.timeouts,
            })
    }
}

thread_local! {
    /// The calling shard's counters (a shard thread serves one runtime).
    static LOCAL: LocalCounters<KINDS> = const { std::cell::RefCell::new(None) };
}

/// Which counter to bump.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Event {
    Request = 0,
    BadRequest = 5,
    Timeout = 6,
}

fn bump_index(i: usize) {
    HTTP.bump(&LOCAL, i);
}

/// Bumps the calling shard's counter; does nothing off a shard.
pub(crate) fn bump(event: Event) {
    bump_index(event as usize);
}

/// Counts a response by its status class (1xx is not counted).
pub(crate) fn bump_status(status: u16) {
    match status {
        200..=299 => bump_index(1),
        300..=399 => bump_index(2),
        400..=499 => bump_index(3),
        500..=999 => bump_index(4),
        _ => {}
    }
}
