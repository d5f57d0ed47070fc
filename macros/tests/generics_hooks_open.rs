//! Generic actors, hand-written hooks, options, and open messages.
#![deny(warnings)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use actor_core::prelude::*;

/// A generic actor: a stack of `T`.
#[actor(mailbox = 8)]
#[derive(Debug)]
pub struct Stack<T: Clone + Send + 'static> {
    items: Vec<T>,
}

#[messages]
impl<T: Clone + Send + 'static> Stack<T> {
    /// Pushes an item.
    #[message]
    pub fn push(&mut self, item: T) {
        self.items.push(item);
    }

    /// Pops the top item.
    #[message]
    pub async fn pop(&mut self) -> Option<T> {
        self.items.pop()
    }

    /// A copy of every item.
    #[message]
    pub fn snapshot(&self) -> Vec<T> {
        self.items.clone()
    }
}

#[test]
fn generic_actors_get_generic_handles() {
    let rt = Runtime::builder().shards(2).build().unwrap();
    let strings = rt
        .spawn_on(0, || Stack::<String> { items: vec![] })
        .unwrap();
    let numbers = rt.spawn_on(1, || Stack::<u8> { items: vec![] }).unwrap();
    assert_eq!(strings.mailbox_capacity(), 8);
    assert_eq!(strings.name(), "Stack");
    strings.push_blocking("a".into()).unwrap();
    rt.block_on(strings.push("b".into())).unwrap();
    numbers.try_push(7).unwrap();
    assert_eq!(strings.snapshot_blocking().unwrap(), ["a", "b"]);
    assert_eq!(strings.pop_blocking().unwrap().as_deref(), Some("b"));
    assert_eq!(rt.block_on(numbers.pop()).unwrap(), Some(7));
    assert_eq!(numbers.pop_blocking().unwrap(), None);
    rt.shutdown().unwrap();
}

/// An actor with hand-written hooks, counting them.
#[actor(name = "hooked", hooks)]
#[derive(Debug)]
pub struct Hooked {
    log: Arc<AtomicUsize>,
}

impl ActorHooks for Hooked {
    async fn on_start(&mut self, _ctx: &mut Context<Self>) -> Result<(), BoxError> {
        self.log.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    async fn on_stop(&mut self, _reason: &ExitReason, _ctx: &mut Context<Self>) {
        self.log.fetch_add(100, Ordering::SeqCst);
    }
}

#[messages]
impl Hooked {
    /// What the hooks have counted so far.
    #[message]
    pub fn seen(&self) -> usize {
        self.log.load(Ordering::SeqCst)
    }
}

#[test]
fn hand_written_hooks_run() {
    let rt = Runtime::builder().shards(1).build().unwrap();
    let log = Arc::new(AtomicUsize::new(0));
    let l = log.clone();
    let hooked = rt.spawn(move || Hooked { log: l }).unwrap();
    assert_eq!(hooked.name(), "hooked");
    assert_eq!(hooked.seen_blocking().unwrap(), 1);
    hooked.stop();
    hooked
        .wait_stopped_blocking(Duration::from_secs(5))
        .unwrap();
    assert_eq!(log.load(Ordering::SeqCst), 101);
    rt.shutdown().unwrap();
}

/// An open message: a request for a summary line.
#[message(reply = String)]
#[derive(Debug)]
pub struct Describe {
    /// Prefix of the answer.
    pub prefix: String,
}

/// An open message without a reply.
#[message]
#[derive(Debug)]
pub struct Bump;

/// One actor accepting the open messages beside its own.
#[actor]
#[derive(Debug)]
pub struct Gauge {
    level: u32,
}

#[messages(handles(Describe, Bump))]
impl Gauge {
    /// The level.
    #[message]
    pub fn level(&self) -> u32 {
        self.level
    }
}

impl Handler<Describe> for Gauge {
    async fn handle(&mut self, msg: Describe, _ctx: &mut Context<Self>) -> String {
        format!("{}gauge at {}", msg.prefix, self.level)
    }
}

impl Handler<Bump> for Gauge {
    async fn handle(&mut self, _: Bump, _ctx: &mut Context<Self>) {
        self.level += 1;
    }
}

/// Another actor accepting only `Describe`.
#[actor]
#[derive(Debug)]
pub struct Label;

#[messages(handles(Describe))]
impl Label {}

impl Handler<Describe> for Label {
    async fn handle(&mut self, msg: Describe, ctx: &mut Context<Self>) -> String {
        format!("{}label on shard {}", msg.prefix, ctx.shard())
    }
}

/// Code generic over every actor that accepts `Describe`.
fn describe<A: Actor>(actor: &ActorRef<A>) -> String
where
    ActorRef<A>: MessageRef<Describe>,
{
    let prefix = "> ".to_owned();
    actor.ask_message_blocking(Describe { prefix }).unwrap()
}

#[test]
fn open_messages_reach_every_actor_that_accepts_them() {
    let rt = Runtime::builder().shards(2).build().unwrap();
    let gauge = rt.spawn_on(0, || Gauge { level: 0 }).unwrap();
    let label = rt.spawn_on(1, || Label).unwrap();
    gauge.try_tell_message(Bump).unwrap();
    gauge.tell_message_blocking(Bump).unwrap();
    rt.block_on(gauge.tell_message(Bump)).unwrap();
    assert_eq!(gauge.level_blocking().unwrap(), 3);
    assert_eq!(describe(&gauge), "> gauge at 3");
    assert_eq!(describe(&label), "> label on shard 1");
    let answer = rt.block_on(async {
        let d = Describe {
            prefix: String::new(),
        };
        label.ask_message_timeout(Duration::from_secs(5), d).await
    });
    assert_eq!(answer.unwrap(), "label on shard 1");
    assert_eq!(
        rt.block_on(gauge.ask_message(Describe { prefix: "".into() }))
            .unwrap(),
        "gauge at 3"
    );
    let reply = gauge
        .try_ask_message(Describe { prefix: "".into() })
        .unwrap();
    assert_eq!(rt.block_on(reply).unwrap(), "gauge at 3");
    label.stop();
    label.wait_stopped_blocking(Duration::from_secs(5)).unwrap();
    // A failed send hands the open message itself back, not the envelope.
    match label.try_tell_message(Describe {
        prefix: "lost".into(),
    }) {
        Err(SendError::Closed(Describe { prefix })) => assert_eq!(prefix, "lost"),
        other => panic!("expected Closed, got {other:?}"),
    }
    match rt.block_on(label.tell_message(Describe {
        prefix: "late".into(),
    })) {
        Err(SendError::Closed(Describe { prefix })) => assert_eq!(prefix, "late"),
        other => panic!("expected Closed, got {other:?}"),
    }
    rt.shutdown().unwrap();
}
