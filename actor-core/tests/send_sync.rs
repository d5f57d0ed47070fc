//! Compile-time checks: what crosses threads is `Send + Sync`, even for an
//! actor whose own state is not `Send`. (The `!Send` checks of `Context` and
//! `TimerHandle` live in `src/lib.rs`.)
#![allow(missing_docs)]

use std::cell::RefCell;
use std::rc::Rc;

use actor_core::prelude::*;
use actor_core::{
    DeadLetter, DeadLetters, ExitReason, Metrics, Notice, Reply, SendError, ShutdownError,
    SpawnError,
};

/// An actor with shard-bound state: `Rc<RefCell<_>>` is neither `Send` nor
/// `Sync`.
struct Local {
    state: Rc<RefCell<Vec<u32>>>,
}

enum LocalMsg {
    Push(u32),
    Len(ReplyTo<usize>),
}

impl Actor for Local {
    type Msg = LocalMsg;

    async fn handle(&mut self, msg: LocalMsg, _ctx: &mut Context<Self>) {
        match msg {
            LocalMsg::Push(n) => self.state.borrow_mut().push(n),
            LocalMsg::Len(r) => r.send(self.state.borrow().len()),
        }
    }
}

const fn send_sync<T: Send + Sync>() {}
const fn send_sync_clone<T: Send + Sync + Clone>() {}

// Checked when this file compiles; the test below only makes it visible.
const _: () = {
    send_sync_clone::<ActorRef<Local>>();
    send_sync_clone::<Handle>();
    send_sync::<Runtime>();
    send_sync::<ReplyTo<u32>>();
    send_sync::<ReplyTo<Vec<String>>>();
    send_sync::<Reply<u32>>();
    send_sync::<DeadLetters>();
    send_sync::<DeadLetter>();
    send_sync::<Metrics>();
    send_sync::<Notice>();
    send_sync::<ExitReason>();
    send_sync::<SendError<LocalMsg>>();
    send_sync::<SpawnError>();
    send_sync::<ShutdownError>();
    send_sync::<AskError>();
};

#[test]
fn handles_cross_threads_for_an_actor_that_is_not_send() {
    let rt = Runtime::builder().shards(2).build().unwrap();
    // The factory is `Send`; the `Rc` it builds is made on shard 1 and
    // stays there.
    let local = rt
        .spawn_on(1, || Local {
            state: Rc::new(RefCell::new(Vec::new())),
        })
        .unwrap();
    let handle = rt.handle().clone();
    let from_thread = std::thread::spawn({
        let local = local.clone();
        move || {
            local.tell_blocking(LocalMsg::Push(1)).unwrap();
            assert_eq!(handle.shards(), 2);
            local.ask_blocking(LocalMsg::Len).unwrap()
        }
    })
    .join()
    .unwrap();
    assert_eq!(from_thread, 1);
    rt.shutdown().unwrap();
}
