use actor_core::prelude::*;

#[actor]
struct Counter;

#[messages]
impl Clone for Counter {
    fn clone(&self) -> Self {
        Counter
    }
}

fn main() {}
