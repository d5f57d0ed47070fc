//! Plain-thread senders: each sends sequenced messages to random workers
//! with every send method (`tell_blocking`, `try_tell`, `tell().await`,
//! `ask_blocking`, `ask_blocking_timeout`, `ask().await`, `ask_timeout`,
//! `try_ask`), checks each result against the documented outcomes, and
//! keeps sending for a moment after the runtime has shut down.

use std::sync::Arc;
use std::time::{Duration, Instant};

use actor_core::prelude::*;
use parking_lot::Mutex;

use super::bounded::block_on_until;
use super::report::{Tag, World, rules};
use super::rng::Rng;
use super::worker::{ChaosWorker, WMsg};

/// How long a bounded send or ask may take before it counts as stuck.
pub const CALL_LIMIT: Duration = Duration::from_secs(5);
/// Slack allowed past an ask's own deadline (a loaded 2-core CI machine).
pub const DEADLINE_SLACK: Duration = Duration::from_millis(750);

/// What a thread is doing now, for the report when it gets stuck.
pub type Status = Arc<Mutex<String>>;

/// The send methods, in the order a sender draws them.
const METHODS: [&str; 8] = [
    "tell_blocking",
    "try_tell",
    "tell().await",
    "ask_blocking",
    "ask_blocking_timeout",
    "ask().await",
    "ask_timeout().await",
    "try_ask",
];

/// The outcome of one send, folded across tells and asks.
enum Outcome {
    /// Delivered (a tell accepted, or an ask answered correctly).
    Sent,
    /// A documented refusal or error.
    Refused(String),
    /// The bounded wait ran out.
    Unbounded,
}

/// Runs sender `id` for `ops` operations, or until the world winds down.
pub fn run_sender(world: Arc<World>, id: u32, ops: usize, mut rng: Rng, status: Status) {
    let mut n = 0u64;
    for _ in 0..ops {
        if world.finished() {
            break;
        }
        let targets = world.worker_list();
        if targets.is_empty() {
            std::thread::sleep(Duration::from_micros(200));
            continue;
        }
        let target = &targets[rng.index(targets.len())];
        n += 1;
        let method = rng.index(METHODS.len());
        *status.lock() = format!("sender {id}: {} #{n} to {}", METHODS[method], target.id());
        let started = Instant::now();
        let closed_before = world.shut_down_before(started);
        let wait = rng.millis(1, 40);
        let outcome = send_one(&world, target, id, n, method, wait);
        let took = started.elapsed();
        let what = format!(
            "sender {id}: {} #{n} to {} (took {took:?})",
            METHODS[method],
            target.id()
        );
        match outcome {
            Outcome::Sent if closed_before => world.violation(
                rules::AFTER_SHUTDOWN,
                format!("{what} succeeded although Runtime::shutdown had returned"),
            ),
            Outcome::Refused(e) if closed_before && e != "Closed" => world.violation(
                rules::AFTER_SHUTDOWN,
                format!("{what} failed with {e}, not Closed, after Runtime::shutdown returned"),
            ),
            Outcome::Unbounded => {
                let after = world
                    .shutdown_done
                    .get()
                    .map(|t| format!(", Runtime::shutdown returned at {:?}", *t - world.t0))
                    .unwrap_or_default();
                world.violation(
                    rules::STUCK,
                    format!("{what} did not complete within {CALL_LIMIT:?}{after}"),
                );
            }
            _ => {}
        }
        let deadline = match method {
            4 | 6 => Some(wait),
            _ => None,
        };
        if let Some(d) = deadline
            && took > d + DEADLINE_SLACK
        {
            world.violation(rules::ASK_DEADLINE, format!("{what} had a {d:?} deadline"));
        }
        if rng.chance(30) {
            std::thread::sleep(rng.micros(0, 500));
        }
    }
    *status.lock() = format!("sender {id}: done");
}

/// Sends `#n` to `target` with method number `method`.
fn send_one(
    world: &World,
    target: &ActorRef<ChaosWorker>,
    sender: u32,
    n: u64,
    method: usize,
    wait: Duration,
) -> Outcome {
    let seq = || WMsg::Seq {
        sender,
        n,
        tag: Tag::new(&world.ledger),
    };
    let ask = |reply| WMsg::Ask {
        sender,
        n,
        tag: Tag::new(&world.ledger),
        reply,
    };
    let limit = Instant::now() + CALL_LIMIT;
    let tell_outcome = |r: Result<(), SendError<WMsg>>| match r {
        Ok(()) => Outcome::Sent,
        Err(SendError::Full(_)) => Outcome::Refused("Full".into()),
        Err(SendError::Closed(_)) => Outcome::Refused("Closed".into()),
        Err(other) => Outcome::Refused(format!("{other:?}")),
    };
    match method {
        0 => match target.tell_blocking(seq()) {
            Err(SendError::Full(_)) => {
                world.violation(
                    rules::ASK_RESULT,
                    "tell_blocking on a plain thread returned Full",
                );
                Outcome::Refused("Full".into())
            }
            r => tell_outcome(r),
        },
        1 => tell_outcome(target.try_tell(seq())),
        2 => block_on_until(target.tell(seq()), limit).map_or(Outcome::Unbounded, tell_outcome),
        3 => ask_outcome(world, n, target.ask_blocking(ask), false),
        4 => ask_outcome(world, n, target.ask_blocking_timeout(wait, ask), true),
        5 => block_on_until(target.ask(ask), limit)
            .map_or(Outcome::Unbounded, |r| ask_outcome(world, n, r, false)),
        6 => block_on_until(
            target.ask_timeout(wait, ask),
            Instant::now() + wait + CALL_LIMIT,
        )
        .map_or(Outcome::Unbounded, |r| ask_outcome(world, n, r, true)),
        _ => match target.try_ask(ask) {
            Ok(reply) => block_on_until(reply, limit)
                .map_or(Outcome::Unbounded, |r| ask_outcome(world, n, r, false)),
            Err(e) => tell_outcome(Err(e)),
        },
    }
}

/// Checks an ask's result: the right reply, or a documented error
/// (`Timeout` only where a deadline was given).
fn ask_outcome(world: &World, n: u64, r: Result<u64, AskError>, timed: bool) -> Outcome {
    match r {
        Ok(v) if v == n => Outcome::Sent,
        Ok(v) => {
            world.violation(rules::ASK_RESULT, format!("ask #{n} was answered {v}"));
            Outcome::Sent
        }
        Err(AskError::Timeout) if timed => Outcome::Refused("Timeout".into()),
        Err(AskError::Closed) => Outcome::Refused("Closed".into()),
        // The handler answers an `Ask` in its first poll and never panics
        // there, so `NoReply` (the handler dropped the reply) and
        // `ActorFailed` (the handler panicked on it) cannot apply.
        Err(e @ (AskError::ActorFailed | AskError::NoReply)) => {
            if !crate::skips::SKIP_ASK_LOST_TO_KILL {
                world.violation(
                    rules::ASK_RESULT,
                    format!(
                        "ask #{n} failed with {e:?}, but its handler never drops or panics \
                         on an ask: the message was lost"
                    ),
                );
            }
            Outcome::Refused(format!("{e:?}"))
        }
        Err(e) => {
            world.violation(
                rules::ASK_RESULT,
                format!("ask #{n} from a plain thread failed with {e:?}"),
            );
            Outcome::Refused(format!("{e:?}"))
        }
    }
}
