use actor_core::prelude::*;

#[actor(mailbox = 0)]
struct Counter;

#[messages]
impl Counter {
    #[message]
    fn ping(&self) {}
}

fn main() {}
