use actor_core::prelude::*;

#[actor(hooks)]
struct Counter;

#[messages]
impl Counter {
    #[message]
    fn ping(&self) {}
}

fn main() {}
