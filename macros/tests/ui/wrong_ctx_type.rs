use actor_core::prelude::*;

#[actor]
struct Counter;

#[messages]
impl Counter {
    #[message]
    fn shard(&self, ctx: &Context<Self>) -> usize {
        ctx.shard()
    }
}

fn main() {}
