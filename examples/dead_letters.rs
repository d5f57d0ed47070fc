//! Dead letters: orders that never reached an order book, and why.
//!
//! The runtime records every message it could not deliver, with its
//! recipient, type and reason (`Runtime::dead_letters()`: an exact count and
//! the most recent 1,024 records). Three ways to lose an order:
//!
//! - `HandlerPanicked`: the order in hand when its handler panicked;
//! - `ActorStopped`: orders still queued when the book was stopped;
//! - `MailboxClosed`: orders sent after it stopped (the sender also gets
//!   each back as `SendError::Closed`).
//!
//! The per-shard `dead_letters` counter in `Runtime::metrics()` agrees.
//!
//! Run: `cargo run -p examples --example dead_letters`

use std::collections::BTreeMap;
use std::time::Duration;

use actor_core::prelude::*;
use actor_core::{DeadLetterReason, oneshot};

const WAIT: Duration = Duration::from_secs(5);

/// Counts the orders it accepted.
#[derive(Default)]
struct OrderBook {
    accepted: u64,
}

enum OrderMsg {
    /// Places an order; a negative quantity is a bug that panics.
    Place {
        id: u64,
        quantity: i64,
    },
    /// Replies at once, then holds the book until `resume` resolves.
    Pause {
        entered: ReplyTo<()>,
        resume: Reply<()>,
    },
    Accepted(ReplyTo<u64>),
}

impl Actor for OrderBook {
    type Msg = OrderMsg;

    async fn handle(&mut self, msg: OrderMsg, _: &mut Context<Self>) {
        match msg {
            OrderMsg::Place { id, quantity } => {
                assert!(quantity > 0, "order {id}: quantity {quantity}");
                self.accepted += 1;
            }
            OrderMsg::Pause { entered, resume } => {
                entered.send(());
                let _ = resume.await;
            }
            OrderMsg::Accepted(reply) => reply.send(self.accepted),
        }
    }
}

fn place(id: u64) -> OrderMsg {
    OrderMsg::Place { id, quantity: 10 }
}

/// Hides the panic message of the bad order this example sends.
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
    let buggy = rt.spawn_on(1, OrderBook::default)?;
    let closing = rt.spawn_on(1, OrderBook::default)?;

    // A handler panics: the order in hand is lost, the book stops.
    buggy.tell_blocking(place(1))?;
    let accepted = buggy.ask_blocking(OrderMsg::Accepted)?;
    buggy.tell_blocking(OrderMsg::Place {
        id: 2,
        quantity: -3,
    })?;
    let reason = buggy.wait_stopped_blocking(WAIT)?;
    println!("buggy book accepted {accepted} order, then stopped: {reason}");

    // Five orders queue behind a pause; the book is stopped meanwhile.
    let (entered_tx, entered) = oneshot();
    let (resume, resume_rx) = oneshot();
    closing.tell_blocking(OrderMsg::Pause {
        entered: entered_tx,
        resume: resume_rx,
    })?;
    entered.wait_blocking()?;
    for id in 10..15 {
        closing.tell_blocking(place(id))?;
    }
    closing.stop();
    resume.send(());
    closing.wait_stopped_blocking(WAIT)?;

    // Three more after it stopped: each comes back to the sender too.
    let mut handed_back = 0;
    for id in 20..23 {
        if let Err(SendError::Closed(OrderMsg::Place { id: back, .. })) =
            closing.try_tell(place(id))
        {
            handed_back += usize::from(back == id);
        }
    }
    println!("3 orders sent to the stopped book, {handed_back} handed back as Closed");

    let letters = rt.dead_letters();
    let mut by_cause: BTreeMap<(DeadLetterReason, &str), usize> = BTreeMap::new();
    let mut message_type = "";
    for letter in letters.take() {
        let who = if letter.recipient == buggy.id() {
            "buggy"
        } else {
            "closing"
        };
        *by_cause.entry((letter.reason, who)).or_default() += 1;
        if letter.recipient_name != OrderBook::name() {
            return Err(format!("a dead letter for another actor: {letter:?}").into());
        }
        message_type = letter.message_type;
    }
    println!("\n{} dead letters, each a {message_type}:", letters.count());
    for ((reason, who), n) in &by_cause {
        println!("  {n} x {:<16} to the {who} book", format!("{reason:?}"));
    }
    let expected = BTreeMap::from([
        ((DeadLetterReason::ActorStopped, "closing"), 5),
        ((DeadLetterReason::HandlerPanicked, "buggy"), 1),
        ((DeadLetterReason::MailboxClosed, "closing"), 3),
    ]);
    let on_shard_1 = rt.metrics().shards[1].dead_letters;
    println!("metrics: shard 1 counted {on_shard_1} dead letters");
    if by_cause != expected
        || letters.count() != 9
        || on_shard_1 != 9
        || handed_back != 3
        || accepted != 1
    {
        return Err(format!("expected {expected:?}, got {by_cause:?}").into());
    }
    rt.shutdown()?;
    Ok(())
}
