use actor_core::prelude::*;

#[actor]
struct Converter;

#[messages]
impl Converter {
    /// Every `ActorRef` has `Into::into`: `converter.into(7)` would never send this.
    #[message]
    fn into(&self, x: u64) -> u64 {
        x
    }
}

fn main() {}
