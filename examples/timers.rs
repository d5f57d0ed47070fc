//! Timers: sessions that expire after a period of inactivity, and a sweeper
//! that ticks until it is switched off.
//!
//! - `Context::tell_after` schedules each session's expiry; a touch cancels
//!   that `TimerHandle` and schedules a new one, so a busy session lives on.
//! - `Context::tell_interval` drives the sweeper; cancelling its handle stops
//!   the ticks.
//! - `actor_core::time::sleep` paces the client, and `time::timeout` bounds
//!   the wait for an expiry that must not come yet.
//!
//! Timers fire at or after their deadline, never before: the example checks
//! each session lived at least its time to live.
//!
//! Run: `cargo run -p examples --example timers`

use std::collections::HashMap;
use std::time::{Duration, Instant};

use actor_core::prelude::*;
use actor_core::time::{Elapsed, sleep, timeout};

const TTL: Duration = Duration::from_millis(200);
const SWEEP_EVERY: Duration = Duration::from_millis(20);

/// Open sessions, each with a pending expiry timer.
#[derive(Default)]
struct Sessions {
    /// Per session: its last activity, its expiry timer, and that timer's
    /// number (an expiry sent just before a touch cancelled its timer may
    /// still be queued; its number no longer matches, so it is ignored).
    open: HashMap<String, (Instant, TimerHandle, u64)>,
    timers_started: u64,
    /// Expired sessions and how long each lived since its last activity.
    expired: Vec<(String, Duration)>,
    sweeper: Option<TimerHandle>,
    sweeps: usize,
}

enum SessionMsg {
    /// Opens (or touches) a session: its expiry moves to `ttl` from now.
    Touch(String, Duration),
    Expire(String, u64),
    StartSweeper,
    Sweep,
    /// Cancels the sweeper; replies with the sweeps handled or already queued.
    StopSweeper(ReplyTo<usize>),
    Expired(ReplyTo<Vec<(String, Duration)>>),
    Sweeps(ReplyTo<usize>),
}

impl Actor for Sessions {
    type Msg = SessionMsg;

    async fn handle(&mut self, msg: SessionMsg, ctx: &mut Context<Self>) {
        match msg {
            SessionMsg::Touch(name, ttl) => {
                self.timers_started += 1;
                let number = self.timers_started;
                let timer = ctx.tell_after(ttl, SessionMsg::Expire(name.clone(), number));
                let entry = (Instant::now(), timer, number);
                if let Some((_, old, _)) = self.open.insert(name, entry) {
                    old.cancel();
                }
            }
            SessionMsg::Expire(name, number) => {
                if self.open.get(&name).is_some_and(|(_, _, n)| *n == number) {
                    let (touched, _fired, _) =
                        self.open.remove(&name).expect("the entry was just found");
                    println!("  {name} expired");
                    self.expired.push((name, touched.elapsed()));
                }
            }
            SessionMsg::StartSweeper => {
                self.sweeper = Some(ctx.tell_interval(SWEEP_EVERY, || SessionMsg::Sweep));
            }
            SessionMsg::Sweep => self.sweeps += 1,
            SessionMsg::StopSweeper(reply) => {
                if let Some(sweeper) = self.sweeper.take() {
                    sweeper.cancel();
                }
                // Nothing else is sent meanwhile: whatever is queued is a tick.
                reply.send(self.sweeps + ctx.myself().mailbox_len());
            }
            SessionMsg::Expired(reply) => reply.send(self.expired.clone()),
            SessionMsg::Sweeps(reply) => reply.send(self.sweeps),
        }
    }
}

/// Waits until `name` has expired, polling every 10 ms.
async fn expiry_of(sessions: &ActorRef<Sessions>, name: &str) -> Result<Duration, AskError> {
    loop {
        let expired = sessions.ask(SessionMsg::Expired).await?;
        if let Some((_, lived)) = expired.iter().find(|(n, _)| n == name) {
            return Ok(*lived);
        }
        sleep(Duration::from_millis(10)).await;
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rt = Runtime::builder().shards(2).build()?;
    let sessions = rt.spawn_on(1, Sessions::default)?;
    sessions.tell_blocking(SessionMsg::StartSweeper)?;

    rt.block_on(async {
        for name in ["alice", "bob"] {
            sessions.tell(SessionMsg::Touch(name.into(), TTL)).await?;
        }
        sessions
            .tell(SessionMsg::Touch("carol".into(), Duration::from_secs(60)))
            .await?;
        // Alice stays busy for twice her time to live; bob is idle.
        let busy_until = Instant::now() + 2 * TTL;
        while Instant::now() < busy_until {
            sleep(TTL / 4).await;
            sessions
                .tell(SessionMsg::Touch("alice".into(), TTL))
                .await?;
        }
        // Bob expired long ago; waiting for him only guards a slow machine.
        timeout(Duration::from_secs(5), expiry_of(&sessions, "bob")).await??;
        Ok::<_, Box<dyn std::error::Error>>(())
    })?;

    let expired = sessions.ask_blocking(SessionMsg::Expired)?;
    let names: Vec<&str> = expired.iter().map(|(n, _)| n.as_str()).collect();
    println!("after {:?}: expired {names:?}", 2 * TTL);
    if names != ["bob"] {
        return Err(format!("expected only bob to expire, got {names:?}").into());
    }

    // Alice expires once she goes quiet; carol not for a minute.
    let (alice, carol) = rt.block_on(async {
        let alice = timeout(Duration::from_secs(5), expiry_of(&sessions, "alice")).await;
        let carol = timeout(Duration::from_millis(100), expiry_of(&sessions, "carol")).await;
        (alice, carol)
    });
    let alice = alice.map_err(|_| "alice never expired")??;
    println!("alice expired after {alice:?} idle");
    if carol != Err(Elapsed) {
        return Err(format!("carol expired early: {carol:?}").into());
    }
    println!("waiting 100 ms for carol timed out, as it should");
    for (name, lived) in sessions.ask_blocking(SessionMsg::Expired)? {
        if lived < TTL {
            return Err(format!("{name} expired after {lived:?}, before its {TTL:?}").into());
        }
    }

    let at_cancel = sessions.ask_blocking(SessionMsg::StopSweeper)?;
    std::thread::sleep(SWEEP_EVERY * 5);
    let later = sessions.ask_blocking(SessionMsg::Sweeps)?;
    println!("sweeper ticked {at_cancel} times before its cancel, {later} in all");
    if at_cancel == 0 || later != at_cancel {
        return Err(format!("{at_cancel} sweeps at cancel, {later} after").into());
    }
    rt.shutdown()?;
    Ok(())
}
