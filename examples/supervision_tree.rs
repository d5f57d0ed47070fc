//! A three-level supervision tree with a worker that crashes on purpose.
//!
//! `root` supervises `api` (a worker) and `jobs` (a supervisor), which
//! supervises `db` (a worker) and `pipeline` (a supervisor) with the workers
//! `parser` and the crashing `flaky`. Every restart and escalation is printed
//! as it happens, then the final tree.
//!
//! Run: `cargo run -p actor-supervisor --example supervision_tree`

use std::time::Duration;

use actor_core::prelude::*;
use actor_supervisor::{
    ChildOptions, EventKind, Restart, Strategy, Supervisor, SupervisorEvent, SupervisorRef,
};

/// A worker; `Crash` makes it panic.
struct Work(&'static str);

enum WorkMsg {
    Crash,
    Ping(ReplyTo<&'static str>),
}

impl Actor for Work {
    type Msg = WorkMsg;

    async fn handle(&mut self, msg: WorkMsg, _: &mut Context<Self>) {
        match msg {
            WorkMsg::Crash => panic!("{} crashes on purpose", self.0),
            WorkMsg::Ping(r) => r.send(self.0),
        }
    }
}

fn print(ev: &SupervisorEvent) {
    let child = ev.child.as_deref().unwrap_or("-");
    match &ev.kind {
        EventKind::Restarted { actor } => {
            println!("  [{}] restarted {child} ({actor})", ev.supervisor)
        }
        EventKind::Escalated { reason } => println!("  [{}] ESCALATED: {reason}", ev.supervisor),
        EventKind::Stopped { reason } if reason.is_abnormal() => {
            println!("  [{}] {child} exited: {reason}", ev.supervisor)
        }
        EventKind::Backoff { delay, .. } => {
            println!("  [{}] {child} backs off {delay:?}", ev.supervisor)
        }
        _ => {}
    }
}

fn list(tree: &SupervisorRef, depth: usize) {
    let pad = "  ".repeat(depth);
    for c in tree.which_children_blocking().expect("which_children") {
        let actor = c.actor.map_or("-".to_owned(), |a| a.to_string());
        println!(
            "{pad}- {} [{:?}, {:?}, {:?}] {actor} on shard {}",
            c.id, c.kind, c.restart, c.state, c.shard
        );
        if let Ok(sub) = tree.supervisor(&c.id) {
            list(&sub, depth + 1);
        }
    }
}

fn flaky(root: &SupervisorRef) -> ActorRef<Work> {
    let pipeline = root
        .supervisor("jobs")
        .and_then(|j| j.supervisor("pipeline"));
    pipeline
        .and_then(|p| p.child::<Work>("flaky"))
        .expect("flaky is running")
}

fn main() -> Result<(), actor_core::Error> {
    std::panic::set_hook(Box::new(|_| {})); // the crashes are on purpose
    let rt = Runtime::builder().shards(2).build()?;
    let pipeline = Supervisor::builder()
        .strategy(Strategy::RestForOne)
        .intensity(2, Duration::from_secs(5))
        .shard(1)
        .child("parser", Restart::Permanent, || Work("parser"))
        .child("flaky", Restart::Permanent, || Work("flaky"));
    let jobs = Supervisor::builder()
        .strategy(Strategy::OneForOne)
        .intensity(1, Duration::from_secs(5))
        // A child placed on its own shard with a larger mailbox, without a
        // full `ChildSpec`.
        .child(
            "db",
            ChildOptions::permanent().shard(0).mailbox_capacity(1024),
            || Work("db"),
        )
        .supervisor("pipeline", Restart::Permanent, pipeline);
    let root = rt.block_on(
        Supervisor::builder()
            .name("root")
            .strategy(Strategy::OneForOne)
            .intensity(3, Duration::from_secs(5))
            .child("api", Restart::Permanent, || Work("api"))
            .supervisor("jobs", Restart::Permanent, jobs)
            .spawn(rt.handle()),
    )?;
    let events = root.subscribe();
    let printer = std::thread::spawn(move || {
        for ev in events {
            print(&ev);
        }
    });
    println!("tree started:");
    list(&root, 1);
    for round in 1..=6 {
        println!("crash {round} of flaky:");
        let victim = flaky(&root);
        victim.tell_blocking(WorkMsg::Crash)?;
        // Wait until a (possibly new) flaky answers again.
        loop {
            std::thread::sleep(Duration::from_millis(20));
            if flaky(&root).ask_blocking(WorkMsg::Ping).is_ok() {
                break;
            }
        }
    }
    std::thread::sleep(Duration::from_millis(50));
    println!("final tree:");
    list(&root, 1);
    root.shutdown_blocking(Duration::from_secs(5))?;
    rt.shutdown()?;
    // The event stream ends when the last handle to the tree is gone.
    drop(root);
    printer.join().ok();
    Ok(())
}
