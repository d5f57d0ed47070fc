use actor_core::prelude::*;

#[actor]
struct Counter {
    total: u64,
}

#[messages]
impl Counter {
    #[message]
    fn take(self) -> u64 {
        self.total
    }
}

fn main() {}
