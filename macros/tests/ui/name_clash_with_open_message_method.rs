use actor_core::prelude::*;

#[message]
struct Ping;

#[actor]
struct Relay;

/// With `handles(...)`, `ActorRef<Relay>` has `MessageRef`'s methods:
/// `relay.tell_message(..)` would never send this.
#[messages(handles(Ping))]
impl Relay {
    #[message]
    fn tell_message(&self, text: String) {
        let _ = text;
    }
}

impl Handler<Ping> for Relay {
    async fn handle(&mut self, _: Ping, _ctx: &mut Context<Self>) {}
}

fn main() {}
