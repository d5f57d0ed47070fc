use actor_core::prelude::*;

#[actor]
struct Counter {
    total: u64,
}

#[messages]
impl Counter {
    #[message]
    fn add(&mut self, by: u64) {
        self.total += by;
    }
}

/// A hand-written actor over `Counter`'s enum: its `ActorRef` has no typed
/// methods (they would message a `Counter`), only the raw API.
struct Mirror;

impl Actor for Mirror {
    type Msg = CounterMsg;

    async fn handle(&mut self, _msg: CounterMsg, _ctx: &mut Context<Self>) {}
}

fn send(mirror: &ActorRef<Mirror>) {
    let _ = mirror.add(1);
}

fn main() {}
