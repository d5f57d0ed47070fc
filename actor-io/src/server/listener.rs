//! The listener actor: one per shard, all on one port (`SO_REUSEPORT`).
//!
//! Accepting runs as a task of the actor's shard, so the actor's mailbox
//! stays free (a stop request is handled at once) and no accept is ever
//! polled under a timeout. The task hands each stream to the actor through
//! a shard-local queue and a unit message; the actor spawns a
//! [`Connection`] for it on the same shard. When the actor stops, the task
//! ends (its pending accept is cancelled and the socket closed) and the
//! actor stops its connections.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use actor_core::{Actor, ActorRef, BoxError, Context, ExitReason};

use super::conn::Connection;
use super::settings::Settings;
use super::signal::{Either, StopOnDrop, StopSignal, race};
use crate::net::{TcpListener, TcpStream};

/// How long to back off after a failed accept (out of fds, say).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(20);

/// Tells the listener actor that streams wait in its queue.
#[derive(Debug)]
pub(crate) struct Accepted;

/// Accepts on one shard's listening socket.
#[derive(Debug)]
pub(crate) struct Listener {
    listener: Option<io::Result<TcpListener>>,
    settings: Arc<Settings>,
    queue: Rc<RefCell<VecDeque<TcpStream>>>,
    connections: Vec<ActorRef<Connection>>,
    /// Live connections after the last pruning, to prune in amortised O(1).
    pruned_len: usize,
    stop: StopSignal,
    _stopped: StopOnDrop,
}

impl Listener {
    pub(crate) fn new(listener: io::Result<TcpListener>, settings: Arc<Settings>) -> Self {
        let stop = StopSignal::default();
        Listener {
            listener: Some(listener),
            settings,
            queue: Rc::default(),
            connections: Vec::new(),
            pruned_len: 0,
            _stopped: stop.guard(),
            stop,
        }
    }
}

impl Actor for Listener {
    type Msg = Accepted;

    fn name() -> &'static str {
        "http::Listener"
    }

    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        let listener = self.listener.take().ok_or("listener started twice")??;
        let queue = self.queue.clone();
        let stop = self.stop.clone();
        let me = ctx.myself().clone();
        ctx.spawn_task(async move {
            loop {
                match race(listener.accept(), stop.wait()).await {
                    Either::Right(()) => break,
                    Either::Left(Ok((stream, _peer))) => {
                        queue.borrow_mut().push_back(stream);
                        // A full mailbox already holds an `Accepted` that
                        // will drain the queue.
                        if me.try_tell(Accepted).is_err() && !me.is_alive() {
                            break;
                        }
                    }
                    Either::Left(Err(e)) => {
                        tracing::warn!(error = %e, "accept failed");
                        let pause = actor_core::time::sleep(ACCEPT_BACKOFF);
                        if let Either::Right(()) = race(pause, stop.wait()).await {
                            break;
                        }
                    }
                }
            }
            drop(listener);
        });
        Ok(())
    }

    async fn handle(&mut self, _: Accepted, ctx: &mut Context<Self>) {
        loop {
            let next = self.queue.borrow_mut().pop_front();
            let Some(stream) = next else { break };
            let conn = ctx.spawn(Connection::new(stream, self.settings.clone()));
            self.connections.push(conn);
        }
        if self.connections.len() > 2 * self.pruned_len.max(32) {
            self.connections.retain(ActorRef::is_alive);
            self.pruned_len = self.connections.len();
        }
    }

    async fn on_stop(&mut self, _: &ExitReason, _: &mut Context<Self>) {
        self.queue.borrow_mut().clear();
        for conn in self.connections.drain(..) {
            conn.stop();
        }
    }
}
