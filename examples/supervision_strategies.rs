//! Supervision strategies side by side: the same crash under one-for-one,
//! all-for-one and rest-for-one, then restart intensity running out.
//!
//! Each supervisor starts the workers `a`, `b` and `c` in that order, and
//! `b` crashes. What each strategy restarts (the log of `on_start` and
//! `on_stop`, in order):
//!
//! - one-for-one: only `b`;
//! - all-for-one: every child, stopped in reverse order, started in order;
//! - rest-for-one: `b` and the children started after it (`c`).
//!
//! A restarted child keeps its `ActorRef` and starts with fresh state. With
//! `intensity(2, 5 s)`, a third crash within five seconds is one restart too
//! many: the supervisor stops its children and fails.
//!
//! Run: `cargo run -p examples --example supervision_strategies`

use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actor_core::prelude::*;
use actor_supervisor::{EventKind, Restart, Strategy, Supervisor, SupervisorEvent};

const LIMIT: Duration = Duration::from_secs(10);

type Log = Arc<Mutex<Vec<String>>>;

/// A worker that logs its starts and stops and counts what it handled.
struct Worker {
    name: &'static str,
    log: Log,
    handled: u64,
}

enum WorkerMsg {
    Crash,
    /// Replies with how many messages this incarnation handled.
    Handled(ReplyTo<u64>),
}

impl Actor for Worker {
    type Msg = WorkerMsg;

    async fn on_start(&mut self, _: &mut Context<Self>) -> Result<(), BoxError> {
        self.log
            .lock()
            .expect("no thread panics while holding the log")
            .push(format!("start {}", self.name));
        Ok(())
    }

    async fn handle(&mut self, msg: WorkerMsg, _: &mut Context<Self>) {
        self.handled += 1;
        match msg {
            WorkerMsg::Crash => panic!("{} crashes on purpose", self.name),
            WorkerMsg::Handled(reply) => reply.send(self.handled),
        }
    }

    async fn on_stop(&mut self, _: &ExitReason, _: &mut Context<Self>) {
        self.log
            .lock()
            .expect("no thread panics while holding the log")
            .push(format!("stop {}", self.name));
    }
}

fn tree(
    rt: &Runtime,
    strategy: Strategy,
    log: &Log,
) -> Result<actor_supervisor::SupervisorRef, actor_supervisor::StartError> {
    let mut builder = Supervisor::builder()
        .name(format!("{strategy:?}"))
        .strategy(strategy)
        .intensity(2, Duration::from_secs(5));
    for name in ["a", "b", "c"] {
        let log = log.clone();
        builder = builder.child(name, Restart::Permanent, move || Worker {
            name,
            log: log.clone(),
            handled: 0,
        });
    }
    builder.spawn_blocking(rt.handle())
}

/// Waits for the next event that `wanted` accepts.
fn wait_for(
    events: &Receiver<SupervisorEvent>,
    wanted: impl Fn(&EventKind) -> bool,
) -> Result<(), String> {
    loop {
        let ev = events
            .recv_timeout(LIMIT)
            .map_err(|_| "no supervisor event in time")?;
        if wanted(&ev.kind) {
            return Ok(());
        }
    }
}

/// Silences the panic messages of the crashes this example causes.
fn quiet_shard_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !std::thread::current()
            .name()
            .is_some_and(|n| n.starts_with("pinion-"))
        {
            default(info);
        }
    }));
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    quiet_shard_panics();
    let rt = Runtime::builder().shards(2).build()?;
    let cases = [
        (Strategy::OneForOne, &["start b"][..]),
        (
            Strategy::AllForOne,
            &["stop c", "stop a", "start a", "start b", "start c"],
        ),
        (Strategy::RestForOne, &["stop c", "start b", "start c"]),
    ];
    for (strategy, expected) in cases {
        let log = Log::default();
        let sup = tree(&rt, strategy, &log)?;
        let b = sup.child::<Worker>("b")?;
        b.ask_blocking(WorkerMsg::Handled)?;
        log.lock()
            .expect("no thread panics while holding the log")
            .clear();
        let events = sup.subscribe();
        b.tell_blocking(WorkerMsg::Crash)?;
        wait_for(
            &events,
            |k| matches!(k, EventKind::Stopped { reason } if reason.is_abnormal()),
        )?;
        // The supervisor handles an exit as one message: once it answers a
        // later request, every restart that exit caused is under way; a
        // child answers only after its `on_start`.
        sup.which_children_blocking()?;
        for name in ["a", "c"] {
            sup.child::<Worker>(name)?
                .ask_blocking(WorkerMsg::Handled)?;
        }
        let fresh = b.ask_blocking(WorkerMsg::Handled)? == 1;
        let got = log
            .lock()
            .expect("no thread panics while holding the log")
            .clone();
        let same_handle = sup.child::<Worker>("b")?.id() == b.id();
        println!("{strategy:?}: b crashed -> {}", got.join(", "));
        if got != expected || !same_handle || !fresh {
            return Err(format!("{strategy:?}: expected {expected:?}, got {got:?}").into());
        }

        if strategy == Strategy::OneForOne {
            // Two restarts within the window are allowed; the third crash
            // escalates: the supervisor stops the others and fails.
            b.tell_blocking(WorkerMsg::Crash)?;
            wait_for(&events, |k| matches!(k, EventKind::Restarted { .. }))?;
            // Its new incarnation has started once it answers.
            b.ask_blocking(WorkerMsg::Handled)?;
            println!("  second crash: restarted (2 of 2 restarts in 5 s used)");
            log.lock()
                .expect("no thread panics while holding the log")
                .clear();
            b.tell_blocking(WorkerMsg::Crash)?;
            wait_for(&events, |k| matches!(k, EventKind::Escalated { .. }))?;
            let reason = sup.actor().wait_stopped_blocking(LIMIT)?;
            let got = log
                .lock()
                .expect("no thread panics while holding the log")
                .clone();
            println!(
                "  third crash: escalated ({}), supervisor exited: {reason}",
                got.join(", ")
            );
            if !reason.is_abnormal() || got != ["stop c", "stop a"] {
                return Err(format!("intensity: exit {reason}, log {got:?}").into());
            }
        } else {
            sup.shutdown_blocking(LIMIT)?;
        }
    }
    rt.shutdown()?;
    Ok(())
}
