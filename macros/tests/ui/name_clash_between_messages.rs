use actor_core::prelude::*;

#[actor]
struct Counter;

#[messages]
impl Counter {
    #[message]
    fn add(&mut self, by: u64) {
        let _ = by;
    }

    #[message]
    fn try_add(&mut self, by: u64) -> bool {
        by > 0
    }
}

fn main() {}
