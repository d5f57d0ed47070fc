//! `async` methods may take `&self`: the dispatch holds `&mut self` and lends
//! it out shared for the call.
use actor_core::prelude::*;

#[actor]
struct Reader {
    value: u64,
}

#[messages]
impl Reader {
    #[message]
    async fn read(&self, ctx: &mut Context<Self>) -> u64 {
        let _ = ctx.shard();
        self.value
    }
}

fn main() {
    let rt = Runtime::builder().shards(1).build().unwrap();
    let reader = rt.spawn(|| Reader { value: 3 }).unwrap();
    assert_eq!(reader.read_blocking().unwrap(), 3);
    rt.shutdown().unwrap();
}
