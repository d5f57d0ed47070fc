use actor_core::prelude::*;

#[actor(mailbox = 16, capacity = 32)]
struct Counter;

#[messages]
impl Counter {
    #[message]
    fn ping(&self) {}
}

fn main() {}
