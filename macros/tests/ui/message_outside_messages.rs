use actor_core::prelude::*;

#[actor]
struct Counter {
    total: u64,
}

impl Counter {
    #[message]
    fn add(&mut self, by: u64) {
        self.total += by;
    }
}

fn main() {}
