//! Supervised incarnations: a restart keeps the mailbox and the handle, and
//! does not inherit a stop request the ended incarnation never took.
#![allow(missing_docs)]

use std::sync::Arc;
use std::time::Duration;

use actor_core::prelude::*;
use actor_core::supervision::{Factory, spawn_supervised};

struct Stubborn;

enum StubbornMsg {
    /// Never finishes: ignores stop requests.
    Hang,
    Ping(ReplyTo<&'static str>),
    Note,
}

impl Actor for Stubborn {
    type Msg = StubbornMsg;
    async fn handle(&mut self, msg: StubbornMsg, _ctx: &mut Context<Self>) {
        match msg {
            StubbornMsg::Hang => std::future::pending::<()>().await,
            StubbornMsg::Ping(r) => r.send("pong"),
            StubbornMsg::Note => {}
        }
    }
}

#[test]
fn a_restart_does_not_inherit_an_unconsumed_stop() {
    let rt = Runtime::builder().shards(2).build().unwrap();
    let factory: Factory<Stubborn> = Arc::new(|| Stubborn);
    let child = spawn_supervised(rt.handle(), 1, None, factory.clone()).unwrap();
    child.tell_blocking(StubbornMsg::Hang).unwrap();
    std::thread::sleep(Duration::from_millis(50)); // the handler now hangs
    child.stop_with(ExitReason::Shutdown); // never taken
    std::thread::sleep(Duration::from_millis(50));
    assert!(child.is_running());
    child.kill();
    let reason = rt.block_on(child.wait_exit());
    assert_eq!(reason, ExitReason::Killed);
    // Messages sent while it waits for its supervisor queue up.
    child.tell_blocking(StubbornMsg::Note).unwrap();
    child.restart(factory).unwrap();
    let answer = child.ask_blocking_timeout(Duration::from_secs(5), StubbornMsg::Ping);
    assert_eq!(answer, Ok("pong"), "the new incarnation stopped at once");
    assert!(child.is_running());
    rt.shutdown().unwrap();
}
