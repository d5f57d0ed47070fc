//! Links and monitors across incarnations: a monitor added while a
//! supervised actor waits for its restart hears its final stop, and links
//! end with the incarnation that made them, so two linked supervised actors
//! cannot kill each other again after a restart.
#![allow(missing_docs)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actor_core::LifecycleEvent;
use actor_core::prelude::*;
use actor_core::supervision::{Factory, spawn_supervised};

const LONG: Duration = Duration::from_secs(5);

struct Quiet;

impl Actor for Quiet {
    type Msg = ();
    async fn handle(&mut self, (): (), _: &mut Context<Self>) {}
}

/// Monitors an actor from `on_start` and records every notice.
struct Watcher {
    target: ActorRef<Quiet>,
    seen: Arc<Mutex<Vec<LifecycleEvent>>>,
}

impl Actor for Watcher {
    type Msg = ();
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        ctx.monitor(&self.target);
        Ok(())
    }
    async fn on_notice(&mut self, notice: Notice, _: &mut Context<Self>) {
        self.seen.lock().unwrap().push(notice.event);
    }
    async fn handle(&mut self, (): (), _: &mut Context<Self>) {}
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + LONG;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting: {what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn a_monitor_added_between_incarnations_hears_the_final_stop() {
    let rt = Runtime::builder().shards(2).build().unwrap();
    let factory: Factory<Quiet> = Arc::new(|| Quiet);
    let child = spawn_supervised(rt.handle(), 1, None, factory).unwrap();
    child.kill();
    rt.block_on(child.wait_exit());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (target, log) = (child.clone(), seen.clone());
    rt.spawn_on(0, move || Watcher { target, seen: log })
        .unwrap();
    std::thread::sleep(Duration::from_millis(20)); // the monitor is in place
    child.close(ExitReason::Normal);
    wait_until("the final stop", || !seen.lock().unwrap().is_empty());
    assert_eq!(
        seen.lock().unwrap().as_slice(),
        [LifecycleEvent::Stopped(ExitReason::Normal)]
    );
    rt.shutdown().unwrap();
}

/// Links itself to `partner` on start (when there is one); panics on `true`.
struct Linked {
    partner: Arc<Mutex<Option<ActorRef<Linked>>>>,
}

impl Actor for Linked {
    type Msg = bool;
    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        let partner = self.partner.lock().unwrap().take();
        if let Some(p) = partner {
            ctx.link(&p);
        }
        Ok(())
    }
    async fn handle(&mut self, fail: bool, _: &mut Context<Self>) {
        assert!(!fail, "asked to fail");
    }
}

#[test]
fn links_end_with_the_incarnation_that_made_them() {
    let rt = Runtime::builder().shards(2).build().unwrap();
    let nobody = Arc::new(Mutex::new(None));
    let b_factory: Factory<Linked> = {
        let nobody = nobody.clone();
        Arc::new(move || Linked {
            partner: nobody.clone(),
        })
    };
    let b = spawn_supervised(rt.handle(), 1, None, b_factory.clone()).unwrap();
    // A links to B in its first incarnation only.
    let partner = Arc::new(Mutex::new(Some(b.clone())));
    let a_factory: Factory<Linked> = {
        let partner = partner.clone();
        Arc::new(move || Linked {
            partner: partner.clone(),
        })
    };
    let a = spawn_supervised(rt.handle(), 0, None, a_factory.clone()).unwrap();
    wait_until("A linked", || partner.lock().unwrap().is_none());

    // A fails: B, linked, goes down with it.
    a.tell_blocking(true).unwrap();
    assert!(matches!(
        rt.block_on(a.wait_exit()),
        ExitReason::Panicked(_)
    ));
    assert!(matches!(
        rt.block_on(b.wait_exit()),
        ExitReason::Linked { .. }
    ));

    // Both restart: nothing of the old link is left to kill either again.
    b.restart(b_factory).unwrap();
    a.restart(a_factory).unwrap();
    wait_until("both running", || a.is_running() && b.is_running());
    std::thread::sleep(Duration::from_millis(50));
    assert!(
        a.is_running() && b.is_running(),
        "a stale link notice killed one"
    );

    // A second failure of B no longer reaches the new A.
    b.tell_blocking(true).unwrap();
    assert!(matches!(
        rt.block_on(b.wait_exit()),
        ExitReason::Panicked(_)
    ));
    std::thread::sleep(Duration::from_millis(50));
    assert!(
        a.is_running(),
        "the link outlived the incarnation that made it"
    );
    rt.shutdown().unwrap();
}
