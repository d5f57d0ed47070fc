//! Links and monitors: a session linked to its connection dies with it when
//! the connection crashes, survives it when the connection closes normally,
//! and an audit actor monitoring all four hears every exit with its reason.
//!
//! - `Context::link` goes both ways: an abnormal exit of either partner stops
//!   the other with `ExitReason::Linked { .. }` (the default `on_notice`);
//!   `Normal` and `Shutdown` exits do not propagate.
//! - `Context::monitor` is one way: the watcher gets a `Notice` and lives on.
//!
//! Run: `cargo run -p examples --example links_and_monitors`

use std::time::{Duration, Instant};

use actor_core::prelude::*;
use actor_core::{LifecycleEvent, NoticeVia};

const WAIT: Duration = Duration::from_secs(5);

/// A client connection; it crashes on a protocol error.
#[actor]
struct Connection;

#[messages]
impl Connection {
    /// A frame the connection cannot parse: the handler panics.
    #[message]
    fn bad_frame(&mut self, detail: String) {
        panic!("protocol error: {detail}");
    }

    /// The peer said goodbye: a normal stop.
    #[message]
    fn close(&mut self, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}

/// Per-client state that is useless without its connection: it links to it
/// and keeps the default `on_notice`, so a crash of the connection ends it.
#[actor]
struct Session;

#[messages]
impl Session {
    /// Links this session to `conn` (both ways).
    #[message]
    fn attach(&mut self, conn: ActorRef<Connection>, ctx: &mut Context<Self>) {
        ctx.link(&conn);
    }

    /// Answers `true` while the session is alive (an ask).
    #[message]
    fn ping(&self) -> bool {
        true
    }
}

/// Monitors actors and keeps every notice; it never stops on one.
#[actor(hooks)]
struct Audit {
    notices: Vec<Notice>,
}

impl ActorHooks for Audit {
    async fn on_notice(&mut self, notice: Notice, _ctx: &mut Context<Self>) {
        let event = match &notice.event {
            LifecycleEvent::Started => "started".to_owned(),
            LifecycleEvent::Stopped(reason) => format!("stopped: {reason}"),
        };
        println!("  audit: {} {} {event}", notice.name, notice.id);
        self.notices.push(notice);
    }
}

#[messages]
impl Audit {
    /// Monitors a connection.
    #[message]
    fn watch_connection(&mut self, conn: ActorRef<Connection>, ctx: &mut Context<Self>) {
        ctx.monitor(&conn);
    }

    /// Monitors a session.
    #[message]
    fn watch_session(&mut self, session: ActorRef<Session>, ctx: &mut Context<Self>) {
        ctx.monitor(&session);
    }

    /// How each watched actor stopped, so far.
    #[message]
    fn stops(&self) -> Vec<(ActorId, ExitReason)> {
        self.notices
            .iter()
            .filter(|n| n.via == NoticeVia::Monitor)
            .filter_map(|n| match &n.event {
                LifecycleEvent::Stopped(reason) => Some((n.id, reason.clone())),
                LifecycleEvent::Started => None,
            })
            .collect()
    }
}

/// Hides the panic message printed for the crash this example causes.
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
    let audit = rt.spawn_on(0, || Audit {
        notices: Vec::new(),
    })?;
    // Two clients, each a connection on shard 1 and a session on shard 0.
    let mut clients = Vec::new();
    for _ in 0..2 {
        let conn = rt.spawn_on(1, || Connection)?;
        let session = rt.spawn_on(0, || Session)?;
        session.attach_blocking(conn.clone())?;
        audit.watch_connection_blocking(conn.clone())?;
        audit.watch_session_blocking(session.clone())?;
        clients.push((conn, session));
    }
    let (crashing_conn, doomed_session) = &clients[0];
    let (closing_conn, surviving_session) = &clients[1];

    println!("client 1: its connection crashes");
    crashing_conn.bad_frame_blocking("length 4294967295".into())?;
    let reason = doomed_session.wait_stopped_blocking(WAIT)?;
    println!("  session 1 stopped: {reason}");
    let expected = ExitReason::Linked {
        id: crashing_conn.id(),
        reason: Box::new(ExitReason::Panicked(
            "protocol error: length 4294967295".into(),
        )),
    };
    if reason != expected {
        return Err(format!("session 1 stopped with {reason}, expected {expected}").into());
    }

    println!("client 2: its connection closes normally");
    closing_conn.close_blocking()?;
    closing_conn.wait_stopped_blocking(WAIT)?;
    // The close notice reached the session's signal lane before this ask,
    // which it handles after: answering proves the notice did not stop it.
    if !surviving_session.ping_blocking()? || !surviving_session.is_alive() {
        return Err("a normal close stopped the linked session".into());
    }
    println!("  session 2 is still alive");

    // The audit monitors all four: it must hear three exits.
    let deadline = Instant::now() + WAIT;
    let stops = loop {
        let stops = audit.stops_blocking()?;
        if stops.len() >= 3 || Instant::now() > deadline {
            break stops;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let heard = |id: ActorId| stops.iter().find(|(who, _)| *who == id).map(|(_, r)| r);
    let wanted = [
        (
            crashing_conn.id(),
            ExitReason::Panicked("protocol error: length 4294967295".into()),
        ),
        (doomed_session.id(), expected),
        (closing_conn.id(), ExitReason::Normal),
    ];
    for (id, reason) in &wanted {
        if heard(*id) != Some(reason) {
            return Err(format!("audit heard {:?} for {id}, expected {reason}", heard(*id)).into());
        }
    }
    if stops.len() != 3 || !audit.is_alive() {
        return Err(format!("audit heard {} exits: {stops:?}", stops.len()).into());
    }
    println!("audit heard exactly the three exits, and lives on");
    rt.shutdown()?;
    Ok(())
}
