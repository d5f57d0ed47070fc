//! Actors several benchmarks drive: a counter, an idle actor and a ring
//! node. Included with `#[path]`; each benchmark uses some of them.

use actor_core::prelude::*;

/// Adds what it is told; answers a `Get` with the total plus one (the
/// comparison's "reply is msg+1").
pub(crate) struct Target(pub(crate) u64);

pub(crate) enum TargetMsg {
    Add(u64),
    Get(ReplyTo<u64>),
}

impl Actor for Target {
    type Msg = TargetMsg;
    async fn handle(&mut self, msg: TargetMsg, _ctx: &mut Context<Self>) {
        match msg {
            TargetMsg::Add(n) => self.0 = self.0.wrapping_add(n),
            TargetMsg::Get(r) => r.send(self.0.wrapping_add(1)),
        }
    }
}

/// Does nothing: the cost of an actor itself.
pub(crate) struct Idle;

impl Actor for Idle {
    type Msg = ();
    async fn handle(&mut self, _: (), _ctx: &mut Context<Self>) {}
}

/// A ring node: forwards the token, counting down; at zero, answers.
pub(crate) struct Node(pub(crate) Option<ActorRef<Node>>);

pub(crate) enum NodeMsg {
    Link(ActorRef<Node>),
    Token(u64, ReplyTo<()>),
}

impl Actor for Node {
    type Msg = NodeMsg;
    async fn handle(&mut self, msg: NodeMsg, _ctx: &mut Context<Self>) {
        match msg {
            NodeMsg::Link(next) => self.0 = Some(next),
            NodeMsg::Token(0, done) => done.send(()),
            NodeMsg::Token(left, done) => {
                let next = self.0.as_ref().expect("ring linked");
                next.tell(NodeMsg::Token(left - 1, done))
                    .await
                    .unwrap_or_else(|_| panic!("ring node stopped"));
            }
        }
    }
}
