#![allow(missing_docs)]
//! `Builder::child` reaches a child's shard, mailbox capacity and shutdown
//! through `ChildOptions`, without a `ChildSpec`; a bare `Restart` still
//! works; the placement and capacity hold across restarts.

mod common;

use std::time::Duration;

use actor_core::ExitReason;
use actor_supervisor::{ChildOptions, Restart, Shutdown, Supervisor};
use common::{Msg, Worker, log, quiet_panics, runtime, wait_until};

const LIMIT: Duration = Duration::from_secs(10);

#[test]
fn child_options_set_the_shard_mailbox_and_shutdown_and_survive_restarts() {
    quiet_panics();
    let rt = runtime();
    let log = log();
    let tree = Supervisor::builder()
        .shard(0)
        .intensity(5, Duration::from_secs(5))
        .child("plain", Restart::Permanent, Worker::factory("plain", &log))
        .child(
            "placed",
            ChildOptions::permanent().shard(1).mailbox_capacity(8),
            Worker::factory("placed", &log),
        )
        .child(
            "brutal",
            ChildOptions::transient()
                .shutdown(Shutdown::Brutal)
                .mailbox_capacity(0),
            Worker::factory("brutal", &log),
        )
        .spawn_blocking(rt.handle())
        .unwrap();
    let plain = tree.child::<Worker>("plain").unwrap();
    let placed = tree.child::<Worker>("placed").unwrap();
    let brutal = tree.child::<Worker>("brutal").unwrap();
    assert_eq!(plain.shard(), 0, "defaults to the supervisor's shard");
    assert_eq!((placed.shard(), placed.mailbox_capacity()), (1, 8));
    assert_eq!(brutal.shard(), 0);
    assert_eq!(brutal.mailbox_capacity(), 1, "a capacity of 0 becomes 1");
    assert_ne!(plain.mailbox_capacity(), 8);

    // A restart keeps the handle, so the shard and the capacity too.
    placed.tell_blocking(Msg::Crash).unwrap();
    wait_until(LIMIT, "placed restarted", || {
        log.lock().iter().filter(|l| *l == "start:placed").count() == 2
    });
    assert_eq!((placed.shard(), placed.mailbox_capacity()), (1, 8));
    assert_eq!(placed.ask_blocking(Msg::Handled).unwrap(), 1, "fresh state");

    assert_eq!(tree.shutdown_blocking(LIMIT), Ok(ExitReason::Shutdown));
    let log = log.lock();
    assert!(log.contains(&"stop:placed".to_owned()));
    assert!(
        !log.contains(&"stop:brutal".to_owned()),
        "Shutdown::Brutal kills: no on_stop"
    );
    rt.shutdown().unwrap();
}

#[test]
fn child_options_default_and_from_restart_agree() {
    assert_eq!(ChildOptions::default(), ChildOptions::permanent());
    assert_eq!(
        ChildOptions::from(Restart::Transient),
        ChildOptions::transient()
    );
    assert_eq!(
        ChildOptions::from(Restart::Temporary),
        ChildOptions::new(Restart::Temporary)
    );
    assert_ne!(
        ChildOptions::temporary().shard(1),
        ChildOptions::temporary()
    );
}
