use actor_core::prelude::*;

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

fn main() {}
