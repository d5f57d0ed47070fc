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

#[messages]
impl Counter {
    #[message]
    fn total(&self) -> u64 {
        self.total
    }
}

fn main() {}
