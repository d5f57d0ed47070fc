//! Blocking calls on a shard thread, which must never block, send nothing and
//! say so with a `WouldBlock` error (the message comes back); on a plain
//! thread they block, and a blocking wait that runs out of time says
//! `Timeout`, not the same thing.
#![allow(missing_docs)]

mod common;

use std::time::Duration;

use actor_core::prelude::*;

const WAIT: Duration = Duration::from_secs(5);

/// Records the numbers it is told.
#[derive(Default)]
struct Sink {
    seen: Vec<u32>,
}

enum SinkMsg {
    Item(u32),
    Seen(ReplyTo<Vec<u32>>),
}

impl Actor for Sink {
    type Msg = SinkMsg;

    async fn handle(&mut self, msg: SinkMsg, _ctx: &mut Context<Self>) {
        match msg {
            SinkMsg::Item(n) => self.seen.push(n),
            SinkMsg::Seen(r) => r.send(self.seen.clone()),
        }
    }
}

/// What each blocking call returned inside a handler.
#[derive(Debug)]
struct Report {
    tell: Result<(), SendError<SinkMsg>>,
    ask: Result<Vec<u32>, AskError>,
    wait: Result<ExitReason, WaitError>,
    reply: Result<u32, AskError>,
}

impl std::fmt::Debug for SinkMsg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SinkMsg::Item(n) => write!(f, "Item({n})"),
            SinkMsg::Seen(_) => f.write_str("Seen"),
        }
    }
}

/// Calls every blocking method from its handler, on its shard thread.
struct Prober;

impl Actor for Prober {
    type Msg = (ActorRef<Sink>, ReplyTo<Report>);

    async fn handle(&mut self, (sink, r): Self::Msg, _ctx: &mut Context<Self>) {
        let (answer, reply) = actor_core::oneshot::<u32>();
        answer.send(7);
        r.send(Report {
            tell: sink.tell_blocking(SinkMsg::Item(1)),
            ask: sink.ask_blocking(SinkMsg::Seen),
            wait: sink.wait_stopped_blocking(Duration::from_secs(60)),
            reply: reply.wait_blocking(),
        });
    }
}

#[test]
fn blocking_calls_on_a_shard_thread_return_would_block_and_send_nothing() {
    let rt = common::rt2();
    for (sink_shard, prober_shard) in [(0, 0), (0, 1)] {
        let sink = rt.spawn_on(sink_shard, Sink::default).unwrap();
        let prober = rt.spawn_on(prober_shard, || Prober).unwrap();
        let report = prober.ask_blocking(|r| (sink.clone(), r)).unwrap();
        match report.tell {
            Err(SendError::WouldBlock(SinkMsg::Item(1))) => {}
            other => panic!("tell_blocking on a shard gave {other:?}"),
        }
        assert!(
            SendError::WouldBlock(())
                .to_string()
                .contains("shard thread"),
            "the error says why"
        );
        assert_eq!(report.ask, Err(AskError::WouldBlock));
        assert_eq!(report.wait, Err(WaitError::WouldBlock));
        assert_eq!(report.reply, Err(AskError::WouldBlock));
        // Nothing was sent, and the sink still runs.
        assert_eq!(sink.ask_blocking(SinkMsg::Seen).unwrap(), Vec::<u32>::new());
        assert!(sink.is_alive());
        sink.stop();
    }
    rt.shutdown().unwrap();
}

#[test]
fn blocking_calls_on_a_plain_thread_block_and_time_out_distinctly() {
    let rt = common::rt2();
    let sink = rt.spawn_on(1, Sink::default).unwrap();
    sink.tell_blocking(SinkMsg::Item(3)).unwrap();
    assert_eq!(sink.ask_blocking(SinkMsg::Seen).unwrap(), [3]);
    assert_eq!(
        sink.wait_stopped_blocking(Duration::from_millis(20)),
        Err(WaitError::Timeout),
        "a running actor: the wait runs out of time"
    );
    sink.stop();
    assert_eq!(sink.wait_stopped_blocking(WAIT), Ok(ExitReason::Normal));
    assert_eq!(
        sink.wait_stopped_blocking(Duration::ZERO),
        Ok(ExitReason::Normal),
        "already stopped: no wait at all"
    );
    let err: actor_core::Error = WaitError::Timeout.into();
    assert!(matches!(err, actor_core::Error::Wait(WaitError::Timeout)));
    rt.shutdown().unwrap();
}
