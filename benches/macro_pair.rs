//! The pair both macro benchmarks drive: a macro-built actor and a
//! hand-written actor over the same enum, and a driver actor that times `n`
//! tells or asks to either from the same shard.

use std::time::{Duration, Instant};

use actor_core::prelude::*;

/// A counter built by the macros.
#[actor]
#[derive(Debug, Default)]
pub(crate) struct MacroCounter {
    total: u64,
}

#[messages]
impl MacroCounter {
    /// Adds `by`.
    #[message]
    pub(crate) fn add(&mut self, by: u64) {
        self.total += by;
    }

    /// The total so far.
    #[message]
    pub(crate) fn total(&self) -> u64 {
        self.total
    }
}

/// The same counter written by hand over `MacroCounterMsg`.
#[derive(Debug, Default)]
pub(crate) struct HandCounter {
    total: u64,
}

impl Actor for HandCounter {
    type Msg = MacroCounterMsg;

    async fn handle(&mut self, msg: MacroCounterMsg, _ctx: &mut Context<Self>) {
        match msg {
            MacroCounterMsg::Add { by, reply_to } => {
                self.total += by;
                if let Some(reply_to) = reply_to {
                    reply_to.send(());
                }
            }
            MacroCounterMsg::Total { reply_to } => reply_to.send(self.total),
        }
    }
}

/// What the driver runs: `n` messages, answering with the time taken.
pub(crate) enum Run {
    MacroTells(u64, ReplyTo<Duration>),
    HandTells(u64, ReplyTo<Duration>),
    MacroAsks(u64, ReplyTo<Duration>),
    HandAsks(u64, ReplyTo<Duration>),
}

/// Sends the messages from the shard of both counters.
pub(crate) struct Driver {
    pub(crate) by_macro: ActorRef<MacroCounter>,
    pub(crate) by_hand: ActorRef<HandCounter>,
}

impl Actor for Driver {
    type Msg = Run;
    async fn handle(&mut self, run: Run, _ctx: &mut Context<Self>) {
        match run {
            Run::MacroTells(n, reply) => {
                let start = Instant::now();
                for by in 0..n {
                    // `try_add` never waits: on a full mailbox, yield (as the
                    // hand-written side does with `try_tell`).
                    while self.by_macro.try_add(by).is_err() {
                        actor_core::yield_now().await;
                    }
                }
                // The flush is the same raw ask for both counters, so that
                // each ask path under test has one call site (one call site
                // more changes the compiler's inlining, not the path's cost).
                self.by_macro
                    .ask(|reply_to| MacroCounterMsg::Total { reply_to })
                    .await
                    .expect("alive");
                reply.send(start.elapsed());
            }
            Run::HandTells(n, reply) => {
                let start = Instant::now();
                for by in 0..n {
                    while self
                        .by_hand
                        .try_tell(MacroCounterMsg::Add { by, reply_to: None })
                        .is_err()
                    {
                        actor_core::yield_now().await;
                    }
                }
                self.by_hand
                    .ask(|reply_to| MacroCounterMsg::Total { reply_to })
                    .await
                    .expect("alive");
                reply.send(start.elapsed());
            }
            Run::MacroAsks(n, reply) => {
                let start = Instant::now();
                for _ in 0..n {
                    std::hint::black_box(self.by_macro.total().await.expect("alive"));
                }
                reply.send(start.elapsed());
            }
            Run::HandAsks(n, reply) => {
                let start = Instant::now();
                for _ in 0..n {
                    let v = self
                        .by_hand
                        .ask(|reply_to| MacroCounterMsg::Total { reply_to })
                        .await
                        .expect("alive");
                    std::hint::black_box(v);
                }
                reply.send(start.elapsed());
            }
        }
    }
}
