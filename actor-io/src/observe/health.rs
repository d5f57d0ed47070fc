//! `/health`, `/ready` and `/alive`: what an orchestrator polls.
//!
//! - `/alive` (liveness): the process answers at all; 200 whenever the
//!   handler runs.
//! - `/ready` (readiness): the application said it takes traffic
//!   ([`Health::set_ready`]).
//! - `/health`: ready, and every shard answers a ping within
//!   [`Health::SHARD_DEADLINE`]. A handler that blocks its shard (a
//!   synchronous call that hangs, a busy loop) fails the check.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use actor_core::{Actor, ActorRef, Context, Handle, ReplyTo, SpawnError};

use crate::http::StatusCode;

/// Which probe a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    /// `/alive`.
    Alive,
    /// `/ready`.
    Ready,
    /// `/health`.
    Health,
}

impl Probe {
    /// The probe a request path names, if any.
    pub fn from_path(path: &str) -> Option<Probe> {
        match path {
            "/alive" => Some(Probe::Alive),
            "/ready" => Some(Probe::Ready),
            "/health" => Some(Probe::Health),
            _ => None,
        }
    }
}

/// A probe's answer: a status code and a short plain-text body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeAnswer {
    /// 200 when the probe passes, 503 when it does not.
    pub status: StatusCode,
    /// `ok`, or why not.
    pub body: String,
}

impl ProbeAnswer {
    fn ok() -> ProbeAnswer {
        ProbeAnswer {
            status: StatusCode::OK,
            body: "ok\n".into(),
        }
    }

    fn unavailable(body: String) -> ProbeAnswer {
        ProbeAnswer {
            status: StatusCode::SERVICE_UNAVAILABLE,
            body,
        }
    }
}

/// Answers pings on one shard.
#[derive(Debug)]
struct Sentinel;

impl Actor for Sentinel {
    type Msg = ReplyTo<()>;

    async fn handle(&mut self, reply: ReplyTo<()>, _ctx: &mut Context<Self>) {
        reply.send(());
    }
}

/// Readiness state plus one ping actor per shard; cheap to clone into every
/// connection actor.
#[derive(Debug, Clone)]
pub struct Health {
    ready: Arc<AtomicBool>,
    sentinels: Arc<[ActorRef<Sentinel>]>,
}

impl Health {
    /// How long a shard may take to answer `/health`'s ping.
    pub const SHARD_DEADLINE: Duration = Duration::from_millis(250);

    /// Starts one ping actor per shard of `handle`'s runtime. Not ready
    /// until [`Health::set_ready`]`(true)`.
    pub fn new(handle: &Handle) -> Result<Self, SpawnError> {
        let sentinels = (0..handle.shards())
            .map(|shard| handle.spawn_on(shard, || Sentinel))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Health {
            ready: Arc::new(AtomicBool::new(false)),
            sentinels: sentinels.into(),
        })
    }

    /// Marks the application ready (or not, while draining).
    pub fn set_ready(&self, ready: bool) {
        self.ready.store(ready, Ordering::Release);
    }

    /// Whether the application said it is ready.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Answers `probe`. `/health` pings every shard, so await it from an
    /// actor or [`actor_core::Runtime::block_on`].
    pub async fn answer(&self, probe: Probe) -> ProbeAnswer {
        match probe {
            Probe::Alive => ProbeAnswer::ok(),
            Probe::Ready | Probe::Health if !self.is_ready() => {
                ProbeAnswer::unavailable("not ready\n".into())
            }
            Probe::Ready => ProbeAnswer::ok(),
            Probe::Health => self.ping_shards().await,
        }
    }

    async fn ping_shards(&self) -> ProbeAnswer {
        let mut silent = Vec::new();
        for sentinel in self.sentinels.iter() {
            let answered = sentinel.ask_timeout(Self::SHARD_DEADLINE, |r| r).await;
            if answered.is_err() {
                silent.push(sentinel.shard());
            }
        }
        if silent.is_empty() {
            ProbeAnswer::ok()
        } else {
            ProbeAnswer::unavailable(format!("shards not answering: {silent:?}\n"))
        }
    }
}
